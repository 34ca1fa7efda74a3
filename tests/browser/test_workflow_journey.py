"""The issue's journey in a real browser: the office drafts with an attachment, submits;
a reviewer approves; the office publishes; a member sees it at once; the public only after
the members-first window."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_category
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "关于2026年度优秀党员推荐人选的公示"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"



def _sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_draft_review_publish_and_members_first(app, users, live_server, page, tmp_path, frozen_clock):
    start = datetime(2026, 11, 23, 9, 0)
    frozen_clock(start)
    with app.app_context():
        make_category("选举/发展党员/民主评议/评比表彰")
        db.session.commit()
    base = live_server.url

    # The office drafts the item and attaches the signed list.
    sign_in(page, base, "office")
    page.get_by_role("link", name="事项管理").click()
    page.get_by_role("link", name="新建公开事项").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("经支部委员会研究，拟推荐**王老师**为优秀共产党员。\n\n公示期内如有异议请反映。")
    page.get_by_label("公开内容类别").select_option(label="选举/发展党员/民主评议/评比表彰")
    page.get_by_label("公开范围").select_option(label="社会公开")
    page.get_by_label("公示期（工作日，可选）").fill("5")
    page.get_by_label("党内先行公开（天）").fill("1")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/office/items/\d+$"))
    item_url = page.url
    item_id = int(item_url.rsplit("/", 1)[1])

    upload = tmp_path / "推荐人选名单.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("#attachment-files", str(upload))
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_selector("#attachments >> text=推荐人选名单.pdf")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector(".state-in_review")
    _sign_out(page)

    # A reviewer approves it, ticking every point of the checklist.
    sign_in(page, base, "reviewer")
    page.get_by_role("link", name=re.compile(r"^审核")).click()  # 审核 with its count
    page.get_by_role("link", name=TITLE).click()
    for label in ["内容：真实、准确、完整", "形式：公开方式恰当", "范围：党内公开 / 社会公开 恰当",
                  "时间：符合公开时限", "时长：公示期、保留期恰当", "保密审查：不涉及党内秘密"]:
        page.get_by_label(label).check()
    page.get_by_label("同意公开").check()
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(re.compile(r".*/review$"))
    assert "审核通过" in page.content()
    _sign_out(page)

    # The office publishes it.
    sign_in(page, base, "office")
    page.goto(item_url)
    page.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_selector(".state-published")
    _sign_out(page)

    # A member sees it on the member board at once, with its attachment and review record.
    sign_in(page, base, "member")
    assert TITLE in page.locator("#board-list").inner_text()
    page.get_by_role("link", name=TITLE).click()
    assert "推荐人选名单.pdf" in page.content()
    assert "审核记录" in page.content()
    _sign_out(page)

    # The public does not see it during the members-first window...
    page.goto(base + "/")
    assert TITLE not in page.locator("main").inner_text()
    page.dwgk_expected_errors.append("status of 404")
    assert page.goto(f"{base}/items/{item_id}").status == 404
    # ...and does once the window is over.
    frozen_clock(start + timedelta(days=1, minutes=5))
    page.goto(base + "/")
    assert TITLE in page.locator("#board-list").inner_text()
    page.get_by_role("link", name=TITLE).click()
    assert "公示期" in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workflow-published-item.png"), full_page=True)
