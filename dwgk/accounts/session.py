"""Who is signed in. A session names the user *and* their session version, so bumping the
version (logout, password change, disable, role change) ends every copy of the cookie."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Flask, g, make_response, redirect, request, url_for
from flask_login import current_user
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlalchemy import String, bindparam, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.functions import FunctionElement

from dwgk.accounts.models import User
from dwgk.extensions import db, htmx, login_manager

# Pages a user who must change the password may still reach.
OPEN_WHILE_PASSWORD_EXPIRED = {"accounts.change_password", "accounts.logout", "static",
                               "health.healthz"}


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def redirect_for_htmx(location: str):
    """Leave the page entirely: htmx follows HX-Redirect, a browser follows the 302."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, re-sent at most once a minute when unchanged.

    A permanent session's cookie is re-signed and re-sent with a new expiry on every
    request (SESSION_REFRESH_EACH_REQUEST): an idle session lapses PERMANENT_SESSION_LIFETIME
    after its last use. Signing it on every page costs time for nothing; re-sending it only
    when the cookie is REFRESH_AFTER old keeps that rule within a minute, on the safe side
    (an idle session may lapse up to a minute sooner, never later). A changed session is
    sent at once, as before."""

    REFRESH_AFTER = timedelta(minutes=1)

    def get_signing_serializer(self, app):
        """Flask's serializer, built once per app and set of keys (Flask builds a new one for
        every request, twice when the cookie is re-sent)."""
        if not app.secret_key:
            return None
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key)
        kept = app.extensions.get("dwgk_session_serializer")
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions["dwgk_session_serializer"] = kept
        return kept[1]

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.dwgk_signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "dwgk_signed_at", None)
        # itsdangerous's clock (the real one) signed the cookie and checks its age: the
        # same clock here, not dwgk.core.clock (which tests freeze).
        return signed_at is None or datetime.now(timezone.utc) - signed_at >= self.REFRESH_AFTER


_USER_STATEMENT = None


def _unread_of(users):
    """The unread notices of the user in the row, as a correlated scalar subquery."""
    from dwgk.notifications.models import Notification

    notices = Notification.__table__
    return (select(func.count()).select_from(notices)
            .where(notices.c.recipient_id == users.c.id, notices.c.read_at.is_(None))
            .correlate(users).scalar_subquery())


def _user_statement():
    """The user, their roles (joined), their unread notices and the page cache's generation:
    what every signed-in page needs first, in one statement (built once)."""
    global _USER_STATEMENT
    if _USER_STATEMENT is None:
        from dwgk.web import cache

        _USER_STATEMENT = (select(User, _unread_of(User.__table__).label("unread"),
                                  cache.generation_subquery().label("generation"))
                           .options(joinedload(User.role_rows))
                           .where(User.id == bindparam("user_id")))
    return _USER_STATEMENT


def _load(user_id: int) -> User | None:
    """The user (None if unknown), read afresh on every request: a disabled user or a bumped
    session version is refused at once. On a read-only request, the bell's count and the
    generation read with it are kept for the page (notifications.queries.unread_count,
    cache.request_generation): read inside the request's transaction, before any data, as
    request_generation() itself would read them."""
    row = db.session.execute(_user_statement(), {"user_id": user_id}).unique().one_or_none()
    if row is None:
        return None
    user, unread, generation = row
    if request.method in ("GET", "HEAD"):
        from dwgk.notifications import queries as notification_queries

        notification_queries.keep_unread_count(user.id, unread)
        if "dwgk_generation" not in g:
            g.dwgk_generation = generation
    return user


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    # Our own session-version check replaces Flask-Login's weaker "session protection".
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = _load(int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        target = request.full_path if request.method == "GET" else request.referrer
        location = url_for("accounts.login", next=safe_next(target and target.rstrip("?")))
        return redirect_for_htmx(location)

    @app.before_request
    def force_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in OPEN_WHILE_PASSWORD_EXPIRED):
            return redirect_for_htmx(url_for("accounts.change_password"))
        return None


class _CommaList(FunctionElement):
    """The values of a column joined with commas: group_concat on SQLite, string_agg on
    PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(_CommaList)
def _comma_list_sqlite(element, compiler, **kw):
    return "group_concat(%s, ',')" % compiler.process(element.clauses, **kw)


@compiles(_CommaList, "postgresql")
def _comma_list_postgresql(element, compiler, **kw):
    return "string_agg(%s, ',')" % compiler.process(element.clauses, **kw)


_FACTS_STATEMENT = None


def reader_facts_statement():
    """What the fast lane (dwgk/web/fastlane.py) needs to know of a signed-in reader before
    it may answer for them, in one Core statement (no ORM objects): whether the account is
    active, its session version, the password flag, the names the account menu shows, the
    roles (comma-separated), the unread notices and the page cache's generation — the
    columns load_user() and the page's bell look at."""
    global _FACTS_STATEMENT
    if _FACTS_STATEMENT is None:
        from dwgk.accounts.models import UserRole
        from dwgk.web import cache

        users, roles = User.__table__, UserRole.__table__
        role_list = (select(_CommaList(roles.c.role)).where(roles.c.user_id == users.c.id)
                     .correlate(users).scalar_subquery())
        _FACTS_STATEMENT = select(
            users.c.active, users.c.session_version, users.c.must_change_password,
            users.c.username, users.c.display_name, role_list.label("roles"),
            _unread_of(users).label("unread"), cache.generation_subquery().label("generation"),
        ).where(users.c.id == bindparam("user_id"))
    return _FACTS_STATEMENT
