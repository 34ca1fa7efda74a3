"""The feedback services' rules that the pages rely on (and the fixes made to them)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.extensions import db
from dwgk.feedback import services
from dwgk.feedback.models import Channel, ReplyMethod
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARY_EMAIL, file


@pytest.fixture
def answered(app, frozen_clock):
    """A named opinion on an item, answered (inside an app context)."""
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        office = make_user(Role.OFFICE)
        item = make_disclosure()
        feedback, _ = file(item.id, name="李明", phone="138 0013 8000", email="Li.Ming@Example.cn")
        services.reply(feedback, "已答复。", ReplyMethod.PHONE, date(2026, 11, 23), actor=office)
        yield feedback, office


@pytest.mark.parametrize("text", [
    "已联系李明同志。", "已电话联系 13800138000。", "已致电138-0013-8000。",
    "已发邮件至 li.ming@example.cn。", "已发邮件至 LI.MING@EXAMPLE.CN。"])
def test_a_published_result_may_not_name_the_filer_however_written(answered, text):
    feedback, office = answered
    with pytest.raises(services.FeedbackError, match="不能包含反映人的姓名、电话或邮箱"):
        services.publish_result(feedback, text, actor=office)
    assert feedback.result_published_at is None


def test_a_result_without_the_filer_is_published(answered):
    feedback, office = answered
    services.publish_result(feedback, "经核实，已于 2026 年 11 月 20 日补充公示。", actor=office)
    assert feedback.result_published_at is not None


def test_a_stale_version_is_its_own_error(answered):
    feedback, office = answered
    with pytest.raises(services.StaleFeedbackError):
        services.close(feedback, actor=office, expected_version=feedback.version_id - 1)
    assert issubclass(services.StaleFeedbackError, services.FeedbackError)


def test_the_kiosk_closes_with_the_web_at_the_decision_date_but_the_office_may_log(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        item = make_disclosure(is_predisclosure=True, decision_date=date(2026, 11, 20))
        office = make_user(Role.OFFICE)
        db.session.commit()
        frozen_clock(datetime(2026, 11, 20, 9, 0))
        for channel in (Channel.WEB, Channel.KIOSK):
            with pytest.raises(services.FeedbackError, match="意见征集已于决策日截止"):
                file(item.id, channel=channel)
        # The office may still log a letter (posted before the decision, say).
        feedback, _ = file(item.id, channel=Channel.LETTER, logged_by=office, email=CANARY_EMAIL)
        assert feedback.channel == Channel.LETTER
