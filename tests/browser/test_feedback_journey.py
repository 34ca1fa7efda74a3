"""The issue's feedback journey in a real browser: the public files a named opinion on a
published item and gets its lookup code once, on a printable slip; the office finds it in
its inbox (filtering in place with htmx) and replies; the public looks the code up and
reads the reply — never the filer's name."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_disclosure
from tests.feedback import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "关于2026年度优秀党员推荐人选的公示"
OPINION = "建议在公示中写明推荐人选的主要事迹，便于群众监督。"
REPLY = "感谢您的建议。推荐人选的主要事迹已补充到公示附件中。"



def test_named_opinion_code_office_reply_and_lookup(app, users, live_server, page, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        item_id = make_disclosure(title=TITLE, body="经支部委员会研究，拟推荐王老师。").id
        db.session.commit()
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # The public reads the item and gives a named opinion on it.
    page.goto(f"{base}/items/{item_id}")
    page.get_by_role("link", name="对此事项提出意见").click()
    page.wait_for_url(re.compile(rf".*/feedback/new\?item={item_id}$"))
    assert page.get_by_label("针对的公开事项").input_value() == str(item_id)
    page.get_by_label("意见内容").fill(OPINION)
    page.get_by_label("实名", exact=True).check()
    page.get_by_label("姓名").fill(CANARY_NAME)
    page.get_by_label("电话").fill(CANARY_PHONE)
    page.get_by_label("电子邮箱").fill(CANARY_EMAIL)
    # The honeypot: clipped to a 1-pixel box by its class, out of the tab order.
    box = page.locator("div:has(> #website)").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1
    assert page.locator("#website").get_attribute("tabindex") == "-1"
    page.screenshot(path=str(ARTIFACTS / "feedback-form.png"), full_page=True)
    page.get_by_role("button", name="提交").click()

    # The slip: the code, once, printable; nothing personal on it.
    page.wait_for_url(re.compile(r".*/feedback/slip$"))
    code = page.locator("#lookup-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    slip = page.locator("main").inner_text()
    assert TITLE in slip and "意见建议" in slip and "2026-11-23" in slip
    assert CANARY_NAME not in slip and CANARY_PHONE not in slip and CANARY_EMAIL not in slip
    assert page.get_by_role("button", name="复制查询码").is_visible()
    page.screenshot(path=str(ARTIFACTS / "feedback-slip.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".print-actions").is_visible()  # the print stylesheet hides it
    page.emulate_media(media="screen")
    page.reload()
    assert "查询码只显示一次" in page.locator("main").inner_text()
    assert code not in page.content()

    # The office finds it in the inbox, filters in place, opens it and replies.
    sign_in(page, base, "office")
    page.goto(f"{base}/office/feedback")
    row = page.locator("#feedback-inbox tbody tr").first
    assert TITLE in row.inner_text() and "待处理" in row.inner_text()
    assert "2026-12-14" in row.inner_text()  # 15 working days to answer a named opinion
    page.screenshot(path=str(ARTIFACTS / "feedback-inbox.png"), full_page=True)
    assert page.evaluate("() => { window.__notReloaded = true; return true; }")
    page.get_by_label("类型").select_option(label="举报")
    page.wait_for_url(re.compile(r".*/office/feedback\?kind=report$"))
    page.wait_for_selector("#feedback-inbox >> text=没有符合条件的意见。")
    page.get_by_label("类型").select_option(label="意见建议")
    page.wait_for_url(re.compile(r".*kind=opinion$"))
    assert page.evaluate("() => window.__notReloaded === true")  # swapped, not reloaded
    page.locator("#feedback-inbox tbody tr").first.get_by_role("link", name="意见建议").click()
    page.wait_for_url(re.compile(r".*/office/feedback/\d+$"))
    assert CANARY_NAME in page.locator("#filer").inner_text()
    page.get_by_label("答复内容").fill(REPLY)
    page.get_by_label("答复方式").select_option(label="电话")
    page.get_by_role("button", name="保存答复").click()
    page.wait_for_selector(".flash-success >> text=答复已记录。")
    assert "已答复" in page.locator(".page-head").inner_text()
    page.screenshot(path=str(ARTIFACTS / "feedback-office-detail.png"), full_page=True)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/$"))

    # The public looks the code up (typed in lower case, without dashes) and reads the reply.
    page.goto(f"{base}/feedback/lookup")
    page.get_by_label("查询码").fill(code.replace("-", "").lower())
    page.get_by_role("button", name="查询").click()
    result = page.locator("#lookup-result")
    result.wait_for()
    text = result.inner_text()
    assert "已答复" in text and REPLY in text and TITLE in text and "电话" in text
    assert CANARY_NAME not in page.content() and CANARY_EMAIL not in page.content()
    page.screenshot(path=str(ARTIFACTS / "feedback-lookup.png"), full_page=True)


def test_a_wrong_code_is_answered_in_chinese_on_a_phone(app, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/feedback/lookup")
    page.get_by_label("查询码").fill("ABCD-EFGH-JKMN-PQRS")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("text=未找到与该查询码对应的意见。")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
