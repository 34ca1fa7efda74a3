"""In a real browser: the admin is warned that next year is missing, pastes the notice,
checks what was read and saves it; the warning is gone. Desktop and 390 px wide."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.admin.test_workday_import import NOTICE_2027
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_paste_confirm_saved(live_server, page, users, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(base + "/admin/users")
    warning = page.locator("#calendar-warning")
    assert "尚未收录 2027 年" in warning.inner_text()
    warning.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/admin/workdays/import$"))

    # A wrong year first: answered next to the text, nothing read.
    page.get_by_label("通知所属年份").select_option("2026")
    page.get_by_label("通知正文").fill(NOTICE_2027)
    page.get_by_role("button", name="读取并核对").click()
    assert "粘贴的是 2027 年的通知" in page.locator("#text-error").inner_text()
    assert page.locator("#import-preview").count() == 0

    page.get_by_label("通知所属年份").select_option("2027")
    page.get_by_role("button", name="读取并核对").click()
    preview = page.locator("#import-preview")
    assert "共 34 个日期：放假 29 天，调休上班 5 天" in preview.inner_text()
    assert preview.locator("tbody tr").count() == 34
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "workday-import-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "workday-import-phone.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="确认保存这 34 个日期").click()
    page.wait_for_url(re.compile(r".*/admin/workdays$"))
    assert "已导入 34 个日期" in page.locator(".flashes").inner_text()
    assert page.locator("#calendar-warning").count() == 0
    assert "2027-02-20（星期六）" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "workday-import-saved-phone.png"), full_page=True)
