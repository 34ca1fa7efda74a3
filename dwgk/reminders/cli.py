"""`flask --app app reminders …`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="到期提醒。")


@reminders_cli.command("sweep")
def sweep():
    """立即检查一次到期事项并发送提醒（可重复运行，同一提醒只发一次）。"""
    from dwgk.reminders.sweep import sweep_commit_and_mail

    click.echo(sweep_commit_and_mail().summary)
