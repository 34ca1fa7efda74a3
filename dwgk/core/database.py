"""Database settings that the ORM does not make by itself.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign keys on, and
`BEGIN IMMEDIATE` for every transaction that may write. A deferred BEGIN that later
writes fails with "database is locked" when another writer got there first; taking the
write lock up front makes concurrent saves queue instead. Read-only requests (GET, HEAD)
keep a deferred BEGIN so they never queue behind a writer.
"""
from __future__ import annotations

import threading
import weakref

from flask import Flask, has_request_context, request
from sqlalchemy import create_engine, event

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


# --- the reads made on every request before any data ------------------------------------------

_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def _reader_engine(engine):
    """The engine read_row() uses for `engine`'s database. SQLite: the same one (nothing is
    pinged; a SELECT on the raw connection runs outside any transaction). PostgreSQL: one of
    its own, with the same URL, in autocommit and without the pre-ping: one round trip per
    read instead of four (ping, BEGIN, the statement, ROLLBACK). Disposed with `engine`."""
    if engine.dialect.name == "sqlite":
        return engine
    reader = _READERS.get(engine)
    if reader is None:
        with _READERS_LOCK:
            reader = _READERS.get(engine)
            if reader is None:
                reader = create_engine(engine.url, pool_pre_ping=False,
                                       isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
                _READERS[engine] = reader
                event.listen(engine, "engine_disposed", lambda _: reader.dispose())
    return reader


def engine_of(app):
    """The app's engine, also where no app context is pushed (the answers given before Flask
    runs: dwgk/web/fastlane.py, dwgk/kiosk/fast.py)."""
    engine = app.extensions.get("dwgk_engine")
    if engine is None:
        with app.app_context():
            engine = app.extensions["dwgk_engine"] = db.engine
    return engine


_COMPILED: dict = {}


def read_statement(engine, statement, parameters: dict):
    """read_row() for a Core statement: compiled once per statement and dialect, its values
    converted as SQLAlchemy's own execution converts them; None when there is no row.
    The parameters are plain values (ints, strings): no bind processing is applied."""
    key = (id(statement), engine.dialect.name, engine.dialect.paramstyle)
    found = _COMPILED.get(key)
    if found is None:
        compiled = statement.compile(dialect=engine.dialect)
        processors = [column.type._cached_result_processor(engine.dialect, None)
                      for column in statement.selected_columns]
        found = _COMPILED[key] = (statement, compiled, processors)  # the statement kept alive
    _, compiled, processors = found
    values = compiled.construct_params(parameters)
    if compiled.positional:
        values = tuple(values[name] for name in compiled.positiontup)
    row = read_row(engine, compiled.string, values)
    if row is None:
        return None
    return tuple(value if process is None or value is None else process(value)
                 for process, value in zip(processors, row))


def read_row(engine, sql: str, parameters):
    """The first row of a read-only statement (None when there is none), on a pooled DBAPI
    connection, outside the ORM and the engine's execution machinery: for what is read on
    every request before anything else (the page cache's generation, the kiosk's screen,
    the fast lane's reader), where that machinery would cost more than the statement.

    `sql` is in the driver's parameter style. A connection found dead (the server restarted)
    is dropped and the statement tried once more on a new one — what a pre-ping would have
    done, without paying a round trip for it on every read."""
    reader = _reader_engine(engine)
    try:
        return _fetch_one(reader, sql, parameters, retry=True)
    except _Dropped:
        return _fetch_one(reader, sql, parameters, retry=False)


class _Dropped(Exception):
    """The pooled connection was dead; it has been dropped from the pool."""


def _fetch_one(reader, sql: str, parameters, retry: bool):
    dbapi_error = reader.dialect.loaded_dbapi.Error
    connection = reader.raw_connection()
    cursor = None
    try:
        cursor = connection.cursor()
        cursor.execute(sql, parameters)
        return cursor.fetchone()
    except dbapi_error as exc:
        if retry and reader.dialect.is_disconnect(exc, connection.driver_connection, cursor):
            connection.invalidate(exc)
            raise _Dropped from exc
        raise
    finally:
        if cursor is not None:
            try:
                cursor.close()
            except dbapi_error:
                pass
        connection.close()


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
