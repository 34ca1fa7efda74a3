"""In a real browser: first login, forced password change, the navigation of each role,
and the audit log's htmx filter."""
from __future__ import annotations

import re

import pytest

from dwgk.accounts.models import Role
from dwgk.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def _nav(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.main-nav a").all_inner_texts()]


def test_first_login_forces_password_change_then_shows_the_roles_navigation(app, live_server, page):
    with app.app_context():
        make_user(Role.OFFICE, Role.MEMBER, username="wangxiu", display_name="王秀",
                  must_change_password=True)
        db.session.commit()

    page.goto(live_server.url + "/members")
    assert page.url.startswith(live_server.url + "/login")
    page.get_by_label("用户名").fill("wangxiu")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(re.compile(r".*/account/password$"))
    assert "请先设置自己的新密码" in page.content()
    page.goto(live_server.url + "/members")  # no way around it
    assert page.url.endswith("/account/password")

    page.get_by_label("当前密码").fill(DEFAULT_PASSWORD)
    page.get_by_label("新密码", exact=True).fill("short")
    page.get_by_label("再次输入新密码").fill("short")
    page.get_by_role("button", name="保存新密码").click()
    assert page.locator("#new_password-error").inner_text() == "密码至少需要 10 个字符。"

    page.get_by_label("当前密码").fill(DEFAULT_PASSWORD)
    page.get_by_label("新密码", exact=True).fill("my-own-secret-2026")
    page.get_by_label("再次输入新密码").fill("my-own-secret-2026")
    page.get_by_role("button", name="保存新密码").click()

    page.wait_for_url(re.compile(r".*/duties$"))  # the office lands where its work is
    assert "密码已修改。" in page.content()
    assert _nav(page) == ["社会公开栏", "党内公开栏", "公开目录", "意见建议", "事项管理", "意见办理",
                         "监督意见答复", "我的待办", "工作台", "台账", "专题报告"]
    assert page.locator(".who").inner_text() == "王秀"

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(live_server.url + "/")
    assert _nav(page) == ["社会公开栏", "公开目录", "意见建议"]
    page.goto(live_server.url + "/members")
    assert page.url.startswith(live_server.url + "/login")


def test_admin_sees_admin_navigation_and_filters_the_audit_log_with_htmx(app, users, live_server, page):
    page.goto(live_server.url + "/login")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/members$"))
    assert _nav(page) == ["社会公开栏", "党内公开栏", "公开目录", "意见建议", "用户管理", "操作记录",
                         "节假日调整", "单位设置", "公开栏屏幕", "后台任务"]

    page.get_by_role("link", name="操作记录").click()
    page.wait_for_url(re.compile(r".*/admin/audit$"))
    marker = page.evaluate("() => { window.__notReloaded = true; return true; }")
    assert marker
    page.get_by_label("操作", exact=True).select_option("login.success")
    page.wait_for_url(re.compile(r".*action=login\.success.*"))
    page.wait_for_function("() => document.querySelectorAll('#audit-table tbody tr').length === 1")
    # The table was swapped by htmx: the page itself was not reloaded.
    assert page.evaluate("() => window.__notReloaded") is True
    assert "登录成功" in page.locator("#audit-table tbody").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(ARTIFACTS / "audit-1080p.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/admin/users")
    page.screenshot(path=str(ARTIFACTS / "users-phone.png"), full_page=True)
    # Readable on a phone: nothing wider than the screen but the scrollable table.
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 390
