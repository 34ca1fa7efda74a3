"""The bell (one COUNT, no cookie, polled by htmx) and the list of notices: newest first,
unread marked, read one / read all, nobody else's, no open redirect."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dwgk.extensions import db
from dwgk.notifications.models import Notification
from tests.support import QueryCounter, text_of
from tests.supervision import user


def _notice(app, username, message="通知", link="", kind="test.notice", object_id=None) -> int:
    from dwgk.notifications.services import notify

    with app.app_context():
        created = notify([user(username)], kind, message, object_type="test",
                         object_id=object_id, link=link)
        db.session.commit()
        return created[0].id


def _read_at(app, notice_id):
    with app.app_context():
        return db.session.get(Notification, notice_id).read_at


BELL = re.compile(r'<a id="notification-bell"[^>]*>.*?</a>', re.S)


def test_the_bell_is_in_the_header_for_signed_in_users(app, users, login_as):
    _notice(app, "member", "一条未读", object_id=1)
    _notice(app, "member", "另一条未读", object_id=2)
    page = text_of(login_as("member").get("/members"))
    bell = BELL.search(page).group(0)
    assert 'href="/notifications"' in bell
    assert 'hx-get="/notifications/bell"' in bell
    assert 'hx-trigger="every 60s"' in bell and 'hx-swap="outerHTML"' in bell
    assert '<span class="bell-count">2</span>' in bell and "2 条未读" in bell
    assert page.index('class="account"') < page.index('id="notification-bell"')
    assert "notification-bell" not in text_of(login_as("anonymous").get("/"))


def test_no_bell_while_the_password_must_change(app, users, login_as):
    from tests.factories import DEFAULT_PASSWORD, make_user

    with app.app_context():
        make_user(username="fresh", must_change_password=True)
        db.session.commit()
    client = app.test_client()
    client.login("fresh", DEFAULT_PASSWORD)
    page = text_of(client.get("/password", follow_redirects=True))
    assert "修改密码" in page and "notification-bell" not in page


def test_the_bell_fragment_is_one_count_and_sets_no_cookie(app, users, login_as):
    client = login_as("office")
    for number in range(3):
        _notice(app, "office", f"通知{number}", object_id=number)
    _notice(app, "member", "别人的通知")
    with QueryCounter(app) as counter:
        response = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = text_of(response).strip()
    assert html.startswith('<a id="notification-bell"') and html.count('id="notification-bell"') == 1
    assert '<span class="bell-count">3</span>' in html
    on_notices = [s for s in counter.statements if "notification" in s]
    assert len(on_notices) == 1 and "count(" in on_notices[0].lower()
    # Besides the count: only the signed-in user's own load (the user and their roles) —
    # not the unit's settings that every page reads.
    others = [s for s in counter.statements if s not in on_notices]
    assert all(re.search(r"FROM (app_user|user_role)\b", s) for s in others), others
    assert len(others) <= 2, others
    # Polling must not keep the session alive: no cookie is re-issued (other pages do).
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" in client.get("/notifications").headers


def test_the_bell_for_the_public_is_empty_and_starts_no_session(app, users):
    client = app.test_client()
    with QueryCounter(app) as counter:
        response = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data() == b""
    assert "Set-Cookie" not in response.headers and counter.count == 0


def test_the_bell_after_the_session_ended(app, users, login_as):
    """Signed out elsewhere (the session version was bumped): the poll answers empty, so
    htmx removes the bell and stops polling; no redirect to the login page."""
    client = login_as("member")
    with app.app_context():
        member = user("member")
        member.session_version += 1
        db.session.commit()
    response = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data() == b""
    assert "Set-Cookie" not in response.headers


def test_the_list_newest_first_unread_marked_and_paged(app, users, login_as, frozen_clock):
    start = datetime(2026, 11, 23, 9, 0)
    for number in range(32):
        frozen_clock(start + timedelta(minutes=number))
        _notice(app, "member", f"第{number:02d}号通知", object_id=number)
    with app.app_context():
        first = db.session.scalar(select(Notification).where(Notification.message == "第31号通知"))
        first.read_at = first.created_at
        db.session.commit()
    client = login_as("member")
    page = text_of(client.get("/notifications"))
    assert page.index("第31号通知") < page.index("第30号通知") < page.index("第02号通知")
    assert "第01号通知" not in page and "第 1 / 2 页" in page
    assert page.count('class="tag notice-unread">未读') == 29
    assert "第00号通知" in text_of(client.get("/notifications?page=2"))


def test_reading_a_notice_goes_to_its_link(app, users, login_as):
    notice_id = _notice(app, "supervisor", "已答复", link="/supervision/notes/7")
    response = login_as("supervisor").form_post(f"/notifications/{notice_id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/supervision/notes/7"
    assert _read_at(app, notice_id) is not None


def test_a_notice_without_a_link_goes_back_to_the_list(app, users, login_as):
    notice_id = _notice(app, "member")
    response = login_as("member").form_post(f"/notifications/{notice_id}/read")
    assert response.headers["Location"] == "/notifications"


def test_someone_elses_notice_is_404(app, users, login_as):
    notice_id = _notice(app, "office", "办公室的通知", link="/office/supervision/1")
    client = login_as("member")
    assert client.form_post(f"/notifications/{notice_id}/read").status_code == 404
    assert client.form_post("/notifications/999999/read").status_code == 404
    assert _read_at(app, notice_id) is None
    assert "办公室的通知" not in text_of(client.get("/notifications"))


@pytest.mark.parametrize("link", ["https://evil.example/steal", "//evil.example/x",
                                  "/\\evil.example", "javascript:alert(1)", "evil.example"])
def test_no_open_redirect(app, users, login_as, link):
    notice_id = _notice(app, "member", link=link)
    response = login_as("member").form_post(f"/notifications/{notice_id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"


def test_read_all_marks_only_ones_own(app, users, login_as):
    mine = [_notice(app, "member", object_id=number) for number in range(3)]
    theirs = _notice(app, "office")
    client = login_as("member")
    response = client.form_post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert all(_read_at(app, notice_id) for notice_id in mine)
    assert _read_at(app, theirs) is None
    page = text_of(client.get("/notifications"))
    assert "已将 3 条通知标为已读。" in page and "notice-unread" not in page
    assert '<span class="bell-count">' not in page


def test_read_needs_post_and_a_csrf_token(app, users, login_as):
    notice_id = _notice(app, "member")
    client = login_as("member")
    assert client.get(f"/notifications/{notice_id}/read").status_code == 405
    assert client.post(f"/notifications/{notice_id}/read").status_code == 400
    assert _read_at(app, notice_id) is None


def test_the_public_is_sent_to_login(app, users):
    client = app.test_client()
    for path in ("/notifications",):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
