"""`flask --app app demo seed`: a realistic demo unit to click through."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dwgk.demo import seed as demo_seed
from dwgk.extensions import db

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("seed")
@click.option("--items", type=click.IntRange(min=0), default=0,
              help="另外添加多少条已发布的公开事项（用于压力测试）。")
def seed(items):
    """Fill the database with a demo unit. Running it again adds nothing twice."""
    created = demo_seed.seed_demo(extra_items=items)
    db.session.commit()
    if created:
        click.echo("已写入演示数据。演示账号（密码均为 %s）：" % demo_seed.DEMO_PASSWORD)
    else:
        click.echo("演示数据已存在，未重复写入。演示账号（密码均为 %s）：" % demo_seed.DEMO_PASSWORD)
    for username, name, roles in demo_seed.DEMO_USERS:
        click.echo(f"  {username:<12} {name}（{'、'.join(r.label for r in roles)}）")
