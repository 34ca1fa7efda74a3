"""`flask --app app backup …`: back up and restore the database and the uploads."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from dwgk.core.clock import LOCAL_TZ
from dwgk.ops import backup as service
from dwgk.ops.backup import BackupError, human_size

backup_cli = AppGroup("backup", help="备份与恢复（数据库和附件）。")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="只保留该文件夹中最近的 N 个备份，删除更早的。")
def create(path, keep):
    """Write one archive with the database and the uploads.

    PATH is a folder (default: instance/backups/) or a file name ending in .tar.gz.
    """
    try:
        result = service.create_backup(path, keep=keep)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # a full disk, a folder we may not write to
        raise click.ClickException(f"备份失败：{exc}") from None
    click.echo(f"已创建备份：{result.path}")
    click.echo(f"  大小 {human_size(result.archive_size)}（数据库 {human_size(result.database_size)}，"
               f"附件 {result.upload_count} 个共 {human_size(result.upload_size)}），"
               f"用时 {result.seconds:.1f} 秒")
    if result.removed:
        click.echo(f"  已删除 {len(result.removed)} 个较早的备份（保留最近 {keep} 个）")
    for warning in result.warnings:
        click.echo(f"警告：{warning}", err=True)


def is_interactive() -> bool:
    """Whether a person can answer a question here (cron and scripts cannot)."""
    return sys.stdin.isatty()


def _describe(path: Path, manifest: dict) -> str:
    created = manifest.get("created_at", "")
    try:
        created = datetime.fromisoformat(created).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        pass
    uploads = [f for f in manifest["files"] if f["name"].startswith("uploads/")]
    database = manifest["database"]
    return (f"备份文件：{path}\n"
            f"  创建于 {created}（北京时间），数据库 {database['kind']}，"
            f"结构版本 {database.get('alembic_revision')}，附件 {len(uploads)} 个")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="不再询问，直接用备份覆盖当前数据。")
def restore(path, yes):
    """Replace the database and the uploads with those of the archive PATH.

    Stop the web server, the worker and the scheduler first.
    """
    try:
        manifest, _ = service.read_archive(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_describe(path, manifest))
    warning = (f"将用这个备份覆盖当前数据库（{service.shown_database_url()}）和附件目录"
               f"（{service.upload_dir()}）中的全部内容。恢复前请先停止 web、worker 和 scheduler 服务。")
    if not yes:
        if not is_interactive():
            raise click.ClickException(f"{warning}\n确认要恢复，请加上 --yes。")
        click.echo(warning)
        if not click.confirm("确定恢复吗？", default=False):
            raise click.ClickException("已取消，未做任何改动。")
    try:
        result = service.restore_backup(path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"恢复失败：{exc}") from None
    click.echo(f"已恢复：数据库 {human_size(result.database_size)}，附件 {result.upload_count} 个"
               f"共 {human_size(result.upload_size)}，用时 {result.seconds:.1f} 秒。")
    for hint in result.hints:
        click.echo(f"注意：{hint}")
    click.echo("请重新启动 web、worker 和 scheduler 服务。")
