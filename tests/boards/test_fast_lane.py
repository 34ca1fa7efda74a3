"""Kept pages answered before Flask runs (dwgk/web/fastlane.py): the answer Flask would give,
header by header and byte by byte (but for the reader's own CSRF token and cookie), and
Flask's own answer whenever the lane cannot be sure."""
from __future__ import annotations

import re
import time
from http.cookies import SimpleCookie
from urllib.parse import quote

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from dwgk.accounts import services as accounts
from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from dwgk.web import fastlane
from tests.factories import DEFAULT_PASSWORD, make_disclosure, make_user
from tests.support import text_of

TOKEN = re.compile(rb'(name="csrf[-_]token" (?:content|value)=")([^"]+)(")')


def _published(app, **overrides) -> int:
    with app.app_context():
        item = make_disclosure(**overrides)
        db.session.commit()
        return item.id


def _normalised(response) -> tuple:
    """Status, headers in order and body, with this reader's CSRF token and session cookie
    value replaced by their names (they are random per reader)."""
    headers = []
    for name, value in response.headers.items():
        if name.lower() == "set-cookie":
            cookie = SimpleCookie(value)
            (morsel,) = cookie.values()
            attributes = sorted((key, "" if key == "expires" else str(morsel[key]))
                                for key in morsel.keys() if morsel[key])
            value = (morsel.key, attributes)
        headers.append((name, value))
    return response.status_code, headers, TOKEN.sub(rb"\1TOKEN\3", response.data)


def _both(app, client, url, headers=None):
    """(Flask's answer, the fast lane's answer) to the same request, the page kept first."""
    assert client.get(url, headers=headers).status_code == 200  # rendered and kept
    app.config["DWGK_FAST_LANE"] = False
    slow = client.get(url, headers=headers)
    app.config["DWGK_FAST_LANE"] = True
    return slow, client.get(url, headers=headers)


def _pages(item_id):
    return [f"/items/{item_id}", f"/items/{item_id}/print", "/", "/?page=1",
            "/?q=" + quote("党费收缴"), "/?q=" + quote("无此内容")]


@pytest.mark.parametrize("cookie", ["none", "anonymous session"])
def test_anonymous_pages_are_answered_as_flask_answers_them(app, flask_calls, cookie):
    item_id = _published(app, title="党费收缴情况", body="本季度党费收缴 **全部** 完成。")
    for url in _pages(item_id):
        client = app.test_client(use_cookies=cookie != "none")
        if cookie != "none":
            client.get("/login")  # the session cookie with a CSRF token a browser holds
        for headers in (None, {"HX-Request": "true"}):
            slow, fast = _both(app, client, url, headers)
            del flask_calls[:]
            fast = client.get(url, headers=headers)
            assert flask_calls == [], url
            assert _normalised(fast) == _normalised(slow), url
            # A new visitor gets the cookie that goes with the page's token (a fragment
            # carries none); a known one keeps theirs.
            has_token = TOKEN.search(fast.data) is not None
            assert ("Set-Cookie" in fast.headers) == (cookie == "none" and has_token), url


def test_the_fast_lanes_csrf_token_and_cookie_pass_the_csrf_check(app, flask_calls):
    _published(app)
    app.test_client().get("/")  # kept
    client = app.test_client()
    del flask_calls[:]
    page = client.get("/")
    assert flask_calls == [] and "Set-Cookie" in page.headers
    token = TOKEN.search(page.data).group(2).decode()
    answer = client.post("/feedback/lookup", data={"csrf_token": token, "code": "ABCD-EFGH"})
    assert answer.status_code != 400
    assert "CSRF" not in answer.get_data(as_text=True)
    # Without the token the same form is refused: the check is really made.
    refused = client.post("/feedback/lookup", data={"code": "ABCD-EFGH"})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)


def test_a_withdrawn_item_is_never_answered_from_the_lane(app, flask_calls):
    item_id = _published(app, title="将撤回的事项")
    client = app.test_client()
    for _ in range(2):
        assert "将撤回的事项" in text_of(client.get(f"/items/{item_id}"))
        assert "将撤回的事项" in text_of(client.get("/"))
    with app.app_context():
        services.withdraw(db.session.get(Disclosure, item_id), "内容有误",
                          actor=make_user(Role.OFFICE, username="office2"))
        db.session.commit()
    del flask_calls[:]
    assert client.get(f"/items/{item_id}").status_code == 404
    assert "将撤回的事项" not in text_of(client.get("/"))
    assert flask_calls == [f"/items/{item_id}", "/"]  # rendered afresh by Flask


def test_a_members_only_item_never_reaches_an_anonymous_answer(app, login_as, flask_calls):
    canary = "党内金丝雀-fastlane"
    item_id = _published(app, title=canary, scope=Scope.MEMBERS)
    member = login_as("member")
    assert canary in text_of(member.get("/members"))
    assert canary in text_of(member.get(f"/items/{item_id}"))
    visitor = app.test_client()
    for _ in range(2):
        assert canary not in text_of(visitor.get("/"))
        assert canary not in text_of(visitor.get("/?q=fastlane"))
        assert visitor.get(f"/items/{item_id}").status_code == 404


def _signed_in(app, username):
    client = app.test_client()
    assert client.login(username, DEFAULT_PASSWORD).status_code == 302
    return client


def test_the_member_board_is_answered_as_flask_answers_it(app, flask_calls):
    _published(app, title="党内事项", scope=Scope.MEMBERS)
    with app.app_context():
        make_user(Role.MEMBER, Role.OFFICE, username="zhang", display_name="张晓燕")
        db.session.commit()
    client = _signed_in(app, "zhang")
    slow, _ = _both(app, client, "/members")
    del flask_calls[:]
    fast = client.get("/members")
    assert flask_calls == []
    assert _normalised(fast) == _normalised(slow)
    assert fast.headers["Cache-Control"] == "no-store"
    assert "张晓燕" in text_of(fast) and "事项管理" in text_of(fast)  # their name, their menu
    assert "Set-Cookie" not in fast.headers  # an unchanged, recently signed session


