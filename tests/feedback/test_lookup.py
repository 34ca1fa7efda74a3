"""Looking a filing up by its code: the status and the reply, never who filed it or who in
the office handled it; wrong codes find nothing; guessing is rate-limited."""
from __future__ import annotations

from datetime import date, datetime

from dwgk.accounts.models import Role
from dwgk.catalog.models import Scope
from dwgk.extensions import db
from dwgk.feedback import codes, services
from dwgk.feedback.models import ReplyMethod
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARIES, file, file_committed
from tests.support import field_errors, text_of

NOT_FOUND = "未找到与该查询码对应的意见。"


def _lookup(client, code, **kwargs):
    if client.csrf is None:
        client.refresh_csrf()
    return client.form_post("/feedback/lookup", {"code": code}, **kwargs)


def test_the_code_shows_status_reply_and_result_but_no_person(app, client, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示")
        handler = make_user(Role.OFFICE, username="zhao", display_name="赵办事员")
        feedback, code = file(item.id)
        services.assign(feedback, handler, actor=handler)
        services.reply(feedback, "已核实，名单已补充公示。", ReplyMethod.PHONE, date(2026, 11, 23),
                       actor=handler)
        services.publish_result(feedback, "经核实，已补充公示名单。", actor=handler)
        db.session.commit()
    response = _lookup(client, code)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = text_of(response)
    result = html[html.index('id="lookup-result"'):]
    assert "已答复" in result and "意见建议" in result and "2026-11-23" in result
    assert "关于党费收缴情况的公示" in result
    assert "已核实，名单已补充公示。" in result and "电话" in result
    assert "经核实，已补充公示名单。" in result
    for secret in (*CANARIES, "赵办事员", "zhao"):
        assert secret not in html
    assert code not in html  # not left in the input either


def test_the_code_is_forgiving_about_case_spaces_and_dashes(app, client):
    _, code = file_committed(app)
    typed = " " + code.replace("-", " ").lower() + " "
    response = _lookup(client, typed)
    assert response.status_code == 200 and "待处理" in text_of(response)


def test_wrong_and_malformed_codes_get_the_same_answer(app, client):
    _, code = file_committed(app)
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    for typed in (wrong, "ABCD", "!!!!-????", "X" * 40, "X" * 41):
        response = _lookup(client, typed)
        assert response.status_code == 422, typed
        assert field_errors(response) == [NOT_FOUND], typed
        assert 'id="lookup-result"' not in text_of(response)
    empty = _lookup(client, "")
    assert empty.status_code == 422 and field_errors(empty) == ["请输入查询码。"]


def test_ten_thousand_random_codes_find_nothing(app):
    with app.app_context():
        real = [file(named=False)[1] for _ in range(20)]
        db.session.commit()
        guesses = {codes.new_code() for _ in range(10_000)} - set(real)
        assert len(guesses) == 10_000
        assert not any(services.find_by_code(guess) for guess in guesses)
        assert all(services.find_by_code(code) for code in real)


def test_codes_are_long_random_and_stored_only_as_a_hash(app):
    assert codes.BITS >= 60
    with app.app_context():
        feedback, code = file()
        db.session.commit()
        assert feedback.lookup_hash == codes.digest(code) and len(feedback.lookup_hash) == 64
        assert codes.normalise(code) not in feedback.lookup_hash


def test_lookups_are_rate_limited_per_address(make_app):
    app = make_app(DWGK_LOOKUP_LIMIT="3 per minute")
    _, code = file_committed(app)
    client = app.test_client()
    statuses = [_lookup(client, codes.new_code(), environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code
                for _ in range(3)]
    assert statuses == [422, 422, 422]
    # Even the right code waits now: guessing cannot go on.
    refused = _lookup(client, code, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert refused.status_code == 429
    assert "操作过于频繁" in text_of(refused) and "请稍后再试" in text_of(refused)
    assert _lookup(client, code, environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 200


def test_a_members_only_items_title_is_not_shown_to_the_public(app, client, users, login_as):
    with app.app_context():
        item = make_disclosure(title="党内事项：民主评议结果", scope=Scope.MEMBERS)
        member = make_user(Role.MEMBER)
        feedback, code = file(item.id, user=member)
        db.session.commit()
    html = text_of(_lookup(client, code))
    assert "党内事项" not in html and "一项公开事项" in html
    assert "党内事项：民主评议结果" in text_of(_lookup(login_as("member"), code))


def test_the_lookup_page_answers_get(client):
    html = text_of(client.get("/feedback/lookup"))
    assert 'name="code"' in html and 'autocomplete="off"' in html
