"""The formal version of a pre-disclosure (预公开 → 正式版本): published on or after the
decision date, it closes the opinion window and says what became of each opinion (采纳情况)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dwgk import policy
from dwgk.accounts.models import Role
from dwgk.disclosures import services
from dwgk.disclosures.models import Adoption, Decision, State
from dwgk.extensions import db
from tests.factories import make_disclosure, make_user
from tests.feedback import CANARIES, file


def _plan():
    """A pre-disclosure published Nov 2, decision on Nov 20 (opinions until Nov 19)."""
    return make_disclosure(is_predisclosure=True, decision_date=date(2026, 11, 20),
                           title="关于调整党小组设置的预公开")


def _link(item, plan, actor):
    services.update_draft(item, services.draft_input_from(item.working_revision), actor=actor,
                          expected_version=None, predisclosure_id=plan.id)


def _approve(item, reviewer):
    services.review(item, services.ReviewInput(
        decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
        check_timing=True, check_duration=True, check_secrecy=True), reviewer=reviewer)


def test_the_formal_version_waits_for_the_decision_date(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        office, reviewer = make_user(Role.OFFICE), make_user(Role.REVIEWER)
        plan = _plan()
        frozen_clock(datetime(2026, 11, 19, 9, 0))
        draft = make_disclosure(State.DRAFT, author=office, title="党小组设置调整方案")
        # at save: the message goes next to the pre-disclosure field
        with pytest.raises(services.DisclosureError, match="拟决策日期（2026-11-20）当日或之后") as refused:
            _link(draft, plan, office)
        assert refused.value.field == "predisclosure_id"
        # at submit and at publish (linked before this rule, say)
        draft.predisclosure_id = plan.id
        with pytest.raises(services.DisclosureError, match="不能提交审核：正式版本须"):
            services.submit(draft, actor=office)
        approved = make_disclosure(State.APPROVED, author=office, reviewer=reviewer)
        approved.predisclosure_id = plan.id
        with pytest.raises(services.DisclosureError, match="不能发布：正式版本须"):
            services.publish(approved, actor=office)
        assert approved.state == State.APPROVED
        frozen_clock(datetime(2026, 11, 20, 9, 0))
        services.publish(approved, actor=office)
        assert approved.state == State.PUBLISHED
        db.session.rollback()


def test_publishing_the_formal_version_closes_the_opinion_window(app, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        from flask_login import AnonymousUserMixin

        plan = _plan()
        db.session.commit()
        anonymous = AnonymousUserMixin()
        # a formal version published early (before this rule; or the decision date was
        # pushed back later): no more opinions from the day it is published
        frozen_clock(datetime(2026, 11, 10, 9, 0))
        formal = make_disclosure(title="正式版本")
        formal.predisclosure_id = plan.id
        db.session.commit()
        assert policy.opinions_close_on(plan) == date(2026, 11, 9)
        assert not policy.can_give_opinion_on(anonymous, plan)


def test_every_opinion_is_answered_before_submit_and_shown_without_the_filer(app, client, login_as,
                                                                          users, frozen_clock):
    from sqlalchemy import select

    from dwgk.accounts.models import User

    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        office = db.session.scalar(select(User).where(User.username == "office"))
        plan = _plan()
        first, _ = file(plan.id, body="建议每个党小组不少于 5 人。")
        second, _ = file(plan.id, body="建议按年级组设置党小组。", named=False)
        file(plan.id, body="举报内容", kind=__import__("dwgk.feedback.models", fromlist=["x"])
             .FeedbackKind.REPORT)  # a report is not an opinion on the plan
        db.session.commit()
        frozen_clock(datetime(2026, 11, 20, 9, 0))
        formal = make_disclosure(State.DRAFT, author=office, title="党小组设置调整方案")
        _link(formal, plan, office)
        db.session.commit()
        formal_id, first_id, second_id = formal.id, first.id, second.id

    office_client = login_as("office")
    page = office_client.get(f"/office/items/{formal_id}").get_data(as_text=True)
    assert "尚有 2 条未填写采纳情况" in page and "举报内容" not in page
    # submit refused while an opinion is unanswered
    page = office_client.form_post(f"/office/items/{formal_id}/submit", {},
                                   follow_redirects=True).get_data(as_text=True)
    assert "不能提交审核：预公开稿收到的意见中，尚有 2 条未填写采纳情况" in page
    with app.app_context():
        from dwgk.disclosures.models import Disclosure

        assert db.session.get(Disclosure, formal_id).state == State.DRAFT
    # an outcome without a reason: nothing saved
    office_client.form_post(f"/office/items/{formal_id}/adoptions", {
        f"outcome_{first_id}": "adopted", f"reason_{first_id}": "已按建议调整",
        f"outcome_{second_id}": "not_adopted", f"reason_{second_id}": ""})
    with app.app_context():
        assert services.unanswered_opinions(db.session.get(Disclosure, formal_id)) == 2
    office_client.form_post(f"/office/items/{formal_id}/adoptions", {
        f"outcome_{first_id}": "adopted", f"reason_{first_id}": "已按建议调整",
        f"outcome_{second_id}": "not_adopted", f"reason_{second_id}": "按支部现有人数，分设三个小组更便于活动"})
    page = office_client.form_post(f"/office/items/{formal_id}/submit", {},
                                   follow_redirects=True).get_data(as_text=True)
    assert "不能提交审核" not in page, page[page.find("不能"):page.find("不能") + 200]
    with app.app_context():
        item = db.session.get(Disclosure, formal_id)
        assert item.state == State.IN_REVIEW
        _approve(item, make_user(Role.REVIEWER))
        services.publish(item, actor=db.session.get(User, item.created_by_id))
        db.session.commit()
    public = client.get(f"/items/{formal_id}").get_data(as_text=True)
    assert "意见采纳情况" in public and "建议每个党小组不少于 5 人。" in public
    assert f"{Adoption.ADOPTED.label}</span>：已按建议调整" in public
    assert "未采纳</span>：按支部现有人数" in public
    for canary in CANARIES:
        assert canary not in public
