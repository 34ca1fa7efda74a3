"""Feedback handed to any signed-in person (相关部门/责任人), who answers through the office;
handling results of general opinions published on the public results page, without the
filer's details (issue 14, rule 6)."""
from __future__ import annotations

from datetime import date, datetime

from dwgk.accounts.models import Role
from dwgk.extensions import db
from dwgk.feedback import services
from dwgk.feedback.models import Feedback, ReplyMethod
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.feedback import CANARIES, file_committed, version_of
from tests.support import text_of


def _handler(app):
    with app.app_context():
        user = make_user(Role.MEMBER, username="handler", display_name="总务处刘主任")
        db.session.commit()
        return user.id


def test_any_signed_in_person_can_be_the_handler(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 12, 2, 9, 0))
    handler_id = _handler(app)
    feedback_id, _ = file_committed(app, body="建议食堂公开每周菜谱和采购价格。")
    office = login_as("office")
    assert "总务处刘主任" in text_of(office.get(f"/office/feedback/{feedback_id}"))
    response = office.form_post(f"/office/feedback/{feedback_id}/assign", {
        "version_id": str(version_of(app, feedback_id)), "assignee_id": str(handler_id)})
    assert response.status_code == 302
    handler = app.test_client()  # a plain member: any signed-in account may handle
    assert handler.login("handler", DEFAULT_PASSWORD).status_code == 302
    mine = text_of(handler.get("/feedback/assigned"))
    assert "交我办理" in mine and "建议食堂公开每周菜谱" in mine
    page = text_of(handler.get(f"/feedback/assigned/{feedback_id}"))
    assert "建议食堂公开每周菜谱" in page
    for canary in CANARIES:  # the handler works on the opinion, not on who filed it
        assert canary not in page and canary not in mine
    response = handler.form_post(f"/feedback/assigned/{feedback_id}",
                                 {"handler_reply": "下周起每周一在公开栏公布菜谱和价格。"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Feedback, feedback_id)
        assert row.handler_reply == "下周起每周一在公开栏公布菜谱和价格。"
        assert row.replied_at is None  # the office sends the answer
    detail = text_of(office.get(f"/office/feedback/{feedback_id}"))
    assert "下周起每周一在公开栏公布菜谱和价格。" in detail and "承办人意见" in detail
    # someone else's filing is not theirs
    other_id, _ = file_committed(app, body="别人的意见")
    assert handler.get(f"/feedback/assigned/{other_id}").status_code == 403


def test_a_general_opinions_result_is_published_without_the_filer(app, users, login_as,
                                                                  frozen_clock, client):
    frozen_clock(datetime(2026, 12, 2, 9, 0))
    feedback_id, _ = file_committed(app, body="建议公开学校食堂账目。")
    with app.app_context():
        from dwgk.accounts.models import User
        office = db.session.get(User, users["office"])
        row = db.session.get(Feedback, feedback_id)
        services.reply(row, "已采纳。", ReplyMethod.PHONE, date(2026, 12, 2), actor=office)
        db.session.commit()
    office_client = login_as("office")
    assert 'action="/office/feedback/%d/publish-result"' % feedback_id in text_of(
        office_client.get(f"/office/feedback/{feedback_id}"))
    response = office_client.form_post(f"/office/feedback/{feedback_id}/publish-result", {
        "version_id": str(version_of(app, feedback_id)),
        "result_text": "食堂账目自 2027 年起每月在公开栏公布。"})
    assert response.status_code == 302
    page = text_of(client.get("/feedback/results"))
    assert "食堂账目自 2027 年起每月在公开栏公布。" in page
    for canary in CANARIES:
        assert canary not in page
    assert 'href="/feedback/results"' in text_of(client.get("/"))
