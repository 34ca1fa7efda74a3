"""PostgreSQL backends terminated under load (a restart, a failover, an admin's
pg_terminate_backend): a request whose connection dropped is retried when it only reads,
and otherwise answered with the maintenance page (503, in Chinese) — never a traceback.

The drills run only on PostgreSQL (DWGK_TEST_DATABASE_URL), against the test database."""
from __future__ import annotations

import collections
import os
import threading
import time
import traceback

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dwgk.accounts.models import User
from dwgk.extensions import db
from tests.factories import make_category, make_disclosure
from tests.support import text_of

needs_postgresql = pytest.mark.skipif(
    not (os.environ.get("DWGK_TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="needs PostgreSQL (DWGK_TEST_DATABASE_URL)")

OFFICE_PAGES = ["/office/items", "/review", "/supervision", "/ledger/items", "/catalog",
                "/members", "/notifications"]


def _terminate_all_but_me(conn) -> int:
    return len(conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'").fetchall())


def drill(app, clients: list, paths: list[str], *, rounds: int, every: float,
          writes=None) -> dict:
    """`clients` (one thread each) ask for `paths` `rounds` times while every backend of the
    test database is terminated each `every` seconds. Returns the counts per outcome."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
    stop = threading.Event()
    outcomes: collections.Counter = collections.Counter()
    problems: list[str] = []
    lock = threading.Lock()
    killed = [0]

    def killer():
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.wait(every):
                killed[0] += _terminate_all_but_me(conn)

    def walk(client):
        for _ in range(rounds):
            for path in paths:
                try:
                    if writes and path in writes:
                        response = client.form_post(path, writes[path])
                    else:
                        response = client.get(path)
                    status, body = response.status_code, response.get_data(as_text=True)
                except Exception as exc:  # noqa: BLE001 - an unhandled error is what we count
                    status, body = "exception", "".join(traceback.format_exception(exc)[-12:])
                with lock:
                    outcomes[status] += 1
                    if status == "exception" or (status >= 500 and status != 503):
                        problems.append(f"{path}: {status} {body[:3000]}")
                    elif status == 503 and "系统维护中" not in body:
                        problems.append(f"{path}: 503 without the maintenance page")

    killing = threading.Thread(target=killer)
    killing.start()
    walkers = [threading.Thread(target=walk, args=(client,)) for client in clients]
    try:
        for thread in walkers:
            thread.start()
        for thread in walkers:
            thread.join()
    finally:
        stop.set()
        killing.join()
    return {"outcomes": dict(outcomes), "problems": problems, "killed": killed[0]}


@pytest.fixture
def items(app, users):
    with app.app_context():
        office = db.session.scalar(select(User).where(User.username == "office"))
        reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
        category = make_category("工作动态")
        ids = [make_disclosure(title=f"事项{n}", category=category, author=office,
                               reviewer=reviewer).id for n in range(5)]
        db.session.commit()
        return ids


@pytest.fixture
def app(make_app):
    """As in production: an error no handler takes goes to the 500 page, not to the test."""
    return make_app(PROPAGATE_EXCEPTIONS=False)


@needs_postgresql
def test_terminated_backends_never_give_a_server_error(app, users, login_as, items):
    paths = ["/", f"/items/{items[0]}", "/catalog", *OFFICE_PAGES]
    clients = [login_as("office"), login_as("office"), app.test_client()]
    result = drill(app, clients, paths, rounds=25, every=0.2)
    print(result)  # the figures for the README's drill table (pytest -s)
    assert result["killed"] > 30
    assert not result["problems"], "\n".join(result["problems"][:20])
    total = sum(result["outcomes"].values())
    assert result["outcomes"].get(503, 0) <= 0.02 * total  # reads were retried, not refused


@needs_postgresql
def test_the_site_answers_again_once_the_database_is_back(app, users, login_as, items):
    client = login_as("office")
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
    assert client.get("/office/items").status_code == 200
    with psycopg.connect(url, autocommit=True) as conn:
        assert _terminate_all_but_me(conn) >= 1
    time.sleep(0.1)
    for path in ["/office/items", "/ledger/items", f"/items/{items[0]}"]:
        assert client.get(path).status_code == 200, path


def _lost(statement: str = "SELECT 1"):
    """What SQLAlchemy raises when the server dropped the connection under a statement."""
    return OperationalError(statement, {}, psycopg.OperationalError("server closed the connection"),
                            connection_invalidated=True)


def test_a_lost_connection_gets_the_maintenance_page(app, users, login_as, monkeypatch):
    """On any database: a read that keeps failing, and a write, are answered with the 503
    page in Chinese (with Retry-After), rendered without the database."""
    from dwgk.catalog import queries

    def broken(*args, **kwargs):
        raise _lost()

    monkeypatch.setattr(queries, "catalog_overview", broken)
    response = login_as("office").get("/catalog")
    assert response.status_code == 503
    html = text_of(response)
    assert "系统维护中" in html and "数据库暂时无法连接" in html and "没有保存" not in html
    assert response.headers["Retry-After"] == "5"
    assert "Traceback" not in html


def test_a_read_is_retried_and_a_write_is_not(app, users, login_as, monkeypatch):
    from dwgk.catalog import queries

    calls = []
    real = queries.catalog_overview

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _lost()
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "catalog_overview", flaky)
    assert login_as("office").get("/catalog").status_code == 200
    assert len(calls) == 2

    office = login_as("office")
    office.refresh_csrf()
    from dwgk.catalog import services

    def failing(*args, **kwargs):
        calls.append("write")
        raise _lost("INSERT")

    monkeypatch.setattr(services, "create_category", failing)
    response = office.form_post("/catalog/categories/new", {"name": "新类别", "position": "0"})
    assert response.status_code == 503
    assert calls.count("write") == 1  # never run twice
    assert "刚才提交的内容可能没有保存" in text_of(response)


def test_a_statement_error_is_still_a_500(make_app, users, monkeypatch):
    """Not every database error is an outage: a wrong statement is a bug, and says so."""
    from sqlalchemy.exc import ProgrammingError

    from dwgk.catalog import queries

    def wrong(*args, **kwargs):
        raise ProgrammingError("SELECT nonsense", {}, Exception("syntax error"))

    monkeypatch.setattr(queries, "catalog_overview", wrong)
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    assert app.test_client().get("/catalog").status_code == 500
