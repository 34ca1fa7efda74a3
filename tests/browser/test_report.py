"""The office's journey to the summary report (专题报告): from the navigation, a quarter
picked, the figures with a chart drawn on the server, the print view, and the PDF."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.reporting.test_report import seed_fourth_quarter

pytestmark = pytest.mark.browser

TITLE = "关于2026年第四季度党务公开工作情况的报告"


def test_office_picks_a_quarter_prints_and_downloads_the_report(app, live_server, page,
                                                                frozen_clock):
    with app.app_context():
        seed_fourth_quarter()  # leaves the clock on 2027-01-05
    base = live_server.url
    sign_in(page, base, "report-office")

    page.get_by_role("link", name="专题报告").click()
    page.wait_for_url(re.compile(r".*/report$"))
    chooser = page.locator("form", has=page.get_by_label("报告期间"))
    chooser.get_by_label("报告期间").select_option(label="2026年第四季度")
    chooser.get_by_role("button", name="查看").click()
    page.wait_for_url(f"{base}/report?period=2026Q4")
    document = page.locator("#report-document")
    assert TITLE in document.locator("h1").inner_text()
    text = document.inner_text()
    assert "本期首次公开事项 5 项" in text and "按时公开率 40.0%" in text
    assert document.get_by_role("link", name="再公开 2 次").get_attribute("href") == (
        "/ledger/republications?period=2026Q4")
    charts = document.locator("figure.report-chart > svg")
    assert charts.count() == 3
    svg = charts.first.evaluate("node => node.outerHTML")
    assert "组织建设" in svg and "<script" not in svg

    page.get_by_role("link", name="打印版").click()
    page.wait_for_url(f"{base}/report/print?period=2026Q4")
    sheet = page.locator("main.sheet").inner_text()
    assert TITLE in sheet and "（盖章）" in sheet
    page.get_by_role("link", name="← 返回").click()
    page.wait_for_url(f"{base}/report?period=2026Q4")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    assert download.value.suggested_filename == "党务公开工作情况报告-2026Q4.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
