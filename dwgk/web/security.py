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


def headers_for_everyone(app: Flask) -> tuple[tuple[str, str], ...]:
    """The headers every response carries, whoever asks (each one only when the view has
    not set it already). Also used by answers given before Flask runs (dwgk/kiosk/fast.py),
    so the two cannot drift apart."""
    https = app.config["DWGK_HTTPS"]
    kept = app.extensions.get("dwgk_security_headers")
    if kept is not None and kept[0] == https:
        return kept[1]
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # same-origin, not no-referrer: Flask-WTF's HTTPS check needs the Referer.
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    headers = tuple(headers)
    app.extensions["dwgk_security_headers"] = (https, headers)
    return headers


def finish_headers(app: Flask, response, signed_in: bool):
    """What every answer gets last (the after_request function, and the fast lane's answers
    given before Flask runs): the security headers the view did not set; for a signed-in
    reader, no-store and Vary: Cookie."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass, not one per header
    headers.extend([(name, value) for name, value in headers_for_everyone(app)
                    if name.lower() not in present])
    if signed_in:
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def _signed_in(app: Flask) -> bool:
    """current_user.is_authenticated, without loading anyone when the request cannot name a
    user (no user in the session, no remember-me cookie): the early answers of
    dwgk/web/cache.py never load the user, and this must not do it for them."""
    if "_login_user" not in g:
        remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_user_id" not in session and remember not in request.cookies:
            return False
    return current_user.is_authenticated


def middleware_limits_possible(limiter, endpoint: str | None) -> bool:
    """Whether Flask-Limiter's before_request check could find a limit for this request:
    application, default, meta or blueprint limits, limits hinted for the endpoint, or a
    dead storage (its fallback). Limits declared on a view (@limiter.limit, the sign-in and
    the opinion forms) are checked by the view's own wrapper, not here. Anything this cannot
    see (a newer Flask-Limiter without these attributes) counts as possible."""
    manager = limiter.limit_manager
    return bool(
        getattr(limiter, "_storage_dead", True) or getattr(limiter, "_meta_limits", True)
        or manager.application_limits or manager.default_limits
        or getattr(manager, "_blueprint_limits", True)
        or (endpoint and manager.has_hints(endpoint)))


def skip_idle_rate_limit_check(app: Flask) -> None:
    """Flask-Limiter checks every request before the view, even when no limit can apply
    (a tenth of a signed-in page's time). Its check now runs only when one could."""
    from dwgk.extensions import limiter

    functions = app.before_request_funcs.get(None, [])
    for index, function in enumerate(functions):
        if getattr(function, "__func__", None) is type(limiter)._check_request_limit:
            def check(original=function):
                if middleware_limits_possible(limiter, request.endpoint):
                    return original()
                return None

            functions[index] = check


def init_app(app: Flask) -> None:
    skip_idle_rate_limit_check(app)

    @app.after_request
    def set_security_headers(response):
        return finish_headers(app, response,
                              signed_in=request.endpoint != "static" and _signed_in(app))
