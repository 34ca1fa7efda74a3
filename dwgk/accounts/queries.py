"""Reading accounts."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import User
from dwgk.extensions import db


def list_users() -> list[User]:
    """All accounts, active first, then by username. Roles come in one extra query."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.username)))
