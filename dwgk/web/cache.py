"""The page cache: rendered anonymous pages and small computed values, kept per generation
and time window in each worker's memory (Flask-Caching's SimpleCache).

A kept value is found again only under the same key, and every key holds

1. **the generation** (dwgk.core.generation), read through the ORM session before any data
   the request reads: any visible change writes a new one in its own transaction, so a
   withdrawn item is never served again, by any worker or app server;
2. **the end of the time window**: visibility also changes with nothing written — an item
   reaches the public board when its members-first window ends, and the dates a page shows
   change at midnight. The window ends at the next of: the members-first end still to come
   (asked of the function create_app wires in), the next local midnight, the next
   MAX_AGE boundary (a safety net for changes made behind the app's back);
3. what was asked: the path, the query and whether htmx asked for the fragment (pages), or
   the caller's own key (values).

Pages are kept only for anonymous readers with no message waiting, and carry nothing of one
visitor (no CSRF token, no session cookie): the same bytes for everyone. A page's key, hashed,
is its strong ETag, sent with `Cache-Control: no-cache`: a returning browser gets 304.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from functools import wraps
from pathlib import Path

from flask import current_app, g, get_flashed_messages, make_response, request
from flask_login import current_user

from dwgk.core import clock, generation
from dwgk.extensions import page_cache
from dwgk.web.render import wants_fragment

MAX_AGE = timedelta(minutes=10)
DEFAULT_ENTRIES = 2000


def init_app(app, upcoming_change) -> None:
    """`upcoming_change(now)`: the first moment after `now` at which what the public sees
    changes with nothing written (a members-first window's end), or None."""
    entries = app.config.get("DWGK_PAGE_CACHE_ENTRIES", DEFAULT_ENTRIES)
    page_cache.init_app(app, config={
        "CACHE_TYPE": "SimpleCache" if entries else "NullCache",
        "CACHE_THRESHOLD": entries or 1,
        "CACHE_DEFAULT_TIMEOUT": int(MAX_AGE.total_seconds()),
        "CACHE_NO_NULL_WARNING": True,
    })
    app.extensions["dwgk_upcoming_change"] = upcoming_change
    app.extensions["dwgk_release"] = _release(app)


def _release(app) -> str:
    """What tells this deployment's pages from the last one's (the code and templates'
    modification times): a browser's ETag from before an upgrade is not answered 304."""
    roots = [Path(__file__).resolve().parents[1], Path(app.root_path, app.template_folder)]
    stamps = sorted(f"{path}:{path.stat().st_mtime_ns}" for root in roots
                    for path in root.rglob("*") if path.suffix in (".py", ".html"))
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()[:12]


def _is_on() -> bool:
    return current_app.config.get("DWGK_PAGE_CACHE_ENTRIES", DEFAULT_ENTRIES) > 0


def request_generation() -> str | None:
    """The generation, read once per request, on its first use: before the data it guards."""
    if "dwgk_generation" not in g:
        g.dwgk_generation = generation.current()
    return g.dwgk_generation


def window_end(now: datetime, token: str) -> datetime:
    """The end of the time window `now` is in (see the module's docstring, point 2)."""
    local = now.astimezone(clock.LOCAL_TZ)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=clock.LOCAL_TZ)
    step = int(MAX_AGE.total_seconds())
    boundary = datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step, now.tzinfo)
    ends = [midnight, boundary]
    # The next members-first end, looked up once per generation (a new one needs a write).
    kept = page_cache.get(f"upcoming:{token}")
    if kept is None or not (kept[0] <= now and (kept[1] is None or now < kept[1])):
        kept = (now, current_app.extensions["dwgk_upcoming_change"](now))
        page_cache.set(f"upcoming:{token}", kept)
    if kept[1] is not None:
        ends.append(kept[1])
    return min(ends)


def _key(*parts) -> str | None:
    """The cache key of `parts` under this request's generation and window, or None when
    nothing may be kept (caching off, no generation row, a request that may write)."""
    if not _is_on() or request.method not in ("GET", "HEAD"):
        return None
    token = request_generation()
    if token is None:
        return None
    now = clock.now()
    raw = repr((current_app.extensions["dwgk_release"], token,
                window_end(now, token).isoformat(), parts))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def memoize(name: str, key, compute):
    """`compute()`'s value for (`name`, `key`), kept under this request's generation and
    window. `key` must name everything the value depends on besides the data (the reader's
    kind, the filters)."""
    cache_key = _key("value", name, key)
    if cache_key is None:
        return compute()
    value = page_cache.get(cache_key)
    if value is None:
        value = compute()
        page_cache.set(cache_key, value)
    return value


def _page_key() -> str | None:
    if current_user.is_authenticated or get_flashed_messages():
        return None
    return _key("page", request.path, sorted(request.args.items(multi=True)), wants_fragment())


def cached_page(view):
    """Keep the view's anonymous 200 answers (see the module's docstring), with a strong
    ETag and `Cache-Control: no-cache`; a browser that has this version gets 304."""
    kept_view = page_cache.cached(make_cache_key=lambda *args, **kwargs: g.dwgk_page_key,
                                  response_filter=lambda rv: make_response(rv).status_code == 200
                                  )(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = _page_key()
        if key is None:
            return view(*args, **kwargs)
        if request.if_none_match.contains_weak(key):
            response = make_response("", 304)
        else:
            g.dwgk_page_key = f"page:{key}"
            response = make_response(kept_view(*args, **kwargs))
        if response.status_code in (200, 304):
            response.set_etag(key)
            response.headers["Cache-Control"] = "no-cache"
        return response

    return wrapped
