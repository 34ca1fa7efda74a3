"""Reading a user's notices: the bell's count and the list."""
from __future__ import annotations

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from dwgk.extensions import db
from dwgk.notifications.models import Notification

PER_PAGE = 30


_KEPT = "dwgk_unread_count"


def keep_unread_count(user_id: int, count: int) -> None:
    """The count read with the user on a read-only request (accounts.session._load): the
    page's bell uses it instead of asking again, unless anything was written since."""
    g.setdefault(_KEPT, {})[user_id] = count


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_kept_counts(session_, *args):
    if has_app_context():
        g.pop(_KEPT, None)


def unread_count(user_id: int) -> int:
    """One COUNT on the (recipient, read_at) index: the bell asks this every minute. A
    page takes the count read with its user, when nothing was written since."""
    kept = g.get(_KEPT) if has_request_context() and request.method in ("GET", "HEAD") else None
    if kept is not None and user_id in kept:
        return kept[user_id]
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
