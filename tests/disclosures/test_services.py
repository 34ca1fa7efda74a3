"""The rules of the disclosure workflow, enforced by the services."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Cadence, Scope
from dwgk.core import clock
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from tests.factories import make_category, make_disclosure, make_user

APPROVE = dict(decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
               check_timing=True, check_duration=True, check_secrecy=True)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _draft(**overrides):
    values = dict(title="2026年第三季度党费收缴情况", body_source="本季度应缴党费……",
                  category_id=make_category().id, scope=Scope.PUBLIC, cadence=Cadence.PERIODIC)
    values.update(overrides)
    return services.DraftInput(**values)


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": "  "}, "title", "请填写标题。"),
    ({"title": "长" * 201}, "title", "标题不能超过 200 个字。"),
    ({"category_id": 999999}, "category_id", "请选择有效的公开内容类别。"),
    ({"cadence": Cadence.STAGED}, "result_date", "分期公开的事项须填写结果产生日期（结果须在 7 日内公开）。"),
    ({"publicity_workdays": 0}, "publicity_workdays", "公示期须为 1 至 60 个工作日。"),
    ({"members_first_days": 0}, "members_first_reason", "党内先行期为 0 天时，须说明理由。"),
    ({"is_predisclosure": True}, "decision_date", "预公开须填写拟决策日期。"),
])
def test_bad_drafts_are_refused_and_nothing_is_saved(ctx, overrides, field, message):
    author = make_user(Role.OFFICE)
    with pytest.raises(services.DisclosureError) as refused:
        services.create_disclosure(_draft(**overrides), author=author)
    assert (refused.value.field, str(refused.value)) == (field, message)


def test_editor_body_is_sanitised_and_stored_as_shown(ctx):
    item = services.create_disclosure(
        _draft(body_source="<p><strong>党费</strong><script>alert(1)</script><img src=x onerror=y></p>"),
        author=make_user(Role.OFFICE))
    html = item.working_revision.body_html
    assert html == "<p><strong>党费</strong></p>" == item.working_revision.body_source


def test_an_empty_item_cannot_be_submitted(ctx):
    author = make_user(Role.OFFICE)
    item = services.create_disclosure(_draft(body_source=""), author=author)
    with pytest.raises(services.DisclosureError, match="正文和附件不能都为空"):
        services.submit(item, actor=author)
    assert item.state == State.DRAFT


def test_nobody_reviews_their_own_item(ctx):
    author = make_user(Role.OFFICE, Role.REVIEWER)
    item = make_disclosure(State.IN_REVIEW, author=author)
    with pytest.raises(services.DisclosureError, match="不能审核自己起草或修改的事项"):
        services.review(item, services.ReviewInput(**APPROVE), reviewer=author)
    assert item.state == State.IN_REVIEW


def test_approval_needs_every_check_and_a_return_needs_a_reason(ctx):
    item = make_disclosure(State.IN_REVIEW)
    reviewer = make_user(Role.REVIEWER)
    partial = dict(APPROVE, check_secrecy=False)
    with pytest.raises(services.DisclosureError, match="逐项确认"):
        services.review(item, services.ReviewInput(**partial), reviewer=reviewer)
    with pytest.raises(services.DisclosureError, match="退回时须写明理由"):
        services.review(item, services.ReviewInput(decision=Decision.RETURN, reason=" "),
                        reviewer=reviewer)
    services.review(item, services.ReviewInput(decision=Decision.RETURN, reason="附件缺少签字页"),
                    reviewer=reviewer)
    assert item.state == State.DRAFT
    assert _actions()[-2:] == ["review.return", "disclosure.return"]


def test_a_reviewer_decides_once_per_round(ctx):
    item = make_disclosure(State.IN_REVIEW, is_major=True)
    first, _second, _third = (make_user(Role.REVIEWER) for _ in range(3))
    services.review(item, services.ReviewInput(**APPROVE), reviewer=first)
    with pytest.raises(services.DisclosureError, match="本轮审核中提出意见"):
        services.review(item, services.ReviewInput(**APPROVE), reviewer=first)


def test_a_major_item_needs_a_majority_of_reviewers(ctx):
    reviewers = [make_user(Role.REVIEWER) for _ in range(5)]
    item = make_disclosure(State.IN_REVIEW, is_major=True)
    assert services.approvals_needed(item) == 3
    for reviewer in reviewers[:2]:
        services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewer)
        assert item.state == State.IN_REVIEW
    services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewers[2])
    assert item.state == State.APPROVED


def test_a_major_item_approved_once_with_the_meeting_recorded(ctx, frozen_clock):
    frozen_clock(datetime(2026, 11, 20, 10, 0))
    reviewers = [make_user(Role.REVIEWER) for _ in range(5)]
    item = make_disclosure(State.IN_REVIEW, is_major=True)
    with pytest.raises(services.DisclosureError, match="须填写会议日期、参会人员和决定内容"):
        services.review(item, services.ReviewInput(**APPROVE, meeting_date=date(2026, 11, 18)),
                        reviewer=reviewers[0])
    with pytest.raises(services.DisclosureError, match="会议日期不能晚于今天"):
        services.review(item, services.ReviewInput(
            **APPROVE, meeting_date=date(2026, 11, 21), meeting_attendees="李建国、赵丽、孙伟",
            meeting_decision="同意"), reviewer=reviewers[0])
    services.review(item, services.ReviewInput(
        **APPROVE, meeting_date=date(2026, 11, 18), meeting_attendees="李建国、赵丽、孙伟",
        meeting_decision="支委会一致同意公开"), reviewer=reviewers[0])
    assert item.state == State.APPROVED


def test_publishing_follows_members_first(ctx, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    public = make_disclosure(State.PUBLISHED, members_first_days=2)
    members = make_disclosure(State.PUBLISHED, scope=Scope.MEMBERS, members_first_days=1)
    assert public.public_from == clock.now() + timedelta(days=2)
    assert members.public_from is None
    assert public.live_revision_id == public.working_revision_id
    assert public.search_text.startswith(public.live_revision.title)


def test_zero_day_members_first_needs_a_reason(ctx):
    with pytest.raises(services.DisclosureError, match="须说明理由"):
        services.create_disclosure(_draft(members_first_days=0, members_first_reason=""),
                                   author=make_user(Role.OFFICE))
    item = services.create_disclosure(
        _draft(members_first_days=0, members_first_reason="紧急通知，需立即告知群众"),
        author=make_user(Role.OFFICE))
    assert item.working_revision.members_first_reason == "紧急通知，需立即告知群众"


def test_predisclosure_is_published_at_least_15_days_before_the_decision(ctx, frozen_clock):
    frozen_clock(datetime(2026, 11, 20, 9, 0))  # approved in time; published too late
    too_soon = make_disclosure(State.APPROVED, is_predisclosure=True,
                               decision_date=date(2026, 12, 7))
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(services.DisclosureError, match="至少 15 日"):
        services.publish(too_soon, actor=too_soon.created_by)
    assert too_soon.state == State.APPROVED
    on_time = make_disclosure(State.APPROVED, is_predisclosure=True,
                              decision_date=date(2026, 12, 8))
    services.publish(on_time, actor=on_time.created_by)
    assert on_time.state == State.PUBLISHED


def test_revision_keeps_the_old_text_public_until_the_new_one_is_published(ctx):
    item = make_disclosure(State.PUBLISHED, title="原标题", body="原正文")
    office = item.created_by
    old = item.live_revision
    revision = services.revise(item, actor=office)
    assert item.state == State.DRAFT and item.live_revision is old
    assert revision.number == 2
    services.update_draft(item, _draft(title="新标题", body_source="新正文",
                                       category_id=old.category_id,
                                       change_note="更正金额"),
                          actor=office, expected_version=item.version_id)
    services.submit(item, actor=office)
    services.review(item, services.ReviewInput(**APPROVE), reviewer=make_user(Role.REVIEWER))
    assert item.live_revision is old
    first_published = item.first_published_at
    services.publish(item, actor=office)
    assert item.live_revision is revision and revision.title == "新标题"
    assert item.first_published_at == first_published
    assert old.published_at is not None  # the old text stays readable
    assert "disclosure.republish" in _actions()


def test_the_second_save_of_a_stale_form_is_refused(ctx):
    item = make_disclosure(State.DRAFT)
    opened_by_both = item.version_id
    office = item.created_by
    services.update_draft(item, _draft(title="甲的修改", category_id=item.working_revision.category_id),
                          actor=office, expected_version=opened_by_both)
    with pytest.raises(services.EditConflict, match="已被他人修改"):
        services.update_draft(item, _draft(title="乙的修改",
                                           category_id=item.working_revision.category_id),
                              actor=office, expected_version=opened_by_both)
    assert item.working_revision.title == "甲的修改"


def test_withdraw_needs_a_reason_and_empties_the_search_text(ctx):
    item = make_disclosure(State.PUBLISHED)
    with pytest.raises(services.DisclosureError, match="撤回须写明理由"):
        services.withdraw(item, "", actor=item.created_by)
    services.withdraw(item, "内容有误", actor=item.created_by)
    assert item.state == State.WITHDRAWN and item.withdrawn_at is not None
    assert item.search_text == ""


def test_every_transition_is_audited(ctx):
    make_disclosure(State.ARCHIVED)
    assert _actions() == ["user.create", "disclosure.create", "disclosure.submit", "user.create",
                          "review.approve", "disclosure.approve", "disclosure.publish",
                          "disclosure.archive"]
