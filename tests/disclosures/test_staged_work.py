"""分期 work that takes months, often across a year end (issue 14, rule 9): its stages are
linked to the first one, every stage's page lists them, and when the whole work has ended a
cross-year work owes a closing summary (总结性公开) within 7 days — a duty until it is out."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Cadence, Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_disclosure, make_user
from tests.reminders import duties_now, user

CANARY = "金丝雀党内阶段KX93"


def _stage(first=None, state=None, **fields):
    fields.setdefault("result_date", date(2026, 11, 1))
    return make_disclosure(state, cadence=Cadence.STAGED, stage_of=first,
                           author=fields.pop("author", None) or user("office"), **fields)


def _work(app, frozen_clock) -> tuple[int, int]:
    """A school-building fund (校舍维修资金) work begun in September 2026: its first stage
    (published), a second stage published in November. Returns (first id, second id)."""
    frozen_clock(datetime(2026, 9, 10, 9, 0))
    with app.app_context():
        first = _stage(title="校舍维修资金使用（第一阶段）", result_date=date(2026, 9, 8),
                       responsible_id=user("office").id)
        frozen_clock(datetime(2026, 11, 3, 9, 0))
        second = _stage(first, title="校舍维修资金使用（第二阶段）", result_date=date(2026, 11, 2))
        db.session.commit()
        return first.id, second.id


def test_a_later_stage_links_to_the_works_first_stage(app, users, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    with app.app_context():
        # naming the second stage as "the stage before" still links to the first one
        third = _stage(db.session.get(Disclosure, second_id), State.DRAFT,
                       title="校舍维修资金使用（第三阶段）", result_date=date(2026, 12, 1))
        assert third.first_stage_id == first_id
        assert db.session.get(Disclosure, second_id).first_stage_id == first_id


def test_stage_rules_are_enforced_on_the_server(app, users, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    with app.app_context():
        first = db.session.get(Disclosure, first_id)
        office = user("office")
        # only a staged item can be a stage
        with pytest.raises(services.DisclosureError, match="只有分期公开的事项") as refused:
            make_disclosure(State.DRAFT, cadence=Cadence.IMMEDIATE, stage_of=first, author=office)
        assert refused.value.field == "first_stage_id"
        # only a published staged item can be followed
        draft = _stage(None, State.DRAFT)
        with pytest.raises(services.DisclosureError, match="请选择已发布的分期公开事项"):
            _stage(draft, State.DRAFT)
        # a work's first stage cannot become a stage of its own work, nor of another one
        other = _stage(None, title="另一项分期工作")
        data = services.draft_input_from(first.live_revision)
        services.revise(first, actor=office)
        with pytest.raises(services.DisclosureError, match="不能作为自己的后续阶段"):
            services.update_draft(first, data, actor=office, expected_version=None,
                                  stage_of_id=second_id)
        with pytest.raises(services.DisclosureError, match="已是一项分期工作的第一阶段"):
            services.update_draft(first, data, actor=office, expected_version=None,
                                  stage_of_id=other.id)
        # a summary belongs to a work
        with pytest.raises(services.DisclosureError, match="总结性公开须属于一项分期工作"):
            _stage(None, State.DRAFT, is_summary=True)
        db.session.rollback()


def test_a_stage_files_under_the_works_catalog_entry(app, users, frozen_clock):
    frozen_clock(datetime(2026, 9, 10, 9, 0))
    with app.app_context():
        entry = make_catalog_entry(title="重大项目建设进展", cadence=Cadence.STAGED)
        elsewhere = make_catalog_entry(title="其他条目", cadence=Cadence.STAGED)
        first = _stage(None, catalog_entry=entry)
        with pytest.raises(services.DisclosureError, match="须与第一阶段对应同一目录条目（“重大项目建设进展”）") as refused:
            _stage(first, State.DRAFT, catalog_entry=elsewhere)
        assert refused.value.field == "catalog_entry_id"
        assert _stage(first, State.DRAFT, catalog_entry=entry).first_stage_id == first.id
        db.session.rollback()


def test_cross_year_work_owes_a_summary_seven_days_after_it_ended(app, users, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2027, 3, 5, 10, 0))  # a Friday; the work ends today
    with app.app_context():
        services.end_work(db.session.get(Disclosure, second_id), date(2027, 3, 5),
                          actor=user("office"))
        db.session.commit()
        first = db.session.get(Disclosure, first_id)
        assert first.work_ended_on == date(2027, 3, 5)  # kept on the first stage
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "disclosure.work_end")) == "disclosure.work_end"
    summary = [d for d in duties_now(app) if d[0] == "summary"]
    assert summary == []  # not due yet
    frozen_clock(datetime(2027, 3, 12, 9, 0))  # 7 days later, a Friday: due today
    assert [d for d in duties_now(app) if d[0] == "summary"] == [
        ("summary", first_id, date(2027, 3, 12), False, ["office"])]
    frozen_clock(datetime(2027, 3, 15, 9, 0))
    assert [d for d in duties_now(app) if d[0] == "summary"] == [
        ("summary", first_id, date(2027, 3, 12), True, ["office"])]
    with app.app_context():  # a summary in draft is not enough; once published, nothing owed
        summary_item = _stage(db.session.get(Disclosure, second_id), State.DRAFT, is_summary=True,
                              title="校舍维修资金使用情况总结", result_date=date(2027, 3, 5))
        db.session.commit()
        assert [d[0] for d in duties_now(app)].count("summary") == 1
        # owed as the work's summary, not a second time as a staged result of its own
        assert [d for d in duties_now(app) if d[1] == summary_item.id] == []
        services.submit(summary_item, actor=user("office"))
        services.review(summary_item, services.ReviewInput(
            decision=services.Decision.APPROVE, check_content=True, check_form=True,
            check_scope=True, check_timing=True, check_duration=True, check_secrecy=True),
            reviewer=make_user(Role.REVIEWER))
        services.publish(summary_item, actor=user("office"))
        db.session.commit()
    assert [d for d in duties_now(app) if d[0] == "summary"] == []


def test_work_within_one_year_owes_no_summary(app, users, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2026, 12, 1, 9, 0))
    with app.app_context():
        services.end_work(db.session.get(Disclosure, first_id), date(2026, 11, 30),
                          actor=user("office"))
        db.session.commit()
    frozen_clock(datetime(2026, 12, 30, 9, 0))
    assert [d for d in duties_now(app) if d[0] == "summary"] == []


def test_end_and_undo_are_checked_and_recorded(app, users, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2027, 1, 6, 9, 0))
    with app.app_context():
        office = user("office")
        second = db.session.get(Disclosure, second_id)
        with pytest.raises(services.DisclosureError, match="不能晚于今天"):
            services.end_work(second, date(2027, 1, 7), actor=office)
        with pytest.raises(services.DisclosureError, match="不能早于第一阶段的发布日"):
            services.end_work(second, date(2026, 9, 1), actor=office)
        services.end_work(second, date(2027, 1, 5), actor=office)
        # once ended, only the summary may follow
        with pytest.raises(services.DisclosureError, match="只能再发布总结性公开"):
            _stage(second, State.DRAFT, result_date=date(2027, 1, 5))
        services.reopen_work(second, actor=office)
        db.session.commit()
        assert db.session.get(Disclosure, first_id).work_ended_on is None
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("disclosure.work_%")).order_by(AuditEvent.id)).all()
        assert actions == ["disclosure.work_end", "disclosure.work_reopen"]
        with pytest.raises(services.DisclosureError, match="尚未标记为结束"):
            services.reopen_work(second, actor=office)
        db.session.rollback()
    frozen_clock(datetime(2027, 2, 1, 9, 0))  # reopened: no summary owed
    assert [d for d in duties_now(app) if d[0] == "summary"] == []


def test_next_stage_button_prefills_the_form_and_saves_the_link(app, users, login_as, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2026, 12, 3, 9, 0))
    office = login_as("office")
    page = office.get(f"/office/items/{second_id}").get_data(as_text=True)
    assert "本项工作各阶段" in page and "校舍维修资金使用（第一阶段）" in page
    assert f'href="/office/items/new?after={second_id}"' in page  # 发布下一阶段
    form = office.get(f"/office/items/new?after={second_id}").get_data(as_text=True)
    assert f'<option selected value="{first_id}">' in form
    assert '<option selected value="staged">' in form
    with app.app_context():
        category_id = db.session.get(Disclosure, first_id).live_revision.category_id
    response = office.form_post("/office/items/new", {
        "title": "校舍维修资金使用（第三阶段）", "body_source": "<p>第三阶段。</p>",
        "category_id": category_id, "scope": "public", "cadence": "staged",
        "result_date": "2026-12-01", "members_first_days": "0",
        "members_first_reason": "已在党员大会通报", "first_stage_id": first_id})
    assert response.status_code == 302
    with app.app_context():
        third = db.session.scalar(select(Disclosure).where(Disclosure.id > second_id))
        assert third.first_stage_id == first_id
    # a wrong choice is said next to the field, and nothing is saved
    response = office.form_post("/office/items/new", {
        "title": "不是分期的事项", "category_id": category_id, "scope": "public",
        "cadence": "immediate", "members_first_days": "1", "first_stage_id": first_id})
    assert response.status_code == 422
    assert "只有分期公开的事项" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Disclosure.id).join(Disclosure.working_revision).where(
            Disclosure.working_revision.has(title="不是分期的事项"))) is None


def test_end_work_from_the_item_page(app, users, login_as, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2027, 1, 8, 9, 0))
    office = login_as("office")
    response = office.form_post(f"/office/items/{second_id}/end-work", {"ended_on": "2027-01-08"})
    assert response.status_code == 302
    page = office.get(f"/office/items/{second_id}").get_data(as_text=True)
    assert "本项工作已于 2027-01-08 结束" in page
    assert "须于 2027-01-15 前发布总结性公开" in page
    assert f'href="/office/items/new?after={second_id}&amp;summary=1"' in page
    form = office.get(f"/office/items/new?after={second_id}&summary=1").get_data(as_text=True)
    assert '<input checked id="is_summary" name="is_summary" type="checkbox" value="y">' in form
    response = office.form_post(f"/office/items/{second_id}/end-work", {"ended_on": ""})
    assert response.status_code == 302
    office.form_post(f"/office/items/{second_id}/end-work", {"ended_on": "2027-13-40"})
    assert "日期格式不正确" in office.get(f"/office/items/{second_id}").get_data(as_text=True)
    response = office.form_post(f"/office/items/{second_id}/reopen-work", {})
    assert response.status_code == 302
    page = office.get(f"/office/items/{second_id}").get_data(as_text=True)
    assert "本项工作已于" not in page and "发布下一阶段" in page


def test_the_public_page_lists_only_stages_the_public_may_read(app, users, login_as, frozen_clock):
    first_id, second_id = _work(app, frozen_clock)
    with app.app_context():
        hidden = _stage(db.session.get(Disclosure, first_id), scope=Scope.MEMBERS, title=CANARY,
                        result_date=date(2026, 11, 20))
        db.session.commit()
        hidden_id = hidden.id
    public = app.test_client().get(f"/items/{second_id}").get_data(as_text=True)
    assert "本项工作各阶段" in public and "校舍维修资金使用（第一阶段）" in public
    assert CANARY not in public and f"/items/{hidden_id}" not in public
    member = login_as("member").get(f"/items/{second_id}").get_data(as_text=True)
    assert CANARY in member  # an insider reads the members-only stage too
    # the public page was cached for the public: still no canary after an insider's visit
    again = app.test_client().get(f"/items/{first_id}").get_data(as_text=True)
    assert CANARY not in again and "校舍维修资金使用（第二阶段）" in again


def test_the_report_counts_the_summary_as_a_staged_duty(app, users, frozen_clock):
    from dwgk.core.workdays import Calendar
    from dwgk.reporting.figures import staged_timeliness
    from dwgk.reporting.periods import Period

    first_id, second_id = _work(app, frozen_clock)
    frozen_clock(datetime(2027, 3, 5, 10, 0))
    with app.app_context():
        services.end_work(db.session.get(Disclosure, first_id), date(2027, 3, 5), actor=user("office"))
        db.session.commit()
        q1 = Period.quarter(2027, 1)
        assert staged_timeliness(q1, date(2027, 3, 10), Calendar.load()).pending == 1
        frozen_clock(datetime(2027, 3, 16, 9, 0))  # published 4 days after its due date
        _stage(db.session.get(Disclosure, first_id), is_summary=True, title="维修资金使用总结",
               result_date=date(2027, 3, 5))
        db.session.commit()
        figure = staged_timeliness(q1, date(2027, 4, 1), Calendar.load())
        assert (figure.on_time, figure.late, figure.missing) == (0, 1, 0)
        assert [(m.title, m.what, m.due, m.published_on) for m in figure.misses] == [
            ("校舍维修资金使用（第一阶段）", "总结性公开（2027-03-05 结束）", date(2027, 3, 12),
             date(2027, 3, 16))]
