"""`flask --app app disclosures …`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dwgk.disclosures import services
from dwgk.extensions import db

disclosures_cli = AppGroup("disclosures", help="公开事项。")


@disclosures_cli.command("archive-ended")
def archive_ended():
    """Archive the items whose publicity period is over (the scheduler runs this too)."""
    archived = services.archive_ended_publicity_periods()
    db.session.commit()
    for item in archived:
        click.echo(f"已归档：{item.live_revision.title}")
    click.echo(f"共归档 {len(archived)} 项。")
