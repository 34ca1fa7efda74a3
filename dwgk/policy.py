"""Every access rule of dwgk. Routes, templates and tests ask these functions, nothing else.

Pages that need a role send an anonymous visitor to the login page and answer 403 to a
signed-in user without the role. Objects the public may not see are 404 to the public
(their existence is not revealed) and 403 to a signed-in user without the right.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from dwgk.accounts.models import Role


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def has_role(user, *roles: Role) -> bool:
    return is_signed_in(user) and user.has_role(*roles)


def can_read_member_board(user) -> bool:
    """Every account is an insider: any signed-in user reads the member board."""
    return is_signed_in(user)


def can_read_review_remarks(user) -> bool:
    """Return reasons and reviewers' comments are internal: signed-in insiders only. The
    public sees that an item was reviewed, by whom and when (审核记录)."""
    return is_signed_in(user)


def can_manage_users(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit_log(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_manage_settings(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_change_own_password(user) -> bool:
    return is_signed_in(user)


def require(rule):
    """Guard a view with a `can_*(user)` rule: login page for the public, 403 for others."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not is_signed_in(current_user):
                from dwgk.extensions import login_manager

                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        # Read by the permission test's sanity checks.
        wrapped.dwgk_rule = rule
        return wrapped

    return decorator


def deny_object():
    """Refuse access to one object: 404 for the public, 403 for a signed-in user."""
    abort(403 if is_signed_in(current_user) else 404)


# --- the calendar -----------------------------------------------------------------------

def can_manage_kiosk(user) -> bool:
    """Which screens show what (/admin/kiosk): the admin. The screens themselves are public."""
    return has_role(user, Role.ADMIN)


