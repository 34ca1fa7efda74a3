"""In a real browser: the office pastes a table copied from Excel into the body editor,
inserts a photo (uploaded as the item's attachment, shown inline), and the public board
shows both, as the editor showed them."""
from __future__ import annotations

import base64
import re

import pytest

from dwgk.accounts.models import User
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, Disclosure
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

# A 2×2 red PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8AARAwM"
                       "DAwMADTMAv6VZ0cEAAAAAElFTkSuQmCC")
# What Excel puts on the clipboard, trimmed: a table with Office styles and classes.
EXCEL = ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>.xl65{color:red}'
         '</style></head><body><!--StartFragment--><table border=0 style="border-collapse:collapse">'
         '<tr><td class=xl65 style="width:54pt">姓名</td><td class=xl65>金额</td></tr>'
         '<tr><td>张三</td><td>100 元</td></tr><tr><td>李四</td><td>80 元</td></tr>'
         '</table><!--EndFragment--></body></html>')


def _paste_html(page, html: str) -> None:
    page.locator(".ql-editor").click()
    page.evaluate("""(html) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        data.setData('text/plain', '姓名\\t金额');
        const editor = document.querySelector('.ql-editor');
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                          cancelable: true}));
    }""", html)


def test_paste_a_table_and_insert_a_photo_then_see_them_on_the_public_board(
        live_server, page, people, app, tmp_path):
    # Chromium refuses the style="…" attributes of the pasted Office HTML under the CSP
    # (style-src 'self') and says so in the console: that is the policy working.
    page.dwgk_expected_errors.append("Applying inline style violates")
    sign_in(page, live_server.url, "office")
    page.goto(live_server.url + "/office/items/new")
    assert page.locator("textarea#body_source").is_hidden()
    assert page.get_by_role("button", name="加粗").is_visible()
    assert page.get_by_role("button", name="撤销").is_visible()
    page.get_by_label("标题", exact=True).fill("第三季度党费收缴情况")
    page.get_by_label("公开内容类别").select_option(label="组织建设")
    page.locator(".ql-editor").click()
    page.keyboard.type("本季度党费已收齐，明细如下：")
    page.keyboard.press("Enter")
    _paste_html(page, EXCEL)
    page.wait_for_function("() => document.querySelectorAll('.ql-editor td').length === 6")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor-table.png"), full_page=True)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r".*/items/\d+$"))
    item_id = int(page.url.rsplit("/", 1)[1])

    # Back in the editor: a photo, uploaded as the item's attachment and shown inline.
    page.goto(live_server.url + f"/office/items/{item_id}/edit")
    page.wait_for_function("() => document.querySelectorAll('.ql-editor td').length === 6")
    photo = tmp_path / "合影.png"
    photo.write_bytes(PNG)
    page.locator(".ql-editor p").first.click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="插入图片").click()
    chooser.value.set_files(str(photo))
    page.wait_for_function("() => document.querySelector('.ql-editor img') !== null")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(rf".*/items/{item_id}$"))

    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        html = item.working_revision.body_html
        assert "<table>" in html and "style" not in html and "class" not in html
        assert re.search(r'<img src="/attachments/\d+/', html), html
        office, reviewer = db.session.get(User, people["office"]), db.session.get(User, people["reviewer"])
        item.working_revision.members_first_days = 0  # public at once, for the visitor below
        item.working_revision.members_first_reason = "测试"
        services.submit(item, actor=office)
        services.review(item, services.ReviewInput(
            Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
            check_timing=True, check_duration=True, check_secrecy=True), reviewer=reviewer)
        services.publish(item, actor=office)
        db.session.commit()

    public = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    visitor = public.new_page()
    visitor.goto(live_server.url + f"/items/{item_id}")
    body = visitor.locator(".item-body")
    assert body.locator("td").all_inner_texts() == ["姓名", "金额", "张三", "100 元", "李四", "80 元"]
    image = body.locator("img")
    image.wait_for()
    assert visitor.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 2
    visitor.screenshot(path=str(ARTIFACTS / "board-item-with-table-and-photo-390.png"), full_page=True)
    public.close()
