"""Jobs the RQ worker runs. Each is thin: it builds the app, calls the same function the CLI
calls, and commits. Idempotent, so a job that runs twice does no harm."""
from __future__ import annotations


def housekeeping() -> int:
    """Archive items whose publicity period has ended. Returns how many were archived."""
    from dwgk import create_app
    from dwgk.disclosures import services
    from dwgk.extensions import db

    app = create_app()
    with app.app_context():
        archived = services.archive_ended_publicity_periods()
        db.session.commit()
        return len(archived)
