"""The office keeps the catalog: categories and entries, validation, version conflicts, audit."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_category
from tests.support import field_errors, text_of


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


@pytest.fixture
def category_id(app, users):
    with app.app_context():
        category = make_category("组织建设", position=3)
        db.session.commit()
        return category.id


def entry_form(category, users, **overrides):
    data = {"category_id": str(category), "title": "党费收缴、使用和管理情况",
            "content": "党费收缴和使用明细。", "scope": "members", "cadence": "periodic",
            "period_months": "3", "responsible_id": str(users["office"]),
            "basis": "《关于中国共产党党费收缴、使用和管理的规定》", "position": "1", "active": "y"}
    data.update(overrides)
    return data


# --- access ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/catalog/manage", "/catalog/categories/new", "/catalog/entries/new"])
def test_only_the_office_keeps_the_catalog(login_as, url):
    assert login_as("office").get(url).status_code == 200
    for role in ("member", "reviewer", "supervisor", "admin", "nobody"):
        assert login_as(role).get(url).status_code == 403, role
    response = login_as("anonymous").get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_posts_are_refused_to_others(login_as, users, category_id, app):
    assert login_as("member").form_post("/catalog/categories/new", {"name": "x"}).status_code == 403
    assert login_as("reviewer").form_post(
        "/catalog/entries/new", entry_form(category_id, users)).status_code == 403
    assert _count(app, CatalogEntry) == 0


def test_unknown_ids_are_404(login_as, users):
    office = login_as("office")
    assert office.get("/catalog/categories/999").status_code == 404
    assert office.get("/catalog/entries/999").status_code == 404
    assert office.form_post("/catalog/entries/999", {"title": "x"}).status_code == 404


def test_manage_page_lists_active_and_inactive(app, login_as, category_id):
    with app.app_context():
        category = db.session.get(Category, category_id)
        make_catalog_entry(category, title="在用条目")
        old = make_catalog_entry(category, title="停用条目")
        old.active = False
        db.session.commit()
    html = text_of(login_as("office").get("/catalog/manage"))
    assert "组织建设" in html and "在用条目" in html and "停用条目" in html and "已停用" in html
    assert f"/catalog/categories/{category_id}" in html


# --- categories -----------------------------------------------------------------------------

def test_create_and_edit_a_category(app, login_as, users):
    office = login_as("office")
    response = office.form_post("/catalog/categories/new", {
        "name": " 作风建设 ", "description": "八项规定", "position": "4", "active": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/manage"
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.name == "作风建设"))
        assert (category.description, category.position, category.active) == ("八项规定", 4, True)
        category_id = category.id
    [created] = _events(app, "catalog.category_create")
    assert created.actor_id == users["office"] and created.object_type == "category"
    assert created.object_id == str(category_id) and "作风建设" in created.summary

    form = office.get(f"/catalog/categories/{category_id}")
    assert 'value="作风建设"' in text_of(form)
    response = office.form_post(f"/catalog/categories/{category_id}", {
        "name": "作风建设", "description": "八项规定精神", "position": "5"})  # active unticked
    assert response.status_code == 302
    with app.app_context():
        category = db.session.get(Category, category_id)
        assert (category.description, category.position, category.active) == ("八项规定精神", 5, False)
    [updated] = _events(app, "catalog.category_update")
    assert "排序：4 → 5" in updated.summary and "启用 → 停用" in updated.summary


@pytest.mark.parametrize("data, message", [
    ({"name": "", "position": "0"}, "请填写类别名称。"),
    ({"name": "组织建设", "position": "0"}, "已有名为“组织建设”的类别"),
    ({"name": "x" * 61, "position": "0"}, "类别名称不能超过 60 个字。"),
    ({"name": "新类别", "position": "abc"}, "排序须为 0 至 9999 的整数。"),
    ({"name": "新类别", "position": "-1"}, "排序须为 0 至 9999 的整数。"),
    ({"name": "新类别", "position": ""}, "请填写排序"),
])
def test_category_validation(app, login_as, category_id, data, message):
    response = login_as("office").form_post("/catalog/categories/new", data)
    assert response.status_code == 422
    errors = field_errors(response)
    assert any(message in error for error in errors), errors
    assert all(error.count(message) <= 1 for error in errors)
    assert _count(app, Category) == 1
    assert _events(app, "catalog.category_create") == []


def test_renaming_a_category_to_a_taken_name_changes_nothing(app, login_as, category_id):
    with app.app_context():
        other = make_category("思想建设")
        db.session.commit()
        other_id = other.id
    response = login_as("office").form_post(f"/catalog/categories/{other_id}", {
        "name": "组织建设", "description": "改了说明", "position": "9", "active": "y"})
    assert response.status_code == 422
    assert "不能重复" in " ".join(field_errors(response))
    with app.app_context():
        other = db.session.get(Category, other_id)
        assert (other.name, other.description, other.position) == ("思想建设", "", 0)


# --- entries --------------------------------------------------------------------------------

def test_create_an_entry(app, login_as, users, category_id):
    office = login_as("office")
    form = text_of(office.get(f"/catalog/entries/new?category_id={category_id}"))
    assert f'<option selected value="{category_id}">' in form or f'value="{category_id}" selected' in form
    response = office.form_post("/catalog/entries/new", entry_form(category_id, users))
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry))
        assert entry.title == "党费收缴、使用和管理情况"
        assert (entry.scope, entry.cadence, entry.period_months) == (Scope.MEMBERS, Cadence.PERIODIC, 3)
        assert entry.responsible_id == users["office"] and entry.position == 1 and entry.active
        assert entry.version_id == 1
        entry_id = entry.id
    [created] = _events(app, "catalog.entry_create")
    assert created.object_type == "catalog_entry" and created.object_id == str(entry_id)
    assert "组织建设 · 党费收缴、使用和管理情况" in created.summary and "每季度" in created.summary
    # and it is in the catalog, for members
    assert "党费收缴、使用和管理情况" in text_of(login_as("member").get("/catalog"))


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": ""}, "title", "请填写公开事项名称。"),
    ({"title": "长" * 201}, "title", "不能超过 200 个字"),
    ({"category_id": ""}, "category_id", "请选择公开内容类别。"),
    ({"category_id": "999"}, "category_id", "请选择有效的公开内容类别。"),
    ({"category_id": "abc"}, "category_id", "请选择有效的公开内容类别。"),
    ({"period_months": ""}, "period_months", "定期公开的条目须选择公开周期"),
    ({"period_months": "2"}, "period_months", "公开周期只能是每月、每季度、每半年或每年。"),
    ({"cadence": "immediate"}, "period_months", "只有定期公开的条目才有公开周期"),
    ({"cadence": "weekly"}, "cadence", "请选择公开时限。"),
    ({"scope": "everyone"}, "scope", "请选择公开范围。"),
    ({"position": "10000"}, "position", "排序须为 0 至 9999 的整数。"),
    ({"responsible_id": "MEMBER"}, "responsible_id", "请选择有效的责任人。"),
])
def test_entry_validation(app, login_as, users, category_id, overrides, field, message):
    if overrides.get("responsible_id") == "MEMBER":
        overrides = {"responsible_id": str(users["member"])}  # not an office user
    response = login_as("office").form_post("/catalog/entries/new",
                                            entry_form(category_id, users, **overrides))
    assert response.status_code == 422
    html = text_of(response)
    assert any(message in error for error in field_errors(response)), field_errors(response)
    assert f'id="{field}-error"' in html  # next to its field
    assert _count(app, CatalogEntry) == 0
    assert _events(app, "catalog.entry_create") == []


def test_non_periodic_entry_without_period(app, login_as, users, category_id):
    response = login_as("office").form_post("/catalog/entries/new", entry_form(
        category_id, users, cadence="staged", period_months="", responsible_id="", scope="public"))
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry))
        assert (entry.cadence, entry.period_months, entry.responsible_id) == (Cadence.STAGED, None, None)


def test_duplicate_title_in_a_category_is_refused(app, login_as, users, category_id):
    office = login_as("office")
    assert office.form_post("/catalog/entries/new", entry_form(category_id, users)).status_code == 302
    response = office.form_post("/catalog/entries/new", entry_form(category_id, users))
    assert response.status_code == 422
    assert "已有名为“党费收缴、使用和管理情况”的条目" in " ".join(field_errors(response))
    assert _count(app, CatalogEntry) == 1


@pytest.fixture
def entry_id(app, users, category_id):
    with app.app_context():
        entry = make_catalog_entry(db.session.get(Category, category_id), title="三会一课开展情况",
                                   scope=Scope.MEMBERS, period_months=3)
        db.session.commit()
        return entry.id


def _edit_data(category_id, users, version, **overrides):
    return entry_form(category_id, users, title="三会一课开展情况", version_id=str(version), **overrides)


def test_edit_an_entry(app, login_as, users, category_id, entry_id):
    office = login_as("office")
    html = text_of(office.get(f"/catalog/entries/{entry_id}"))
    assert re.search(r'<input[^>]*name="version_id"[^>]*value="1"', html)
    response = office.form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, 1, cadence="periodic", period_months="6", scope="public"))
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.get(CatalogEntry, entry_id)
        assert (entry.period_months, entry.scope, entry.version_id) == (6, Scope.PUBLIC, 2)
    [updated] = _events(app, "catalog.entry_update")
    assert updated.object_id == str(entry_id) and updated.actor_id == users["office"]
    assert "公开周期：每季度 → 每半年" in updated.summary and "公开范围：党内公开 → 社会公开" in updated.summary


def test_a_stale_version_is_refused_and_nothing_is_overwritten(app, login_as, users, category_id,
                                                              entry_id):
    first, second = login_as("office"), login_as("office")
    # Both open the form at version 1; the first saves.
    assert first.form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, 1, basis="第一人的修改")).status_code == 302
    response = second.form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, 1, basis="第二人的修改", position="7"))
    assert response.status_code == 409
    assert "已被他人修改" in " ".join(field_errors(response))
    with app.app_context():
        entry = db.session.get(CatalogEntry, entry_id)
        assert (entry.basis, entry.position, entry.version_id) == ("第一人的修改", 1, 2)
    assert len(_events(app, "catalog.entry_update")) == 1


def test_a_missing_version_is_refused(app, login_as, users, category_id, entry_id):
    data = _edit_data(category_id, users, 1, basis="没有版本号")
    del data["version_id"]
    response = login_as("office").form_post(f"/catalog/entries/{entry_id}", data)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(CatalogEntry, entry_id).basis == ""


def test_a_save_racing_between_check_and_write_is_refused(app, login_as, users, category_id,
                                                          entry_id, monkeypatch):
    """Another request commits after this one checked the version: StaleDataError at flush."""
    from dwgk.catalog import services

    original = services.update_entry

    def racing(entry, data, **kwargs):
        db.session.execute(text("UPDATE catalog_entry SET version_id = version_id + 1, "
                                "basis = '别人的修改' WHERE id = :id"), {"id": entry.id})
        return original(entry, data, **kwargs)

    monkeypatch.setattr(services, "update_entry", racing)
    response = login_as("office").form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, 1, basis="我的修改"))
    assert response.status_code == 409
    assert "已被他人修改" in " ".join(field_errors(response))
    assert _events(app, "catalog.entry_update") == []


def test_invalid_edit_changes_nothing(app, login_as, users, category_id, entry_id):
    response = login_as("office").form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, 1, cadence="standing", period_months="3", basis="不应保存"))
    assert response.status_code == 422
    with app.app_context():
        entry = db.session.get(CatalogEntry, entry_id)
        assert (entry.cadence, entry.basis, entry.version_id) == (Cadence.PERIODIC, "", 1)


def test_deactivated_entry_leaves_the_catalog_but_stays_in_upkeep(app, login_as, users,
                                                                  category_id, entry_id):
    office = login_as("office")
    data = _edit_data(category_id, users, 1)
    del data["active"]
    assert office.form_post(f"/catalog/entries/{entry_id}", data).status_code == 302
    assert "三会一课开展情况" not in text_of(login_as("member").get("/catalog"))
    assert "三会一课开展情况" in text_of(office.get("/catalog/manage"))
    [updated] = _events(app, "catalog.entry_update")
    assert "启用 → 停用" in updated.summary


def test_an_entry_keeps_its_deactivated_category_and_departed_responsible(app, login_as, users,
                                                                          category_id, entry_id):
    """Editing other fields of an old entry must not force choosing a new category or person."""
    from dwgk.accounts.models import User

    with app.app_context():
        db.session.get(Category, category_id).active = False
        db.session.get(CatalogEntry, entry_id).responsible_id = users["office"]
        db.session.get(User, users["office"]).active = False
        db.session.commit()
    # a second office user does the edit
    from tests.factories import DEFAULT_PASSWORD, make_user
    from dwgk.accounts.models import Role

    with app.app_context():
        make_user(Role.OFFICE, username="office2")
        db.session.commit()
    client = app.test_client()
    assert client.login("office2", DEFAULT_PASSWORD).status_code == 302
    with app.app_context():
        version = db.session.get(CatalogEntry, entry_id).version_id
    response = client.form_post(f"/catalog/entries/{entry_id}", _edit_data(
        category_id, users, version, basis="仍属原类别"))
    assert response.status_code == 302, field_errors(response)
    # but a new entry cannot be filed under the deactivated category
    response = client.form_post("/catalog/entries/new", entry_form(
        category_id, users, title="新条目", responsible_id=""))
    assert response.status_code == 422
