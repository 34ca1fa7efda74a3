"""The member board kept per role set (cache.cached_for_roles): each reader still gets their
own name, bell and CSRF token, their own menu, and a disabled user is refused at once."""
from __future__ import annotations

import re

from dwgk.accounts import services as accounts
from dwgk.accounts.models import User
from dwgk.extensions import db
from dwgk.notifications import services as notifications
from dwgk.web import cache
from tests.factories import DEFAULT_PASSWORD, make_disclosure, make_user
from tests.support import text_of


def _signed_in(app, username):
    client = app.test_client()
    assert client.login(username, DEFAULT_PASSWORD).status_code == 302
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_readers_with_the_same_roles_each_get_their_own_parts(app):
    with app.app_context():
        make_disclosure(title="党内事项")
        make_user(username="zhang", display_name="张晓燕")
        li = make_user(username="li", display_name="李建国")
        notifications.notify([li], "test", "有一条新通知")
        db.session.commit()
    zhang, li = _signed_in(app, "zhang"), _signed_in(app, "li")
    first = text_of(zhang.get("/members"))
    responses = [li.get("/members"), li.get("/members")]  # kept, then served
    assert all(r.headers["Cache-Control"] == "no-store" for r in responses)
    pages = [text_of(response) for response in responses]
    assert len(app.extensions["dwgk_page_cache"]["role-pages"]) == 1
    for page in pages:
        assert "李建国" in page and "张晓燕" not in page
        assert "bell-count" in page  # li's unread notice; zhang has none
        assert cache.ACCOUNT_PLACEHOLDER not in page and cache.PLACEHOLDER not in page
        assert "党内事项" in page
    assert "张晓燕" in first and "bell-count" not in first
    with app.app_context():  # a new notice shows on zhang's next page at once
        notifications.notify([db.session.scalar(db.select(User).filter_by(username="zhang"))],
                             "test", "给张的通知")
        db.session.commit()
    assert "bell-count" in text_of(zhang.get("/members"))
    # Each page carries its reader's own CSRF token, which works for their forms.
    assert _token(pages[0]) != _token(first)
    assert li.post("/logout", data={"csrf_token": _token(pages[1])}).status_code == 302
    assert li.get("/members").status_code == 302  # signed out


def test_the_menu_follows_the_roles(app, login_as):
    admin_page = text_of(login_as("admin").get("/members"))
    member_page = text_of(login_as("member").get("/members"))
    assert "用户管理" in admin_page and "用户管理" not in member_page
    assert "用户管理" not in text_of(login_as("member").get("/members"))


def test_a_disabled_user_is_refused_on_the_next_request(app, login_as, users):
    client = login_as("member")
    assert client.get("/members").status_code == 200
    assert client.get("/members").status_code == 200  # served from what was kept
    with app.app_context():
        accounts.set_active(db.session.get(User, users["member"]), False,
                            actor=db.session.get(User, users["admin"]))
        db.session.commit()
    refused = client.get("/members")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
