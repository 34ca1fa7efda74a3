"""Database settings that the ORM does not make by itself.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign keys on, and
`BEGIN IMMEDIATE` for every transaction that may write. A deferred BEGIN that later
writes fails with "database is locked" when another writer got there first; taking the
write lock up front makes concurrent saves queue instead. Read-only requests (GET, HEAD)
keep a deferred BEGIN so they never queue behind a writer.
"""
from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event

from dwgk.extensions import db

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _sqlite_begin_statement() -> str:
    if has_request_context() and request.method in READ_ONLY_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_sqlite_begin_statement())


# Made by hand in migrations for search (SQLite's FTS5 table and its shadow tables,
# PostgreSQL's gram index, and the trigram index it replaced): Alembic's autogenerate must
# neither drop nor create them.
HAND_MADE_TABLE_PREFIXES = ("search_fts",)
HAND_MADE_INDEXES = {"ix_disclosure_search_trgm", "ix_disclosure_search_grams"}


def alembic_include_name(name, type_, parent_names) -> bool:
    if type_ == "table" and name and name.startswith(HAND_MADE_TABLE_PREFIXES):
        return False
    if type_ == "index" and name in HAND_MADE_INDEXES:
        return False
    return True
