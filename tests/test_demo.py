"""`flask --app app demo seed` fills a demo unit once."""
from __future__ import annotations

from sqlalchemy import func, select

from dwgk.accounts.models import Role, User
from dwgk.demo.seed import DEMO_PASSWORD, DEMO_USERS
from dwgk.extensions import db


def test_demo_seed_is_idempotent_and_covers_every_role(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "已写入演示数据" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "演示数据已存在" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
        roles = set().union(*(user.roles for user in db.session.scalars(select(User))))
    assert roles == set(Role)
    assert app.test_client().login("office", DEMO_PASSWORD).headers["Location"] == "/members"
