"""One structured log line per request, on the logger "dwgk.request".

    {"method": "GET", "path": "/items/3", "status": 200, "ms": 4.1, "addr": "203.0.113.7", "user": 12}

A WSGI layer, inside ProxyFix and outside everything else (the kiosk's fast 304, the fast
lane, Flask), so that every answer is logged once, whoever gave it, and `addr` is the
client's address as ProxyFix found it in X-Forwarded-For (DWGK_PROXY_COUNT), not the
proxy's. `ms` runs from the request's arrival until the answer was ready (for a download:
until the file was opened, not sent; the body is the server's to send, by sendfile where
it can, so this layer does not wrap it); `status` is 500 when the application raised
before answering. `user` is the signed-in
user's id, or null: from Flask-Login when Flask answered, otherwise from the session cookie
(a kept page answered before Flask ran). The query string is never logged: it may hold
what a reader typed into the search box. gunicorn's own access log is off (devrun.py,
deploy/systemd/dwgk-web.service): it would log the proxy's address, a second time.

The config key DWGK_REQUEST_LOG (environment DWGK_REQUEST_LOG, default on) turns it off.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request

log = logging.getLogger("dwgk.request")

# Where Flask leaves the signed-in user's id for this layer.
USER_KEY = "dwgk.user_id"


def install(app: Flask) -> None:
    """Wrap app.wsgi_app (call before ProxyFix wraps it) and have Flask report the user."""
    if not app.config.get("DWGK_REQUEST_LOG", True):
        return
    # gunicorn configures its own loggers only: this one writes to stderr by itself.
    if not any(isinstance(handler, _Stderr) for handler in log.handlers):
        log.addHandler(_Stderr())
    log.setLevel(logging.INFO)
    log.propagate = False
    app.after_request(_note_user)
    app.wsgi_app = RequestLog(app, app.wsgi_app)


def _note_user(response):
    # g._login_user is Flask-Login's user once something asked for it: reading it here
    # never loads a user (no query) for a request that did not need one.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        request.environ[USER_KEY] = user.id
    return response


class _Stderr(logging.Handler):
    """The message alone, to whatever sys.stderr is when it is written (systemd's journal
    under gunicorn; a test's capture under pytest, which replaces sys.stderr)."""

    def emit(self, record):
        try:
            sys.stderr.write(record.getMessage() + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


class RequestLog:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen = {"status": 500}

        def noting_start_response(status, headers, exc_info=None):
            seen["status"] = int(status[:3])
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, noting_start_response)
        finally:
            self._write(environ, seen["status"], started)

    def _write(self, environ, status: int, started: float) -> None:
        try:
            line = json.dumps({
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "addr": environ.get("REMOTE_ADDR"),
                "user": self._user(environ),
            }, ensure_ascii=False)
            log.info(line)
        except Exception:  # a log line never turns an answer into an error
            log.exception("request log line failed")

    def _user(self, environ) -> int | None:
        if USER_KEY in environ:
            return environ[USER_KEY]
        # Answered before Flask ran: the session cookie says who it was (signed, so trusted).
        cookie_name = self.app.config.get("SESSION_COOKIE_NAME", "session")
        if cookie_name not in environ.get("HTTP_COOKIE", ""):
            return None
        from werkzeug.http import parse_cookie

        value = parse_cookie(environ).get(cookie_name)
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        if not value or serializer is None:
            return None
        try:
            user_id = str(serializer.loads(value).get("_user_id") or "").partition(":")[0]
            return int(user_id) if user_id.isdigit() else None  # "<id>:<session version>"
        except Exception:  # tampered, expired, or naming nobody: not a signed-in request
            return None
