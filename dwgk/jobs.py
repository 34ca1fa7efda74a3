"""Jobs the RQ worker runs. Each is thin: it builds the app, calls the same function the CLI
calls, and commits. Idempotent, so a job that runs twice does no harm."""
from __future__ import annotations


def housekeeping() -> int:
    """Archive ended publicity periods and send due and overdue reminders (the sweep), in
    the app and, where SMTP is configured, by e-mail. Returns how many items were archived."""
    from dwgk import create_app
    from dwgk.extensions import db
    from dwgk.reminders.sweep import sweep_commit_and_mail

    app = create_app()
    with app.app_context():
        try:
            return sweep_commit_and_mail().archived
        finally:
            # The app is this job's alone: close its connections rather than leave them to
            # the garbage collector (a worker that does not fork runs many jobs).
            db.session.remove()
            db.engine.dispose()


def send_owed_mail() -> int:
    """Send every e-mail the outbox owes (core.mail.send_owed); queued after a commit that
    owed one. Takes no arguments: what is owed is read from the database, so a lost job
    loses no mail (the next sweep sends it). Returns the messages sent."""
    from dwgk import create_app
    from dwgk.core import mail
    from dwgk.extensions import db

    app = create_app()
    if not mail.is_configured(app.config):  # failed, so that it shows on /admin/jobs
        raise RuntimeError("DWGK_SMTP_HOST is not set in the worker's environment")
    with app.app_context():
        try:
            return mail.send_owed().sent
        finally:
            db.session.remove()
            db.engine.dispose()


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one e-mail: the job of dwgk before the outbox, kept for jobs it left queued.
    Needs no database. Raises when the server refuses, so that RQ retries it."""
    from dwgk import config
    from dwgk.core import mail

    settings = config.build_config(config.instance_path())
    if not mail.is_configured(settings):
        raise RuntimeError("DWGK_SMTP_HOST is not set in the worker's environment")
    mail.send_now(mail.build_message(to, subject, body, settings), settings)
