"""Security headers on every response, and what htmx needs when a session ends."""
from __future__ import annotations

from flask import Flask, request
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
        if current_user.is_authenticated and request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