def _aged(app, client, seconds: int) -> None:
    """Sign the client's session cookie again as if `seconds` ago."""
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("dwgk_session").value)

    class Earlier(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds

    old = URLSafeTimedSerializer(app.secret_key, salt=interface.salt,
                                 serializer=interface.serializer, signer=Earlier,
                                 signer_kwargs={"key_derivation": interface.key_derivation,
                                                "digest_method": interface.digest_method})
    client.set_cookie("dwgk_session", old.dumps(data))


def test_an_aging_session_cookie_is_sent_again_as_flask_sends_it(app, flask_calls):
    _published(app)
    with app.app_context():
        make_user(username="wang", display_name="王芳")
        db.session.commit()
    client = _signed_in(app, "wang")
    client.get("/members")  # kept, and the cookie with the CSRF token
    _aged(app, client, 120)
    app.config["DWGK_FAST_LANE"] = False
    slow = client.get("/members")
    app.config["DWGK_FAST_LANE"] = True
    _aged(app, client, 120)
    del flask_calls[:]
    fast = client.get("/members")
    assert flask_calls == []
    assert "Set-Cookie" in slow.headers and "Set-Cookie" in fast.headers
    assert _normalised(fast) == _normalised(slow)
    # The new cookie is good for the next page (and no longer needs sending).
    again = client.get("/members")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers


def test_readers_the_lane_cannot_be_sure_of_get_flasks_answer(app, users, flask_calls):
    _published(app)
    client = _signed_in(app, "member")
    assert client.get("/members").status_code == 200
    del flask_calls[:]
    assert client.get("/members").status_code == 200
    assert flask_calls == []  # the usual case: answered by the lane

    # A message waiting to be shown.
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "一条提示")]
    del flask_calls[:]
    assert "一条提示" in text_of(client.get("/members"))
    assert flask_calls == ["/members"]

    # An htmx request for the board's list (the fragment is not kept per role set).
    del flask_calls[:]
    assert client.get("/members", headers={"HX-Request": "true"}).status_code == 200
    assert flask_calls == ["/members"]

    # The account must now change its password: sent to that page, not the board.
    with app.app_context():
        db.session.get(User, users["member"]).must_change_password = True
        db.session.commit()
    answer = client.get("/members")
    assert answer.status_code == 302 and "/account/password" in answer.headers["Location"]


def test_a_signed_out_copy_of_the_cookie_opens_nothing(app, users, flask_calls):
    _published(app)
    client = _signed_in(app, "member")
    client.get("/members")
    copy = client.get_cookie("dwgk_session").value
    assert client.get("/members").status_code == 200
    client.form_post("/logout")
    thief = app.test_client()
    thief.set_cookie("dwgk_session", copy)
    answer = thief.get("/members")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_role_taken_away_shows_in_the_menu_at_once(app, users, flask_calls):
    _published(app)
    with app.app_context():
        make_user(Role.MEMBER, Role.OFFICE, username="chen", display_name="陈静")
        db.session.commit()
    client = _signed_in(app, "chen")
    for _ in range(2):
        assert "事项管理" in text_of(client.get("/members"))
    with app.app_context():
        chen = db.session.scalar(db.select(User).filter_by(username="chen"))
        accounts.update_user(chen, display_name=chen.display_name, email=chen.email,
                             roles=[Role.MEMBER], actor=db.session.get(User, users["admin"]))
        db.session.commit()
    page = client.get("/members")
    if page.status_code == 200:  # a role change may also end the session (both are safe)
        assert "事项管理" not in text_of(page)
    else:
        assert page.status_code == 302


def test_the_lane_counts_its_statements(app, login_as):
    _published(app)
    client = login_as("member")
    client.get("/members")
    before = fastlane.statements
    client.get("/members")
    assert fastlane.statements == before + 1


def test_a_fault_in_the_lane_leaves_the_answer_to_flask(app, login_as, flask_calls, monkeypatch):
    from sqlalchemy.exc import OperationalError

    _published(app, title="照常显示的事项")
    member, visitor = login_as("member"), app.test_client()
    for _ in range(2):
        member.get("/members")
        visitor.get("/")
    real_current = fastlane.cache.current
    faults = []

    def once_gone(*args, **kwargs):  # the lane's read fails, Flask's own read works
        if not faults:
            faults.append(1)
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return real_current(*args, **kwargs)

    def gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(fastlane.FastLane, "_reader_facts", gone)
    monkeypatch.setattr(fastlane.cache, "current", once_gone)
    del flask_calls[:]
    assert member.get("/members").status_code == 200
    answer = visitor.get("/")
    assert answer.status_code == 200 and "照常显示的事项" in text_of(answer)
    assert flask_calls == ["/members", "/"] and faults == [1]


def test_a_signed_in_reader_of_the_public_board_gets_flasks_answer(app, flask_calls):
    _published(app, title="公开的事项")
    with app.app_context():
        make_user(Role.MEMBER, username="sun", display_name="孙莉")
        db.session.commit()
    app.test_client().get("/")  # the anonymous page is kept
    client = _signed_in(app, "sun")
    del flask_calls[:]
    for _ in range(2):
        page = client.get("/")
        assert "孙莉" in text_of(page) and page.headers["Cache-Control"] == "no-store"
    assert flask_calls == ["/", "/"]  # never the visitors' kept page
