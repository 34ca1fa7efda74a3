"""Signing in and out: the same answer for every failure, forced password change, and
sessions that really end."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import Role, User
from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support import field_errors, text_of

FAILURE = "用户名或密码不正确，或账号已停用。"


def _events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_success_goes_to_member_board_and_is_audited(app, client, users):
    response = client.login("member", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/members"
    page = client.get("/members")
    assert page.status_code == 200
    assert "党内公开栏" in text_of(page)
    [event] = _events(app, "login.success")
    assert event.actor_name == "member"
    assert event.ip == "127.0.0.1"


def test_username_is_case_insensitive(client, users):
    assert client.login("  MEMBER ", DEFAULT_PASSWORD).status_code == 302


def test_unknown_user_and_wrong_password_look_the_same(app, client, users):
    wrong_password = client.login("member", "not-the-password")
    unknown_user = client.login("no-such-person", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 422
    assert field_errors(wrong_password) == field_errors(unknown_user) == [FAILURE]
    assert len(_events(app, "login.failure")) == 2


def test_empty_login_form_says_what_is_missing(client):
    response = client.form_post("/login", {"username": "", "password": ""})
    assert response.status_code == 422
    assert field_errors(response) == ["请输入用户名。", "请输入密码。"]


def test_disabled_account_cannot_sign_in(app, client):
    with app.app_context():
        make_user(username="gone", active=False)
        db.session.commit()
    response = client.login("gone", DEFAULT_PASSWORD)
    assert response.status_code == 422
    assert field_errors(response) == [FAILURE]
    assert len(_events(app, "login.refused")) == 1


def test_first_login_forces_a_password_change(app, client):
    with app.app_context():
        make_user(Role.OFFICE, username="newbie", must_change_password=True)
        db.session.commit()
    response = client.login("newbie", DEFAULT_PASSWORD)
    assert response.headers["Location"] == "/account/password"
    # Every other page sends the user back to the password form until it is changed.
    for path in ["/members", "/", "/admin/users"]:
        blocked = client.get(path)
        assert blocked.status_code == 302
        assert blocked.headers["Location"] == "/account/password"
    client.refresh_csrf()
    done = client.form_post("/account/password", {
        "current_password": DEFAULT_PASSWORD,
        "new_password": "a-new-and-long-one",
        "confirm_password": "a-new-and-long-one",
    })
    assert done.status_code == 302
    assert client.get("/members").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newbie"))
        assert user.must_change_password is False
    assert len(_events(app, "password.change")) == 1


def test_password_change_errors_are_shown_next_to_the_fields(client, users):
    client.login("member", DEFAULT_PASSWORD)
    client.refresh_csrf()
    response = client.form_post("/account/password", {
        "current_password": "wrong", "new_password": "short", "confirm_password": "other",
    })
    assert response.status_code == 422
    assert "两次输入的新密码不一致。" in field_errors(response)
    response = client.form_post("/account/password", {
        "current_password": "wrong", "new_password": "long-enough-1", "confirm_password": "long-enough-1",
    })
    assert field_errors(response) == ["当前密码不正确。"]
    response = client.form_post("/account/password", {
        "current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm_password": "short",
    })
    assert field_errors(response) == ["密码至少需要 10 个字符。"]


def test_logout_needs_post_and_ends_the_session(app, client, users):
    client.login("member", DEFAULT_PASSWORD)
    assert client.get("/logout").status_code == 405
    client.refresh_csrf()
    response = client.form_post("/logout")
    assert response.status_code == 302
    assert client.get("/members").status_code == 302
    assert len(_events(app, "logout")) == 1


def test_a_cookie_copied_before_logout_does_not_work_after_it(app, users):
    browser = app.test_client()
    browser.login("member", DEFAULT_PASSWORD)
    stolen = browser.get_cookie("dwgk_session").value
    browser.refresh_csrf()
    browser.form_post("/logout")

    replay = app.test_client()
    replay.set_cookie("dwgk_session", stolen)
    response = replay.get("/members")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_the_sessions_on_other_devices(app, users):
    laptop, phone = app.test_client(), app.test_client()
    laptop.login("member", DEFAULT_PASSWORD)
    phone.login("member", DEFAULT_PASSWORD)
    laptop.refresh_csrf()
    laptop.form_post("/account/password", {
        "current_password": DEFAULT_PASSWORD,
        "new_password": "brand-new-secret",
        "confirm_password": "brand-new-secret",
    })
    assert laptop.get("/members").status_code == 200  # this browser stays signed in
    assert phone.get("/members").status_code == 302  # the other one does not


def test_disabling_a_user_ends_their_session(app, users):
    member = app.test_client()
    member.login("member", DEFAULT_PASSWORD)
    assert member.get("/members").status_code == 200
    admin = app.test_client()
    admin.login("admin", DEFAULT_PASSWORD)
    admin.refresh_csrf()
    admin.form_post(f"/admin/users/{users['member']}/active", {})
    assert member.get("/members").status_code == 302


def test_next_parameter_only_leads_to_this_site(client, users):
    client.refresh_csrf()
    for target, expected in [("/admin/audit", "/admin/audit"),
                             ("https://evil.example/", "/members"),
                             ("//evil.example/x", "/members"),
                             ("/\\evil.example", "/members")]:
        response = client.post("/login", query_string={"next": target}, data={
            "username": "admin", "password": DEFAULT_PASSWORD, "csrf_token": client.csrf,
        })
        assert response.headers["Location"] == expected, target
        client.refresh_csrf()
        client.form_post("/logout")
        client.refresh_csrf()


def test_an_expired_session_sends_htmx_to_the_login_page_instead_of_swapping_it(client):
    response = client.get("/admin/audit?page=2", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert text_of(response) == ""


def test_session_cookie_flags(client, users):
    client.login("member", DEFAULT_PASSWORD)
    cookie = client.get_cookie("dwgk_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # plain HTTP by default; DWGK_HTTPS=1 sets it


def test_session_cookie_is_secure_under_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    client.refresh_csrf()
    assert client.get_cookie("dwgk_session").secure


def test_each_role_lands_where_its_work_is(app, users):
    """After login: the office and reviewers on 我的待办, supervisors in their inbox, members
    (and the admin) on the member board (issue 13)."""
    for role, landing in [("office", "/duties"), ("reviewer", "/duties"),
                          ("supervisor", "/supervision"), ("member", "/members"),
                          ("admin", "/members")]:
        client = app.test_client()
        response = client.login(role, DEFAULT_PASSWORD)
        assert response.headers["Location"] == landing, role
        assert client.get(landing).status_code == 200, role
        # Signed in already, /login leads there too.
        assert client.get("/login").headers["Location"] == landing, role
