"""Users and their roles."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class Role(str, enum.Enum):
    """What a user may do. One user may hold several roles."""

    MEMBER = "member"
    OFFICE = "office"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MEMBER: "党员",
    Role.OFFICE: "党务公开办公室",
    Role.REVIEWER: "领导小组（审核）",
    Role.SUPERVISOR: "监督员",
    Role.ADMIN: "系统管理员",
}

_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class User(UserMixin, db.Model):
    __tablename__ = "app_user"
    # Names of reviewers and responsible people; not each login's bookkeeping.
    shown_publicly = {"display_name"}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case: "Zhang" and "zhang" are one account.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Part of the session's identity: bumping it (logout, password change, disable)
    # invalidates every copy of every session cookie this user has.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="known_role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, create_constraint=False),
        primary_key=True,
    )

    user: Mapped[User] = relationship(back_populates="role_rows")
