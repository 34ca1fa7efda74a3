"""`flask --app app demo seed`: a realistic demo unit to click through, and a large one for
load tests (`--items 100000 --feedback 20000`)."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from dwgk.demo import bulk
from dwgk.demo import seed as demo_seed
from dwgk.extensions import db

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("seed")
@click.option("--items", type=click.IntRange(min=0), default=0,
              help="另外添加多少条公开事项（三年内陆续发布，状态、范围各异；用于压力测试）。")
@click.option("--feedback", type=click.IntRange(min=0), default=0,
              help="另外添加多少条意见建议（用于压力测试）。")
def seed(items, feedback):
    """Fill the database with a demo unit. Running it again adds nothing twice; --items and
    --feedback add that many more each time."""
    created = demo_seed.seed_demo()
    db.session.commit()
    if items or feedback:
        started = time.monotonic()
        counts = bulk.add_items(items, feedback)
        db.session.commit()
        click.echo(f"已批量添加公开事项 {counts.items} 条（修订 {counts.revisions} 个、审核记录 "
                   f"{counts.reviews} 条）、意见建议 {counts.feedback} 条，用时 "
                   f"{time.monotonic() - started:.1f} 秒。")
        created = True
    if created:
        click.echo("已写入演示数据。演示账号（密码均为 %s）：" % demo_seed.DEMO_PASSWORD)
    else:
        click.echo("演示数据已存在，未重复写入。演示账号（密码均为 %s）：" % demo_seed.DEMO_PASSWORD)
    for username, name, roles in demo_seed.DEMO_USERS:
        click.echo(f"  {username:<12} {name}（{'、'.join(r.label for r in roles)}）")
