"""The kiosk's service worker (/kiosk/sw.js): served by the app with a scope that covers
/kiosk, caching only the public kiosk's own answers (its allow-list is read from the script
itself), and kiosk answers that never set a cookie, so nothing personal can be kept."""
from __future__ import annotations

import re
from pathlib import Path

from dwgk.extensions import db
from tests.factories import make_disclosure
from tests.kiosk import make_screen
from tests.support import text_of

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "kiosk-sw.js"


def _allow_list() -> list[str]:
    """The CACHED_PATHS regular expressions, as written in the script."""
    source = SCRIPT.read_text(encoding="utf-8")
    block = re.search(r"var CACHED_PATHS = \[(.*?)\];", source, re.S)
    assert block, "CACHED_PATHS not found in kiosk-sw.js"
    # Each is a JavaScript regular-expression literal: /…/ with its slashes escaped.
    return re.findall(r"/(\^(?:\\/|[^/])*)/", block.group(1))


def _cached(path: str) -> bool:
    # JavaScript's and Python's syntax agree for these simple patterns (^, \/, (…|$)).
    return any(re.search(pattern.replace("\\/", "/"), path) for pattern in _allow_list())


def test_the_script_is_served_by_the_app_with_a_scope_over_the_kiosk(client):
    response = client.get("/kiosk/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    # The script sits under /kiosk/, and may control /kiosk itself.
    assert response.headers["Service-Worker-Allowed"] == "/kiosk"
    assert text_of(response) == SCRIPT.read_text(encoding="utf-8")
    assert "Set-Cookie" not in response.headers


def test_the_script_is_not_taken_for_a_screen_slug(app, client):
    with app.app_context():
        make_screen("hall")
        db.session.commit()
    assert client.get("/kiosk/hall").status_code == 200
    assert client.get("/kiosk/sw.js").mimetype == "application/javascript"


def test_the_cache_allow_list_covers_only_the_kiosk_and_static_files():
    patterns = _allow_list()
    assert len(patterns) == 2, patterns
    for path in ("/kiosk", "/kiosk/default/content", "/kiosk/hall", "/kiosk/hall/content",
                 "/static/css/kiosk.css", "/static/js/kiosk.js", "/static/favicon.svg",
                 "/static/vendor/htmx.min.js"):
        assert _cached(path), path
    for path in ("/", "/items/1", "/members", "/login", "/logout", "/catalog", "/feedback/new",
                 "/attachments/1/photo.png", "/admin/kiosk", "/kiosks", "/kioskx/content",
                 "/staticx/a.js", "/notifications/bell", "/healthz", "/review"):
        assert not _cached(path), path


def test_the_script_fetches_without_credentials_and_keeps_only_plain_200s():
    source = SCRIPT.read_text(encoding="utf-8")
    modes = re.findall(r"credentials:\s*\"([a-z-]+)\"", source)
    assert modes and set(modes) == {"omit"}, modes
    # Only GETs, only this origin, only 200 answers that are not marked private / no-store.
    assert 'request.method !== "GET"' in source
    assert "url.origin !== self.location.origin" in source
    assert "response.status === 200" in source
    assert "no-store" in source and "private" in source


def test_kiosk_answers_set_no_cookie(app, client):
    with app.app_context():
        make_disclosure(title="事项")
        make_screen("hall")
        db.session.commit()
    for url in ("/kiosk", "/kiosk/hall", "/kiosk/default/content", "/kiosk/hall/content",
                "/kiosk/sw.js", "/static/css/kiosk.css", "/static/js/kiosk.js"):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers, url
            assert "no-store" not in response.headers.get("Cache-Control", ""), url


def test_the_page_names_the_worker_and_its_scope(client):
    html = text_of(client.get("/kiosk"))
    assert 'data-sw="/kiosk/sw.js"' in html
    assert 'data-sw-scope="/kiosk"' in html
