"""`flask --app app catalog load-template school|bureau` and load_template()."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dwgk.accounts.models import User
from dwgk.core.audit import AuditEvent
from dwgk.catalog import services
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.catalog.templates_data import BUREAU, SCHOOL, TEMPLATES
from dwgk.extensions import db

SCHOOL_CATEGORIES = ["上级决议执行", "任期/年度目标", "履职与廉洁自律",
                     "选举/发展党员/民主评议/评比表彰", "三会一课/结对帮扶/设岗定责/党费",
                     "群众反映问题解决", "其他"]
BUREAU_CATEGORIES = ["目标任务", "思想建设", "组织建设", "作风建设", "制度建设", "工作动态"]


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Category)),
                db.session.scalar(select(func.count()).select_from(CatalogEntry)),
                db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action.like("catalog.%"))))


@pytest.mark.parametrize("name, categories", [("school", SCHOOL_CATEGORIES),
                                              ("bureau", BUREAU_CATEGORIES)])
def test_template_data_is_well_formed(name, categories):
    template = TEMPLATES[name]
    assert [c["name"] for c in template] == categories
    titles = set()
    for category in template:
        assert category["description"]
        assert 2 <= len(category["entries"]) <= 5, category["name"]
        for entry in category["entries"]:
            cadence = Cadence(entry["cadence"])
            Scope(entry["scope"])
            assert entry["title"] and entry["content"] and entry["basis"]
            assert len(entry["title"]) <= services.TITLE_MAX
            if cadence == Cadence.PERIODIC:
                assert entry["period_months"] in services.PERIOD_MONTHS
            else:
                assert entry["period_months"] is None
            titles.add((category["name"], entry["title"]))
    assert len(titles) == sum(len(c["entries"]) for c in template)


def test_school_template_has_the_lines_the_plan_asks_for():
    entries = {e["title"]: e for c in SCHOOL for e in c["entries"]}
    dues = entries["党费收缴、使用和管理情况"]
    assert (dues["cadence"], dues["period_months"], dues["scope"]) == ("periodic", 3, "members")
    resolutions = entries["上级决议执行情况"]
    assert (resolutions["cadence"], resolutions["period_months"], resolutions["scope"]) == (
        "periodic", 6, "public")
    assert "公示" in entries["发展党员公示"]["content"]
    assert entries["“三会一课”开展情况"]["cadence"] == "periodic"
    assert {e["scope"] for c in BUREAU for e in c["entries"]} == {"members", "public"}


@pytest.mark.parametrize("name, categories", [("school", SCHOOL_CATEGORIES),
                                              ("bureau", BUREAU_CATEGORIES)])
def test_load_template_command_is_idempotent(app, runner, name, categories):
    expected_entries = sum(len(c["entries"]) for c in TEMPLATES[name])
    result = runner.invoke(args=["catalog", "load-template", name])
    assert result.exit_code == 0, result.output
    assert f"新建 {len(categories)} 个类别、{expected_entries} 个条目" in result.output
    assert f"类别：{categories[0]}" in result.output
    assert _counts(app) == (len(categories), expected_entries, len(categories) + expected_entries)
    with app.app_context():
        names = list(db.session.scalars(select(Category.name).order_by(Category.position)))
        assert names == categories

    again = runner.invoke(args=["catalog", "load-template", name])
    assert again.exit_code == 0, again.output
    assert "均已存在，未重复添加" in again.output
    assert _counts(app) == (len(categories), expected_entries, len(categories) + expected_entries)


def test_both_templates_side_by_side(app, runner):
    assert runner.invoke(args=["catalog", "load-template", "school"]).exit_code == 0
    assert runner.invoke(args=["catalog", "load-template", "bureau"]).exit_code == 0
    categories, entries, _ = _counts(app)
    assert categories == len(SCHOOL) + len(BUREAU)
    assert entries == sum(len(c["entries"]) for c in SCHOOL + BUREAU)


def test_only_missing_lines_are_added(app, runner):
    with app.app_context():
        services.load_template("school")
        # the office renamed nothing but removed nothing either; one entry was deactivated,
        # one was moved away (a different title now), and a category was deactivated.
        dues = db.session.scalar(select(CatalogEntry).where(
            CatalogEntry.title == "党费收缴、使用和管理情况"))
        dues.active = False
        other = db.session.scalar(select(CatalogEntry).where(CatalogEntry.title == "党建工作动态"))
        other.title = "党建工作动态（本校）"
        db.session.commit()
    result = runner.invoke(args=["catalog", "load-template", "school"])
    assert result.exit_code == 0, result.output
    assert "新建 0 个类别、1 个条目" in result.output
    assert "条目：其他 · 党建工作动态" in result.output
    with app.app_context():  # the deactivated entry stays deactivated, and single
        assert db.session.scalar(select(func.count()).select_from(CatalogEntry).where(
            CatalogEntry.title == "党费收缴、使用和管理情况")) == 1


def test_load_template_function_with_a_responsible_person(app, users):
    with app.app_context():
        office = db.session.get(User, users["office"])
        categories, entries = services.load_template("bureau", responsible=office)
        db.session.commit()
        assert len(categories) == len(BUREAU)
        assert entries and all(e.responsible_id == office.id for e in entries)
        assert services.load_template("bureau", responsible=office) == ([], [])
        member = db.session.get(User, users["member"])
        with pytest.raises(services.CatalogError):
            services.load_template("bureau", responsible=member)
        with pytest.raises(services.CatalogError):
            services.load_template("village")


def test_command_responsible_option(app, runner, users):
    result = runner.invoke(args=["catalog", "load-template", "school", "--responsible", "office"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(db.session.scalars(select(CatalogEntry.responsible_id))) == {users["office"]}
    bad = runner.invoke(args=["catalog", "load-template", "bureau", "--responsible", "member"])
    assert bad.exit_code != 0 and "党务公开办公室" in bad.output
    unknown = runner.invoke(args=["catalog", "load-template", "bureau", "--responsible", "ghost"])
    assert unknown.exit_code != 0 and "没有用户" in unknown.output
    assert _counts(app)[0] == len(SCHOOL)


def test_unknown_template_name_is_refused(runner):
    result = runner.invoke(args=["catalog", "load-template", "village"])
    assert result.exit_code != 0


def test_a_loaded_catalog_shows_on_the_page(app, runner, login_as, users):
    assert runner.invoke(args=["catalog", "load-template", "school"]).exit_code == 0
    public = login_as("anonymous").get("/catalog").get_data(as_text=True)
    member = login_as("member").get("/catalog").get_data(as_text=True)
    assert "上级决议执行情况" in public and "每半年" in public
    assert "党费收缴、使用和管理情况" not in public
    assert "党费收缴、使用和管理情况" in member and "每季度" in member
    assert "结果产生后 7 日内" in member and "长期公开" in member
