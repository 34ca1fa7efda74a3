"""One structured log line per request, on the logger "dwgk.request".

    {"method": "GET", "path": "/items/3", "status": 200, "ms": 4.1, "addr": "203.0.113.7", "user": 12}

Written by Flask's own hooks (every answer goes through Flask): `ms` from the first
before_request function to the last after_request one; `status` as answered, error pages
included; `addr` the client's address (behind nginx, ProxyFix has put X-Forwarded-For's
there: DWGK_PROXY_COUNT); `user` the signed-in user's id, or null. The query string is
never logged: it may hold what a reader typed into the search box. gunicorn's own access
log is off (devrun.py, deploy/systemd/dwgk-web.service): it would log the proxy's address.

The config key DWGK_REQUEST_LOG (environment DWGK_REQUEST_LOG, default on) turns it off.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("dwgk.request")


def init_app(app: Flask) -> None:
    if not app.config.get("DWGK_REQUEST_LOG", True):
        return
    # gunicorn configures its own loggers only: this one writes to stderr by itself.
    if not any(isinstance(handler, _Stderr) for handler in log.handlers):
        log.addHandler(_Stderr())
    log.setLevel(logging.INFO)
    log.propagate = False
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_write)


def _start() -> None:
    g.dwgk_request_started = time.perf_counter()


def _write(response):
    try:
        started = g.get("dwgk_request_started")
        # A static file never loads the user; every other page has done so already.
        signed_in = request.endpoint != "static" and current_user.is_authenticated
        log.info(json.dumps({
            "method": request.method,
            "path": request.script_root + request.path,
            "status": response.status_code,
            "ms": None if started is None else round((time.perf_counter() - started) * 1000, 1),
            "addr": request.remote_addr,
            "user": current_user.id if signed_in else None,
        }, ensure_ascii=False))
    except Exception:  # a log line never turns an answer into an error
        log.exception("request log line failed")
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
