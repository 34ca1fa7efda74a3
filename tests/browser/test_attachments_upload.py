"""In a real browser: upload with htmx (the fragment is swapped in place), refusals shown next
to the list, delete with a confirmation; and the same form without JavaScript."""
from __future__ import annotations

import re

import pytest

from dwgk.accounts.models import Role
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.attachments import PDF, PNG, exe_bytes
from tests.factories import DEFAULT_PASSWORD, make_disclosure, make_user

pytestmark = pytest.mark.browser



@pytest.fixture
def draft_id(app):
    with app.app_context():
        make_user(Role.OFFICE, Role.MEMBER, username="office", display_name="办公室小王")
        disclosure = make_disclosure(State.DRAFT, title="第三季度党费收缴情况")
        db.session.commit()
        return disclosure.id


def _login(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/(members|duties)?$"))


def test_htmx_upload_refusal_and_delete(app, live_server, page, draft_id):
    _login(page, live_server)
    page.goto(f"{live_server.url}/office/items/{draft_id}")
    page.evaluate("window.dwgkMarker = 'still the same page'")
    section = page.locator("#attachments")
    assert "无附件" in section.inner_text()

    page.locator("#attachment-files").set_input_files([
        {"name": "党费收缴情况.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "工具.exe", "mimeType": "application/pdf", "buffer": exe_bytes()},
    ])
    page.get_by_role("button", name="上传", exact=True).click()
    section.get_by_text("已上传 2 个附件").wait_for()
    text = section.inner_text()
    assert "党费收缴情况.pdf" in text and "现场照片.png" in text
    assert "“工具.exe”未上传" in text and "只能上传 PDF、图片" in text
    assert page.evaluate("window.dwgkMarker") == "still the same page"  # swapped, not reloaded
    assert page.locator("#attachments").count() == 1  # outerHTML: no nesting

    # The download link serves the file under its Chinese name.
    href = section.get_by_role("link", name="党费收缴情况.pdf").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200 and response.body() == PDF
    assert "filename*=UTF-8''%E5%85%9A%E8%B4%B9" in response.headers["content-disposition"]

    # Only refusals: answered 422, which htmx is configured to swap.
    page.locator("#attachment-files").set_input_files([
        {"name": "通知.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"}])
    page.get_by_role("button", name="上传", exact=True).click()
    section.get_by_text("“通知.pdf”未上传").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="删除附件 现场照片.png").click()
    section.get_by_text("已删除附件“现场照片.png”").wait_for()
    assert "现场照片.png" not in section.locator("ul").inner_text()
    assert page.evaluate("window.dwgkMarker") == "still the same page"


def test_upload_without_javascript(app, live_server, playwright_browser, draft_id):
    context = playwright_browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _login(page, live_server)
        page.goto(f"{live_server.url}/office/items/{draft_id}")
        page.locator("#attachment-files").set_input_files([
            {"name": "党费收缴情况.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        page.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_url(re.compile(rf".*/office/items/{draft_id}(#attachments)?$"))
        assert "已上传 1 个附件：党费收缴情况.pdf" in page.locator(".flashes").inner_text()
        assert "党费收缴情况.pdf" in page.locator("#attachments ul").inner_text()
        page.get_by_role("button", name="删除附件 党费收缴情况.pdf").click()
        page.wait_for_url(re.compile(rf".*/office/items/{draft_id}(#attachments)?$"))
        assert "已删除附件“党费收缴情况.pdf”" in page.locator(".flashes").inner_text()
        assert "无附件" in page.locator("#attachments").inner_text()
    finally:
        context.close()
