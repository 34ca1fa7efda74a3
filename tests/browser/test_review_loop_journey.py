"""Issue 13's journey in a real browser, on a branch with one reviewer (the secretary):
the office submits; the secretary returns it with a reason; the office sees why, fixes
it and submits again; the same secretary approves the new round; the office publishes;
the item is on the public board. Each step is announced by the bell."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import make_category, make_disclosure, make_user

pytestmark = pytest.mark.browser

TITLE = "2026年第四季度党费收缴情况"
CHECKS = ["内容：真实、准确、完整", "形式：公开方式恰当", "范围：党内公开 / 社会公开 恰当",
          "时间：符合公开时限", "时长：公示期、保留期恰当", "保密审查：不涉及党内秘密"]


def _sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/$"))


def _bell(page) -> str:
    return page.locator("#notification-bell").get_attribute("aria-label")


def test_one_reviewer_branch_return_fix_approve_publish(app, live_server, page, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with app.app_context():
        office = make_user(Role.OFFICE, Role.MEMBER, username="office", display_name="王老师")
        make_user(Role.REVIEWER, Role.MEMBER, username="secretary", display_name="李书记")
        item = make_disclosure(State.DRAFT, title=TITLE, body="本季度应缴党费 2,316 元。",
                               category=make_category("党费"), author=office,
                               members_first_days=0)
        db.session.commit()
        item_id = item.id
    base = live_server.url

    # The office submits; it lands on 我的待办 after login.
    sign_in(page, base, "office")
    assert page.url.endswith("/duties")
    page.goto(f"{base}/office/items/{item_id}")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector(".state-in_review")
    _sign_out(page)

    # The secretary is told, sees 审核 with its count, and returns it with a reason.
    sign_in(page, base, "secretary")
    assert page.url.endswith("/duties")
    assert _bell(page) == "通知：1 条未读"
    assert page.locator("#review-waiting").inner_text() == "1"
    page.locator("#work-my_review").get_by_role("link", name=TITLE).click()
    page.get_by_label("退回修改").check()
    page.get_by_label("意见或退回理由").fill("请补充党费使用明细")
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(re.compile(r".*/review$"))
    assert page.locator("#review-waiting").count() == 0
    _sign_out(page)

    # The office is told why; the draft says so; it fixes the text and submits again.
    sign_in(page, base, "office")
    assert _bell(page) == "通知：1 条未读"
    returned = page.locator("#work-returned")
    assert "请补充党费使用明细" in returned.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "review-loop-duties-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "review-loop-duties.png"), full_page=True)
    returned.get_by_role("link", name=TITLE).click()
    assert "请补充党费使用明细" in page.locator("#returned-note").inner_text()
    page.get_by_role("link", name="编辑").click()
    page.locator(".ql-editor").fill("本季度应缴党费 2,316 元，上缴上级党委 2,316 元。")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(rf".*/office/items/{item_id}$"))
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector(".state-in_review")
    _sign_out(page)

    # The same secretary decides the new round, and approves.
    sign_in(page, base, "secretary")
    page.get_by_role("link", name=re.compile(r"^审核")).click()
    page.get_by_role("link", name=TITLE).click()
    assert "第 2 轮" in page.locator("#review-form").inner_text()
    for label in CHECKS:
        page.get_by_label(label).check()
    page.get_by_label("同意公开").check()
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(re.compile(r".*/review$"))
    assert "审核通过" in page.content()
    _sign_out(page)

    # The office is told it is approved, and publishes.
    sign_in(page, base, "office")
    approved = page.locator("#work-approved")
    assert TITLE in approved.inner_text()
    approved.get_by_role("link", name=TITLE).click()
    record = page.locator(".review-record").inner_text()
    assert "第 2 轮" in record and "第 1 轮" in record and "请补充党费使用明细" in record
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-loop-approved.png"), full_page=True)
    page.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_selector(".state-published")
    _sign_out(page)

    # On the public board at once (members-first 0 days, with its reason): the approval is
    # shown; the return and its reason are not.
    page.goto(base + "/")
    assert TITLE in page.locator("#board-list").inner_text()
    page.get_by_role("link", name=TITLE).click()
    assert "李书记" in page.locator(".review-record").inner_text()
    assert "请补充党费使用明细" not in page.content()
