"""Security headers on every response, and what htmx needs when a session ends."""
from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _signed_in(app: Flask) -> bool:
    """current_user.is_authenticated, without loading anyone when the request cannot name a
    user (no user in the session, no remember-me cookie): the early answers of
    dwgk/web/cache.py never load the user, and this must not do it for them."""
    if "_login_user" not in g:
        remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_user_id" not in session and remember not in request.cookies:
            return False
    return current_user.is_authenticated


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: Flask-WTF's HTTPS check needs the Referer.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["DWGK_HTTPS"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and _signed_in(app):
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
