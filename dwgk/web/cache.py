"""The cache of rendered public pages (/, its category and paging views, /items/<id>) and of
the kiosk's fingerprint.

Correctness first: a cached page is served only while all three hold:

1. **The generation is unchanged.** One row, `cache_generation`, holds a random token. Every
   transaction that changes something the public pages show (the models and columns in
   `_watched()`: items, revisions, reviews, attachments, categories, catalog entries, unit
   settings, the calendar, people's names, published handling results, kiosk screens)
   writes a new token just before it commits, in the same transaction — whichever service
   made the change, so a new service cannot forget it. A request reads the token with its
   first statement, before any data: what it renders is at least as new as the token it
   stores it under, and a withdrawal that commits after that read has moved the token on,
   so the page is never served again. Every gunicorn worker and every app server reads the
   same row, so they all agree at once. Redis plays no part: with Redis down the cache
   works as before.
2. **The moment is inside the entry's window.** Visibility also changes with nothing
   written: an item reaches the public board when its members-first window ends
   (`public_from`), and the dates a page shows ("公示中", the opinion window) change at
   midnight. An entry is valid from the moment it was rendered until the next `public_from`
   after it, the next local midnight, or MAX_AGE, whichever comes first.
3. **The reader is anonymous**, with no flashed messages waiting. Signed-in pages show the
   user's name and menu: never cached whole. The CSRF token in the page head belongs to the
   visitor's session: the page is cached with a placeholder, replaced on every answer.
   The one exception, cached_for_roles() (the member board): a signed-in page kept per
   role set, with placeholders for the account menu and the CSRF token, both rendered for
   the reader on every answer; the user is still loaded and checked first.

What is kept: whole anonymous pages ("pages"; searches in "searches", a quarter of the
room), each board's rendered list per reader kind — public or insider, never one user's
page around it ("lists"), and small values (counts, categories, the unit's name, the
kiosk's fingerprint). A hit, and a kiosk's 304, is answered by a before_request placed
first (init_app): no user loaded, no rate limit, no ORM session; the security headers are
still added by the after_request functions.

The bodies live in each worker's memory (an LRU bounded in bytes, per app object, so tests
never share one): a worker renders each page once per generation. A missing generation row
(an emptied table) turns caching off until the next change writes one.
"""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import wraps

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import Column, Integer, String, event, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from dwgk.core import clock
from dwgk.core.types import UTCDateTime
from dwgk.extensions import db

# Safety net for changes made behind the app's back (an admin's SQL): pages re-render at least
# this often.
MAX_AGE = timedelta(minutes=10)
DEFAULT_MB = 32
PLACEHOLDER = "dwgk-csrf-placeholder-0c1f5e"
_FLAG = "dwgk_page_cache_changed"

