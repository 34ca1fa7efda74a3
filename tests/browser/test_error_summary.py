"""On a phone (390 px): a form sent with mistakes opens on an error summary — focused,
named in the page title, each problem linked to its field — and nothing typed is lost."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

OPINION = "建议放学时段在校门口安排志愿者疏导交通。"


def test_error_summary_on_a_phone(live_server, playwright_browser):
    context = playwright_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                             is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/feedback/new")
    page.get_by_label("意见内容").fill(OPINION)
    page.get_by_label("实名", exact=True).check()
    page.get_by_role("button", name="提交").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.title().startswith("错误：")
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert page.get_by_label("意见内容").input_value() == OPINION
    box = summary.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "error-summary-390.png"))
    link = summary.locator("a").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.evaluate("() => document.activeElement.id") == target
    context.close()
    assert not errors
