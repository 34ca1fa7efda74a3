"""Relaying an opinion collected in person: filed through feedback.services.file_feedback
with the supervisor as relayer, in person; the lookup code is shown once."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind
from dwgk.notifications.models import Notification
from tests.support import field_errors, text_of
from tests.supervision import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, make_item

CODE = re.compile(r'id="lookup-code">([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})<')


def test_a_named_relay_gives_a_code_once(app, users, login_as, frozen_clock):
    from dwgk.feedback.services import find_by_code

    frozen_clock(datetime(2026, 11, 23, 9, 0))
    item_id = make_item(app, title="校园改造工程招标结果公示")
    client = login_as("supervisor")
    assert "《校园改造工程招标结果公示》" in text_of(client.get(f"/supervision/relay?item={item_id}"))
    response = client.form_post("/supervision/relay", {
        "disclosure_id": str(item_id), "kind": "report", "body": "中标单位资质存疑。",
        "received_on": "2026-11-22", "is_named": "y", "filer_name": CANARY_NAME,
        "filer_phone": CANARY_PHONE, "filer_email": ""})
    assert response.status_code == 200
    page = text_of(response)
    code = CODE.search(page).group(1)
    assert "只显示这一次" in page and CANARY_NAME not in page and CANARY_PHONE not in page
    with client.session_transaction() as session:  # not in the (readable) session cookie
        assert code not in str(dict(session)) and code.replace("-", "") not in str(dict(session))
    with app.app_context():
        feedback = find_by_code(code)
        assert feedback is not None
        assert (feedback.channel, feedback.kind, feedback.is_named, feedback.filer_name,
                feedback.filer_phone, feedback.disclosure_id, feedback.relayed_by_id,
                feedback.received_on.isoformat()) == (
            Channel.IN_PERSON, FeedbackKind.REPORT, True, CANARY_NAME, CANARY_PHONE, item_id,
            users["supervisor"], "2026-11-22")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.file"))
        assert event.actor_id == users["supervisor"]
        assert CANARY_NAME not in event.summary and CANARY_PHONE not in event.summary
        assert db.session.scalar(select(Notification).where(
            Notification.kind == "feedback.new", Notification.recipient_id == users["office"]))
    # The code is not kept anywhere the supervisor could see it again.
    for path in ("/supervision", "/supervision/relay", "/notifications"):
        assert code not in text_of(client.get(path))


def test_an_anonymous_relay_keeps_no_details(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    response = login_as("supervisor").form_post("/supervision/relay", {
        "kind": "opinion", "body": "希望公开栏字号大一些。", "received_on": "2026-11-23",
        "filer_name": CANARY_NAME, "filer_email": CANARY_EMAIL})  # typed, then 实名 unticked
    assert response.status_code == 200 and CODE.search(text_of(response))
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert not feedback.is_named
        assert (feedback.filer_name, feedback.filer_phone, feedback.filer_email) == ("", "", "")
        assert feedback.channel == Channel.IN_PERSON and feedback.disclosure_id is None


def test_invalid_relays_are_refused_next_to_the_fields(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    client = login_as("supervisor")
    cases = [
        ({"kind": "opinion", "body": "", "received_on": "2026-11-23"}, "请填写意见内容。"),
        ({"kind": "opinion", "body": "字" * 5001, "received_on": "2026-11-23"}, "内容不能超过 5000 字。"),
        ({"kind": "opinion", "body": "内容", "received_on": "2026-11-23", "is_named": "y",
          "filer_name": "张三"}, "实名反映须留下电话或电子邮箱，以便答复。"),
        ({"kind": "opinion", "body": "内容", "received_on": "2026-11-23", "is_named": "y",
          "filer_phone": "13800000000"}, "实名反映须填写姓名。"),
        ({"kind": "opinion", "body": "内容", "received_on": "2026-11-23", "is_named": "y",
          "filer_name": "张三", "filer_email": "not-an-email"}, "电子邮箱格式不正确。"),
        ({"kind": "opinion", "body": "内容", "received_on": "2026-11-24"}, "收到日期不能晚于今天。"),
        ({"kind": "opinion", "body": "内容", "received_on": ""}, "请填写收到日期。"),
        ({"kind": "opinion", "body": "内容", "received_on": "2026-11-23", "disclosure_id": "999"},
         "所针对的公开事项不存在或已撤回。"),
    ]
    for data, message in cases:
        response = client.form_post("/supervision/relay", data)
        assert response.status_code == 422, message
        assert message in field_errors(response), (message, field_errors(response))
    with app.app_context():
        assert db.session.scalar(select(Feedback)) is None
        assert db.session.scalar(select(Notification)) is None


def test_a_withdrawn_item_cannot_be_the_target(app, users, login_as):
    from dwgk.disclosures.models import State

    item_id = make_item(app, state=State.WITHDRAWN)
    assert login_as("supervisor").get(f"/supervision/relay?item={item_id}").status_code == 404
