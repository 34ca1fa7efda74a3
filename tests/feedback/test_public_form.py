"""The public feedback form: named or anonymous, on an item or in general, the code shown
once on a printable slip, a honeypot, length limits, Chinese errors, a rate limit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from dwgk.accounts.models import Role
from dwgk.catalog.models import Scope
from dwgk.extensions import db
from dwgk.feedback import services
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, code_on
from tests.support import field_errors, text_of

NAMED = {"kind": "opinion", "identity": "named", "body": "建议把公示名单按姓氏笔画排序。",
         "filer_name": CANARY_NAME, "filer_phone": CANARY_PHONE, "filer_email": CANARY_EMAIL,
         "website": ""}


def _item(**kwargs) -> int:
    item = make_disclosure(title=kwargs.pop("title", "关于党费收缴情况的公示"), **kwargs)
    db.session.commit()
    return item.id


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Feedback))


def test_the_form_preselects_the_item_and_offers_only_readable_items(app, client):
    with app.app_context():
        public_id = _item()
        members_id = _item(title="党内事项：组织生活会情况", scope=Scope.MEMBERS)
    html = text_of(client.get(f"/feedback/new?item={public_id}"))
    assert f'<option selected value="{public_id}">关于党费收缴情况的公示</option>' in html
    assert "党内事项" not in html
    # Asking for a members-only item preselects nothing and reveals nothing.
    html = text_of(client.get(f"/feedback/new?item={members_id}"))
    assert "党内事项" not in html and f'value="{members_id}"' not in html
    assert 'class="sr-only" aria-hidden="true"' in html  # the honeypot, hidden by a class
    assert 'style="' not in html


def test_a_named_opinion_gets_its_code_once_on_a_slip(app, client):
    with app.app_context():
        item_id = _item()
    client.refresh_csrf()
    response = client.form_post(f"/feedback/new?item={item_id}", {**NAMED, "disclosure_id": item_id})
    assert response.status_code == 302 and response.headers["Location"] == "/feedback/slip"
    slip = client.get("/feedback/slip")
    html = text_of(slip)
    code = code_on(html)
    assert code and slip.headers["Cache-Control"] == "no-store"
    assert "意见建议" in html and "关于党费收缴情况的公示" in html
    assert "/feedback/lookup" in html and 'href="/static/css/print.css"' in html
    for detail in (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL):
        assert detail not in html
    # A reload does not show it again.
    again = text_of(client.get("/feedback/slip"))
    assert "查询码只显示一次" in again and code not in again
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert feedback.disclosure_id == item_id and feedback.is_named
        assert (feedback.filer_name, feedback.filer_phone, feedback.filer_email) == (
            CANARY_NAME, CANARY_PHONE, CANARY_EMAIL)
        assert feedback.channel == Channel.WEB and feedback.status == FeedbackStatus.NEW
        assert services.find_by_code(code).id == feedback.id
        assert code.replace("-", "") not in feedback.lookup_hash


def test_an_anonymous_report_in_general_keeps_nothing_personal(app, client):
    client.refresh_csrf()
    response = client.form_post("/feedback/new", {
        **NAMED, "kind": "report", "identity": "anonymous", "disclosure_id": ""})
    assert response.status_code == 302
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert feedback.kind == FeedbackKind.REPORT and not feedback.is_named
        assert feedback.disclosure_id is None
        assert (feedback.filer_name, feedback.filer_phone, feedback.filer_email) == ("", "", "")
        assert feedback.filer_user_id is None


def test_the_kiosk_qr_code_records_its_channel(app, client):
    client.refresh_csrf()
    html = text_of(client.get("/feedback/new?channel=kiosk"))
    assert 'action="/feedback/new?channel=kiosk"' in html
    assert client.form_post("/feedback/new?channel=kiosk", {
        **NAMED, "identity": "anonymous"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Feedback.channel)) == Channel.KIOSK


def test_invalid_input_is_refused_field_by_field_and_nothing_is_saved(app, client):
    client.refresh_csrf()
    response = client.form_post("/feedback/new", {
        "kind": "opinion", "identity": "named", "body": "", "filer_name": "",
        "filer_phone": "", "filer_email": "", "website": ""})
    assert response.status_code == 422
    errors = field_errors(response)
    assert "请填写意见内容。" in errors
    assert "实名反映须填写姓名。" in errors
    assert "实名反映须留下电话或电子邮箱，以便答复。" in errors
    html = text_of(response)
    assert 'id="body-error"' in html and 'id="filer_name-error"' in html

    response = client.form_post("/feedback/new", {
        **NAMED, "body": "长" * 5001, "filer_phone": "call me", "filer_email": "not-an-address",
        "filer_name": "名" * 51})
    assert response.status_code == 422
    errors = field_errors(response)
    assert "内容不能超过 5000 字。" in errors
    assert "电话号码格式不正确。" in errors
    assert "电子邮箱格式不正确。" in errors
    assert "姓名不能超过 50 字。" in errors

    response = client.form_post("/feedback/new", {**NAMED, "kind": "praise", "identity": "x"})
    assert response.status_code == 422
    assert "不是有效的选择。" in " ".join(field_errors(response))
    assert _count(app) == 0


def test_exactly_5000_characters_are_accepted(app, client):
    client.refresh_csrf()
    assert client.form_post("/feedback/new", {**NAMED, "body": "长" * 5000}).status_code == 302
    assert _count(app) == 1


def test_a_filled_honeypot_looks_like_success_but_saves_nothing(app, client):
    client.refresh_csrf()
    response = client.form_post("/feedback/new", {**NAMED, "website": "http://spam.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/feedback/slip"
    code = code_on(text_of(client.get("/feedback/slip")))
    assert code is not None
    assert _count(app) == 0
    with app.app_context():
        assert services.find_by_code(code) is None


def test_the_public_cannot_file_on_a_members_only_item_but_a_member_can(app, client, users, login_as):
    with app.app_context():
        members_id = _item(title="党内事项", scope=Scope.MEMBERS)
    client.refresh_csrf()
    response = client.form_post("/feedback/new", {**NAMED, "disclosure_id": members_id})
    assert response.status_code == 422
    assert "所针对的公开事项不存在或已撤回。" in field_errors(response)
    assert _count(app) == 0

    member = login_as("member")
    html = text_of(member.get(f"/feedback/new?item={members_id}"))
    assert f'<option selected value="{members_id}">党内事项</option>' in html
    member.refresh_csrf()
    assert member.form_post("/feedback/new", {**NAMED, "disclosure_id": members_id}).status_code == 302
    assert _count(app) == 1


def test_a_signed_in_member_files_as_themselves(app, users, login_as):
    with app.app_context():
        make_user(Role.MEMBER, username="wang", display_name="王老师", email="wang@school.cn")
        db.session.commit()
    from tests.factories import DEFAULT_PASSWORD

    member = app.test_client()
    member.login("wang", DEFAULT_PASSWORD)
    html = text_of(member.get("/feedback/new"))
    assert 'value="王老师"' in html and 'value="wang@school.cn"' in html
    assert "如需匿名反映，请退出登录后再提交" in html
    member.refresh_csrf()
    # Anonymity is not on offer while signed in: the account would still say who it was.
    refused = member.form_post("/feedback/new", {**NAMED, "identity": "anonymous"})
    assert refused.status_code == 422
    response = member.form_post("/feedback/new", {
        "kind": "opinion", "identity": "named", "body": "建议增加公示时长。",
        "filer_name": "王老师", "filer_email": "wang@school.cn", "website": ""})
    assert response.status_code == 302
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        assert feedback.is_named and feedback.filer_name == "王老师"
        assert feedback.filer_user_id is not None


def test_opinions_on_a_predisclosure_close_at_the_decision_date(app, client, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        item_id = _item(title="关于调整党小组设置的预公开", is_predisclosure=True,
                        decision_date=date(2026, 11, 20))
    client.refresh_csrf()
    for url in ("/feedback/new", "/feedback/new?channel=kiosk"):
        assert client.form_post(url, {**NAMED, "disclosure_id": item_id}).status_code == 302
    assert "对此事项提出意见" in text_of(client.get(f"/items/{item_id}"))
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    for url in ("/feedback/new", "/feedback/new?channel=kiosk"):
        response = client.form_post(url, {**NAMED, "disclosure_id": item_id})
        assert response.status_code == 422, url
        assert "该预公开事项的意见征集已于决策日截止。" in field_errors(response)
    assert _count(app) == 2
    assert "对此事项提出意见" not in text_of(client.get(f"/items/{item_id}"))


def test_the_item_page_links_to_the_form(app, client):
    with app.app_context():
        item_id = _item()
    html = text_of(client.get(f"/items/{item_id}"))
    assert f'href="/feedback/new?item={item_id}"' in html and "对此事项提出意见" in html
    assert "意见处理结果" not in html  # nothing published yet


def test_filings_are_rate_limited_per_address(make_app):
    app = make_app(DWGK_FEEDBACK_LIMIT="2 per minute")
    client = app.test_client()
    client.refresh_csrf()

    def post(address):
        return client.post("/feedback/new", data={**NAMED, "csrf_token": client.csrf},
                           environ_base={"REMOTE_ADDR": address})

    assert [post("10.0.0.1").status_code for _ in range(3)] == [302, 302, 429]
    refused = post("10.0.0.1")
    assert refused.status_code == 429 and "操作过于频繁" in text_of(refused)
    assert post("10.0.0.2").status_code == 302  # another address is not affected
    assert client.get("/feedback/new", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert _count(app) == 3


def test_only_accepted_filings_count_and_the_refusal_keeps_the_text(make_app):
    app = make_app(DWGK_FEEDBACK_LIMIT="2 per minute")
    client = app.test_client()
    client.refresh_csrf()

    def post(**data):
        return client.post("/feedback/new", data={**NAMED, "csrf_token": client.csrf, **data},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})

    # Three forms sent back for a missing field do not use up the limit.
    assert [post(body="").status_code for _ in range(3)] == [422, 422, 422]
    assert [post().status_code for _ in range(2)] == [302, 302]
    refused = post(body="校门口早晚拥堵，建议错峰放学。")
    html = text_of(refused)
    assert refused.status_code == 429
    assert "操作过于频繁" in html and "校门口早晚拥堵，建议错峰放学。" in html
    assert CANARY_NAME in html  # the name typed is kept too
    assert html.count("data-error-summary") == 1 and "<title>错误：" in html
    assert _count(app) == 2
