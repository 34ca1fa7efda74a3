"""Tests of the boards: the public and member boards, search, an item's page, its earlier
revisions and the printable notice. Shared helpers live here."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from dwgk.extensions import db

CANARY_MEMBERS = "CANARY-党内-8f3k"
CANARY_WINDOW = "CANARY-先党内-2q7w"


@contextmanager
def recorded_queries(app):
    """Collect the SQL statements sent to the database while the block runs."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
