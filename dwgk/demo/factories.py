"""One make_*() per model, with overrides. Tests and `demo seed` both build data with these."""
from __future__ import annotations

import itertools

from dwgk.accounts import services as accounts
from dwgk.accounts.models import Role, User

_sequence = itertools.count(1)

DEFAULT_PASSWORD = "correct-horse-42"


def make_user(*roles: Role | str, username: str | None = None, password: str = DEFAULT_PASSWORD,
              display_name: str | None = None, email: str | None = None,
              must_change_password: bool = False, active: bool = True) -> User:
    """A user holding `roles` (none given: a plain member)."""
    username = username or f"user{next(_sequence)}"
    user = accounts.create_user(
        username, password, roles or [Role.MEMBER],
        display_name=display_name or username, email=email,
        must_change_password=must_change_password,
    )
    user.active = active
    return user
