"""`flask --app app users …`"""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from dwgk.accounts import services
from dwgk.accounts.models import Role
from dwgk.extensions import db

users_cli = AppGroup("users", help="管理用户账号。")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([role.value for role in Role]), help="角色，可重复。")
@click.option("--name", "display_name", default="", help="姓名（默认同用户名）。")
@click.option("--email", default=None, help="电子邮箱。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（第一行）。")
@click.option("--no-force-change", is_flag=True, help="首次登录不强制修改密码。")
def create(username, roles, display_name, email, password_stdin, no_force_change):
    """Create an account. The password comes from standard input or a prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        user = services.create_user(username, password, roles, display_name=display_name,
                                    email=email, must_change_password=not no_force_change)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{'、'.join(sorted(r.label for r in user.roles))}）。")
