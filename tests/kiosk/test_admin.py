"""The admin's screen settings: /admin/kiosk, new and edit; Chinese errors next to the fields,
422, nothing half-saved, audited; a concurrent edit is refused, not overwritten."""
from __future__ import annotations

import re

import pytest

from dwgk.core.audit import AuditEvent
from dwgk.extensions import db
from dwgk.kiosk.models import KioskScreen, Orientation
from tests.factories import make_category
from tests.kiosk import make_screen
from tests.support import field_errors, text_of

VALID = {"name": "教学楼大厅", "slug": "hall", "rotation_seconds": "20", "orientation": "portrait",
         "notice_line": "  本周五下午召开支部党员大会  ", "active": "y"}


def _screens(app):
    with app.app_context():
        return {s.slug: {"name": s.name, "orientation": s.orientation, "rotation": s.rotation_seconds,
                         "notice": s.notice_line, "active": s.active,
                         "categories": [c.name for c in s.categories]}
                for s in db.session.scalars(db.select(KioskScreen))}


def _events(app, action):
    with app.app_context():
        return [e.summary for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("member", 403), ("office", 403),
                                         ("reviewer", 403), ("supervisor", 403), ("admin", 200)])
def test_only_the_admin_configures_screens(app, login_as, who, status):
    with app.app_context():
        screen_id = make_screen("hall").id
        db.session.commit()
    client = login_as(who)
    for url in ("/admin/kiosk", "/admin/kiosk/new", f"/admin/kiosk/{screen_id}"):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response.headers["Location"].startswith("/login")
    if who != "admin":
        assert client.form_post("/admin/kiosk/new", VALID).status_code == status
        assert _screens(app).keys() == {"hall"}


def test_the_list_links_to_each_screen(app, login_as):
    with app.app_context():
        make_screen("hall", name="教学楼大厅", categories=[make_category("组织建设")])
        make_screen("gate", name="校门口", orientation=Orientation.PORTRAIT, active=False)
        db.session.commit()
    html = text_of(login_as("admin").get("/admin/kiosk"))
    assert 'href="/kiosk/hall"' in html and "/kiosk/gate\"" not in html  # inactive: nothing to open
    assert "组织建设" in html and "全部类别" in html
    assert "竖屏 1080×1920" in html and "已停用" in html


def test_the_admin_creates_a_screen(app, login_as):
    with app.app_context():
        party = make_category("组织建设", position=1)
        make_category("学校工作", position=2)
        db.session.commit()
        party_id = party.id
    admin = login_as("admin")
    form = text_of(admin.get("/admin/kiosk/new"))
    assert "组织建设" in form and "学校工作" in form and 'type="checkbox"' in form
    response = admin.form_post("/admin/kiosk/new", {**VALID, "categories": [str(party_id)]})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/kiosk"
    assert _screens(app) == {"hall": {"name": "教学楼大厅", "orientation": Orientation.PORTRAIT,
                                      "rotation": 20, "notice": "本周五下午召开支部党员大会",
                                      "active": True, "categories": ["组织建设"]}}
    [summary] = _events(app, "kiosk.screen_create")
    assert "/kiosk/hall" in summary and "组织建设" in summary
    assert login_as("anonymous").get("/kiosk/hall").status_code == 200