generation_table = db.Table(
    "cache_generation",
    Column("id", Integer, primary_key=True),
    Column("value", String(32), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
)


# --- the generation ----------------------------------------------------------------------

_CURRENT_SQL = "SELECT value FROM cache_generation WHERE id = 1"


def generation_subquery():
    """The token as a scalar subquery, for statements that read it with what they read first
    (the signed-in user, the kiosk's screen)."""
    return (select(generation_table.c.value).where(generation_table.c.id == 1)
            .scalar_subquery())
# How many times current() ran: `make bench` adds it to the statements it counts (the
# engine's listeners do not see a raw connection).
generation_reads = 0


def current(engine=None) -> str | None:
    """The generation token now (None while the row is missing: nothing is cached then).

    Read on a pooled DBAPI connection of its own, outside the ORM session: this runs on
    every cached answer, and the session's machinery would cost ten times the query. It
    still comes before any data the request reads, which is all point 1 needs. `engine`:
    the app's (dwgk/web/fastlane.py asks without an app context)."""
    from dwgk.core.database import read_row

    global generation_reads
    generation_reads += 1
    row = read_row(engine or db.engine, _CURRENT_SQL, ())
    return None if row is None else row[0]


def bump(session_: Session | None = None) -> str:
    """Write a new token, in the session's transaction. Returns it."""
    session_ = session_ or db.session
    token, now = secrets.token_hex(16), clock.now()
    conn = session_.connection()
    result = conn.execute(update(generation_table).where(generation_table.c.id == 1)
                          .values(value=token, changed_at=now))
    if result.rowcount == 0:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(generation_table).values(id=1, value=token, changed_at=now)
        conn.execute(statement.on_conflict_do_update(
            index_elements=[generation_table.c.id], set_={"value": token, "changed_at": now}))
    return token


_WATCHED: dict | None = None


def _watched() -> dict:
    """Model → the attributes whose change the public pages show (None: any change)."""
    global _WATCHED
    if _WATCHED is None:
        from dwgk.accounts.models import User
        from dwgk.catalog.models import CatalogEntry, Category
        from dwgk.core.models import UnitSettings, WorkdayOverride
        from dwgk.disclosures.models import Attachment, Disclosure, Review, Revision
        from dwgk.feedback.models import Feedback
        from dwgk.kiosk.models import KioskScreen

        _WATCHED = {
            Disclosure: None, Revision: None, Review: None, Attachment: None, Category: None,
            CatalogEntry: None, UnitSettings: None, WorkdayOverride: None, KioskScreen: None,
            # Names of reviewers and responsible people; not each login's bookkeeping.
            User: {"display_name"},
            # Handling results are published on item pages; a new filing shows nowhere public.
            Feedback: {"result_text", "result_published_at", "disclosure_id"},
        }
    return _WATCHED


def _is_visible_change(obj, kind: str) -> bool:
    watched = _watched()
    attributes = next((attrs for model, attrs in watched.items() if isinstance(obj, model)), False)
    if attributes is False:
        return False
    if attributes is None or kind == "deleted":
        return True
    state = sa_inspect(obj)
    if kind == "new":
        return any(getattr(obj, name, None) not in (None, "") for name in attributes)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "after_flush")
def _note_changes(session_, flush_context):
    if session_.info.get(_FLAG):
        return
    for kind, objects in (("new", session_.new), ("dirty", session_.dirty),
                          ("deleted", session_.deleted)):
        if any(_is_visible_change(obj, kind) for obj in objects):
            session_.info[_FLAG] = True
            return


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session_):
    # Flush first, so that changes still pending are seen; then bump as the transaction's
    # last statement: the row lock is held only for the commit itself (no lock-order
    # deadlocks with the items' rows on PostgreSQL).
    session_.flush()
    if session_.info.pop(_FLAG, False):
        bump(session_)


@event.listens_for(Session, "after_transaction_end")
def _forget(session_, transaction):
    if transaction.parent is None:
        session_.info.pop(_FLAG, None)


# --- when the public view changes with nothing written ---------------------------------------

