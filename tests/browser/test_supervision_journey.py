"""The issue's supervision journey in a real browser: a supervisor files a note on a
published item; the office sees it on its bell and answers; the supervisor's bell, polled
by htmx, lights up and leads to the answer. The inbox never shows a filer's details."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_disclosure
from tests.supervision import CANARIES, CANARY_EMAIL, CANARY_NAME, CANARY_PHONE
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "2026年第三季度党费收缴使用情况"
NOTE = "公开的支出明细只有合计数，建议按月列出党费的使用去向。"
ANSWER = "感谢监督。已按月补充第三季度党费使用明细，并于公开栏同步张贴。"



def _seed(app):
    """The item, and some feedback for the inbox: a named one long overdue (with canary
    details) and an anonymous one."""
    from dwgk.feedback.models import Channel
    from dwgk.feedback.services import FeedbackInput, file_feedback

    with app.app_context():
        item = make_disclosure(title=TITLE, body="第三季度共收缴党费 12,600 元，支出 9,800 元。")
        file_feedback(FeedbackInput(
            body="党费支出明细没有公开到具体项目。", disclosure_id=item.id, is_named=True,
            filer_name=CANARY_NAME, filer_phone=CANARY_PHONE, filer_email=CANARY_EMAIL,
            channel=Channel.LETTER, received_on=date(2026, 10, 20)))
        file_feedback(FeedbackInput(body="建议公开栏增加夜间照明。"))
        db.session.commit()
        return item.id


def test_supervisor_note_office_answer_and_the_bell(app, users, live_server, page,
                                                    playwright_browser, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    item_id = _seed(app)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # The supervisor's page keeps a fake clock, so that the bell's one-minute poll can be
    # brought forward instead of waited for.
    page.clock.install()
    sign_in(page, base, "supervisor")
    page.goto(f"{base}/supervision")
    assert "逾期未答复" in page.locator("#overdue").inner_text()
    page.goto(f"{base}/supervision/notes/new?item={item_id}")
    assert f"《{TITLE}》" in page.locator("main").inner_text()
    page.get_by_label("内容", exact=True).check()
    page.get_by_label("监督意见", exact=True).fill(NOTE)
    page.get_by_role("button", name="提交监督意见").click()
    page.wait_for_url(re.compile(r".*/supervision/notes/\d+$"))
    note_url = page.url
    assert "待答复" in page.locator("main").inner_text()
    assert page.locator("#notification-bell .bell-count").count() == 0

    # The office: the note on its bell (beside the two new filings), leading to the answer form.
    office_context = playwright_browser.new_context(locale="zh-CN",
                                                    viewport={"width": 1280, "height": 900})
    office = office_context.new_page()
    office.set_default_timeout(10_000)
    office_errors = []
    office.on("pageerror", lambda exc: office_errors.append(str(exc)))
    try:
        sign_in(office, base, "office")
        assert office.locator("#notification-bell .bell-count").inner_text() == "3"
        office.locator("#notification-bell").click()
        office.wait_for_url(re.compile(r".*/notifications$"))
        newest = office.locator("#notification-list li").first
        assert "监督员" in newest.inner_text() and "提出了监督意见" in newest.inner_text()
        newest.get_by_role("button", name="查看").click()
        office.wait_for_url(re.compile(r".*/office/supervision/\d+$"))
        assert NOTE in office.locator("main").inner_text()
        assert office.locator("#notification-bell .bell-count").inner_text() == "2"  # one read
        office.get_by_label("答复内容").fill(ANSWER)
        office.get_by_label("部分采纳").check()
        office.screenshot(path=str(ARTIFACTS / "supervision-office-answer.png"), full_page=True)
        office.get_by_role("button", name="提交答复").click()
        office.wait_for_url(re.compile(r".*/office/supervision$"))
        assert "已答复，监督员会收到通知。" in office.locator("main").inner_text()
    finally:
        office_context.close()
    assert not office_errors, office_errors

    # Back on the supervisor's open page: the next poll swaps in the lit bell (htmx).
    bell_before = page.locator("#notification-bell").element_handle()
    page.clock.fast_forward("01:01")
    page.wait_for_selector("#notification-bell .bell-count")
    assert page.locator("#notification-bell .bell-count").inner_text() == "1"
    assert page.url == note_url  # no reload: only the bell was swapped
    assert bell_before.evaluate("node => !node.isConnected")
    page.locator("#notification-bell").click()
    page.wait_for_url(re.compile(r".*/notifications$"))
    page.get_by_role("button", name="查看").first.click()
    page.wait_for_url(note_url)
    assert ANSWER in page.locator("main").inner_text()

    # The inbox shows the answer, the overdue filing — and none of the filer's details.
    page.goto(f"{base}/supervision")
    main = page.locator("main").inner_text()
    assert ANSWER in main and "党费支出明细没有公开到具体项目。" in main
    content = page.content()
    for canary in CANARIES:
        assert canary not in content
    page.screenshot(path=str(ARTIFACTS / "supervision-inbox.png"), full_page=True)

    # The status filter swaps the list in place (htmx) and keeps the address bar in step.
    page.get_by_label("状态").select_option("new")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r".*/supervision\?status=new.*"))
    assert "党费支出明细没有公开到具体项目。" in page.locator("#supervision-feedback").inner_text()
