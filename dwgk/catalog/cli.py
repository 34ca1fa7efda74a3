"""`flask --app app catalog …`"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dwgk.accounts import services as accounts
from dwgk.catalog import services
from dwgk.catalog.templates_data import TEMPLATE_LABELS, TEMPLATES
from dwgk.extensions import db

catalog_cli = AppGroup("catalog", help="公开目录。")


@catalog_cli.command("load-template")
@click.argument("name", type=click.Choice(sorted(TEMPLATES)))
@click.option("--responsible", metavar="USERNAME",
              help="新条目的责任人（党务公开办公室人员的用户名）；不填则暂不指定。")
def load_template(name, responsible):
    """载入公开目录模板：school（学校党支部，七类内容）或 bureau（机关局党组，六类内容）。

    已有的类别（按名称）和条目（按类别内的名称）不会重复添加。
    """
    user = None
    if responsible:
        user = accounts.find_user(responsible)
        if user is None:
            raise click.ClickException(f"没有用户“{responsible}”。")
    try:
        categories, entries = services.load_template(name, responsible=user)
    except services.CatalogError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    label = TEMPLATE_LABELS[name]
    if not categories and not entries:
        click.echo(f"目录模板“{label}”的类别和条目均已存在，未重复添加。")
        return
    click.echo(f"已载入目录模板“{label}”：新建 {len(categories)} 个类别、{len(entries)} 个条目。")
    new_ids = {category.id for category in categories}
    for category in categories:
        click.echo(f"  类别：{category.name}")
        for entry in entries:
            if entry.category_id == category.id:
                click.echo(f"    条目：{entry.title}（{services.describe_cadence(entry)}，{entry.scope.label}）")
    for entry in entries:
        if entry.category_id not in new_ids:
            click.echo(f"  条目：{entry.category.name} · {entry.title}"
                       f"（{services.describe_cadence(entry)}，{entry.scope.label}）")
