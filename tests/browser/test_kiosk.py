"""The notice-board screen in Chromium: both orientations (screenshots in test-artifacts/),
items appearing and disappearing without a reload, the server going away and coming back,
304s while nothing changes, a small first load from this server only, and a DOM that does
not grow however long the screen runs."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from dwgk.accounts.models import User
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from dwgk.kiosk import services as kiosk_services
from dwgk.kiosk.models import KioskScreen, Orientation
from tests.attachments import make_item_with_attachment, png_bytes
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_category, make_disclosure, make_user
from tests.kiosk import make_screen

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
REFRESH = 0.3  # seconds between refreshes here (?refresh= is honoured in tests only)
CANARY = "金丝雀-党内事项-b81f"
# What Chromium logs for a request to a server that is away (refused, reset, or a socket
# closed under it — which of them depends on timing; ERR_FAILED when the kiosk's service
# worker has no kept copy to answer with).
OFFLINE_ERRORS = ["ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET", "ERR_EMPTY_RESPONSE",
                  "ERR_SOCKET_NOT_CONNECTED", "ERR_CONNECTION_CLOSED", "ERR_CONNECTION_ABORTED",
                  "ERR_FAILED"]


def _publish(app, title, **fields):
    with app.app_context():
        item = make_disclosure(title=title, **fields)
        db.session.commit()
        return item.id


def _slide_titles(page) -> list[str]:
    return page.locator(".kiosk-slide-title").all_inner_texts()


def _open(page, url, viewport=LANDSCAPE):
    page.set_viewport_size(viewport)
    page.goto(url)
    page.wait_for_selector("#kiosk-content")


def _seed_unit(app):
    """A realistic screen's worth: items in three categories, one with a photo."""
    from dwgk.core import settings

    with app.app_context():
        settings.update(unit_name="城关镇中心小学党支部", members_first_days=1, review_due_workdays=3,
                        feedback_reply_workdays=15, supervision_reply_workdays=15, actor=make_user())
        party, school, style = (make_category("组织建设"), make_category("学校重大事项"),
                                make_category("作风建设"))
        author, reviewer = make_user("office", "member"), make_user("reviewer")
        people = {"author": author, "reviewer": reviewer}
        make_disclosure(title="2026年第三季度党费收缴、使用和管理情况", category=party, **people,
                        body="本支部现有党员 42 名。第三季度应缴党费 3,960 元，实缴 3,960 元，"
                             "收缴率 100%。党费全部按规定上缴镇党委，未发生挪用、截留情况。"
                             "\n\n如对党费收缴情况有疑问，请向支部委员会或党务公开监督员反映。")
        make_disclosure(title="关于学校食堂承包经营招标结果的公示", category=school, **people,
                        body="经学校党支部会议研究、校务委员会集体决策，食堂承包经营招标工作已按程序完成。"
                             "现将中标结果公示如下：中标单位为城关镇某餐饮管理有限公司，承包期三年。"
                             "公示期为 5 个工作日，公示期内如有异议，请以书面形式向学校党支部反映。"
                             "反映问题须实事求是，署真实姓名和联系方式，以便核实和反馈。" * 2)
        make_item_with_attachment(
            title="“不忘初心、牢记使命”主题党日活动开展情况", category=style, name="活动照片.png",
            data=png_bytes(480, 320),
            body="11月20日，支部组织全体党员赴县革命纪念馆开展主题党日活动，重温入党誓词，"
                 "参观革命先烈事迹展览，并结合教育教学工作开展交流研讨。活动共有 38 名党员参加。")
        for number in range(1, 6):
            make_disclosure(title=f"2026年第{number}期教师党员志愿服务安排", category=style, **people,
                            body="志愿服务岗位：校门口护学岗、课后服务岗、图书馆整理岗。")
        db.session.commit()


@pytest.mark.parametrize("orientation, viewport", [(Orientation.LANDSCAPE, LANDSCAPE),
                                                   (Orientation.PORTRAIT, PORTRAIT)])
