"""In a real browser: the office types an item in the editor, clicks 保存并预览 and reads it
in the preview's frame as the board will show it; the reviewer opens the same preview from
the review page."""
from __future__ import annotations

import re

import pytest

from dwgk.accounts.models import User
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, Disclosure
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

TEXT = "本季度共收缴党费 3260 元，已全部上缴。"


def test_type_then_save_and_preview(live_server, page, people, app, playwright_browser):
    sign_in(page, live_server.url, "office")
    page.goto(live_server.url + "/office/items/new")
    page.get_by_label("标题", exact=True).fill("第三季度党费收缴情况")
    page.get_by_label("公开内容类别").select_option(label="组织建设")
    page.locator(".ql-editor").click()
    page.keyboard.type(TEXT)
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("请党员核对。")
    page.get_by_role("button", name="保存并预览").click()
    page.wait_for_url(re.compile(r".*/items/\d+/preview$"))
    item_id = int(page.url.rsplit("/", 2)[1])

    banner = page.locator("#preview-banner")
    assert "预览：此事项尚未发布" in banner.inner_text()
    frame = page.locator(".preview-frame")
    assert frame.locator("h1").inner_text() == "第三季度党费收缴情况"
    assert TEXT in frame.locator(".item-body").inner_text()
    assert frame.locator(".item-body strong").inner_text() == "请党员核对。"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "preview-1280.png"), full_page=True)

    # Back to the editor from the banner: the text is there to go on with.
    page.get_by_role("link", name="继续编辑").click()
    page.wait_for_url(re.compile(rf".*/office/items/{item_id}/edit$"))
    assert TEXT in page.locator(".ql-editor").inner_text()

    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.submit(item, actor=db.session.get(User, people["office"]))
        db.session.commit()
    phone = playwright_browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                           is_mobile=True, has_touch=True)
    reviewer = phone.new_page()
    sign_in(reviewer, live_server.url, "reviewer")
    reviewer.goto(live_server.url + f"/review/{item_id}")
    reviewer.get_by_role("link", name="预览", exact=True).click()
    reviewer.wait_for_url(re.compile(rf".*/items/{item_id}/preview$"))
    assert TEXT in reviewer.locator(".preview-frame .item-body").inner_text()
    assert reviewer.evaluate("() => document.documentElement.scrollWidth") <= 390
    reviewer.screenshot(path=str(ARTIFACTS / "preview-390.png"), full_page=True)
    previewed = reviewer.locator("article").evaluate("(el) => el.outerHTML")
    reviewer.get_by_role("link", name="返回审核").click()
    reviewer.wait_for_url(re.compile(rf".*/review/{item_id}$"))

    # Published: the public page's article is the one previewed.
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        services.review(item, services.ReviewInput(
            Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
            check_timing=True, check_duration=True, check_secrecy=True),
            reviewer=db.session.get(User, people["reviewer"]))
        services.publish(item, actor=db.session.get(User, people["office"]))
        db.session.commit()
    visitor = phone.new_page()
    visitor.goto(live_server.url + f"/items/{item_id}")
    assert visitor.locator("article").evaluate("(el) => el.outerHTML") == previewed
    visitor.screenshot(path=str(ARTIFACTS / "item-390.png"), full_page=True)
    page.goto(live_server.url + f"/items/{item_id}")
    page.screenshot(path=str(ARTIFACTS / "item-1280.png"), full_page=True)
    phone.close()
