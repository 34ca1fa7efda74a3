"""Review rounds, 退回草稿 and the rules of publication checked at save, submit and publish
(issue 13: the review loop without dead ends)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Cadence, Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from dwgk import policy
from tests.factories import make_catalog_entry, make_category, make_disclosure, make_user

APPROVE = dict(decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
               check_timing=True, check_duration=True, check_secrecy=True)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _return(item, reviewer, reason="附件缺少签字页"):
    services.review(item, services.ReviewInput(decision=Decision.RETURN, reason=reason),
                    reviewer=reviewer)


def test_the_one_reviewer_decides_again_after_a_return_and_a_fix(ctx):
    secretary = make_user(Role.REVIEWER, display_name="李书记")
    office = make_user(Role.OFFICE)
    item = make_disclosure(State.IN_REVIEW, author=office)
    assert item.working_revision.review_round == 1
    _return(item, secretary)
    revision = item.working_revision
    assert item.state == State.DRAFT
    assert revision.return_reason == "附件缺少签字页" and revision.returned_by_id == secretary.id
    assert not policy.can_review(secretary, item)

    data = services.draft_input_from(revision, body_source="补上签字页后的正文。")
    services.update_draft(item, data, actor=office, expected_version=None)
    services.submit(item, actor=office)
    assert revision.review_round == 2 and revision.returned_at is None
    assert policy.can_review(secretary, item)
    services.review(item, services.ReviewInput(**APPROVE), reviewer=secretary)
    assert item.state == State.APPROVED
    # The history keeps both rounds, the latest first.
    assert [(number, [r.decision for r in reviews]) for number, reviews in revision.rounds()] == [
        (2, [Decision.APPROVE]), (1, [Decision.RETURN])]
    services.publish(item, actor=office)
    assert item.state == State.PUBLISHED


def test_a_major_items_quorum_counts_within_the_round(ctx):
    reviewers = [make_user(Role.REVIEWER) for _ in range(3)]
    item = make_disclosure(State.IN_REVIEW, is_major=True)
    assert services.approvals_needed(item) == 2
    services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewers[0])
    _return(item, reviewers[1])
    services.submit(item, actor=item.created_by)
    # The first round's approval does not count in the second.
    services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewers[1])
    assert item.state == State.IN_REVIEW
    services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewers[0])
    assert item.state == State.APPROVED
    assert len(item.working_revision.approvals) == 2


def test_approved_goes_back_to_draft_with_a_reason_and_an_audit_event(ctx):
    office = make_user(Role.OFFICE)
    item = make_disclosure(State.APPROVED, author=office, body="原文不变。")
    with pytest.raises(services.DisclosureError, match="须写明理由"):
        services.redraft(item, "  ", actor=office)
    services.redraft(item, "拟决策日期推迟，需修改", actor=office)
    assert item.state == State.DRAFT
    revision = item.working_revision
    assert revision.body_source == "<p>原文不变。</p>"  # nothing to retype
    assert revision.return_reason == "拟决策日期推迟，需修改" and revision.approved_at is None
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "disclosure.redraft" and "拟决策日期推迟" in event.summary
    services.submit(item, actor=office)
    assert item.state == State.IN_REVIEW and revision.review_round == 2


def test_an_item_in_review_can_be_taken_back_to_draft_by_the_office(ctx):
    item = make_disclosure(State.IN_REVIEW)
    services.redraft(item, "发现错别字", actor=item.created_by)
    assert item.state == State.DRAFT


def test_a_predisclosure_too_close_to_its_decision_is_refused_at_save(ctx, frozen_clock):
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(services.DisclosureError, match="至少 15 日") as refused:
        make_disclosure(State.DRAFT, is_predisclosure=True, decision_date=date(2026, 12, 7))
    assert refused.value.field == "decision_date"
    make_disclosure(State.DRAFT, is_predisclosure=True, decision_date=date(2026, 12, 8))


def test_a_predisclosure_that_became_too_close_is_refused_at_submit_and_publish(ctx, frozen_clock):
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    draft = make_disclosure(State.DRAFT, is_predisclosure=True, decision_date=date(2026, 12, 7))
    approved = make_disclosure(State.APPROVED, is_predisclosure=True, decision_date=date(2026, 12, 7))
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(services.DisclosureError, match="不能提交审核") as refused:
        services.submit(draft, actor=draft.created_by)
    assert refused.value.field == "decision_date" and draft.state == State.DRAFT
    with pytest.raises(services.DisclosureError) as refused:
        services.publish(approved, actor=approved.created_by)
    assert "不能发布" in str(refused.value) and "退回草稿" in str(refused.value)
    assert approved.state == State.APPROVED
    # The way out: back to draft, move the date, submit again.
    services.redraft(approved, "拟决策日期须推迟", actor=approved.created_by)
    assert approved.state == State.DRAFT


def test_a_members_only_catalog_entry_cannot_get_a_public_item(ctx):
    entry = make_catalog_entry(scope=Scope.MEMBERS)
    author = make_user(Role.OFFICE)
    data = services.DraftInput(title="党费收缴", body_source="正文", category_id=make_category().id,
                               scope=Scope.PUBLIC, cadence=Cadence.PERIODIC,
                               catalog_entry_id=entry.id)
    with pytest.raises(services.DisclosureError, match="规定为党内公开") as refused:
        services.create_disclosure(data, author=author)
    assert refused.value.field == "scope"
    data.scope = Scope.MEMBERS
    services.create_disclosure(data, author=author)


# --- through HTTP ------------------------------------------------------------------------

def test_the_office_takes_an_approved_item_back_to_draft_through_the_page(app, users, login_as):
    from dwgk.accounts.models import User
    from tests.support import text_of

    with app.app_context():
        office = db.session.get(User, users["office"])
        item = make_disclosure(State.APPROVED, author=office)
        item_id = item.id
        db.session.commit()
    client = login_as("office")
    page = text_of(client.get(f"/office/items/{item_id}"))
    assert "退回草稿" in page and 'id="approved-note"' in page
    refused = client.form_post(f"/office/items/{item_id}/redraft", {"reason": ""})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(type(item), item_id).state == State.APPROVED
    version = _version(app, item_id)
    client.form_post(f"/office/items/{item_id}/redraft",
                     {"reason": "拟决策日期推迟", "version_id": str(version)})
    page = text_of(client.get(f"/office/items/{item_id}"))
    assert 'id="returned-note"' in page and "已由" in page and "拟决策日期推迟" in page
    assert "第 2 轮审核" in page
    # Reviewers and members may not.
    assert login_as("reviewer").form_post(f"/office/items/{item_id}/redraft",
                                          {"reason": "x"}).status_code == 403


def _version(app, item_id):
    from dwgk.disclosures.models import Disclosure

    with app.app_context():
        return db.session.get(Disclosure, item_id).version_id


def test_a_submit_refused_by_a_rule_says_it_next_to_the_field(app, users, login_as, frozen_clock):
    from dwgk.accounts.models import User
    from tests.support import field_errors

    frozen_clock(datetime(2026, 11, 20, 9, 0))
    with app.app_context():
        office = db.session.get(User, users["office"])
        item = make_disclosure(State.DRAFT, author=office, is_predisclosure=True,
                               decision_date=date(2026, 12, 7))
        item_id = item.id
        db.session.commit()
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    client = login_as("office")
    response = client.form_post(f"/office/items/{item_id}/submit",
                                {"version_id": str(_version(app, item_id))})
    assert response.status_code == 422
    assert any("至少 15 日" in error for error in field_errors(response))
    # next to the field: the error paragraph of the decision date
    assert 'id="decision_date-error"' in response.get_data(as_text=True)


def test_a_refusal_at_publish_names_the_fix(app, users, login_as, frozen_clock):
    from dwgk.accounts.models import User
    from tests.support import text_of

    frozen_clock(datetime(2026, 11, 20, 9, 0))
    with app.app_context():
        office = db.session.get(User, users["office"])
        item = make_disclosure(State.APPROVED, author=office, is_predisclosure=True,
                               decision_date=date(2026, 12, 7))
        item_id = item.id
        db.session.commit()
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    client = login_as("office")
    client.form_post(f"/office/items/{item_id}/publish", {"version_id": str(_version(app, item_id))})
    page = text_of(client.get(f"/office/items/{item_id}"))
    assert "不能发布" in page and "请点“退回草稿”" in page


def test_the_menus_review_count_is_the_readers_list(app, users, login_as):
    """审核 in the menu shows how many items wait for this reviewer (issue 13), on every
    page, and goes down once they decide."""
    import re

    from dwgk.accounts.models import User
    from tests.support import text_of

    with app.app_context():
        office = db.session.get(User, users["office"])
        first = make_disclosure(State.IN_REVIEW, author=office)
        make_disclosure(State.IN_REVIEW, author=office)
        first_id = first.id
        db.session.commit()
    reviewer = login_as("reviewer")
    count = re.compile(r'<span class="nav-count" id="review-waiting"[^>]*>(\d+)</span>')
    for path in ("/duties", "/review", "/catalog", "/"):
        assert count.search(text_of(reviewer.get(path))).group(1) == "2", path
    page = text_of(reviewer.get("/duties"))
    mine = re.search(r'<section[^>]*id="work-my_review".*?</section>', page, re.S).group(0)
    assert mine.count("<li>") == 2  # the same number as the 待我审核 list
    reviewer.form_post(f"/review/{first_id}", {
        "decision": "return", "reason": "请补充", "version_id": str(_version(app, first_id))})
    assert count.search(text_of(reviewer.get("/catalog"))).group(1) == "1"
    assert count.search(text_of(login_as("office").get("/catalog"))) is None
