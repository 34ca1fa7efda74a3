"""The office's journey: 工作台 → 台账, a filter and a tab swapped in by htmx (the address
follows), and an export downloaded as a person would."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.reporting.test_ledger import TODAY, seed_quarters

pytestmark = pytest.mark.browser


def test_office_goes_from_dashboard_to_ledger_and_exports(app, users, live_server, page,
                                                         frozen_clock):
    seed_quarters(app, users, frozen_clock)
    frozen_clock(TODAY)
    base = live_server.url
    sign_in(page, base, "office")

    page.get_by_role("link", name="工作台", exact=True).first.click()
    page.wait_for_url(f"{base}/dashboard")
    assert "发展党员情况" in page.locator("#dash-catalog").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.locator("main").get_by_role("link", name="台账", exact=True).click()
    page.wait_for_url(f"{base}/ledger/items")
    assert "2026年第四季度" in page.locator("#ledger").inner_text()
    assert page.locator("#ledger tbody tr").count() == 5

    page.get_by_label("状态").select_option(label="草稿")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r".*/ledger/items\?period=2026Q4&.*state=draft"))
    assert page.locator("#ledger tbody tr").count() == 2

    page.locator("#ledger nav.tabs").get_by_role("link", name="意见建议").click()
    page.wait_for_url(f"{base}/ledger/feedback?period=2026Q4")
    assert "王金丝雀" in page.locator("#ledger tbody").inner_text()  # the office sees the filer
    page.screenshot(path=str(ARTIFACTS / "ledger-feedback.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（XLSX）").click()
    assert download.value.suggested_filename == "台账-意见建议-2026Q4.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == 1 + 2
