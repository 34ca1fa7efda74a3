"""The leading group's review queue (/review) and the review page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from dwgk import policy
from dwgk.disclosures import services
from dwgk.disclosures.models import CHECKLIST, Decision, State
from dwgk.extensions import db
from dwgk.review import queries
from dwgk.reminders import work
from dwgk.reminders.mailing import mail_notices_after_commit
from dwgk.review.forms import ReviewForm
from dwgk.web.render import render

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_template_global()
def review_waiting() -> int:
    """The menu's 审核 count for the page being rendered: the length of the reader's
    待我审核 list (reminders.work), read per request, never kept in a shared page."""
    if not policy.can_use_review_queue(current_user):
        return 0
    return work.review_waiting_count(current_user.id)


@bp.get("")
@policy.require(policy.can_use_review_queue)
def queue():
    return render("review/queue.html", rows=queries.queue())


def _page(disclosure, form, status=200):
    fields, lines = queries.changes_against_live(disclosure)
    return render("review/review.html", disclosure=disclosure, revision=disclosure.working_revision,
                  form=form, field_changes=fields, diff_lines=lines, checklist=CHECKLIST,
                  can_review=policy.can_review(current_user, disclosure),
                  is_author=policy.is_author(current_user, disclosure),
                  already_decided=services.ALREADY_DECIDED,
                  approvals_needed=services.approvals_needed(disclosure)
                  if disclosure.state == State.IN_REVIEW else None,
                  status=status)


@bp.route("/<int:disclosure_id>", methods=["GET", "POST"])
@policy.require(policy.can_use_review_queue)
def review(disclosure_id: int):
    disclosure = queries.load_for_review(disclosure_id)
    if disclosure is None:
        abort(404)
    form = ReviewForm()
    if not form.is_submitted():
        form.version_id.data = disclosure.version_id
        return _page(disclosure, form)
    if not policy.can_review(current_user, disclosure):
        if policy.is_author(current_user, disclosure):
            form.add_error(None, "不能审核自己起草或修改的事项。")
            return _page(disclosure, form, 403)
        form.add_error(None, services.ALREADY_DECIDED)
        return _page(disclosure, form, 409)
    if form.validate():
        data = services.ReviewInput(
            decision=Decision(form.decision.data),
            **{name: getattr(form, name).data for name in ReviewForm.CHECKS},
            reason=form.reason.data or "", meeting_date=form.meeting_date.data,
            meeting_attendees=form.meeting_attendees.data or "",
            meeting_decision=form.meeting_decision.data or "")
        try:
            version = int(form.version_id.data) if (form.version_id.data or "").isdigit() else None
            services.review(disclosure, data, reviewer=current_user._get_current_object(),
                            expected_version=version)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            form.add_error(None, "该事项已被他人处理，请刷新页面后再审核。")
        except services.DisclosureError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            mail_notices_after_commit()
            if data.decision == Decision.RETURN:
                flash("已退回修改，理由已告知起草人和责任人；办公室修改后重新提交，将开始新一轮审核。",
                      "success")
            elif disclosure.state == State.APPROVED:
                flash("审核通过，已通知起草人和责任人，办公室可以发布。", "success")
            else:
                flash("已记录您的同意意见；重大事项还需其他领导小组成员审核。", "success")
            return redirect(url_for("review.queue"))
        disclosure = queries.load_for_review(disclosure_id)
    return _page(disclosure, form, 422)