def can_manage_calendar(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_see_calendar_warning(user) -> bool:
    """The office and the admin are told when next year's calendar is missing: the office
    counts deadlines on it, the admin enters it."""
    return has_role(user, Role.OFFICE, Role.ADMIN)


# --- the catalog --------------------------------------------------------------------------

def can_manage_catalog(user) -> bool:
    return has_role(user, Role.OFFICE)


def can_see_catalog_entry(user, entry) -> bool:
    """The public sees the public part of the catalog; any insider sees all of it."""
    from dwgk.catalog.models import Scope

    return entry.active and (entry.scope == Scope.PUBLIC or is_signed_in(user))


# --- disclosures: the office's workspace ---------------------------------------------------

def can_draft(user) -> bool:
    return has_role(user, Role.OFFICE)


def can_manage_attachments(user, disclosure) -> bool:
    """Attachments change with the text: only on a draft, by the office."""
    return can_edit_disclosure(user, disclosure)


def can_see_work_in_progress(user) -> bool:
    """Drafts, items in review and withdrawn items: the office and the leading group."""
    return has_role(user, Role.OFFICE, Role.REVIEWER)


def can_preview(user) -> bool:
    """预览 (/items/<id>/preview): an item's unpublished text as the boards will show it, for
    those who write it and those who review it: the office and the leading group."""
    return can_see_work_in_progress(user)


def get_previewable_or_404(disclosure_id: int):
    """The item whose unpublished text `current_user` may preview: 404 when unknown, and
    to the public (an unpublished item's existence is not revealed); 403 to a signed-in
    user who neither writes nor reviews items."""
    from dwgk.disclosures.models import Disclosure
    from dwgk.extensions import db

    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None or disclosure.working_revision_id is None:
        abort(404)
    if not can_preview(current_user):
        deny_object()
    return disclosure


def can_edit_disclosure(user, disclosure) -> bool:
    from dwgk.disclosures.models import State

    return has_role(user, Role.OFFICE) and disclosure.state == State.DRAFT


def can_act(user, disclosure, action) -> bool:
    """May `user` move `disclosure` by `action` now? (Legal in its state, and their job.)"""
    from dwgk.disclosures import workflow

    if not workflow.is_legal(disclosure.state, action):
        return False
    if action in (workflow.Action.APPROVE, workflow.Action.RETURN):
        return can_review(user, disclosure)
    # The office's own steps, 退回草稿 included (back from review or from approved).
    return has_role(user, Role.OFFICE)


def is_author(user, disclosure) -> bool:
    revision = disclosure.working_revision
    return user.id == disclosure.created_by_id or (revision is not None
                                                   and user.id == revision.author_id)


def can_review(user, disclosure) -> bool:
    """A reviewer, on an item in review, that they did not write, once per review round
    (after a return and a fix, the same reviewer decides the new round)."""
    from dwgk.disclosures.models import State

    if not has_role(user, Role.REVIEWER) or disclosure.state != State.IN_REVIEW:
        return False
    if is_author(user, disclosure):
        return False
    revision = disclosure.working_revision
    return not any(review.reviewer_id == user.id for review in revision.round_reviews)


def can_handle_feedback(user) -> bool:
    """The feedback inbox: the filer's details, assign, reply, publish result, close, log."""
    return has_role(user, Role.OFFICE)


def can_read_assigned_feedback(user) -> bool:
    """交我办理: anyone signed in may be given feedback to handle (相关部门/责任人)."""
    return is_signed_in(user)


def is_handler_of(user, feedback) -> bool:
    """The person a filing was assigned to: reads it (without the filer) and proposes the
    answer, which the office sends."""
    return is_signed_in(user) and feedback.assigned_to_id == user.id


def can_supervise(user) -> bool:
    """The supervision inbox, supervision notes and relayed opinions: supervisors."""
    return has_role(user, Role.SUPERVISOR)


def can_answer_supervision(user) -> bool:
    """Supervision notes are answered by the disclosure office."""
    return has_role(user, Role.OFFICE)


def can_read_supervision_notes(user) -> bool:
    """A note and its answer: the supervisors and the office."""
    return can_supervise(user) or can_answer_supervision(user)


def can_use_notifications(user) -> bool:
    """Everyone signed in has a bell and a list of their own notices."""
    return is_signed_in(user)


def can_use_review_queue(user) -> bool:
    return has_role(user, Role.REVIEWER)


# --- disclosures: who may read what ---------------------------------------------------------

def board_visibility(user):
    """The SQL condition for items `user` may find on a board, in search or in the feed.

    The public: live, not withdrawn, public, and past the members-first window.
    Any insider: live and not withdrawn.
    """
    from sqlalchemy import and_

    from dwgk.core import clock
    from dwgk.disclosures.models import Disclosure

    live = and_(Disclosure.live_revision_id.is_not(None), Disclosure.withdrawn_at.is_(None))
    if is_signed_in(user):
        return live
    return and_(live, Disclosure.public_from.is_not(None), Disclosure.public_from <= clock.now())


def public_board_visibility():
    """The public board is the public's board: a signed-in reader sees there exactly what
    an anonymous one does, and never a members-only revision."""
    from sqlalchemy import and_

    from dwgk.catalog.models import Scope
    from dwgk.disclosures.models import Revision

    return and_(board_visibility(None), Revision.scope == Scope.PUBLIC)


def is_public_now(disclosure) -> bool:
    from dwgk.core import clock

    return (disclosure.public_from is not None and disclosure.public_from <= clock.now())


def can_read_item(user, disclosure) -> bool:
    """The same rule as board_visibility(), for one loaded item."""
    from dwgk.catalog.models import Scope

    if disclosure.live_revision_id is None or disclosure.withdrawn_at is not None:
        return False
    if is_signed_in(user):
        return True
    # publish() leaves public_from empty for members-only items; checking the scope as
    # well means one slip there still cannot show a members-only text to the public.
    return is_public_now(disclosure) and disclosure.live_revision.scope == Scope.PUBLIC


def get_visible_or_404(disclosure_id: int):
    """The item if `current_user` may read it: 404 to the public (its existence is not
    revealed), 404 when it is not live at all, 403 to a signed-in user without the right."""
    from dwgk.disclosures.models import Disclosure
    from dwgk.extensions import db

    disclosure = db.session.get(Disclosure, disclosure_id)
    if disclosure is None or disclosure.live_revision_id is None or disclosure.withdrawn_at:
        abort(404)
    if not can_read_item(current_user, disclosure):
        deny_object()
    return disclosure


def can_download(user, attachment) -> bool:
    """An attachment of the live revision of a readable item; or, for the office and the
    leading group, any attachment of work in progress."""
    revision = attachment.revision
    if can_see_work_in_progress(user):
        return True
    return can_read_revision(user, revision.disclosure, revision)


def is_public_attachment(attachment) -> bool:
    """Could an anonymous visitor download this file right now?"""
    from flask_login import AnonymousUserMixin

    return can_download(AnonymousUserMixin(), attachment)


def get_downloadable_or_404(attachment_id: int):
    """The attachment if `current_user` may download it. Unknown, or of a withdrawn item
    (for those who do not see work in progress): 404, as on the boards. Otherwise 404 to
    the public and 403 to a signed-in user without the right."""
    from dwgk.disclosures.models import Attachment
    from dwgk.extensions import db

    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if not can_download(current_user, attachment):
        if attachment.revision.disclosure.withdrawn_at is not None:
            abort(404)
        deny_object()
    return attachment


def can_read_revision(user, disclosure, revision) -> bool:
    """Published revisions stay readable to whoever may read the item; the public never
    reads a revision that was itself members-only."""
    from dwgk.catalog.models import Scope

    if revision.published_at is None or not can_read_item(user, disclosure):
        return False
    return is_signed_in(user) or revision.scope == Scope.PUBLIC


def opinions_close_on(disclosure):
    """The last day opinions on a pre-disclosure are taken: the day before its decision,
    or before its formal version's publication if that came first (publishing the formal
    version closes the window)."""
    from datetime import timedelta

    from dwgk.disclosures.queries import formal_published_on

    revision = disclosure.live_revision
    if revision is None or not revision.is_predisclosure or revision.decision_date is None:
        return None
    last = revision.decision_date - timedelta(days=1)
    formal = formal_published_on(disclosure.id)
    return last if formal is None else min(last, formal - timedelta(days=1))


def can_give_opinion_on(user, disclosure) -> bool:
    """Opinions on a pre-disclosure are open to whoever may read it until its decision date;
    after that the server refuses them. (Opinions on other items: the feedback issue.)"""
    from dwgk.core import clock

    last_day = opinions_close_on(disclosure)
    return (last_day is not None and can_read_item(user, disclosure)
            and clock.today() <= last_day)


# --- duties and failed jobs (issue 5) ------------------------------------------------------

def can_see_duties(user) -> bool:
    """"我的待办": the office and the leading group (design.md: "My duties" for office and
    reviewers). Each sees what they are reminded of; the office also all the office's work."""
    return has_role(user, Role.OFFICE, Role.REVIEWER)


def can_manage_jobs(user) -> bool:
    """Failed background jobs (/admin/jobs): look, retry, delete. The admin only."""
    return has_role(user, Role.ADMIN)



# --- dashboard, ledger and summary report (issue 7) ------------------------------------------
def can_view_dashboard(user) -> bool:
    """The dashboard (工作台): the office and the leading group, who answer for the duties."""
    return has_role(user, Role.OFFICE, Role.REVIEWER)


def can_read_ledger_items(user) -> bool:
    """The ledger's items and reviews (work in progress included): office and leading group."""
    return can_see_work_in_progress(user)


def can_read_ledger_handling(user) -> bool:
    """The ledger's feedback and supervision notes, without filers' details: the office, the
    leading group, and the supervisors (who see all feedback and its handling)."""
    return has_role(user, Role.OFFICE, Role.REVIEWER, Role.SUPERVISOR)


def can_write_report_narrative(user) -> bool:
    """The report's narrative (工作情况说明) is written by the office, who sends the report."""
    return has_role(user, Role.OFFICE)


def can_read_ledger(user) -> bool:
    return can_read_ledger_items(user) or can_read_ledger_handling(user)


def can_see_filer_details(user) -> bool:
    """Filers' names, phones and e-mails in the ledger and its exports: the office only."""
    return can_handle_feedback(user)


def can_read_summary_report(user) -> bool:
    """The summary report (专题报告) to the higher discipline committee: the office, who
    writes and sends it; the leading group, who answers for it; and the supervisors, who
    oversee disclosure and the handling of feedback (design.md) — the report holds only
    figures, never a filer's details."""
    return has_role(user, Role.OFFICE, Role.REVIEWER, Role.SUPERVISOR)

