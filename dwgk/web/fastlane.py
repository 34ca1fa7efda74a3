"""The fast lane: a kept page answered before Flask runs.

The page cache (dwgk/web/cache.py) keeps the anonymous public pages and the member board
per role set; even so, Flask spent most of a cache hit's time on itself (the request
context, the session's cookie, the hooks, the teardown). This WSGI layer, between ProxyFix
and the kiosk's fast 304 (outside) and Flask (inside), answers the two commonest hits from
the same stores, under the same keys and the same freshness rules, with the answer Flask
would give — the same headers (tests/boards/test_fast_lane.py compares them one by one),
the same body with the reader's own CSRF token, the same session cookie when one is due:

- an anonymous GET of a view with @cache.cached_page (/, its searches, /items/<id> and its
  print view): no remember-me cookie, a session that names nobody, is not permanent and
  has no message waiting;
- a signed-in GET of a view with @cache.cached_for_roles (/members): the session names a
  user whose account is active, whose session version matches, who need not change the
  password, whose roles the view's policy rule lets in; one statement reads that, the
  roles, the unread count and the generation (accounts.session.reader_facts_statement), so
  a disabled account or an ended session is refused at once, as on the Flask path. The
  account menu comes from the store where the Flask path keeps it for this reader.

Whenever anything is unsure — nothing kept yet or kept under another generation, a flashed
message, a remember-me cookie, an htmx fragment of a role page, a rate limit that could
apply, SERVER_NAME or TRUSTED_HOSTS configured, an unusual URL, a fault such as a database
gone away — it does nothing, and Flask answers (and keeps what the next request here will
find). The config key DWGK_FAST_LANE set to False turns it off (the tests do, to compare).
"""
from __future__ import annotations

import hashlib
import os

from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

from dwgk.core import clock
from dwgk.core.database import engine_of, read_statement
from dwgk.web import cache, security
from dwgk.web.render import is_fragment_request

STATUS = "200 OK"
# How many statements the lane sent (`make bench` adds them to the statements it counts:
# the engine's listeners do not see a raw DBAPI connection).
statements = 0


class _NotHere(Exception):
    """Flask must answer this request."""


