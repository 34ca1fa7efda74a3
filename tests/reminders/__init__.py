"""Helpers for the reminder tests: duties and duty notices read back as plain tuples."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import User
from dwgk.extensions import db


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def duties_now(app):
    """compute_duties for the (frozen) today, as (kind, object_id, due, overdue, usernames)."""
    from dwgk.core import clock
    from dwgk.core import settings as unit_settings
    from dwgk.core.workdays import Calendar
    from dwgk.reminders.duties import compute_duties

    with app.app_context():
        duties = compute_duties(clock.today(), Calendar.load(), unit_settings.get())
        return [(d.kind, d.object_id, d.due, d.overdue, sorted(u.username for u in d.recipients))
                for d in duties]


def full_duties_now(app):
    from dwgk.core import clock
    from dwgk.core import settings as unit_settings
    from dwgk.core.workdays import Calendar
    from dwgk.reminders.duties import compute_duties

    with app.app_context():
        return compute_duties(clock.today(), Calendar.load(), unit_settings.get())


def sweep(app):
    from dwgk.reminders.sweep import run_sweep

    with app.app_context():
        result = run_sweep()
        db.session.commit()
        return result


def duty_notices(app):
    """Every duty notice: sorted (username, kind, object_id, due_key)."""
    from dwgk.notifications.models import Notification

    with app.app_context():
        rows = db.session.execute(
            select(User.username, Notification.kind, Notification.object_id, Notification.due_key)
            .join(User, User.id == Notification.recipient_id)
            .where(Notification.kind.like("duty.%")))
        return sorted(tuple(row) for row in rows)