def next_change(now: datetime, token: str | None = None) -> datetime:
    """The first moment after `now` at which a page rendered now may be out of date without
    any write: the next members-first window's end, the next local midnight, or MAX_AGE.
    The next window's end is looked up once per generation (a new one needs a write)."""
    local = now.astimezone(clock.LOCAL_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
    candidates = [now + MAX_AGE, midnight]
    upcoming = _upcoming_public_from(now, token)
    if upcoming is not None:
        candidates.append(upcoming)
    return min(candidates)


def _upcoming_public_from(now: datetime, token: str | None) -> datetime | None:
    from dwgk.disclosures.models import Disclosure

    known = current_app.extensions.setdefault("dwgk_page_cache_upcoming", {})
    if (token is not None and known.get("token") == token
            and known["since"] <= now < (known["upcoming"] or datetime.max.replace(tzinfo=now.tzinfo))):
        return known["upcoming"]
    upcoming = db.session.scalar(select(func.min(Disclosure.public_from))
                                 .where(Disclosure.public_from > now))
    if token is not None:
        known.update(token=token, since=now, upcoming=upcoming)
    return upcoming


# --- the store -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    token: str
    valid_from: datetime
    valid_until: datetime
    status: int
    headers: tuple
    body: bytes

    def is_fresh(self, token: str, now: datetime) -> bool:
        return self.token == token and self.valid_from <= now < self.valid_until


class Store:
    """A least-recently-used map bounded by the total size of its values."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (entry, size)
            self.size += size
            while self.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def get_entry(self, key):
        found = self.get(key)
        return None if found is None else found[0]

    def __len__(self) -> int:
        return len(self._entries)


# The part of DWGK_PAGE_CACHE_MB a store may use beside the public pages' (small values
# such as counts take little room whatever their share).
_SHARES = {"searches": 0.25, "lists": 0.25, "role-pages": 0.1, "account-menus": 0.02}


def store(name: str = "pages") -> Store | None:
    """This app's store `name` (None when DWGK_PAGE_CACHE_MB is 0: caching is off)."""
    return store_of(current_app, name)


def store_of(app, name: str) -> Store | None:
    """store(name) of `app`, without an app context (dwgk/web/fastlane.py)."""
    megabytes = app.config.get("DWGK_PAGE_CACHE_MB", DEFAULT_MB)
    if not megabytes:
        return None
    stores = app.extensions.setdefault("dwgk_page_cache", {})
    if name not in stores:
        stores[name] = Store(int(megabytes * 1024 * 1024 * _SHARES.get(name, 1)))
    return stores[name]


def _read_only_request() -> bool:
    # A request that may write (POST …) could compute from its own uncommitted changes:
    # nothing it computes is kept.
    return not has_request_context() or request.method in ("GET", "HEAD")


def memoize(name: str, key, token: str | None, compute):
    """`compute()`'s value for `key`, kept while the generation is `token` and no visibility
    changes by time (see next_change). Without a token, computed every time. `token` must
    have been read before the data `compute()` reads."""
    shelf = store(name)
    if token is None or shelf is None or not _read_only_request():
        return compute()
    entry = shelf.get_entry(key)
    if entry is not None and entry.is_fresh(token, clock.now()):
        return entry.body
    value = compute()
    remember(name, key, token, value)
    return value


def peek(app, name: str, key, token: str | None):
    """The value memoize() keeps for `key` while it is fresh for `token`, else None; it
    computes nothing and needs no app context (dwgk/kiosk/fast.py asks it before Flask
    runs)."""
    if token is None or not app.config.get("DWGK_PAGE_CACHE_MB", DEFAULT_MB):
        return None
    shelf = app.extensions.get("dwgk_page_cache", {}).get(name)
    entry = None if shelf is None else shelf.get_entry(key)
    return entry.body if entry is not None and entry.is_fresh(token, clock.now()) else None


def remember(name: str, key, token: str | None, value) -> None:
    """Keep `value`, computed now from data read after `token`, as memoize() would."""
    shelf = store(name)
    if token is None or shelf is None or not _read_only_request():
        return
    now = clock.now()
    size = len(value) * 4 + 256 if isinstance(value, (str, bytes)) else 256
    shelf.put(key, Entry(token, now, next_change(now, token), 200, (), value), size)


# Where the fast lane (dwgk/web/fastlane.py) leaves the token it read for a page it could not
# answer: read before the request reached Flask, so before any data Flask reads.
GENERATION_KEY = "dwgk.generation"


def request_generation() -> str | None:
    """The generation, read once per request (on its first use, before the data it guards).

    When the ORM session's transaction has already begun (a signed-in request loaded its
    user), the token is read inside that transaction: on SQLite the transaction reads one
    snapshot, which may be older than a token read on another connection now — data from
    it must not be kept under a newer token. Otherwise on a connection of its own (cheaper;
    the session's transaction then begins later and sees data at least as new) — or the one
    the fast lane read on such a connection just before Flask began."""
    if "dwgk_generation" not in g:
        session_ = db.session()
        if session_.in_transaction():
            g.dwgk_generation = session_.connection().exec_driver_sql(_CURRENT_SQL).scalar()
        elif has_request_context() and GENERATION_KEY in request.environ:  # the fast lane's
            g.dwgk_generation = request.environ[GENERATION_KEY]
        else:
            g.dwgk_generation = current()
    return g.dwgk_generation


def reader_kind(user) -> str:
    """What a board shows depends on the reader only through this: the public, or an
    insider (policy.board_visibility)."""
    from dwgk import policy

    return "insider" if policy.is_signed_in(user) else "public"


# --- the page decorator ----------------------------------------------------------------------

def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def fill_token(body: bytes, csrf_token) -> bytes:
    """A stored body with the reader's CSRF token in the placeholder's place. `csrf_token()`
    is called only when the body has a placeholder."""
    marker = PLACEHOLDER.encode()
    if marker in body:
        body = body.replace(marker, csrf_token().encode())
    return body


def _answer(status: int, headers, body: bytes):
    """A response from a stored (or just rendered) page, with this visitor's CSRF token."""
    from flask_wtf.csrf import generate_csrf

    body = fill_token(body, generate_csrf)
    response = current_app.response_class(body, status=status)
    response.headers.clear()
    for name, value in headers:
        response.headers.add(name, value)
    response.headers["Content-Length"] = str(len(body))
    return response


def page_key(path: str, args, fragment: bool) -> tuple:
    """An anonymous page's key: its path, its query and whether htmx asked for the fragment."""
    return (path, tuple(sorted(args.items(multi=True))), fragment)


def role_page_key(path: str, args, roles: frozenset, script_root: str) -> tuple:
    """A page kept per role set (cached_for_roles)."""
    return (path, tuple(sorted(args.items(multi=True))), roles, script_root)


def account_menu_key(user_id: int, username: str, display_name: str,
                     must_change_password: bool, unread: int, script_root: str) -> tuple:
    """Everything the account menu (_account_menu.html) shows of its reader."""
    return (user_id, username, display_name, bool(must_change_password), unread, script_root)


def _key() -> tuple:
    from dwgk.web.render import wants_fragment

    return page_key(request.path, request.args, wants_fragment())


def _is_anonymous_early() -> bool:
    """Nobody is signed in and no message waits, decided from the cookies alone (before
    Flask-Login loads anyone): no user in the session and no remember-me cookie. A session
    that names a user takes the normal path, which asks Flask-Login."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return remember not in request.cookies and "_user_id" not in session \
        and not session.get("_flashes")


def _fresh_answer(shelf: Store, token: str):
    entry = shelf.get_entry(_key())
    if entry is not None and entry.is_fresh(token, clock.now()):
        return _answer(entry.status, entry.headers, entry.body)
    return None


def cached_page(skip=None, shelf_name=None):
    """Serve the view's anonymous answer from the cache while it is fresh (see the module's
    docstring). `skip(args)` true: this request is not cached. `shelf_name(args)`: the
    store this request's page goes to (default "pages"; searches keep to their own, so that
    many different searches cannot push the board's pages out). Both are given the query's
    arguments only, so that dwgk/web/fastlane.py can ask them before Flask runs."""

    def name_of(args) -> str:
        return shelf_name(args) if shelf_name is not None else "pages"

    def skipped(args) -> bool:
        return skip is not None and bool(skip(args))

    def shelf_of():
        return store(name_of(request.args))

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            shelf = shelf_of()
            if (shelf is None or request.method != "GET" or current_user.is_authenticated
                    or session.get("_flashes") or skipped(request.args)):
                return view(*args, **kwargs)
            token = request_generation()  # before any data is read: see point 1 above
            if token is None:
                return view(*args, **kwargs)
            key, now = _key(), clock.now()
            entry = shelf.get_entry(key)
            if entry is not None and entry.is_fresh(token, now):
                return _answer(entry.status, entry.headers, entry.body)
            field = _csrf_field()
            had_token = field in g
            if not had_token:
                setattr(g, field, PLACEHOLDER)
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                if not had_token and g.get(field) == PLACEHOLDER:
                    g.pop(field)
            if response.direct_passthrough or response.is_streamed:
                return response
            body = response.get_data()
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name.lower() not in ("set-cookie", "content-length"))
            if response.status_code == 200 and not session.get("_flashes"):
                shelf.put(key, Entry(token, now, next_change(now, token), 200, headers, body),
                          len(body) + 512)
            return _answer(response.status_code, headers, body)

        def early():
            """The hit, answered before the other before_request functions (see init_app)."""
            shelf = shelf_of()
            if shelf is None or not _is_anonymous_early() or skipped(request.args):
                return None
            token = request_generation()
            return None if token is None else _fresh_answer(shelf, token)

        wrapped.dwgk_early_answer = early
        # What the fast lane needs to find this view's kept answers.
        wrapped.dwgk_page_shelf = name_of
        wrapped.dwgk_page_skip = skipped
        return wrapped

    return decorator


# --- signed-in pages, kept per role set ----------------------------------------------------

ACCOUNT_PLACEHOLDER = "dwgk-account-menu-placeholder-7d2e41"
ACCOUNT_MENU = "_account_menu.html"


def _account_menu() -> bytes:
    """The reader's own part of the page (bell, name, sign-out form). Kept for this reader
    only, under everything it shows (their id, names, the password flag, their unread
    count, the site's root path), with a placeholder for the CSRF token, which _answer()
    fills in: a change to any of them renders it anew, and no other reader has the key."""
    from dwgk.notifications.routes import unread_notifications

    user = current_user._get_current_object()
    key = account_menu_key(user.id, user.username, user.display_name,
                           user.must_change_password, unread_notifications(),
                           request.script_root)
    shelf = store("account-menus")
    kept = None if shelf is None else shelf.get_entry(key)
    if kept is None:
        field = _csrf_field()
        had_token = field in g
        real_token = g.get(field)
        setattr(g, field, PLACEHOLDER)
        try:
            template = current_app.jinja_env.get_template(ACCOUNT_MENU)
            kept = template.render(current_user=user).encode()
        finally:
            if had_token:
                setattr(g, field, real_token)
            else:
                g.pop(field, None)
        if shelf is not None:
            shelf.put(key, kept, len(kept) + 256)
    return kept


def cached_for_roles(view):
    """Keep a signed-in page per role set, without anything of one reader in it.

    For views whose page differs between signed-in readers only by their roles (the
    navigation) and by the account menu in the header: the menu is rendered in its place
    with a placeholder (base.html), and the CSRF token too (as cached_page does); both are
    filled in for each answer, the menu rendered afresh for the reader (their bell, their
    name, their token). The user is loaded and checked on every request as before (a
    disabled user or an ended session never gets here), and the answer keeps no-store.
    Kept while the generation is unchanged and the moment is inside the entry's window,
    exactly like the anonymous pages; never with flashed messages waiting, never for a
    fragment (the list inside is kept already), never for anything but a full 200."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from dwgk.web.render import wants_fragment

        shelf = store("role-pages")
        if (shelf is None or request.method != "GET" or not current_user.is_authenticated
                or current_user.must_change_password or session.get("_flashes")
                or wants_fragment()):
            return view(*args, **kwargs)
        token = request_generation()  # read with the user: before any data
        if token is None:
            return view(*args, **kwargs)
        key = role_page_key(request.path, request.args, frozenset(current_user.roles),
                            request.script_root)
        now = clock.now()
        entry = shelf.get_entry(key)
        if entry is None or not entry.is_fresh(token, now):
            field = _csrf_field()
            had_token = field in g
            if not had_token:
                setattr(g, field, PLACEHOLDER)
            g.dwgk_account_placeholder = ACCOUNT_PLACEHOLDER
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                g.pop("dwgk_account_placeholder", None)
                if not had_token and g.get(field) == PLACEHOLDER:
                    g.pop(field)
            if (response.status_code != 200 or response.direct_passthrough
                    or response.is_streamed or session.get("_flashes")):
                return view(*args, **kwargs)  # rare: answered as usual, nothing kept
            body = response.get_data()
            headers = tuple((name, value) for name, value in response.headers.items()
                            if name.lower() not in ("set-cookie", "content-length"))
            entry = Entry(token, now, next_change(now, token), 200, headers, body)
            shelf.put(key, entry, len(body) + 512)
        body = entry.body.replace(ACCOUNT_PLACEHOLDER.encode(), _account_menu())
        return _answer(200, entry.headers, body)

    wrapped.dwgk_role_page = True  # the fast lane may answer it (dwgk/web/fastlane.py)
    return wrapped


# --- answering before anything else --------------------------------------------------------

_EARLY: dict = {}


def early_answer(endpoint: str):
    """Register `function(**view_args)` to answer GET requests to `endpoint` before anything
    else of the app runs for them (None: go on as usual). For answers that need no user,
    no session and no rate limit: a cached page, a kiosk's 304."""

    def register(function):
        _EARLY[endpoint] = function
        return function

    return register


def _serve_early():
    if request.method != "GET" or request.endpoint is None:
        return None
    early = _EARLY.get(request.endpoint)
    if early is None:
        early = getattr(current_app.view_functions.get(request.endpoint), "dwgk_early_answer", None)
        if early is None:
            return None
        return early()
    return early(**(request.view_args or {}))


def init_app(app) -> None:
    """Put the early answer first: a hit then skips the CSRF check (GET has none), the rate
    limiter and the password-change check (anonymous readers only). The after_request
    functions (security headers) still run on every answer."""
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_early)
