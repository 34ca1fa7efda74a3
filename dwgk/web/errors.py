"""Chinese error pages; htmx requests get a small fragment instead of a whole page.

A lost database connection (PostgreSQL restarted, a failover, a backend terminated by an
administrator, the server unreachable) is not a bug of the page asked for: a read whose
connection dropped is run again on a fresh one (`Flask.dispatch_request` below), and what
still fails is answered with the maintenance page, 503 — rendered without the database, so
it cannot fail the same way — never with a traceback.
"""
from __future__ import annotations

import logging

import flask
from flask import render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from dwgk.extensions import db

log = logging.getLogger("dwgk")

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回后重试。"),
    403: ("无权访问", "您的账号没有执行此操作的权限。如需开通，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在，或已被撤回。"),
    405: ("请求方式不被允许", "请从页面上的按钮或链接进入。"),
    413: ("文件过大", "上传的内容超过了大小限制。"),
    429: ("操作过于频繁", "尝试次数过多，请稍后再试。"),
    500: ("系统出错了", "服务器处理请求时出错，已记录。请稍后重试，或联系系统管理员。"),
}
MAINTENANCE_TITLE = "系统维护中"
MAINTENANCE_MESSAGE = "数据库暂时无法连接（可能正在重启或维护），请稍候片刻再刷新页面。"
MAINTENANCE_UNSAVED = "刚才提交的内容可能没有保存：请稍后刷新页面查看，需要时再提交一次。"
RETRY_AFTER_SECONDS = 5

# How often a read is run again after its connection dropped. Each attempt takes a fresh
# connection (the pool tests it first), so one retry covers a restart; the second covers a
# connection killed again while the first retry ran (a failover in progress).
READ_RETRIES = 2
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_connection_lost(exc: BaseException | None) -> bool:
    """Whether `exc` says the database is away rather than that a statement is wrong: the
    driver's connection broke (SQLAlchemy invalidated it), or the server refused or dropped
    it (OperationalError, InterfaceError: also SQLite's "database is locked") — wrapped by
    SQLAlchemy or, from a read on the driver's own connection, not."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))
    return isinstance(exc, _driver_errors())


def _driver_errors() -> tuple[type[Exception], ...]:
    dbapi = db.engine.dialect.loaded_dbapi
    return (dbapi.OperationalError, dbapi.InterfaceError)


def _close_session(exc: BaseException | None) -> None:
    """End the request's session (before Flask-SQLAlchemy's own teardown, which would do the
    same but let the error through). A connection that dropped after the request's last
    statement fails its closing ROLLBACK; raised from a teardown, that would replace the
    finished answer with a bare 500. The failure invalidated the connection: closing again
    only discards it."""
    try:
        db.session.remove()
    except DBAPIError as error:
        log.warning("database connection lost after the answer was made: %s",
                    type(error.orig).__name__)
        db.session.remove()


def _rollback() -> None:
    """End the request's transaction whatever state its connection is in."""
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone: nothing left to roll back
        db.session.close()


class Flask(flask.Flask):
    """Flask, with one more promise: a read whose database connection dropped under it
    (only GET/HEAD/OPTIONS: they change nothing, so running them again is safe) runs again
    on a fresh connection, up to READ_RETRIES times — the before_request hooks (the
    reader's session, the page cache) and the view, each phase on its own."""

    def preprocess_request(self):
        return self._retrying(super().preprocess_request)

    def dispatch_request(self):
        return self._retrying(super().dispatch_request)

    def _retrying(self, phase):
        attempt = 0
        while True:
            try:
                return phase()
            except DBAPIError as exc:
                if (not exc.connection_invalidated or request.method not in SAFE_METHODS
                        or attempt == READ_RETRIES):
                    raise
                attempt += 1
                _rollback()
                log.warning("database connection lost, reading %s again (%d/%d): %s",
                            request.path, attempt, READ_RETRIES, type(exc.orig).__name__)


def _page(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title,
                           message=detail or message), status


def _answer(exc, status: int):
    # An error that carries its own page (a rate limit's on_breach: the form with the text
    # typed still in it) keeps it.
    response = getattr(exc, "response", None)
    return response if response is not None else _page(status)

def maintenance_page():
    """The 503 page, rendered straight from its template: no context processor runs (they
    read the unit's settings and the reader's account from the database)."""
    unsaved = request.method not in SAFE_METHODS
    html = flask.current_app.jinja_env.get_template("errors/maintenance.html").render(
        title=MAINTENANCE_TITLE, message=MAINTENANCE_MESSAGE,
        unsaved=MAINTENANCE_UNSAVED if unsaved else None)
    response = flask.make_response(html, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """After db.init_app: teardowns run last-registered first."""
    app.teardown_appcontext(_close_session)
    for status in MESSAGES:
        if status == 500:
            continue
        app.register_error_handler(status, lambda exc, status=status: _answer(exc, status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。")

    def database_error(exc):
        _rollback()
        if not is_connection_lost(exc):
            raise exc  # a wrong statement is a bug: the 500 page, with its traceback logged
        cause = getattr(exc, "orig", None) or exc
        log.warning("database unavailable for %s %s: %s", request.method, request.path,
                    (str(cause).strip().splitlines() or [type(cause).__name__])[0])
        return maintenance_page()

    app.register_error_handler(DBAPIError, database_error)
    # The driver's own errors, from reads made on its connection without SQLAlchemy.
    dbapi = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_dialect().import_dbapi()
    for error in (dbapi.OperationalError, dbapi.InterfaceError):
        app.register_error_handler(error, database_error)

    @app.errorhandler(500)
    def server_error(exc):
        _rollback()
        if is_connection_lost(getattr(exc, "original_exception", None)):
            return maintenance_page()  # raised where the handler above does not reach
        return _page(500)
