"""Fixtures: the app on a migrated database (SQLite always, PostgreSQL when
DWGK_TEST_DATABASE_URL is set), a private redis-server, clients signed in as each role,
and a frozen clock."""
from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from dwgk import create_app
from dwgk.accounts.models import Role
from dwgk.core import clock
from dwgk.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support import DwgkClient, RedisServer, reuse_url_builders

# Every test builds its own app; compiling the URL builders of ~100 routes again each time
# was 90% of create_app. A builder depends only on its rule's parts and defaults: share them.
reuse_url_builders()

ROLES = [role.value for role in Role]

# Cheap hashing in tests; the production parameters are checked in test_passwords.py.
TEST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def _clean_environment():
    """Tests never read the developer's DWGK_* settings by accident."""
    saved = {k: v for k, v in os.environ.items()
             if k.startswith("DWGK_") and k != "DWGK_TEST_DATABASE_URL"}
    for key in saved:
        del os.environ[key]
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("DWGK_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:  # start from an empty schema every session
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'dwgk-test.sqlite3'}"


def _base_config(tmp_path, database_url, redis_url):
    return {
        "TESTING": True,
        "DWGK_INSTANCE_PATH": str(tmp_path / "instance"),
        "DWGK_UPLOAD_DIR": str(tmp_path / "instance" / "uploads"),
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DWGK_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "DWGK_ARGON2": TEST_ARGON2,
        # No line per request in the test output (a live server's thread writes between
        # tests); tests/test_request_log.py turns it on.
        "DWGK_REQUEST_LOG": False,
    }


@pytest.fixture(scope="session")
def _schema(database_url, redis_server, tmp_path_factory):
    """Build the schema once per session, through the migrations (they are the schema)."""
    app = create_app(_base_config(tmp_path_factory.mktemp("schema"), database_url,
                                  redis_server.url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def make_app(_schema, redis_server, tmp_path):
    """Build an app with config overrides; the database is emptied after the test."""
    apps = []

    def factory(**overrides):
        config = _base_config(tmp_path, _schema, redis_server.url)
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = DwgkClient
        apps.append(app)
        return app

    yield factory
    redis_server.flush()
    for app in apps:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


def _empty_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    # disclosure and revision point at each other: no order of deletes satisfies both.
    # The pragma only works outside a transaction: set it on the raw (autocommit) connection.
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                for table in tables:
                    conn.execute(table.delete())
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


@pytest.fixture
def app(make_app):
    """The app. No context is pushed: each request gets its own, as in production
    (a shared one would share `g`, and with it Flask-Login's cached user)."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """One user per role (username = role name), plus `nobody` (no role at all).
    Returns username -> user id."""
    with app.app_context():
        created = {role: make_user(Role(role), username=role) for role in ROLES}
        created["nobody"] = make_user(username="nobody")
        created["nobody"].role_rows = []
        db.session.commit()
        return {name: user.id for name, user in created.items()}


@pytest.fixture
def login_as(app, users):
    """login_as("office") -> a new client signed in as the office user."""

    def sign_in(role: str) -> DwgkClient:
        test_client = app.test_client()
        if role == "anonymous":
            return test_client
        response = test_client.login(role, DEFAULT_PASSWORD)
        assert response.status_code == 302, f"login as {role} failed"
        return test_client

    return sign_in


@pytest.fixture
def frozen_clock():
    """frozen_clock(datetime(2026, 10, 1, 9, 0)) freezes "now" (naive = Asia/Shanghai)."""
    yield clock.set_frozen
    clock.set_frozen(None)
