"""Everyone is told, once per event and person (issue 13): submitted → the reviewers who
may decide; returned (with the reason) and approved → the drafter and the responsible
person; published → the responsible person; a round still undecided after N working days
→ its reviewers. In the app always; by e-mail where SMTP is configured, after the commit."""
from __future__ import annotations

from datetime import datetime

import pytest
import redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from dwgk.notifications.models import Notification
from tests.factories import make_disclosure, make_user

APPROVE = dict(decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
               check_timing=True, check_duration=True, check_secrecy=True)


def _people():
    return dict(
        drafter=make_user(Role.OFFICE, username="drafter", display_name="王老师",
                          email="wang@school.example.cn"),
        responsible=make_user(Role.OFFICE, username="resp", display_name="陈老师",
                              email="chen@school.example.cn"),
        secretary=make_user(Role.REVIEWER, username="sec", display_name="李书记",
                            email="li@school.example.cn"),
        deputy=make_user(Role.REVIEWER, username="dep", display_name="赵委员"),
        member=make_user(Role.MEMBER, username="mem"),
    )


def _notices():
    """(username, kind, due key) of every notice, in order."""
    from dwgk.accounts.models import User

    rows = db.session.execute(
        select(User.username, Notification.kind, Notification.due_key)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind.like("disclosure.%")).order_by(Notification.id))
    return [tuple(row) for row in rows]


def test_each_step_tells_the_right_people_once(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        p = _people()
        item = make_disclosure(State.DRAFT, author=p["drafter"], responsible_id=p["responsible"].id)
        services.submit(item, actor=p["drafter"])
        assert _notices() == [("sec", "disclosure.submitted", "v1r1"),
                              ("dep", "disclosure.submitted", "v1r1")]
        services.review(item, services.ReviewInput(decision=Decision.RETURN, reason="缺签字页"),
                        reviewer=p["secretary"])
        returned = _notices()[2:]
        assert returned == [("drafter", "disclosure.returned", "v1r1"),
                            ("resp", "disclosure.returned", "v1r1")]
        message = db.session.scalars(select(Notification.message)
                                     .where(Notification.kind == "disclosure.returned")).first()
        assert "缺签字页" in message and "李书记" in message

        services.submit(item, actor=p["drafter"])  # the fix: a new round, new notices
        assert _notices()[4:] == [("sec", "disclosure.submitted", "v1r2"),
                                  ("dep", "disclosure.submitted", "v1r2")]
        services.review(item, services.ReviewInput(**APPROVE), reviewer=p["secretary"])
        assert _notices()[6:] == [("drafter", "disclosure.approved", "v1r2"),
                                  ("resp", "disclosure.approved", "v1r2")]
        services.publish(item, actor=p["drafter"])
        assert _notices()[8:] == [("resp", "disclosure.published", "v1")]
        # Nobody else, and nobody about their own act (the drafter published it).
        assert {name for name, _kind, _key in _notices()} == {"sec", "dep", "drafter", "resp"}
        assert len(_notices()) == len(set(_notices()))
        db.session.rollback()


def test_the_author_reviewer_is_not_asked_and_the_sweep_adds_no_second_notice(app, frozen_clock):
    from dwgk.reminders.sweep import run_sweep

    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        p = _people()
        both = make_user(Role.OFFICE, Role.REVIEWER, username="both")
        item = make_disclosure(State.IN_REVIEW, author=both)
        assert sorted(name for name, *_ in _notices()) == ["dep", "sec"]
        db.session.commit()
        # A week later (the unit's default is 3 working days) the round is still undecided: each
        # of its reviewers gets the reminder once, however many sweeps run.
        for _ in range(3):
            run_sweep(datetime(2026, 11, 9, 10, 0))
            db.session.commit()
        reminders = db.session.execute(select(Notification.recipient_id).where(
            Notification.kind == "duty.review", Notification.object_id == item.id)).scalars().all()
        assert sorted(reminders) == sorted([p["secretary"].id, p["deputy"].id])
        assert len(_notices()) == 2  # the sweep never repeats the submission notices


def test_the_quorum_reminder_follows_the_open_round(app, frozen_clock):
    from tests.reminders import duties_now

    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        p = _people()
        item = make_disclosure(State.IN_REVIEW, author=p["drafter"], is_major=True)
        services.review(item, services.ReviewInput(**APPROVE), reviewer=p["secretary"])
        services.review(item, services.ReviewInput(decision=Decision.RETURN, reason="再议"),
                        reviewer=p["deputy"])
        services.submit(item, actor=p["drafter"])  # round 2, the same day
        item_id = item.id
        db.session.commit()
    frozen_clock(datetime(2026, 11, 5, 9, 0))  # the unit's 3 working days
    # Both decided round 1; neither has decided round 2: both are reminded.
    assert [d for d in duties_now(app) if d[0] == "review"] == [
        ("review", item_id, datetime(2026, 11, 5).date(), False, ["dep", "sec"])]


@pytest.fixture
def mailing_app(make_app, smtp_env):
    return make_app(DWGK_SMTP_HOST="127.0.0.1", DWGK_SMTP_PORT=smtp_env.port,
                    DWGK_SMTP_FROM="dwgk@school.example.cn", DWGK_PUBLIC_URL="http://dwgk.lan")


def test_the_steps_are_mailed_after_the_commit_once(mailing_app, smtp_env, redis_server,
                                                    frozen_clock):
    from tests.factories import DEFAULT_PASSWORD

    app = mailing_app
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        p = _people()
        item = make_disclosure(State.DRAFT, author=p["drafter"], responsible_id=p["responsible"].id)
        item_id = item.id
        db.session.commit()
    queue = Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))
    office = app.test_client()
    office.login("drafter", DEFAULT_PASSWORD)
    office.get(f"/office/items/{item_id}")
    office.refresh_csrf()
    response = office.form_post(f"/office/items/{item_id}/submit")
    assert response.status_code == 302
    assert queue.count == 1  # the secretary; 赵委员 has no address (told in the app only)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    (_sender, recipients, message), = smtp_env.messages
    assert recipients == ["li@school.example.cn"]
    assert message["Subject"] == "示例学校党支部党务公开提醒：待您审核"
    assert f"http://dwgk.lan/review/{item_id}" in message.get_content()

    # A later request mails nothing again; the sweep neither.
    from dwgk.reminders.sweep import sweep_commit_and_mail
    with app.app_context():
        assert sweep_commit_and_mail().mailed == 0
    office.get("/office/items")
    assert queue.count == 0


def test_a_refused_step_mails_nothing(mailing_app, smtp_env, redis_server, frozen_clock):
    """A rolled-back request leaves no notice and queues no mail."""
    from tests.factories import DEFAULT_PASSWORD

    app = mailing_app
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        p = _people()
        item = make_disclosure(State.DRAFT, author=p["drafter"], body="")
        item_id = item.id
        db.session.commit()
    office = app.test_client()
    office.login("drafter", DEFAULT_PASSWORD)
    office.get(f"/office/items/{item_id}")
    office.refresh_csrf()
    office.form_post(f"/office/items/{item_id}/submit")
    with app.app_context():
        assert _notices() == []
    assert Queue("dwgk", connection=redis.Redis.from_url(redis_server.url)).count == 0
