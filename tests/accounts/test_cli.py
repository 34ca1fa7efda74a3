"""`flask --app app users create`."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import Role, User
from dwgk.extensions import db


def test_create_user_with_password_from_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "Secretary", "--role", "reviewer",
                                 "--role", "member", "--name", "李书记", "--password-stdin"],
                           input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "已创建用户 secretary" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "secretary"))
        assert user.roles == {Role.REVIEWER, Role.MEMBER}
        assert user.display_name == "李书记"
        assert user.must_change_password
    client = app.test_client()
    assert client.login("secretary", "a-long-password").headers["Location"] == "/account/password"


def test_create_user_prompts_for_the_password(app, runner):
    result = runner.invoke(args=["users", "create", "admin2", "--role", "admin"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output


def test_bad_input_is_refused_with_a_message(app, runner):
    result = runner.invoke(args=["users", "create", "x", "--role", "king", "--password-stdin"],
                           input="a-long-password\n")
    assert result.exit_code == 2
    result = runner.invoke(args=["users", "create", "x", "--role", "member", "--password-stdin"],
                           input="short\n")
    assert result.exit_code == 1
    assert "密码至少需要 10 个字符。" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "x")) is None
