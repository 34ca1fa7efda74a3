"""Duty notices by e-mail (aiosmtpd as the SMTP server, a real Redis): one message per
person per new notice, however often the sweep runs; owed in the sweep's commit and sent by
the sweep itself, Redis or not; tried again by the next sweep when the SMTP server was away."""
from __future__ import annotations

from datetime import datetime

import redis
from rq import Queue

from dwgk.accounts.models import Role
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.factories import make_disclosure, make_user
from tests.reminders import user
from tests.support import free_port


def _smtp(smtp_server, **more):
    return {"DWGK_SMTP_HOST": "127.0.0.1", "DWGK_SMTP_PORT": smtp_server.port,
            "DWGK_SMTP_FROM": "dwgk@school.example.cn", **more}


def _people(app):
    with app.app_context():
        make_user(Role.OFFICE, username="office", display_name="王老师", email="wang@school.example.cn")
        make_user(Role.REVIEWER, username="reviewer", display_name="李书记", email="li@school.example.cn")
        make_user(Role.REVIEWER, username="noaddress", display_name="赵老师")  # told in the app only
        make_user(Role.SUPERVISOR, username="supervisor", email="jian@school.example.cn")
        db.session.commit()


def _duties(app, frozen_clock):
    """A supervision note (the office) and an item in review (the reviewers), both due on
    Monday Nov 23, 2026."""
    from tests.supervision import make_note

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    make_note(app)
    frozen_clock(datetime(2026, 11, 18, 10, 0))
    with app.app_context():
        item = make_disclosure(State.IN_REVIEW, title="年度评优名单", author=user("office"))
        db.session.commit()
        return item.id


def _sweep(app):
    from dwgk.reminders.sweep import sweep_commit_and_mail

    with app.app_context():
        return sweep_commit_and_mail()


def test_ten_sweeps_mail_each_person_once(make_app, redis_server, smtp_env, frozen_clock):
    app = make_app(**_smtp(smtp_env, DWGK_PUBLIC_URL="http://dwgk.school.lan"))
    _people(app)
    item_id = _duties(app, frozen_clock)
    queue = Queue("dwgk", connection=redis.Redis.from_url(redis_server.url))

    frozen_clock(datetime(2026, 11, 23, 9, 0))
    first = _sweep(app)
    assert first.notices == 3 and first.mailed == 2  # 赵老师 has no address
    assert "邮件已发出 2 封" in first.summary and "未能发出" not in first.summary
    assert len(smtp_env.messages) == 2 and queue.count == 0  # sent by the sweep, not Redis
    for _ in range(9):
        assert _sweep(app).mailed == 0
    assert len(smtp_env.messages) == 2

    mails = {recipients[0]: message for _sender, recipients, message in smtp_env.messages}
    assert len(smtp_env.messages) == 2 and set(mails) == {"wang@school.example.cn",
                                                            "li@school.example.cn"}
    office = mails["wang@school.example.cn"]
    assert office["Subject"] == "示例学校党支部党务公开提醒：监督意见答复"
    body = office.get_content()
    assert body.startswith("王老师，您好：")
    assert "答复期限今日届满" in body and "第 15 个工作日" in body
    assert "http://dwgk.school.lan/office/supervision/" in body
    review = mails["li@school.example.cn"].get_content()
    assert "年度评优名单" in review and f"http://dwgk.school.lan/review/{item_id}" in review

    # the next working day both are overdue: one more message each, once
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    for _ in range(3):
        _sweep(app)
    assert len(smtp_env.messages) == 4
    assert "（已逾期）" in smtp_env.messages[-1][2]["Subject"]


def test_without_smtp_nothing_is_mailed_or_queued(make_app, redis_server, frozen_clock):
    app = make_app()
    _people(app)
    _duties(app, frozen_clock)
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    result = _sweep(app)
    assert result.notices == 3 and result.mailed is None and "邮件" not in result.summary
    assert Queue("dwgk", connection=redis.Redis.from_url(redis_server.url)).count == 0


def test_with_redis_down_the_mail_goes_at_once_and_a_failed_one_is_tried_again(
        make_app, smtp_server, frozen_clock):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    # Neither Redis nor the SMTP server answers: the notices are made, the mail waits.
    down = make_app(DWGK_SMTP_HOST="127.0.0.1", DWGK_SMTP_PORT=free_port(), DWGK_REDIS_URL=dead_redis)
    _people(down)
    _duties(down, frozen_clock)
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    result = _sweep(down)
    assert result.notices == 3 and result.mailed == 0 and smtp_server.messages == []
    assert result.mail_owed == 2 and "尚有 2 封邮件未能发出" in result.summary

    # SMTP is back, Redis still down: the next sweep sends them at once, and only once.
    back = make_app(**_smtp(smtp_server, DWGK_REDIS_URL=dead_redis))
    frozen_clock(datetime(2026, 11, 23, 9, 10))
    assert _sweep(back).mailed == 2
    assert sorted(r[0] for _s, r, _m in smtp_server.messages) == ["li@school.example.cn",
                                                                  "wang@school.example.cn"]
    assert _sweep(back).mailed == 0 and len(smtp_server.messages) == 2
