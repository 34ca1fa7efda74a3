"""The audit log: who did what to which object, when, from where. Append-only."""
from __future__ import annotations

from datetime import datetime

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