@pytest.mark.parametrize("changes, field, message", [
    ({"slug": "Hall"}, "slug", "小写字母、数字或连字符"),
    ({"slug": "大厅"}, "slug", "小写字母、数字或连字符"),
    ({"slug": "a/b"}, "slug", "小写字母、数字或连字符"),
    ({"slug": "x" * 41}, "slug", "小写字母、数字或连字符"),
    ({"slug": ""}, "slug", "请填写地址标识"),
    ({"name": ""}, "name", "请填写屏幕名称"),
    ({"name": "名" * 61}, "name", "不能超过 60 个字"),
    ({"rotation_seconds": "4"}, "rotation_seconds", "5 至 600 秒"),
    ({"rotation_seconds": "601"}, "rotation_seconds", "5 至 600 秒"),
    ({"rotation_seconds": "abc"}, "rotation_seconds", "5 至 600 秒"),
    ({"rotation_seconds": ""}, "rotation_seconds", "5 至 600 秒"),
    ({"orientation": "sideways"}, "orientation", "请选择屏幕方向"),
    ({"notice_line": "通" * 201}, "notice_line", "不能超过 200 个字"),
    ({"categories": ["999999"]}, "categories", "请选择有效的公开内容类别"),
    ({"categories": ["abc"]}, "categories", "请选择有效的公开内容类别"),
])
def test_invalid_input_is_refused_next_to_the_field(app, login_as, changes, field, message):
    response = login_as("admin").form_post("/admin/kiosk/new", {**VALID, **changes})
    assert response.status_code == 422
    errors = field_errors(response)
    assert len(errors) == 1 and message in errors[0], errors
    assert re.search(rf'id="{field}[^"]*-error"|<fieldset class="field has-error">', text_of(response))
    assert _screens(app) == {}
    assert _events(app, "kiosk.screen_create") == []


def test_a_slug_in_use_is_refused(app, login_as):
    with app.app_context():
        make_screen("hall")
        db.session.commit()
    response = login_as("admin").form_post("/admin/kiosk/new", VALID)
    assert response.status_code == 422
    assert field_errors(response) == ["地址标识“hall”已被其他屏幕使用。"]


def test_the_admin_edits_a_screen(app, login_as):
    with app.app_context():
        party = make_category("组织建设")
        screen = make_screen("hall", categories=[party])
        db.session.commit()
        screen_id = screen.id
    admin = login_as("admin")
    html = text_of(admin.get(f"/admin/kiosk/{screen_id}"))
    assert 'value="hall"' in html and "checked" in html
    stamp = re.search(r'name="updated_at" type="hidden" value="([^"]+)"', html).group(1)
    response = admin.form_post(f"/admin/kiosk/{screen_id}", {
        **VALID, "slug": "hall-2", "updated_at": stamp, "active": ""})  # no categories: all
    assert response.status_code == 302
    assert _screens(app)["hall-2"]["categories"] == [] and not _screens(app)["hall-2"]["active"]
    [summary] = _events(app, "kiosk.screen_update")
    assert "地址标识：hall → hall-2" in summary and "类别：组织建设 → 全部" in summary
    assert "状态：启用 → 停用" in summary
    # Saving the same values again changes nothing and records nothing.
    html = text_of(admin.get(f"/admin/kiosk/{screen_id}"))
    stamp = re.search(r'name="updated_at" type="hidden" value="([^"]+)"', html).group(1)
    response = admin.form_post(f"/admin/kiosk/{screen_id}", {**VALID, "slug": "hall-2",
                                                             "updated_at": stamp, "active": ""})
    assert response.status_code == 302
    assert len(_events(app, "kiosk.screen_update")) == 1


def test_a_concurrent_edit_is_refused_not_overwritten(app, login_as, frozen_clock):
    from datetime import datetime

    frozen_clock(datetime(2026, 5, 6, 10, 0))
    with app.app_context():
        screen_id = make_screen("hall", name="大厅").id
        db.session.commit()
    first, second = login_as("admin"), login_as("admin")
    stamps = [re.search(r'name="updated_at" type="hidden" value="([^"]+)"',
                        text_of(c.get(f"/admin/kiosk/{screen_id}"))).group(1) for c in (first, second)]
    frozen_clock(datetime(2026, 5, 6, 10, 1))
    assert first.form_post(f"/admin/kiosk/{screen_id}", {
        **VALID, "name": "第一位管理员的名称", "updated_at": stamps[0]}).status_code == 302
    frozen_clock(datetime(2026, 5, 6, 10, 2))
    response = second.form_post(f"/admin/kiosk/{screen_id}", {
        **VALID, "name": "第二位管理员的名称", "updated_at": stamps[1]})
    assert response.status_code == 409
    assert "已被他人修改" in text_of(response)
    assert 'value="第一位管理员的名称"' in text_of(response)  # the form shows the saved version
    assert _screens(app)["hall"]["name"] == "第一位管理员的名称"


def test_unknown_screen_is_404_for_the_admin(login_as, users):
    assert login_as("admin").get("/admin/kiosk/999999").status_code == 404
