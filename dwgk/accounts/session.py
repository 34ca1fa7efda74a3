"""Who is signed in. A session names the user *and* their session version, so bumping the
version (logout, password change, disable, role change) ends every copy of the cookie."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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


def _load(user_id: int) -> User | None:
    """The user with their roles (None if unknown), read afresh on every request: a disabled
    user or a bumped session version is refused at once."""
    return db.session.execute(select(User).options(joinedload(User.role_rows))
                              .where(User.id == user_id)).unique().scalar_one_or_none()


def init_app(app: Flask) -> None:
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