def test_both_orientations_fill_the_screen_with_large_type(app, server, page, orientation, viewport):
    _seed_unit(app)
    with app.app_context():
        make_screen("hall", orientation=orientation, rotation_seconds=600,
                    notice_line="本周五下午三点在学校会议室召开支部党员大会，请全体党员准时参加。")
        db.session.commit()
    _open(page, f"{server.url}/kiosk/hall", viewport)
    page.evaluate("document.fonts.ready")
    ARTIFACTS.mkdir(exist_ok=True)
    name = orientation.value
    page.screenshot(path=str(ARTIFACTS / f"kiosk-{name}.png"))
    # The slide with the photo, as the rotation would show it.
    page.evaluate("""() => {
        const slides = document.querySelectorAll('.kiosk-slide');
        slides.forEach(s => s.classList.toggle('is-current', s.classList.contains('has-image')));
    }""")
    page.wait_for_function("() => document.querySelector('.is-current .kiosk-slide-image').complete")
    page.screenshot(path=str(ARTIFACTS / f"kiosk-{name}-photo.png"))
    # And the slide with the longest text.
    page.evaluate("""() => {
        const slides = Array.from(document.querySelectorAll('.kiosk-slide'));
        const longest = slides.reduce((a, b) => a.innerText.length > b.innerText.length ? a : b);
        slides.forEach(s => s.classList.toggle('is-current', s === longest));
    }""")
    page.screenshot(path=str(ARTIFACTS / f"kiosk-{name}-long.png"))

    assert page.locator("body").get_attribute("class") == f"kiosk kiosk-{name}"
    assert page.locator(".kiosk-unit").inner_text() == "城关镇中心小学党支部"
    # Large type: nothing a reader must read is under 32px on a 1080p screen.
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.kiosk-unit, .kiosk-board, .kiosk-date, .kiosk-time, .is-current .kiosk-slide-meta,'
        + ' .is-current .kiosk-slide-title, .is-current .kiosk-slide-text, .kiosk-list li,'
        + ' .kiosk-qr strong, .kiosk-qr-note, .kiosk-notice strong, .kiosk-notice span'))
        .map(e => [e.className, parseFloat(getComputedStyle(e).fontSize)])""")
    assert sizes and all(size >= 32 for _, size in sizes), sizes
    assert dict(sizes)["kiosk-slide-text"] >= 35
    # Nothing cut off: every visible block lies inside the screen, and the list's rows and
    # the clamped texts end on whole lines inside their boxes.
    outside = page.evaluate("""([w, h]) => Array.from(document.querySelectorAll(
        '.kiosk-header, .kiosk-status, .kiosk-main, .kiosk-side, .kiosk-notice, .kiosk-qr-code,'
        + ' .is-current .kiosk-slide-title, .is-current .kiosk-slide-text, .is-current img,'
        + ' .kiosk-list li, .kiosk-latest h2'))
        .filter(e => e.getClientRects().length)
        .map(e => [e.className, e.getBoundingClientRect()])
        .filter(([, r]) => r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5)
        .map(([c]) => c)""", [viewport["width"], viewport["height"]])
    assert outside == []
    clipped = page.evaluate("""() => {
        const out = [];
        const box = (e) => e.getBoundingClientRect();
        const latest = box(document.querySelector('.kiosk-latest'));
        document.querySelectorAll('.kiosk-list li').forEach(li => {
            if (li.getClientRects().length && box(li).bottom > latest.bottom + 0.5) out.push(li.innerText);
        });
        document.querySelectorAll('.kiosk-slide').forEach(slide => {
            slide.classList.add('is-current');
            const main = box(slide.closest('.kiosk-main'));
            slide.querySelectorAll('.kiosk-slide-title, .kiosk-slide-text, img').forEach(e => {
                if (box(e).bottom > main.bottom + 0.5) out.push(e.className + ': ' + e.innerText);
            });
            slide.classList.remove('is-current');
        });
        return out;
    }""")
    assert clipped == []
    # No way out: nothing to click or follow.
    assert page.locator("a, button, input, select, textarea, form, iframe").count() == 0
    assert page.locator(".kiosk-qr").get_attribute("data-url") == (
        f"{server.url}/feedback/new?channel=kiosk")


def test_published_and_withdrawn_items_come_and_go_without_a_reload(app, server, page, frozen_clock):
    start = datetime(2026, 11, 23, 9, 0)
    frozen_clock(start)
    with app.app_context():
        author = make_user("office", "member")
        make_disclosure(title="已在屏幕上的事项", author=author)
        db.session.commit()
        author_id = author.id
    statuses = []
    page.on("response", lambda r: "/content" in r.url and statuses.append(r.status))
    _open(page, f"{server.url}/kiosk?refresh={REFRESH}")
    page.evaluate("window.kioskMarker = 1")  # gone if the page ever reloads

    # Nothing changed: each refresh is a 304.
    deadline = time.monotonic() + 5
    while len(statuses) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(statuses) >= 3 and set(statuses) == {304}, statuses

    # Published: shown within one refresh.
    frozen_clock(start + timedelta(minutes=5))
    with app.app_context():
        new_id = make_disclosure(title="刚刚发布的事项", author=db.session.get(User, author_id)).id
        db.session.commit()
    page.wait_for_function(
        "() => document.querySelector('.kiosk-slide-title').textContent === '刚刚发布的事项'", timeout=3000)
    assert 200 in statuses

    # A public item in its members-first window stays off the screen until the window ends:
    # then it appears, though nothing was written.
    # A members-only item never does.
    with app.app_context():
        make_disclosure(title="党内先行公开的事项", members_first_days=1)
        make_disclosure(title=CANARY, body=CANARY, scope=Scope.MEMBERS)
        db.session.commit()
    page.wait_for_timeout(REFRESH * 3000)
    assert "党内先行公开的事项" not in page.content()
    frozen_clock(start + timedelta(days=1, minutes=10))
    page.wait_for_function("() => document.body.innerText.includes('党内先行公开的事项')", timeout=3000)
    assert CANARY not in page.content()

    # Withdrawn: gone within one refresh.
    with app.app_context():
        services.withdraw(db.session.get(Disclosure, new_id), "发布有误",
                          actor=db.session.get(User, author_id))
        db.session.commit()
    page.wait_for_function("() => !document.body.innerText.includes('刚刚发布的事项')", timeout=3000)
    assert _slide_titles(page) == ["党内先行公开的事项", "已在屏幕上的事项"]
    assert CANARY not in page.content()
    assert page.evaluate("window.kioskMarker") == 1  # never reloaded


def test_the_screen_keeps_its_content_while_the_server_is_away(app, server, page):
    page.dwgk_expected_errors.extend(OFFLINE_ERRORS)
    with app.app_context():
        make_disclosure(title="第一条事项")
        make_disclosure(title="第二条事项")
        make_screen("hall", rotation_seconds=5)
        db.session.commit()
    _open(page, f"{server.url}/kiosk/hall?refresh={REFRESH}")
    page.evaluate("window.kioskMarker = 1")
    offline = page.locator("#kiosk-offline")
    assert offline.is_hidden()
    shown = page.locator(".kiosk-slide.is-current .kiosk-slide-title").inner_text()

    server.stop()
    offline.wait_for(state="visible", timeout=3000)
    assert offline.inner_text() == "● 离线"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kiosk-offline.png"))
    # The content stays, and keeps rotating.
    assert sorted(_slide_titles(page)) == ["第一条事项", "第二条事项"]
    page.wait_for_function(
        "t => document.querySelector('.kiosk-slide.is-current .kiosk-slide-title').textContent !== t",
        arg=shown, timeout=7000)
    assert offline.is_visible()

    # Published while the server was away: shown once it is back, and the mark goes.
    _publish(app, "恢复后发布的事项")
    server.start()
    offline.wait_for(state="hidden", timeout=3000)
    page.wait_for_function("() => document.body.innerText.includes('恢复后发布的事项')", timeout=3000)
    assert page.evaluate("window.kioskMarker") == 1  # never reloaded


def test_a_server_error_keeps_the_content_too(app, server, page):
    page.dwgk_expected_errors.append("status of 500")
    with app.app_context():
        make_disclosure(title="屏幕上的事项")
        db.session.commit()
    failing = {"on": False}
    # In front of everything: a 304 is answered before the app's own before_request hooks.
    inner = app.wsgi_app

    def fail(environ, start_response):
        if failing["on"] and environ["PATH_INFO"].endswith("/content"):
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"error"]
        return inner(environ, start_response)

    app.wsgi_app = fail

    _open(page, f"{server.url}/kiosk?refresh={REFRESH}")
    failing["on"] = True
    page.locator("#kiosk-offline").wait_for(state="visible", timeout=3000)
    assert _slide_titles(page) == ["屏幕上的事项"]
    assert "服务器" not in page.locator("body").inner_text()
    failing["on"] = False
    page.locator("#kiosk-offline").wait_for(state="hidden", timeout=3000)


def test_the_first_load_is_small_and_from_this_server_only(app, server, page):
    _seed_unit(app)
    responses = []
    page.on("response", lambda response: responses.append(response))
    _open(page, f"{server.url}/kiosk")
    page.wait_for_load_state("networkidle")
    outside = [r.url for r in responses if not r.url.startswith(server.url + "/")]
    assert outside == []
    sizes = {r.url.removeprefix(server.url): len(r.body()) for r in responses
             if r.request.resource_type in ("document", "stylesheet", "script")}
    total = sum(sizes.values())
    print(f"first load (HTML + CSS + JS): {total} bytes: {sizes}")
    assert set(sizes) == {"/kiosk", "/static/css/kiosk.css", "/static/js/kiosk.js"}
    assert total < 100_000
    # The first refresh runs at once (a 304 without a body: the page is current).
    assert [r.status for r in responses if r.request.resource_type == "fetch"] == [304]
    everything = sum(len(r.body()) for r in responses if r.status == 200)
    print(f"everything, with the photo and the icon: {everything} bytes")


def test_the_dom_does_not_grow_over_many_refreshes(app, server, page):
    _seed_unit(app)
    with app.app_context():
        screen_id = make_screen("hall", notice_line="第 0 次更新").id
        db.session.commit()
    # Count the page's pending timers: a fixed set (the clock, the rotation, the next
    # refresh or the running one's time limit), however many cycles run.
    page.add_init_script("""(() => {
        const pending = new Set();
        const [set, clear, every] = [setTimeout, clearTimeout, setInterval];
        window.setTimeout = (fn, ms, ...args) => {
            const id = set(() => { pending.delete(id); fn(...args); }, ms);
            pending.add(id);
            return id;
        };
        window.clearTimeout = (id) => { pending.delete(id); clear(id); };
        window.setInterval = (fn, ms, ...args) => { const id = every(fn, ms, ...args); pending.add(id); return id; };
        window.kioskTimers = () => pending.size;
    })()""")
    _open(page, f"{server.url}/kiosk/hall?refresh=0.1")
    cdp = page.context.new_cdp_session(page)

    def heap():
        cdp.send("HeapProfiler.collectGarbage")
        return cdp.send("Runtime.getHeapUsage")["usedSize"]

    def change(number):
        # A new notice line: a new ETag, so every cycle is a full answer and a swap.
        with app.app_context():
            screen = db.session.get(KioskScreen, screen_id)
            kiosk_services.update_screen(screen, kiosk_services.ScreenInput(
                slug="hall", name=screen.name, orientation=screen.orientation,
                rotation_seconds=screen.rotation_seconds, notice_line=f"第 {number} 次更新"))
            db.session.commit()

    nodes, timers, heaps = [], [], []
    for number in range(1, 31):
        change(number)
        page.wait_for_function("n => document.querySelector('.kiosk-notice span').textContent === n",
                               arg=f"第 {number} 次更新", timeout=3000)
        nodes.append(page.evaluate("document.getElementsByTagName('*').length"))
        timers.append(page.evaluate("window.kioskTimers()"))
        if number in (5, 30):
            heaps.append(heap())
    print(f"element count per cycle: {nodes}; pending timers: {timers};"
          f" JS heap after GC at cycles 5 and 30: {heaps}")
    assert len(set(nodes)) == 1, nodes
    assert max(timers) <= 4, timers
    assert heaps[1] - heaps[0] < 512 * 1024, heaps
