"""分期 work across a year end, in a real browser (issue 14, rule 9): from a published first
stage the office clicks 发布下一阶段 and gets the form filled in; at the end of the work it
marks it ended, is told that a closing summary (总结性公开) is owed and by when, sees it on 我的待办,
and starts the summary from the button. The public item page lists the published stages."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.catalog.models import Cadence
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import make_catalog_entry, make_disclosure, make_user

pytestmark = pytest.mark.browser

FIRST = "校舍维修资金使用情况（第一阶段）"


def test_next_stage_end_of_work_and_the_summary(app, live_server, page, frozen_clock):
    frozen_clock(datetime(2026, 9, 10, 9, 0))
    with app.app_context():
        office = make_user(Role.OFFICE, Role.MEMBER, username="office", display_name="王老师")
        entry = make_catalog_entry(title="重大项目建设进展", cadence=Cadence.STAGED,
                                   responsible=office)
        first = make_disclosure(title=FIRST, cadence=Cadence.STAGED, catalog_entry=entry,
                                author=office, responsible_id=office.id,
                                result_date=date(2026, 9, 8))
        db.session.commit()
        first_id, entry_id = first.id, entry.id
    frozen_clock(datetime(2027, 1, 8, 9, 0))
    base = live_server.url
    sign_in(page, base, "office")

    # 发布下一阶段: the form comes filled in from the first stage
    page.goto(f"{base}/office/items/{first_id}")
    page.locator("#stages").get_by_role("link", name="发布下一阶段").click()
    assert page.get_by_label("属于哪项分期工作（后续阶段填写）").input_value() == str(first_id)
    assert page.get_by_label("公开时限").input_value() == "staged"
    assert page.get_by_label("对应目录条目（可选）").input_value() == str(entry_id)
    page.get_by_label("标题").fill("校舍维修资金使用情况（第二阶段）")
    page.locator(".ql-editor").fill("第二阶段完成教学楼屋面防水，支出 8.6 万元。")
    page.get_by_label("结果产生日期（分期公开）").fill("2027-01-06")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/office/items/\d+$"))
    stages = page.locator("#stages")
    assert FIRST in stages.inner_text() and "（本页）" in stages.inner_text()

    # 本项工作已结束 → the summary is owed within 7 days, on 我的待办 too
    stages.get_by_role("link", name=FIRST).click()
    page.locator("#stages summary").click()
    page.get_by_label("本项工作结束的日期").fill("2027-01-08")
    page.get_by_role("button", name="标记为已结束").click()
    assert "须于 2027-01-15 前发布总结性公开" in page.locator("#work-ended").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staged-work-ended.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "staged-work-ended-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/duties")
    assert "总结性公开" in page.locator("main").inner_text()
    assert FIRST in page.locator("main").inner_text()

    # 发布总结性公开: the summary form, marked as the summary of this work
    page.goto(f"{base}/office/items/{first_id}")
    page.get_by_role("link", name="发布总结性公开").click()
    assert page.get_by_label("总结性公开（本项工作结束后的总结）").is_checked()
    assert page.get_by_label("标题").input_value() == f"{FIRST}（总结）"
    page.get_by_label("结果产生日期（分期公开）").fill("2027-01-08")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/office/items/\d+$"))
    assert "总结性公开" in page.locator("#stages").inner_text()

    # the public sees the published stage only (the drafts are the office's)
    page.goto(f"{base}/items/{first_id}")
    assert page.locator("#stages").count() == 0  # no other published stage yet
    assert "本项工作各阶段" not in page.locator("main").inner_text()
