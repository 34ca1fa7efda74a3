"""The display's refresh answered 304 before Flask runs.

Every display asks every few seconds, all day, and nearly always gets "nothing changed".
This WSGI layer, between ProxyFix (outside) and Flask (inside), answers exactly that case:
`GET /kiosk/<slug>/content` from an anonymous visitor whose If-None-Match holds the ETag
content() would give now. It reads the screen and the page cache's generation in one
statement (queries.load_screen), takes the items' fingerprint kept for that generation
(cache.peek: never computed here) and the QR code's address the way qr.feedback_url()
does, from the same request object Flask would build. Whenever anything is unsure — a
signed-in or permanent session, a remember-me cookie, an unusual address, no fingerprint
kept yet, SERVER_NAME or TRUSTED_HOSTS configured — it does nothing and Flask answers as
before (content_not_modified() in routes.py, then content()).

The answer carries the headers the Flask path gives a 304: ETag, Cache-Control: no-cache, the security headers (security.headers_for_everyone)
and Vary: Cookie (Flask adds it because the security headers look at the session).
tests/kiosk/test_fast_304.py compares the two answers header by header.
"""
from __future__ import annotations

import re

from werkzeug.http import parse_etags, quote_etag

from dwgk.kiosk import qr, queries
from dwgk.web import cache, security

STATUS = "304 NOT MODIFIED"  # as werkzeug words it
_PATH = re.compile(r"/kiosk/([A-Za-z0-9_-]{1,64})/content")
# Where a screen read here waits for routes.content_not_modified() when Flask answers.
SCREEN_KEY = "dwgk.kiosk_screen"


class FastNotModified:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._roots: dict = {}  # the request's url_root by what it is made of

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") == "GET" and environ.get("HTTP_IF_NONE_MATCH")
                and not environ.get("QUERY_STRING")):
            match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None and self.app.config.get("DWGK_KIOSK_FAST_304", True):
                headers = self.not_modified(environ, match.group(1))
                if headers is not None:
                    start_response(STATUS, headers)
                    return []
        return self.wsgi_app(environ, start_response)

    def not_modified(self, environ, slug: str) -> list | None:
        """The 304's headers for this request, or None: let Flask answer."""
        from dwgk.kiosk.routes import _etag

        app = self.app
        if app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
            return None
        if environ.get("HTTP_COOKIE") and not self._is_anonymous(app.request_class(environ)):
            return None
        screen = queries.load_screen(slug, app)  # no app context: none is needed
        if screen is None:
            return None
        data_etag = cache.peek(app, queries.FINGERPRINTS, screen.key(), screen.generation)
        if data_etag is None:
            environ[SCREEN_KEY] = screen  # Flask's answer need not read it again
            return None
        etag = _etag(data_etag, qr.feedback_url_for(app.config, self._url_root(environ)))
        if not parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(etag):
            environ[SCREEN_KEY] = screen
            return None
        # What Flask's 304 carries (content_not_modified() and the after_request functions).
        return [("ETag", quote_etag(etag)), ("Cache-Control", "no-cache"),
                *security.headers_for_everyone(app), ("Vary", "Cookie")]

    def _url_root(self, environ) -> str:
        """request.url_root, as Flask's request computes it, kept per host and scheme (the
        Host header is the client's: the memo is bounded)."""
        key = tuple(environ.get(name) for name in
                    ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME"))
        root = self._roots.get(key)
        if root is None:
            if len(self._roots) >= 64:
                self._roots.clear()
            root = self._roots[key] = self.app.request_class(environ).url_root
        return root

    def _is_anonymous(self, request) -> bool:
        """No remember-me cookie, and a session (if any) that names nobody and is not
        permanent (Flask would send a permanent one's cookie again)."""
        app = self.app
        if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
            return False
        if app.session_interface.get_cookie_name(app) not in request.cookies:
            return True
        session = app.session_interface.open_session(app, request)
        return session is not None and not session.permanent and "_user_id" not in session


def install(app) -> None:
    """Put the fast 304 in front of Flask (create_app calls this before ProxyFix wraps it)."""
    app.wsgi_app = FastNotModified(app, app.wsgi_app)
