"""Telling people things in the app (the bell). Each notice is stored once per
(recipient, kind, object, due key): calling notify() again for the same thing does nothing."""
from __future__ import annotations

from sqlalchemy import select

from dwgk.accounts.models import Role, User, UserRole
from dwgk.core import clock
from dwgk.extensions import db
from dwgk.notifications.models import Notification


def users_with_role(role: Role) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))))


def notify(recipients, kind: str, message: str, *, obj=None, object_type: str = "",
           object_id: int | None = None, link: str = "", due_key: str = "") -> list[Notification]:
    """Add one notice per recipient unless that exact notice exists. Flushes; the caller
    commits. Returns the notices created now (for e-mail, after the commit)."""
    if obj is not None:
        object_type, object_id = obj.__tablename__, obj.id
    created = []
    for user in {user.id: user for user in recipients if user is not None}.values():
        exists = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == user.id, Notification.kind == kind,
            Notification.object_type == object_type, Notification.object_id == object_id,
            Notification.due_key == due_key))
        if exists is None:
            notice = Notification(recipient_id=user.id, kind=kind, object_type=object_type,
                                  object_id=object_id, due_key=due_key, message=message[:500],
                                  link=link)
            db.session.add(notice)
            created.append(notice)
    db.session.flush()
    return created


def mark_read(notice: Notification) -> None:
    if notice.read_at is None:
        notice.read_at = clock.now()


def mark_all_read(user: User) -> int:
    notices = db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))).all()
    for notice in notices:
        notice.read_at = clock.now()
    return len(notices)
