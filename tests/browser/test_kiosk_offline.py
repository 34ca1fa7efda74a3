"""The default /kiosk on a portrait and a landscape screen, and a display that starts while
the server is down: its service worker shows the last content it had, with "● 离线", and the
screen recovers by itself. Nothing members-only is ever kept, even on an insider's browser.
Screenshots in test-artifacts/."""
from __future__ import annotations

import re
import time

import pytest

from dwgk.catalog.models import Scope
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_kiosk import LANDSCAPE, OFFLINE_ERRORS, PORTRAIT, _publish, _seed_unit
from tests.attachments import make_item_with_attachment, png_bytes
from tests.factories import make_user

pytestmark = pytest.mark.browser

REFRESH = 0.3
CACHE = "dwgk-kiosk-v1"
CANARY = "金丝雀-党内事项-sw-5e07"
KEPT_PATHS = re.compile(r"^/(kiosk(/|\?|$)|static/)")


def _kept(page) -> list[dict]:
    """Every answer the kiosk's worker keeps: its address and text."""
    return page.evaluate("""async () => {
        const out = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                const response = await cache.match(request);
                out.push({cache: name, url: request.url, text: await response.text()});
            }
        }
        return out;
    }""")


def _kept_urls(page) -> list[str]:
    return page.evaluate("""async () => {
        const cache = await caches.open('%s');
        return (await cache.keys()).map(r => r.url);
    }""" % CACHE)


