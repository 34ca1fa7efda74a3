"""The audit log's events: who did what to which object, when, from where. Append-only.
Every service that changes something records its event in the same transaction (callers
commit); the admin's page that reads them is dwgk/audit."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"), Index("ix_audit_event_action", "action"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # A snapshot: the log must read the same after the account is renamed.
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class AuditEventImmutable(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_audit_events(session, flush_context, instances):
    """No code path may update or delete an audit event."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditEventImmutable("audit events are append-only")



def record(action: str, obj=None, summary: str = "", actor=None, object_type: str = "",
           object_id: str = "") -> AuditEvent:
    """Add an audit event for `action` on `obj` by `actor` (default: the signed-in user)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(obj.id)
    event_ = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:2000],
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(event_)
    return event_
