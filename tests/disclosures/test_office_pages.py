"""The office's workspace and the review pages, through HTTP."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from dwgk.accounts.models import Role, User, UserRole
from dwgk.catalog.models import Scope
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.factories import make_category, make_disclosure
from tests.support import QueryCounter, field_errors, text_of

FORM = {
    "title": "关于2026年度民主评议党员结果的公示", "body_source": "经支部大会评议……",
    "scope": "public", "cadence": "immediate", "members_first_days": "1",
    "members_first_reason": "", "result_date": "", "publicity_workdays": "5",
    "decision_date": "", "change_note": "", "catalog_entry_id": "", "responsible_id": "",
    "predisclosure_id": "",
}


def _category(app):
    with app.app_context():
        category = make_category("组织建设")
        db.session.commit()
        return category.id


def _item(app, state, **kwargs):
    with app.app_context():
        item = make_disclosure(state, **kwargs)
        db.session.commit()
        return item.id


def test_office_drafts_an_item(app, users, login_as):
    category_id = _category(app)
    office = login_as("office")
    assert "新建公开事项" in text_of(office.get("/office/items/new"))
    response = office.form_post("/office/items/new", dict(FORM, category_id=str(category_id)))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Disclosure))
        assert item.state == State.DRAFT
        assert item.working_revision.publicity_workdays == 5
    page = text_of(office.get(response.headers["Location"]))
    assert "关于2026年度民主评议党员结果的公示" in page and "提交审核" in page


def test_bad_draft_shows_chinese_errors_next_to_the_fields(app, users, login_as):
    office = login_as("office")
    response = office.form_post("/office/items/new", dict(
        FORM, title="", category_id="", members_first_days="0", publicity_workdays="99"))
    assert response.status_code == 422
    errors = field_errors(response)
    assert "请填写标题。" in errors
    assert "请选择公开内容类别。" in errors
    assert "公示期须为 1 至 60 个工作日。" in errors
    with app.app_context():
        assert db.session.scalar(select(Disclosure)) is None


def test_zero_day_window_without_reason_is_refused_by_the_service(app, users, login_as):
    category_id = _category(app)
    response = login_as("office").form_post("/office/items/new", dict(
        FORM, category_id=str(category_id), members_first_days="0"))
    assert response.status_code == 422
    assert field_errors(response) == ["党内先行期为 0 天时，须说明理由。"]


def test_two_editors_the_second_save_is_refused(app, users, login_as):
    item_id = _item(app, State.DRAFT, title="原标题")
    first, second = login_as("office"), app.test_client()
    second.login("office", "correct-horse-42")
    second.refresh_csrf()
    page = text_of(first.get(f"/office/items/{item_id}/edit"))
    assert "原标题" in page
    with app.app_context():
        version = db.session.get(Disclosure, item_id).version_id
        category_id = db.session.get(Disclosure, item_id).working_revision.category_id
    form = dict(FORM, category_id=str(category_id), version_id=str(version))
    assert first.form_post(f"/office/items/{item_id}/edit", dict(form, title="甲改的")).status_code == 302
    refused = second.form_post(f"/office/items/{item_id}/edit", dict(form, title="乙改的"))
    assert refused.status_code == 409
    assert "已被他人修改" in text_of(refused)
    with app.app_context():
        assert db.session.get(Disclosure, item_id).working_revision.title == "甲改的"


def test_the_whole_way_through_the_pages(app, users, login_as):
    category_id = _category(app)
    office, reviewer = login_as("office"), login_as("reviewer")
    office.form_post("/office/items/new", dict(FORM, category_id=str(category_id)))
    with app.app_context():
        item = db.session.scalar(select(Disclosure))
        item_id, version = item.id, item.version_id

    assert office.form_post(f"/office/items/{item_id}/submit", {"version_id": version}).status_code == 302
    queue = text_of(reviewer.get("/review"))
    assert "关于2026年度民主评议党员结果的公示" in queue and "0 个工作日" in queue

    refused = reviewer.form_post(f"/review/{item_id}", {"decision": "approve", "check_content": "y"})
    assert refused.status_code == 422
    assert "逐项确认" in text_of(refused)
    approved = reviewer.form_post(f"/review/{item_id}", {
        "decision": "approve", **{name: "y" for name in (
            "check_content", "check_form", "check_scope", "check_timing", "check_duration",
            "check_secrecy")}})
    assert approved.status_code == 302

    with app.app_context():
        version = db.session.get(Disclosure, item_id).version_id
    office.form_post(f"/office/items/{item_id}/publish", {"version_id": version})
    with app.app_context():
        assert db.session.get(Disclosure, item_id).state == State.PUBLISHED
    assert "审核记录" in text_of(login_as("member").get(f"/items/{item_id}"))


def test_office_cannot_review_its_own_item(app, users, login_as):
    with app.app_context():
        office = db.session.get(User, users["office"])
        office.role_rows.append(UserRole(role=Role.REVIEWER))
        item = make_disclosure(State.IN_REVIEW, author=office)
        db.session.commit()
        item_id = item.id
    client = login_as("office")
    page = text_of(client.get(f"/review/{item_id}"))
    assert "不能由您审核" in page
    response = client.form_post(f"/review/{item_id}", {"decision": "approve"})
    assert response.status_code == 403


def test_stale_action_buttons_are_refused(app, users, login_as):
    item_id = _item(app, State.DRAFT)
    with app.app_context():
        stale = db.session.get(Disclosure, item_id).version_id
    office = login_as("office")
    office.form_post(f"/office/items/{item_id}/submit", {"version_id": stale})
    # The same button pressed again on an old page: refused, state unchanged.
    response = office.form_post(f"/office/items/{item_id}/submit", {"version_id": stale},
                                follow_redirects=True)
    assert "不能提交审核" in text_of(response)
    with app.app_context():
        assert db.session.get(Disclosure, item_id).state == State.IN_REVIEW


def test_withdraw_from_the_work_page(app, users, login_as):
    item_id = _item(app, State.PUBLISHED, title="将撤回的事项")
    office = login_as("office")
    with app.app_context():
        version = db.session.get(Disclosure, item_id).version_id
    response = office.form_post(f"/office/items/{item_id}/withdraw", {"version_id": version, "reason": ""},
                                follow_redirects=True)
    assert "撤回须写明理由。" in text_of(response)
    office.form_post(f"/office/items/{item_id}/withdraw", {"version_id": version, "reason": "数据有误"})
    assert app.test_client().get(f"/items/{item_id}").status_code == 404
    assert login_as("member").get(f"/items/{item_id}").status_code == 404


def test_review_page_shows_the_change_against_the_published_text(app, users, login_as):
    from dwgk.disclosures import services

    with app.app_context():
        item = make_disclosure(State.PUBLISHED, title="党费收缴", body="第一行\n应缴 100 元")
        office = item.created_by
        services.revise(item, actor=office)
        services.update_draft(item, services.DraftInput(
            title="党费收缴（更正）", body_source="第一行\n应缴 120 元",
            category_id=item.live_revision.category_id, scope=Scope.PUBLIC,
            cadence=item.live_revision.cadence, members_first_days=0,
            members_first_reason="更正", change_note="金额更正"), actor=office, expected_version=None)
        services.submit(item, actor=office)
        db.session.commit()
        item_id = item.id
    page = text_of(login_as("reviewer").get(f"/review/{item_id}"))
    assert "与正在公开的第 1 版相比" in page
    assert "<del>− 应缴 100 元</del>" in page and "<ins>+ 应缴 120 元</ins>" in page
    assert "党费收缴（更正）" in page and "金额更正" in page


def test_queue_age_counts_working_days(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 9, 30, 10, 0))
    _item(app, State.IN_REVIEW, title="国庆前提交")
    frozen_clock(datetime(2026, 10, 9, 10, 0))
    # Oct 1-7 is the holiday; Oct 8 and 9 are working days.
    assert "2 个工作日" in text_of(login_as("reviewer").get("/review"))


def test_queue_and_workspace_take_a_fixed_number_of_queries(app, users, login_as):
    def count(client, path):
        with QueryCounter(app) as counter:
            assert client.get(path).status_code == 200
        return counter.count

    reviewer, office = login_as("reviewer"), login_as("office")
    for _ in range(2):
        _item(app, State.IN_REVIEW)
    few = count(reviewer, "/review"), count(office, "/office/items")
    for _ in range(10):
        _item(app, State.IN_REVIEW)
    assert (count(reviewer, "/review"), count(office, "/office/items")) == few


def test_new_item_from_a_catalog_entry_is_prefilled(app, users, login_as):
    from dwgk.catalog.models import Cadence
    from tests.factories import make_catalog_entry

    with app.app_context():
        from tests.factories import make_user
        responsible = make_user(Role.OFFICE, username="office2")
        entry = make_catalog_entry(title="党费收缴、使用和管理情况", scope=Scope.MEMBERS,
                                   cadence=Cadence.PERIODIC, responsible=responsible)
        db.session.commit()
        entry_id, category_id, responsible_id = entry.id, entry.category_id, responsible.id
    office = login_as("office")
    assert "按此条目新建事项" in text_of(office.get("/catalog"))
    html = text_of(office.get(f"/office/items/new?entry={entry_id}"))
    for name, value in [("catalog_entry_id", entry_id), ("category_id", category_id),
                        ("responsible_id", responsible_id)]:
        assert re.search(rf'<select[^>]*name="{name}".*?<option selected value="{value}"', html, re.S) \
            or re.search(rf'<select[^>]*name="{name}".*?<option value="{value}" selected', html, re.S), name
    assert re.search(r'name="scope".*?<option selected value="members"', html, re.S)
    assert re.search(r'name="cadence".*?<option selected value="periodic"', html, re.S)
