"""Reading a user's notices: the bell's count and the list."""
from __future__ import annotations

from sqlalchemy import func, select

from dwgk.extensions import db
from dwgk.notifications.models import Notification

PER_PAGE = 30


def unread_count(user_id: int) -> int:
    """One COUNT on the (recipient, read_at) index: the bell asks this every minute."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)))


def page_for(user_id: int, page: int = 1):
    """A user's notices, newest first."""
    query = (select(Notification).where(Notification.recipient_id == user_id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def own_notice(user_id: int, notification_id: int) -> Notification | None:
    """The notice if it is this user's; someone else's is as unknown as a missing one."""
    return db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.recipient_id == user_id))
