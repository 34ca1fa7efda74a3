"""`flask --app app demo seed` fills a demo unit once, with items in every state."""
from __future__ import annotations

from sqlalchemy import func, select

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import CatalogEntry
from dwgk.demo.seed import DEMO_PASSWORD, DEMO_USERS
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.support import text_of


def test_demo_seed_is_idempotent_and_covers_every_role_and_state(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "已写入演示数据" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "演示数据已存在" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
        roles = set().union(*(user.roles for user in db.session.scalars(select(User))))
        states = set(db.session.scalars(select(Disclosure.state)))
        republished = db.session.scalar(select(func.count()).select_from(Disclosure)
                                        .where(Disclosure.live_revision_id != Disclosure.working_revision_id))
        entries = db.session.scalar(select(func.count()).select_from(CatalogEntry))
    with app.app_context():
        from dwgk.feedback.models import Feedback, FeedbackStatus
        from dwgk.supervision.models import SupervisionNote

        statuses = set(db.session.scalars(select(Feedback.status)))
        notes = db.session.scalar(select(func.count()).select_from(SupervisionNote))
    assert {FeedbackStatus.NEW, FeedbackStatus.ANSWERED} <= statuses
    assert notes == 1
    assert roles == set(Role)
    assert states == set(State)
    assert entries > 10
    assert republished == 0  # the re-published item's new revision is live again
    client = app.test_client()
    assert client.login("office", DEMO_PASSWORD).headers["Location"] == "/duties"  # the office lands on 我的待办
    assert "2026年度支部党建工作计划" in text_of(app.test_client().get("/"))


def test_demo_seed_adds_items_for_load_tests(app, runner):
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Disclosure))
    result = runner.invoke(args=["demo", "seed", "--items", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Disclosure)) == before + 3
