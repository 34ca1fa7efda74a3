"""Reminders: the duties computed from the database (`duties`) and the idempotent sweep
that turns them into notices (`sweep`). `flask --app app reminders sweep` runs it now."""
