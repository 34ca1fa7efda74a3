"""database.read_row: the reads made on every request before any data (the page cache's
generation, the kiosk's screen, the fast lane's reader) — on PostgreSQL in autocommit, on a
pool without the pre-ping, and still right after the server dropped a connection."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from dwgk.core import database
from dwgk.extensions import db
from dwgk.web import cache


def _postgres_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: DWGK_TEST_DATABASE_URL is not set")


def test_it_reads_the_row_on_either_database(app):
    with app.app_context():
        cache.bump()
        db.session.commit()
        token = db.session.execute(text("SELECT value FROM cache_generation")).scalar()
        assert database.read_row(db.engine, cache._CURRENT_SQL, ()) == (token,)
        assert cache.current() == token


def test_a_dropped_connection_is_replaced_without_an_error(app):
    _postgres_only(app)
    with app.app_context():
        cache.bump()
        db.session.commit()
        token = cache.current()
        reader = database._reader_engine(db.engine)
        connection = reader.raw_connection()
        backend = connection.driver_connection.info.backend_pid
        connection.close()  # back in the pool, to be taken by the next read
        with db.engine.connect() as other:  # what a server restart does to it
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        assert cache.current() == token
        again = reader.raw_connection()
        assert again.driver_connection.info.backend_pid != backend
        again.close()


def test_reads_leave_no_transaction_open_on_postgresql(app):
    _postgres_only(app)
    with app.app_context():
        cache.current()
        reader = database._reader_engine(db.engine)
        assert reader is not db.engine
        connection = reader.raw_connection()
        try:
            backend = connection.driver_connection.info.backend_pid
        finally:
            connection.close()
        with db.engine.connect() as other:
            state = other.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"),
                                  {"pid": backend}).scalar()
        assert state == "idle"  # not "idle in transaction": nothing holds a snapshot or lock


def test_the_reader_pool_is_disposed_with_the_apps_engine(app):
    _postgres_only(app)
    with app.app_context():
        cache.current()
        reader = database._reader_engine(db.engine)
        assert reader.pool.checkedin() == 1
        db.engine.dispose()
        assert reader.pool.checkedin() == 0
