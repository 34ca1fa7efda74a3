"""The admin manages accounts: create, roles, disable, reset password; all audited."""
from __future__ import annotations

from sqlalchemy import func, select

from dwgk.accounts.models import Role, User
from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from tests.factories import DEFAULT_PASSWORD
from tests.support import field_errors, text_of


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            user.roles  # load while the session is open
        return user


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_admin_creates_a_user_with_several_roles(app, users, login_as):
    admin = login_as("admin")
    response = admin.form_post("/admin/users/new", {
        "username": "Wang.Li", "display_name": "王丽", "email": "wangli@example.cn",
        "roles": ["office", "member"], "password": "temporary-pass-1",
    })
    assert response.status_code == 302
    listing = text_of(admin.get("/admin/users"))
    assert "wang.li" in listing and "王丽" in listing and "待改密码" in listing
    user = _user(app, "wang.li")
    assert user.roles == {Role.OFFICE, Role.MEMBER}
    assert user.must_change_password
    assert "user.create" in _actions(app)
    # The new user signs in and must change the password first.
    newcomer = app.test_client()
    assert newcomer.login("wang.li", "temporary-pass-1").headers["Location"] == "/account/password"


def test_bad_user_form_shows_every_problem_and_saves_nothing(app, users, login_as):
    admin = login_as("admin")
    before = _count(app, User)
    response = admin.form_post("/admin/users/new", {
        "username": "张三", "display_name": "", "email": "not-an-email",
        "roles": ["office", "emperor"], "password": "short",
    })
    assert response.status_code == 422
    errors = field_errors(response)
    assert "用户名只能包含英文字母、数字和 . _ -，最长 64 个字符。" in errors
    assert "请输入姓名。" in errors
    assert "邮箱格式不正确。" in errors
    assert "未知角色。" in errors
    assert "密码至少需要 10 个字符。" in errors
    assert _count(app, User) == before


def test_duplicate_username_is_refused(app, users, login_as):
    admin = login_as("admin")
    response = admin.form_post("/admin/users/new", {
        "username": "MEMBER", "display_name": "重名", "roles": ["member"],
        "password": "temporary-pass-1",
    })
    assert response.status_code == 422
    assert "该用户名已被使用。" in field_errors(response)


def test_admin_changes_roles_and_the_change_applies_at_once(app, users, login_as):
    member = login_as("member")
    assert member.get("/admin/users").status_code == 403
    admin = login_as("admin")
    response = admin.form_post(f"/admin/users/{users['member']}", {
        "display_name": "刘洋", "email": "", "roles": ["member", "admin"],
    })
    assert response.status_code == 302
    assert member.get("/admin/users").status_code == 200
    with app.app_context():
        summary = db.session.scalar(
            select(AuditEvent.summary).where(AuditEvent.action == "user.update"))
    assert "角色：党员 → 党员、系统管理员" in summary


def test_the_last_admin_cannot_lose_the_role_or_be_disabled(app, users, login_as):
    admin = login_as("admin")
    response = admin.form_post(f"/admin/users/{users['admin']}", {
        "display_name": "admin", "roles": ["member"],
    })
    assert response.status_code == 422
    assert "不能移除最后一位系统管理员的管理员角色。" in field_errors(response)
    assert Role.ADMIN in _user(app, "admin").roles
    response = admin.form_post(f"/admin/users/{users['admin']}/active", {}, follow_redirects=True)
    assert "不能停用自己的账号。" in text_of(response)
    assert _user(app, "admin").active


def test_disable_and_enable(app, users, login_as):
    admin = login_as("admin")
    admin.form_post(f"/admin/users/{users['office']}/active", {})
    assert not _user(app, "office").active
    assert app.test_client().login("office", DEFAULT_PASSWORD).status_code == 422
    admin.form_post(f"/admin/users/{users['office']}/active", {"active": "y"})
    assert _user(app, "office").active
    assert app.test_client().login("office", DEFAULT_PASSWORD).status_code == 302
    assert _actions(app).count("user.disable") == _actions(app).count("user.enable") == 1


def test_reset_password_forces_a_change_and_ends_sessions(app, users, login_as):
    office = login_as("office")
    admin = login_as("admin")
    response = admin.form_post(f"/admin/users/{users['office']}/password", {"password": "x"})
    assert response.status_code == 422
    assert "密码至少需要 10 个字符。" in field_errors(response)
    response = admin.form_post(f"/admin/users/{users['office']}/password",
                               {"password": "temporary-pass-2"})
    assert response.status_code == 302
    assert office.get("/members").status_code == 302
    again = app.test_client()
    assert again.login("office", "temporary-pass-2").headers["Location"] == "/account/password"
    assert "user.reset_password" in _actions(app)


def test_a_username_taken_by_a_concurrent_save_is_refused_next_to_the_field(
        app, users, login_as, monkeypatch):
    """Two admins create "zhao" at once: the second one's check ran before the first one's
    commit, so only the database's unique key sees it. The form says so; nothing is saved."""
    from dwgk.accounts import services
    from dwgk.demo.factories import make_user

    with app.app_context():
        make_user(Role.MEMBER, username="zhao")
        db.session.commit()
    admin = login_as("admin")
    before = _count(app, User), _actions(app)
    monkeypatch.setattr(services, "find_user", lambda username: None)  # the check saw nobody
    response = admin.form_post("/admin/users/new", {
        "username": "zhao", "display_name": "赵敏", "roles": ["member"],
        "password": "temporary-pass-1",
    })
    assert response.status_code == 422
    assert "该用户名已被使用。" in field_errors(response)
    assert (_count(app, User), _actions(app)) == before
