"""In a real browser: the public board's search, category filter and pager swap the list
in place (htmx) and push the URL; an item page and its printable notice; a phone and a
1080p screen."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_category, make_disclosure, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def board(app, frozen_clock):
    with app.app_context():
        people = {"author": make_user(Role.OFFICE, Role.MEMBER), "reviewer": make_user(Role.REVIEWER)}
        news = make_category("工作动态", position=1)
        building = make_category("组织建设", position=2)
        for day in range(1, 24):
            frozen_clock(datetime(2026, 4, day, 10, 0))
            make_disclosure(title=f"工作动态第{day:02d}期", body="支部活动简讯。", category=news, **people)
        frozen_clock(datetime(2026, 9, 29, 10, 0))
        make_disclosure(title="2026年第三季度党费收缴情况公示",
                        body="<p>本季度应缴党费已全部收齐，<strong>明细如下</strong>。</p><table><tbody><tr><th>姓名</th><th>金额</th></tr><tr><td>张三</td><td>100 元</td></tr></tbody></table>",
                        category=building, publicity_workdays=5, **people)
        db.session.commit()
        ids = {"news": news.id, "building": building.id}
    frozen_clock(datetime(2026, 10, 9, 9, 0))
    return ids


def _titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#board-list .board-item-title").all_inner_texts()]


def test_search_filter_and_pager_swap_the_list_in_place(live_server, page, board):
    page.goto(live_server.url + "/")
    assert len(_titles(page)) == 20
    assert page.evaluate("() => { window.__notReloaded = true; return true; }")

    page.get_by_label("搜索").fill("党费")
    page.wait_for_url(re.compile(r".*\?q=%E5%85%9A%E8%B4%B9$"))
    page.wait_for_function("() => document.querySelectorAll('#board-list .board-item').length === 1")
    assert _titles(page) == ["2026年第三季度党费收缴情况公示"]

    page.get_by_label("搜索").fill("")
    page.get_by_label("类别").select_option(label="工作动态")
    page.wait_for_url(re.compile(rf".*category={board['news']}.*"))
    page.wait_for_function("() => document.querySelectorAll('#board-list .board-item').length === 20")
    assert _titles(page)[0] == "工作动态第23期"

    page.locator("#board-list").get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r".*page=2.*"))
    page.wait_for_function("() => document.querySelectorAll('#board-list .board-item').length === 3")
    assert _titles(page) == ["工作动态第03期", "工作动态第02期", "工作动态第01期"]
    # Everything above was swapped by htmx: the page itself was never reloaded.
    assert page.evaluate("() => window.__notReloaded") is True

    # The pushed URL is a real page: reloading it shows the same list, filters filled in.
    page.reload()
    assert _titles(page) == ["工作动态第03期", "工作动态第02期", "工作动态第01期"]
    assert page.get_by_label("类别").input_value() == str(board["news"])


def test_the_board_works_without_javascript(browser_context_without_js, live_server, board):
    page = browser_context_without_js.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("搜索").fill("党费")
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r".*q=.*"))
    assert [t.strip() for t in page.locator(".board-item-title").all_inner_texts()] == [
        "2026年第三季度党费收缴情况公示"]


@pytest.fixture
def browser_context_without_js(playwright_browser):
    context = playwright_browser.new_context(locale="zh-CN", java_script_enabled=False)
    yield context
    context.close()


def test_item_page_and_print_notice_on_a_phone_and_1080p(live_server, page, board):
    page.goto(live_server.url + "/?q=党费")
    page.get_by_role("link", name="2026年第三季度党费收缴情况公示").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    assert "公示期：2026-09-29 至 2026-10-12（5 个工作日）" in page.locator("#item").inner_text()
    item_path = page.url.removeprefix(live_server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height, name in ((390, 844, "phone"), (1920, 1080, "1080p")):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/", item_path):
            page.goto(live_server.url + path)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (name, path)
        page.screenshot(path=str(ARTIFACTS / f"boards-item-{name}.png"), full_page=True)
        page.goto(live_server.url + "/")
        page.screenshot(path=str(ARTIFACTS / f"boards-public-{name}.png"), full_page=True)

    page.goto(live_server.url + "/?q=党费")
    page.get_by_role("link", name="2026年第三季度党费收缴情况公示").click()
    page.get_by_role("link", name="打印公告（A4）").click()
    page.wait_for_url(re.compile(r".*/print$"))
    assert page.locator(".print-actions").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".print-actions").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.screenshot(path=str(ARTIFACTS / "boards-print.png"), full_page=True)
