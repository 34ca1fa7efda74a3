"""Changes to accounts. Each function flushes and writes its audit event; the caller commits."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from dwgk.core.errors import Refusal
from dwgk.accounts.models import Role, User, UserRole
from dwgk.accounts.passwords import hash_password, needs_rehash, verify_password
from dwgk.core.audit import record
from dwgk.core import clock
from dwgk.extensions import db


class AccountError(Refusal):
    """A refused change; the message is shown to the user as it is."""


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable, in Chinese, or None."""
    minimum = current_app.config["DWGK_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"密码至少需要 {minimum} 个字符。"
    if len(password) > 128:
        return "密码不能超过 128 个字符。"
    if username and normalise_username(username) in password.lower():
        return "密码不能包含用户名。"
    if len(set(password)) < 4:
        return "密码过于简单，请混用不同的字符。"
    return None


def authenticate(username: str, password: str) -> User | None:
    """The user whose credentials these are, or None. Records the attempt either way.

    An unknown username and a wrong password take the same time and give the same answer.
    """
    user = find_user(username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok:
        record("login.failure", summary=f"用户名：{normalise_username(username)[:64]}",
               object_type="user", object_id=str(user.id) if user else "")
        return None
    if not user.active:
        record("login.refused", user, summary="账号已停用", actor=user)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    record("login.success", user, actor=user)
    return user


def logout(user: User) -> None:
    """End every session of `user`, not just this browser's."""
    user.session_version += 1
    record("logout", user, actor=user)


def _check_roles(roles) -> set[Role]:
    try:
        return {Role(role) for role in roles}
    except ValueError as exc:
        raise AccountError(f"未知角色：{exc}", "roles") from None


USERNAME_TAKEN = "该用户名已被使用。"


def username_problem(username: str) -> str | None:
    """Why `username` cannot name a new account, in Chinese, or None."""
    username = normalise_username(username)
    if not username or len(username) > 64 or not all(
        c.isascii() and (c.isalnum() or c in "._-") for c in username
    ):
        return "用户名只能包含英文字母、数字和 . _ -，最长 64 个字符。"
    if find_user(username) is not None:
        return USERNAME_TAKEN
    return None


def create_user(username: str, password: str, roles, *, display_name: str = "",
                email: str | None = None, must_change_password: bool = True,
                actor: User | None = None) -> User:
    username = normalise_username(username)
    problem = username_problem(username)
    if problem:
        raise AccountError(problem, "username")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem, "password")
    role_set = _check_roles(roles)
    user = User(
        username=username,
        display_name=(display_name or username).strip()[:64],
        email=(email or None),
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        role_rows=[UserRole(role=role) for role in sorted(role_set, key=lambda r: r.value)],
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", user, actor=actor,
           summary=f"{user.username}（{'、'.join(r.label for r in _ordered(role_set)) or '无角色'}）")
    return user


def _ordered(roles) -> list[Role]:
    return [role for role in Role if role in roles]


def _active_admin_count(excluding: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True), User.id != excluding.id)
    )


def update_user(user: User, *, display_name: str, email: str | None, roles, actor: User) -> None:
    role_set = _check_roles(roles)
    if Role.ADMIN not in role_set and Role.ADMIN in user.roles and _active_admin_count(user) == 0:
        raise AccountError("不能移除最后一位系统管理员的管理员角色。", "roles")
    changes = []
    display_name = display_name.strip()[:64] or user.username
    if display_name != user.display_name:
        changes.append(f"姓名：{user.display_name} → {display_name}")
        user.display_name = display_name
    if (email or None) != user.email:
        changes.append("邮箱已修改")
        user.email = email or None
    if role_set != user.roles:
        before, after = user.roles, role_set
        user.role_rows = [row for row in user.role_rows if row.role in after] + [
            UserRole(role=role) for role in _ordered(after - before)
        ]
        changes.append("角色：" + ("、".join(r.label for r in _ordered(before)) or "无") + " → "
                       + ("、".join(r.label for r in _ordered(after)) or "无"))
    if changes:
        db.session.flush()
        record("user.update", user, actor=actor, summary="；".join(changes))


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.active == active:
        return
    if not active:
        if user.id == actor.id:
            raise AccountError("不能停用自己的账号。")
        if Role.ADMIN in user.roles and _active_admin_count(user) == 0:
            raise AccountError("不能停用最后一位系统管理员。")
    user.active = active
    user.session_version += 1
    record("user.enable" if active else "user.disable", user, actor=actor)


def reset_password(user: User, new_password: str, *, actor: User) -> None:
    """Set a temporary password; the user must change it at the next login."""
    problem = password_problem(new_password, user.username)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.session_version += 1
    record("user.reset_password", user, actor=actor)


def change_own_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("当前密码不正确。", "current_password")
    problem = password_problem(new, user.username)
    if problem:
        raise AccountError(problem, "new_password")
    if verify_password(user.password_hash, new):
        raise AccountError("新密码不能与当前密码相同。", "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    # Every other copy of the session ends; the caller signs this browser in again.
    user.session_version += 1
    record("password.change", user, actor=user)
