"""Writing audit events. Callers commit: the event lands in the same transaction as the change."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from dwgk.audit.models import AuditEvent
from dwgk.extensions import db


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