def _until(check, timeout=10.0):
    """Poll `check` (wait_for_function would take an async predicate's promise for true)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _wait_for_worker(page, base, *paths):
    """Until the worker controls the page and keeps `paths` (it keeps them on its own)."""
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=10_000)
    wanted = [base + path for path in paths]
    _until(lambda: all(url in _kept_urls(page) for url in wanted))


@pytest.mark.parametrize("name, viewport", [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_the_default_kiosk_fits_a_portrait_and_a_landscape_screen(app, server, page, name, viewport):
    _seed_unit(app)  # no screen configured: /kiosk shows the built-in settings
    page.set_viewport_size(viewport)
    page.goto(f"{server.url}/kiosk")
    page.wait_for_selector("#kiosk-content")
    page.evaluate("document.fonts.ready")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"kiosk-default-{name}.png"))

    sizes = page.evaluate("""() => ({
        scrollHeight: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth,
        bodyHeight: document.body.scrollHeight, bodyWidth: document.body.scrollWidth,
        innerHeight: innerHeight, innerWidth: innerWidth})""")
    assert sizes["scrollHeight"] <= sizes["innerHeight"] and sizes["bodyHeight"] <= sizes["innerHeight"], sizes
    assert sizes["scrollWidth"] <= sizes["innerWidth"] and sizes["bodyWidth"] <= sizes["innerWidth"], sizes
    # The layout follows the screen's shape: one column on a portrait screen.
    main, side = (page.locator(s).bounding_box() for s in (".kiosk-main", ".kiosk-side"))
    if name == "portrait":
        assert side["y"] >= main["y"] + main["height"] - 1 and main["width"] > viewport["width"] * 0.9
    else:
        assert side["x"] >= main["x"] + main["width"] - 1
    title = page.locator(".kiosk-slide.is-current .kiosk-slide-title")
    assert title.is_visible()
    box = title.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert page.locator(".kiosk-unit").is_visible()
    # Every block inside the screen, every slide's title and text ending inside its box, and
    # nothing a reader must read under 32px.
    problems = page.evaluate("""([w, h]) => {
        const out = [];
        const box = (e) => e.getBoundingClientRect();
        document.querySelectorAll('.kiosk-header, .kiosk-status, .kiosk-main, .kiosk-side,'
            + ' .kiosk-qr-code, .kiosk-list li, .kiosk-latest h2, .kiosk-unit, .kiosk-clock').forEach(e => {
            if (!e.getClientRects().length) return;
            const r = box(e);
            if (r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5) out.push('outside: ' + e.className);
            if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).textOverflow !== 'ellipsis'
                && e.matches('.kiosk-unit, .kiosk-clock')) out.push('cut: ' + e.className);
        });
        const latest = box(document.querySelector('.kiosk-latest'));
        document.querySelectorAll('.kiosk-list li').forEach(li => {
            if (li.getClientRects().length && box(li).bottom > latest.bottom + 0.5) out.push('row: ' + li.innerText);
        });
        const slides = Array.from(document.querySelectorAll('.kiosk-slide'));
        const shown = slides.filter(s => s.classList.contains('is-current'));
        slides.forEach(s => s.classList.remove('is-current'));
        slides.forEach(slide => {
            slide.classList.add('is-current');
            const main = box(slide.closest('.kiosk-main'));
            slide.querySelectorAll('.kiosk-slide-title, .kiosk-slide-text, img').forEach(e => {
                if (box(e).bottom > main.bottom + 0.5 || box(e).right > main.right + 0.5) out.push('slide: ' + e.className);
            });
            slide.querySelectorAll('.kiosk-slide-title, .kiosk-slide-text').forEach(e => {
                if (parseFloat(getComputedStyle(e).fontSize) < 32) out.push('small: ' + e.className);
            });
            slide.classList.remove('is-current');
        });
        shown.forEach(s => s.classList.add('is-current'));
        return out;
    }""", [viewport["width"], viewport["height"]])
    assert problems == []


def test_kiosk_start_offline(app, server, page):
    """A display that starts while the server is down shows the last content it had."""
    page.dwgk_expected_errors.extend(OFFLINE_ERRORS)
    with app.app_context():
        # Its photo is not kept (only /kiosk and /static are): offline, the slide goes without.
        make_item_with_attachment(title="第一条事项", name="照片.png", data=png_bytes(480, 320))
        db.session.commit()
    url = f"{server.url}/kiosk?refresh={REFRESH}"
    page.goto(url)
    page.wait_for_selector("#kiosk-content")
    _wait_for_worker(page, server.url, f"/kiosk?refresh={REFRESH}", "/static/css/kiosk.css",
                     "/static/js/kiosk.js")
    # Published while the display runs: its refresh brings it, and the worker keeps that too.
    _publish(app, "后来发布的事项")
    page.wait_for_function("() => document.body.innerText.includes('后来发布的事项')", timeout=5000)
    _wait_for_worker(page, server.url, "/kiosk/default/content")
    page.goto("about:blank")  # closed, as a display switched off (the fixture keeps the tab)

    server.stop()
    started = page.context.new_page()
    errors = []
    started.on("pageerror", lambda exc: errors.append(str(exc)))
    started.goto(url)
    started.wait_for_selector("#kiosk-content")
    started.evaluate("window.kioskMarker = 1")  # gone if the page ever reloads
    offline = started.locator("#kiosk-offline")
    offline.wait_for(state="visible", timeout=5000)
    assert offline.inner_text() == "● 离线"
    # The last content it had, not only the page's first one.
    started.wait_for_function("() => document.body.innerText.includes('后来发布的事项')", timeout=5000)
    assert "第一条事项" in started.locator(".kiosk-list").inner_text()
    # No broken photo: the browser's own cache may still have it; when it cannot be loaded,
    # the slide is shown without it.
    images = "Array.from(document.querySelectorAll('.kiosk-slide-image'))"
    started.wait_for_function(f"() => {images}.every(i => i.complete && i.naturalWidth > 0)")
    started.evaluate(f"() => {images}.forEach(i => {{ i.src = '/attachments/999/gone.png'; }})")
    started.wait_for_function("() => !document.querySelector('.kiosk-slide-image')", timeout=5000)
    assert started.locator(".kiosk-slide.has-image").count() == 0
    # Discreet: a small mark in a corner of the screen.
    box, viewport = offline.bounding_box(), started.viewport_size
    assert box["width"] < viewport["width"] * 0.15 and box["height"] < viewport["height"] * 0.1
    assert box["y"] < viewport["height"] * 0.15 and box["x"] > viewport["width"] * 0.5
    ARTIFACTS.mkdir(exist_ok=True)
    started.screenshot(path=str(ARTIFACTS / "kiosk-start-offline.png"))
    started.wait_for_timeout(REFRESH * 4000)
    assert offline.is_visible()  # still offline after a few refreshes from the copy

    # The server comes back on the same address: the mark goes and news appear, no reload.
    _publish(app, "恢复后发布的事项")
    server.start()
    offline.wait_for(state="hidden", timeout=5000)
    started.wait_for_function("() => document.body.innerText.includes('恢复后发布的事项')", timeout=5000)
    assert started.evaluate("window.kioskMarker") == 1
    # The fresh content has its photo again.
    assert started.locator(".kiosk-slide.has-image .kiosk-slide-image").count() == 1
    started.screenshot(path=str(ARTIFACTS / "kiosk-start-offline-recovered.png"))
    assert errors == []
    started.close()


def test_a_kept_fragment_older_than_the_page_is_not_shown(app, server, page):
    """The page is kept at every start, the fragment at every change: when a later start
    brings a newer page, the older fragment is dropped, and an offline start shows the newer."""
    page.dwgk_expected_errors.extend(OFFLINE_ERRORS)
    _publish(app, "第一条事项")
    url = f"{server.url}/kiosk?refresh={REFRESH}"
    page.goto(url)
    _wait_for_worker(page, server.url, f"/kiosk?refresh={REFRESH}", "/static/js/kiosk.js")
    _publish(app, "第二条事项")
    _wait_for_worker(page, server.url, "/kiosk/default/content")  # kept with 第二条
    page.goto("about:blank")  # closed, as a display switched off (the fixture keeps the tab)

    _publish(app, "第三条事项")  # while no display is open: the kept fragment is now old
    again = page.context.new_page()
    again.goto(url)
    again.wait_for_selector("#kiosk-content")
    _until(lambda: f"{server.url}/kiosk/default/content" not in _kept_urls(again), timeout=5)
    again.close()

    server.stop()
    started = page.context.new_page()
    started.goto(url)
    started.locator("#kiosk-offline").wait_for(state="visible", timeout=5000)
    started.wait_for_timeout(REFRESH * 3000)
    assert "第三条事项" in started.locator(".kiosk-list").inner_text()
    started.close()


def test_nothing_members_only_is_kept_even_on_an_insiders_browser(app, server, page):
    with app.app_context():
        member = make_user("member", username="dangyuan")
        db.session.commit()
        assert member.id
    _publish(app, "公开的事项")
    canary_id = _publish(app, CANARY, body=CANARY, scope=Scope.MEMBERS)

    sign_in(page, server.url, "dangyuan")
    page.goto(f"{server.url}/members")
    assert CANARY in page.content()
    page.goto(f"{server.url}/items/{canary_id}")
    assert CANARY in page.content()

    page.goto(f"{server.url}/kiosk?refresh={REFRESH}")
    _wait_for_worker(page, server.url, f"/kiosk?refresh={REFRESH}", "/static/js/kiosk.js")
    # From the controlled page, with the insider's cookie: the worker leaves these alone.
    fetched = page.evaluate("""async (paths) => {
        const out = [];
        for (const p of paths) {
            const r = await fetch(p, {credentials: 'same-origin'});
            out.push([p, r.status, (await r.text()).length]);
        }
        return out;
    }""", ["/members", f"/items/{canary_id}", "/kiosk/default/content", "/kiosk", "/",
           "/static/css/app.css"])
    assert [status for _, status, _ in fetched] == [200] * 6, fetched
    page.wait_for_timeout(REFRESH * 4000)  # a few refreshes more
    page.goto(f"{server.url}/kiosk?refresh={REFRESH}")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")

    kept = _kept(page)
    paths = sorted({re.sub(r"^https?://[^/]+", "", entry["url"]) for entry in kept})
    print(f"kept by the kiosk's worker: {paths}")
    assert {entry["cache"] for entry in kept} == {CACHE}
    assert f"/kiosk?refresh={REFRESH}" in paths and "/kiosk/default/content" in paths
    assert all(KEPT_PATHS.match(path) for path in paths), paths
    for entry in kept:
        assert CANARY not in entry["text"], entry["url"]
        assert "dangyuan" not in entry["text"], entry["url"]
    assert CANARY not in page.content()
    assert "公开的事项" in page.content()
