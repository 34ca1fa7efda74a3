"""The generation: one row whose random token changes with everything the public sees.

Every transaction that changes something a cached page may show writes a new token just
before it commits, in the same transaction, whichever service made the change: a model says
what of it is shown with a class attribute, `shown_publicly` — True (any change) or a set of
attribute names. A request reads the token through the ORM session before any data
(dwgk.web.cache.request_generation), so what it renders is at least as new as the token it
keeps it under, and every worker and app server reading the same row agrees at once. A
missing row (an emptied table) reads as None: nothing is cached then.
"""
from __future__ import annotations

import secrets

from sqlalchemy import Column, Integer, String, event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db

_CHANGED = "dwgk_generation_changed"

generation_table = db.Table(
    "cache_generation",
    Column("id", Integer, primary_key=True),
    Column("value", String(32), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
)


def current(session_: Session | None = None) -> str | None:
    """The token now, read in the session's transaction (None while the row is missing)."""
    session_ = session_ or db.session
    return session_.scalar(select(generation_table.c.value).where(generation_table.c.id == 1))


def bump(session_: Session | None = None) -> str:
    """Write a new token in the session's transaction (creating the row if needed)."""
    session_ = session_ or db.session
    token, now = secrets.token_hex(16), clock.now()
    conn = session_.connection()
    result = conn.execute(update(generation_table).where(generation_table.c.id == 1)
                          .values(value=token, changed_at=now))
    if result.rowcount == 0:
        conn.execute(generation_table.insert().values(id=1, value=token, changed_at=now))
    return token


def _is_shown_change(obj, kind: str) -> bool:
    shown = getattr(type(obj), "shown_publicly", False)
    if not shown:
        return False
    if shown is True or kind == "deleted":
        return True
    if kind == "new":
        return any(getattr(obj, name, None) not in (None, "") for name in shown)
    attrs = sa_inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in shown)


@event.listens_for(Session, "after_flush")
def _note_changes(session_, flush_context):
    if not session_.info.get(_CHANGED) and any(
            _is_shown_change(obj, kind) for kind, objects in
            (("new", session_.new), ("dirty", session_.dirty), ("deleted", session_.deleted))
            for obj in objects):
        session_.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session_):
    # Flush first, so that pending changes are seen; the bump is the transaction's last
    # statement, so the row is locked only for the commit (no lock-order deadlocks).
    session_.flush()
    if session_.info.pop(_CHANGED, False):
        bump(session_)


@event.listens_for(Session, "after_transaction_end")
def _forget(session_, transaction):
    if transaction.parent is None:
        session_.info.pop(_CHANGED, None)
