"""Every access rule of dwgk. Routes, templates and tests ask these functions, nothing else.

Pages that need a role send an anonymous visitor to the login page and answer 403 to a
signed-in user without the role. Objects the public may not see are 404 to the public
(their existence is not revealed) and 403 to a signed-in user without the right.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from dwgk.accounts.models import Role


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def has_role(user, *roles: Role) -> bool:
    return is_signed_in(user) and user.has_role(*roles)


def can_read_member_board(user) -> bool:
    """Every account is an insider: any signed-in user reads the member board."""
    return is_signed_in(user)


def can_manage_users(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit_log(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_change_own_password(user) -> bool:
    return is_signed_in(user)


def require(rule):
    """Guard a view with a `can_*(user)` rule: login page for the public, 403 for others."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not is_signed_in(current_user):
                from dwgk.extensions import login_manager

                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.dwgk_rule = rule  # read by the permission test's sanity checks
        return wrapped

    return decorator


def deny_object():
    """Refuse access to one object: 404 for the public, 403 for a signed-in user."""
    abort(403 if is_signed_in(current_user) else 404)
