"""One structured log line per request, with the client's real address behind the proxy
and the signed-in user's id, whoever answered (Flask, the fast lane, the kiosk's 304)."""
from __future__ import annotations

import json
import logging

import pytest

from dwgk.web import request_log


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def app(make_app):
    """The app with the request log on (the other tests' app has it off)."""
    return make_app(DWGK_REQUEST_LOG=True)


@pytest.fixture
def lines():
    handler = _Lines()
    request_log.log.addHandler(handler)
    yield handler.lines
    request_log.log.removeHandler(handler)


def _behind_proxy(client, path, **kwargs):
    """A request as nginx passes it on: from 127.0.0.1, naming the client in X-Forwarded-For."""
    return client.get(path, headers={"X-Forwarded-For": "203.0.113.7"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}, **kwargs)


def test_a_request_behind_the_proxy_logs_the_clients_address(make_app, lines):
    app = make_app(DWGK_PROXY_COUNT=1, DWGK_REQUEST_LOG=True)
    response = _behind_proxy(app.test_client(), "/catalog?q=党费")
    assert response.status_code == 200
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "path", "status", "addr", "user")} == {
        "method": "GET", "path": "/catalog", "status": 200, "addr": "203.0.113.7", "user": None}
    assert isinstance(line["ms"], (int, float)) and line["ms"] >= 0


def test_without_a_proxy_the_address_is_the_peers_and_headers_are_not_trusted(app, lines):
    _behind_proxy(app.test_client(), "/catalog")
    assert lines[-1]["addr"] == "127.0.0.1"


def test_a_signed_in_request_logs_the_users_id(app, users, login_as, lines):
    office = login_as("office")
    lines.clear()
    assert office.get("/duties").status_code == 200
    assert [(line["path"], line["user"]) for line in lines] == [("/duties", users["office"])]


def test_signed_in_and_cached_pages_are_logged_once_with_their_user(app, users, login_as,
                                                                     lines):
    member = login_as("member")
    member.get("/members")
    member.get("/members")  # around the kept list
    assert [(line["path"], line["status"], line["user"]) for line in lines[-2:]] == [
        ("/members", 200, users["member"]), ("/members", 200, users["member"])]
    anonymous = app.test_client()
    anonymous.get("/")
    anonymous.get("/")  # from the page cache
    assert [(line["path"], line["user"]) for line in lines[-2:]] == [("/", None), ("/", None)]


def test_errors_are_logged_with_their_status(app, login_as, lines):
    client = app.test_client()
    client.get("/items/999999")
    client.post("/login", data={})  # no CSRF token
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/items/999999", 404), ("POST", "/login", 400)]


def test_an_exception_is_logged_as_500(make_app, lines):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False, DWGK_REQUEST_LOG=True)

    @app.get("/boom-for-the-log")
    def boom():
        raise RuntimeError("boom")

    assert app.test_client().get("/boom-for-the-log").status_code == 500
    assert lines[-1]["status"] == 500 and lines[-1]["path"] == "/boom-for-the-log"


def test_the_log_can_be_turned_off(make_app, lines):
    make_app(DWGK_REQUEST_LOG=False).test_client().get("/catalog")
    assert lines == []


def test_the_line_goes_to_stderr_as_json(app, capsys):
    app.test_client().get("/catalog")
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert json.loads(err[-1])["path"] == "/catalog"