class FastLane:
    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._routes: dict = {}

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and self.app.config.get("DWGK_FAST_LANE", True):
            try:
                headers, body = self.answer(environ)
            except _NotHere:
                pass
            except Exception as exc:  # noqa: BLE001 - a database gone away: Flask answers it
                # as it answers any fault (its error page, its log entry, its rollback).
                self.app.logger.warning("fast lane: left to Flask after %r", exc)
            else:
                start_response(STATUS, headers)
                return [body]
        return self.wsgi_app(environ, start_response)

    # --- which answer ------------------------------------------------------------------------

    def answer(self, environ) -> tuple[list, bytes]:
        app = self.app
        if app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
            raise _NotHere
        request = app.request_class(environ)
        kind, endpoint, view = self._route(request)
        if kind == "anonymous":
            return self.anonymous_page(request, view)
        if kind == "role":
            return self.role_page(request, endpoint, view)
        raise _NotHere

    def _route(self, request) -> tuple:
        """Which of the lane's answers this path may get, and its endpoint and view — Flask's
        URL matching, kept per path (bounded: the path is the client's)."""
        key = (request.environ.get("SCRIPT_NAME", ""), request.environ.get("PATH_INFO", ""))
        found = self._routes.get(key)
        if found is None:
            found = (None, None, None)
            try:
                endpoint, _ = self.app.create_url_adapter(request).match()
            except (HTTPException, RequestRedirect):
                pass
            else:
                view = self.app.view_functions.get(endpoint)
                if getattr(view, "dwgk_page_shelf", None) is not None \
                        and getattr(view, "dwgk_rule", None) is None:
                    found = ("anonymous", endpoint, view)
                elif getattr(view, "dwgk_role_page", False) and getattr(view, "dwgk_rule", None):
                    found = ("role", endpoint, view)
            if len(self._routes) >= 4096:
                self._routes.clear()
            self._routes[key] = found
        return found

    def anonymous_page(self, request, view) -> tuple[list, bytes]:
        """A page of @cache.cached_page, as its early answer gives it to the public."""
        app = self.app
        session = self._session(request)
        if ("_user_id" in session or session.get("_flashes") or session.permanent
                or view.dwgk_page_skip(request.args)):
            raise _NotHere
        shelf = cache.store_of(app, view.dwgk_page_shelf(request.args))
        key = cache.page_key(request.path, request.args, is_fragment_request(request.headers))
        entry = None if shelf is None else shelf.get_entry(key)
        if entry is None:  # nothing kept: Flask renders it (and reads the generation)
            raise _NotHere
        token = cache.current(engine_of(app))
        if token is None or not entry.is_fresh(token, clock.now()):
            # Read before anything Flask will read: it may render under this token.
            request.environ[cache.GENERATION_KEY] = token
            raise _NotHere
        body = cache.fill_token(entry.body, lambda: self._csrf_token(session))
        return self._headers(entry.headers, body, session, signed_in=False), body

    def role_page(self, request, endpoint: str, view) -> tuple[list, bytes]:
        """A page of @cache.cached_for_roles, as its wrapper gives it to this reader."""
        from dwgk.accounts.models import Role
        from dwgk.extensions import limiter
        from dwgk.web.templating import NeedsTheUser, RolesOnly

        app = self.app
        session = self._session(request)
        user_id, _, version = str(session.get("_user_id", "")).partition(":")
        if (not user_id.isdigit() or not version.isdigit() or session.get("_flashes")
                or "_remember" in session or app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST")
                or is_fragment_request(request.headers)
                or security.middleware_limits_possible(limiter, endpoint)):
            raise _NotHere
        facts = self._reader_facts(int(user_id))
        if facts is None:
            raise _NotHere
        active, session_version, must_change, username, display_name, role_list, unread, token = facts
        if not active or session_version != int(version) or must_change or token is None:
            raise _NotHere
        try:
            roles = frozenset(Role(value) for value in (role_list or "").split(",") if value)
            if not view.dwgk_rule(RolesOnly(True, roles)):
                raise _NotHere
        except (ValueError, NeedsTheUser):
            raise _NotHere from None
        pages, menus = cache.store_of(app, "role-pages"), cache.store_of(app, "account-menus")
        if pages is None or menus is None:
            raise _NotHere
        entry = pages.get_entry(cache.role_page_key(request.path, request.args, roles,
                                                    request.script_root))
        menu = menus.get_entry(cache.account_menu_key(int(user_id), username, display_name,
                                                      must_change, unread, request.script_root))
        if entry is None or menu is None or not entry.is_fresh(token, clock.now()):
            raise _NotHere
        body = entry.body.replace(cache.ACCOUNT_PLACEHOLDER.encode(), menu)
        body = cache.fill_token(body, lambda: self._csrf_token(session))
        return self._headers(entry.headers, body, session, signed_in=True), body

    # --- what Flask would do -------------------------------------------------------------------

    def _reader_facts(self, user_id: int):
        """reader_facts_statement()'s row for this user, or None (database.read_statement:
        the ORM's machinery would cost more than the rest of the answer)."""
        from dwgk.accounts.session import reader_facts_statement

        global statements
        statements += 1
        return read_statement(engine_of(self.app), reader_facts_statement(), {"user_id": user_id})

    def _session(self, request):
        """The session as Flask opens it (accounts.session.SessionInterface), or _NotHere."""
        app = self.app
        remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if remember in request.cookies:
            raise _NotHere
        session = app.session_interface.open_session(app, request)
        if session is None:
            raise _NotHere
        session.accessed = True  # as Flask's session proxy marks it when read (Vary: Cookie)
        return session

    def _csrf_token(self, session) -> str:
        """flask_wtf.csrf.generate_csrf(), for this session: the raw token kept in the
        session (made when missing, which marks the session modified), signed."""
        app = self.app
        field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        try:
            return self._csrf_serializer(secret).dumps(session[field])
        except TypeError:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            return self._csrf_serializer(secret).dumps(session[field])

    def _csrf_serializer(self, secret) -> URLSafeTimedSerializer:
        kept = self.app.extensions.get("dwgk_csrf_serializer")
        if kept is None or kept[0] != secret:
            kept = (secret, URLSafeTimedSerializer(secret, salt="wtf-csrf-token"))
            self.app.extensions["dwgk_csrf_serializer"] = kept
        return kept[1]

    def _headers(self, kept, body: bytes, session, signed_in: bool) -> list:
        """The kept headers as Flask's answer carries them: the same steps on a werkzeug
        response (Content-Length, security.finish_headers, then Flask's own save_session,
        which adds Vary: Cookie and sends the session's cookie when it is due)."""
        app = self.app
        response = Response(body, headers=kept)
        response.max_cookie_size = app.config["MAX_COOKIE_SIZE"]  # as Flask's Response reads it
        security.finish_headers(app, response, signed_in=signed_in)
        app.session_interface.save_session(app, session, response)
        return response.headers.to_wsgi_list()


def install(app) -> None:
    """Put the fast lane in front of Flask (create_app calls this before the kiosk's fast
    304 and ProxyFix wrap it)."""
    app.wsgi_app = FastLane(app, app.wsgi_app)
