"""Changes to disclosures. Every function checks the rules of design.md on the server,
moves the state only through workflow.transition(), writes its audit event, and flushes;
the caller commits (one commit per request)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import func, select

from dwgk.core.errors import Refusal
from dwgk.accounts.models import Role, User, UserRole
from dwgk.core.audit import record
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope, join_forms
from dwgk.core import clock
from dwgk.core.richtext import body_html, plain_text, rewrite_attachment_ids
from dwgk.disclosures import workflow
from dwgk.disclosures.models import (MAX_MEMBERS_FIRST_DAYS, Adoption, Attachment, Decision,
                                     Disclosure, OpinionAdoption, Review, Revision, State)
from dwgk.disclosures.workflow import Action
from dwgk.extensions import db

PREDISCLOSURE_MIN_DAYS = 15


class DisclosureError(Refusal):
    """A refused change; the message is shown to the user as it is."""


class EditConflict(DisclosureError):
    """Somebody else saved the item after this user opened it."""


# Shown where a reviewer may not decide (again): the review page and the service.
ALREADY_DECIDED = "该事项当前不在审核中，或您已在本轮审核中提出意见（办公室修改后重新提交，将开始新一轮审核）。"


@dataclass
class DraftInput:
    """What the office types into the drafting form."""

    title: str
    body_source: str
    category_id: int
    scope: Scope
    cadence: Cadence
    catalog_entry_id: int | None = None
    responsible_id: int | None = None
    result_date: date | None = None
    period_start: date | None = None  # periodic entries: the reporting period (its first day)
    publicity_workdays: int | None = None
    is_major: bool = False
    members_first_days: int = 1
    members_first_reason: str = ""
    is_predisclosure: bool = False
    decision_date: date | None = None
    change_note: str = ""
    disclosure_forms: str = ""  # 公开形式 (catalog.models.join_forms); empty: the entry's


def draft_input_from(revision: Revision, **changes) -> DraftInput:
    """The form values of `revision`, with `changes` applied: what a new revision starts from."""
    values = {item.name: getattr(revision, item.name) for item in fields(DraftInput)}
    values.update(changes)
    return DraftInput(**values)


def _check_draft(data: DraftInput, predisclosure_id: int | None = None) -> None:
    """The rules a draft must satisfy before it is saved at all."""
    title = data.title.strip()
    if not title:
        raise DisclosureError("请填写标题。", "title")
    if len(title) > 200:
        raise DisclosureError("标题不能超过 200 个字。", "title")
    category = db.session.get(Category, data.category_id)
    if category is None or not category.active:
        raise DisclosureError("请选择有效的公开内容类别。", "category_id")
    if data.catalog_entry_id is not None:
        entry = db.session.get(CatalogEntry, data.catalog_entry_id)
        if entry is None or not entry.active:
            raise DisclosureError("请选择有效的目录条目。", "catalog_entry_id")
    if data.responsible_id is not None:
        user = db.session.get(User, data.responsible_id)
        if user is None or not user.active:
            raise DisclosureError("请选择有效的责任人。", "responsible_id")
    _check_period(data)
    if data.cadence == Cadence.STAGED and data.result_date is None:
        raise DisclosureError("分期公开的事项须填写结果产生日期（结果须在 7 日内公开）。", "result_date")
    if data.publicity_workdays is not None and not 1 <= data.publicity_workdays <= 60:
        raise DisclosureError("公示期须为 1 至 60 个工作日。", "publicity_workdays")
    if not 0 <= data.members_first_days <= MAX_MEMBERS_FIRST_DAYS:
        raise DisclosureError(f"党内先行公开天数须为 0 至 {MAX_MEMBERS_FIRST_DAYS} 天。",
                              "members_first_days")
    if data.is_predisclosure and data.decision_date is None:
        raise DisclosureError("预公开须填写拟决策日期。", "decision_date")
    problem = publish_rule_problem(data, clock.today(), predisclosure_id)
    if problem is not None:
        raise problem


def _check_period(data: DraftInput) -> None:
    """An item of a periodic (定期) entry names its reporting period: by default the current
    one; any day of a period stands for it; a period not begun yet is refused."""
    from dwgk.catalog.queries import entry_months, period_name, period_start

    entry = db.session.get(CatalogEntry, data.catalog_entry_id) if data.catalog_entry_id else None
    if entry is None or entry.cadence != Cadence.PERIODIC:
        data.period_start = None
        return
    months = entry_months(entry)
    current = period_start(clock.today(), months)
    chosen = current if data.period_start is None else period_start(data.period_start, months)
    if chosen > current:
        raise DisclosureError(f"所属期次不能晚于本期（{period_name(current, months)}）。",
                              "period_start")
    data.period_start = chosen


def publish_rule_problem(values, today: date, predisclosure_id: int | None = None
                         ) -> DisclosureError | None:
    """The first rule of publication that `values` (a DraftInput or a Revision) breaks if it
    were published `today`, as a refusal naming its field; None when it may be published.
    The same rules are checked at save, at submit and at publish, so that an approved
    item is never stopped at the last step by something the form could have said.
    `predisclosure_id`: the pre-disclosure a formal version links back to (a Revision's
    is read from its disclosure)."""
    if predisclosure_id is None and isinstance(values, Revision) and values.disclosure is not None:
        predisclosure_id = values.disclosure.predisclosure_id
    if predisclosure_id is not None:
        problem = formal_version_problem(db.session.get(Disclosure, predisclosure_id), today)
        if problem is not None:
            return problem
    if (values.scope == Scope.PUBLIC and values.members_first_days == 0
            and not (values.members_first_reason or "").strip()):
        return DisclosureError("党内先行期为 0 天时，须说明理由。", "members_first_reason")
    if values.is_predisclosure and values.decision_date is not None:
        earliest = today + timedelta(days=PREDISCLOSURE_MIN_DAYS)
        if values.decision_date < earliest:
            return DisclosureError(
                f"预公开须在决策前至少 {PREDISCLOSURE_MIN_DAYS} 日发布：拟决策日期"
                f"（{values.decision_date}）应不早于 {earliest}。", "decision_date")
    if values.catalog_entry_id is not None and values.scope == Scope.PUBLIC:
        entry = db.session.get(CatalogEntry, values.catalog_entry_id)
        if entry is not None and entry.scope == Scope.MEMBERS:
            return DisclosureError(
                f"目录条目“{entry.title}”规定为党内公开，本事项不能社会公开："
                "请将公开范围改为党内公开，或选择其他目录条目。", "scope")
    return None


def formal_version_problem(predisclosure: Disclosure | None, today: date) -> DisclosureError | None:
    """A formal version (正式版本) is published on or after its pre-disclosure's decision
    date: the opinions are collected until then and the formal version says what became
    of each (采纳情况)."""
    revision = predisclosure.live_revision if predisclosure is not None else None
    if revision is None or revision.decision_date is None or today >= revision.decision_date:
        return None
    return DisclosureError(
        f"正式版本须在预公开稿的拟决策日期（{revision.decision_date}）当日或之后发布："
        f"意见征集至 {revision.decision_date - timedelta(days=1)}，请征集结束、"
        "填写采纳情况后再保存。", "predisclosure_id")


# How a refusal at publish tells the office the way out (the button on the item page).
PUBLISH_FIX = "请点“退回草稿”，在编辑页修改后重新提交审核。"


def _apply(revision: Revision, data: DraftInput) -> None:
    for item in fields(DraftInput):
        value = getattr(data, item.name)
        if isinstance(value, str):
            value = value.strip()
        setattr(revision, item.name, value)
    revision.disclosure_forms = join_forms(revision.disclosure_forms.split(","))
    if not revision.disclosure_forms and revision.catalog_entry_id is not None:
        with db.session.no_autoflush:  # the new revision is not in the session yet
            entry = db.session.get(CatalogEntry, revision.catalog_entry_id)
        revision.disclosure_forms = entry.disclosure_forms if entry else ""
    # The stored body is the sanitised HTML (body_source keeps the same, for the editor).
    revision.body_html = body_html(revision.body_source,
                                   image_ids=[a.id for a in revision.attachments if a.id and a.is_image])
    revision.body_source = revision.body_html


def default_members_first_days() -> int:
    from dwgk.core import settings

    return settings.get().members_first_days


def _check_predisclosure(predisclosure_id: int | None, disclosure: Disclosure | None = None) -> None:
    if predisclosure_id is None:
        return
    target = db.session.get(Disclosure, predisclosure_id)
    if (target is None or target is disclosure or target.live_revision is None
            or not target.live_revision.is_predisclosure or target.withdrawn_at is not None):
        raise DisclosureError("请选择已发布的预公开稿。", "predisclosure_id")


# 分期 work: the refusals of _check_stage, each said next to the 阶段 field.
STAGE_FIELD = "first_stage_id"


def _check_stage(data: DraftInput, stage_of_id: int | None, is_summary: bool,
                 disclosure: Disclosure | None = None) -> int | None:
    """The first stage of the 分期 work a (later) stage belongs to, or None. `stage_of_id`
    may name any published stage of the work. A later stage is staged itself, files under
    the work's catalog entry, and is never its own work; once the work has ended only its
    closing summary (总结性公开) may follow, and a work has one summary."""
    if stage_of_id is None:
        if is_summary:
            raise DisclosureError("总结性公开须属于一项分期工作：请选择“属于哪项分期工作”。", STAGE_FIELD)
        return None
    if data.cadence != Cadence.STAGED:
        raise DisclosureError("只有分期公开的事项才能作为一项分期工作的后续阶段：请将公开时限改为分期公开。",
                              STAGE_FIELD)
    chosen = db.session.get(Disclosure, stage_of_id)
    if (chosen is None or chosen.live_revision is None or chosen.withdrawn_at is not None
            or chosen.live_revision.cadence != Cadence.STAGED):
        raise DisclosureError("请选择已发布的分期公开事项。", STAGE_FIELD)
    first = chosen.first_stage or chosen
    if disclosure is not None:
        if first.id == disclosure.id:
            raise DisclosureError("事项不能作为自己的后续阶段。", STAGE_FIELD)
        if db.session.scalar(select(func.count()).where(Disclosure.first_stage_id == disclosure.id)):
            raise DisclosureError("本事项已是一项分期工作的第一阶段，不能再作为其他工作的后续阶段。",
                                  STAGE_FIELD)
    entry = first.live_revision.catalog_entry
    if entry is not None and data.catalog_entry_id != entry.id:
        raise DisclosureError(f"后续阶段须与第一阶段对应同一目录条目（“{entry.title}”）。",
                              "catalog_entry_id")
    if first.work_ended_on is not None and not is_summary:
        raise DisclosureError(f"本项工作已于 {first.work_ended_on} 结束，只能再发布总结性公开"
                              "（或在第一阶段页面撤销结束）。", STAGE_FIELD)
    if is_summary:
        other = db.session.scalar(select(Disclosure.id).where(
            Disclosure.first_stage_id == first.id, Disclosure.is_summary.is_(True),
            Disclosure.withdrawn_at.is_(None),
            Disclosure.id != (disclosure.id if disclosure is not None else -1)).limit(1))
        if other is not None:
            raise DisclosureError("本项工作已有总结性公开，请修订那一项。", "is_summary")
    return first.id


def create_disclosure(data: DraftInput, *, author: User, predisclosure_id: int | None = None,
                      stage_of_id: int | None = None, is_summary: bool = False) -> Disclosure:
    _check_draft(data, predisclosure_id)
    _check_predisclosure(predisclosure_id)
    first_stage_id = _check_stage(data, stage_of_id, is_summary)
    disclosure = Disclosure(state=State.DRAFT, created_by_id=author.id,
                            predisclosure_id=predisclosure_id, first_stage_id=first_stage_id,
                            is_summary=is_summary)
    db.session.add(disclosure)
    revision = Revision(disclosure=disclosure, number=1, author_id=author.id)
    _apply(revision, data)
    db.session.add(revision)
    db.session.flush()
    disclosure.working_revision = revision
    db.session.flush()
    record("disclosure.create", disclosure, actor=author, summary=revision.title)
    return disclosure


def _check_version(disclosure: Disclosure, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != disclosure.version_id:
        raise EditConflict(
            "保存失败：在您编辑期间，该事项已被他人修改或状态已变化。"
            "为避免覆盖他人的修改，本次内容未保存，请刷新页面查看最新内容后再编辑。")


def update_draft(disclosure: Disclosure, data: DraftInput, *, actor: User,
                 expected_version: int | None, predisclosure_id: int | None = None,
                 stage_of_id: int | None = None, is_summary: bool = False) -> None:
    """Save the working revision of a draft. A stale `expected_version` is refused."""
    _check_version(disclosure, expected_version)
    if disclosure.state != State.DRAFT:
        raise DisclosureError(f"“{disclosure.state.label}”状态的事项不能修改，请先退回或修订。")
    _check_draft(data, predisclosure_id)
    _check_predisclosure(predisclosure_id, disclosure)
    disclosure.first_stage_id = _check_stage(data, stage_of_id, is_summary, disclosure)
    disclosure.is_summary = is_summary
    disclosure.predisclosure_id = predisclosure_id
    revision = disclosure.working_revision
    _apply(revision, data)
    revision.author_id = actor.id
    disclosure.updated_at = clock.now()  # marks the row dirty: the version moves on
    db.session.flush()
    record("disclosure.update", disclosure, actor=actor, summary=revision.title)


def _do(disclosure: Disclosure, action: Action, actor: User, expected_version: int | None,
        summary: str = "") -> None:
    _check_version(disclosure, expected_version)
    try:
        workflow.transition(disclosure, action)
    except workflow.IllegalTransition as exc:
        raise DisclosureError(str(exc)) from None
    disclosure.updated_at = clock.now()
    db.session.flush()
    record(f"disclosure.{action.value}", disclosure, actor=actor,
           summary=summary or disclosure.working_revision.title)


def submit(disclosure: Disclosure, *, actor: User, expected_version: int | None = None) -> None:
    """Open the next review round and tell the reviewers who may decide it."""
    from dwgk.disclosures import notices

    revision = disclosure.working_revision
    if not plain_text(revision.body_html) and not revision.attachments:
        raise DisclosureError("正文和附件不能都为空，请补充公开内容后再提交审核。", "body_source")
    problem = publish_rule_problem(revision, clock.today())
    if problem is not None:
        raise DisclosureError(f"不能提交审核：{problem}请在编辑页修改后再提交。", problem.field)
    unanswered = unanswered_opinions(disclosure)
    if unanswered:
        raise DisclosureError(f"不能提交审核：{ADOPTION_MISSING.format(count=unanswered)}")
    _do(disclosure, Action.SUBMIT, actor, expected_version,
        summary=f"{revision.title}（第 {revision.number} 版，第 {revision.review_round + 1} 轮审核）")
    revision.submitted_at = clock.now()
    revision.review_round += 1
    revision.returned_at, revision.returned_by_id, revision.return_reason = None, None, ""
    db.session.flush()
    notices.submitted(disclosure, actor)


def _mark_returned(revision: Revision, by: User, reason: str) -> None:
    revision.returned_at = clock.now()
    revision.returned_by_id = by.id
    revision.return_reason = reason
    revision.approved_at = None


def redraft(disclosure: Disclosure, reason: str, *, actor: User,
            expected_version: int | None = None) -> None:
    """退回草稿: the office takes an item in review or approved back to draft, to change it
    and submit it again (a new review round). The text stays; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("退回草稿须写明理由。", "reason")
    _do(disclosure, Action.REDRAFT, actor, expected_version, summary=reason)
    _mark_returned(disclosure.working_revision, actor, reason)
    db.session.flush()


@dataclass
class ReviewInput:
    decision: Decision
    check_content: bool = False
    check_form: bool = False
    check_scope: bool = False
    check_timing: bool = False
    check_duration: bool = False
    check_secrecy: bool = False
    reason: str = ""
    meeting_date: date | None = None
    meeting_attendees: str = ""
    meeting_decision: str = ""

    @property
    def checklist_complete(self) -> bool:
        return all((self.check_content, self.check_form, self.check_scope, self.check_timing,
                    self.check_duration, self.check_secrecy))

    @property
    def records_meeting(self) -> bool:
        return bool(self.meeting_date and self.meeting_attendees.strip()
                    and self.meeting_decision.strip())


def eligible_reviewer_count(disclosure: Disclosure) -> int:
    """Active reviewers who may review this item (its authors may not)."""
    authors = {disclosure.created_by_id, disclosure.working_revision.author_id}
    return db.session.scalar(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.REVIEWER, User.active.is_(True), User.id.not_in(authors))
    ) or 0


def approvals_needed(disclosure: Disclosure) -> int:
    """One approval; for a major item, a majority of the eligible reviewers (unless one
    approval records the meeting's collective decision)."""
    if not disclosure.working_revision.is_major:
        return 1
    return eligible_reviewer_count(disclosure) // 2 + 1


def quorum_reached(disclosure: Disclosure) -> bool:
    """Counted within the current review round: approvals of earlier rounds do not count."""
    approvals = disclosure.working_revision.approvals
    if not approvals:
        return False
    if disclosure.working_revision.is_major and any(r.records_meeting for r in approvals):
        return True
    return len(approvals) >= approvals_needed(disclosure)


def review(disclosure: Disclosure, data: ReviewInput, *, reviewer: User,
           expected_version: int | None = None) -> Review:
    """Record a reviewer's decision in the current round; return the item (ending the
    round), or approve it once the round's quorum is met. The drafter and the responsible
    person are told either way."""
    from dwgk import policy
    from dwgk.disclosures import notices

    _check_version(disclosure, expected_version)
    if disclosure.state != State.IN_REVIEW:
        raise DisclosureError("该事项当前不在审核中。")
    if policy.is_author(reviewer, disclosure):
        raise DisclosureError("不能审核自己起草或修改的事项。")
    if not policy.can_review(reviewer, disclosure):
        raise DisclosureError(ALREADY_DECIDED)
    if data.decision == Decision.APPROVE and not data.checklist_complete:
        raise DisclosureError("同意公开前，须逐项确认内容、形式、范围、时间、时长及保密审查。", "checklist")
    if data.decision == Decision.RETURN and not data.reason.strip():
        raise DisclosureError("退回时须写明理由。", "reason")
    if data.meeting_date or data.meeting_attendees.strip() or data.meeting_decision.strip():
        if not data.records_meeting:
            raise DisclosureError("记录会议集体决策时，须填写会议日期、参会人员和决定内容。", "meeting_date")
        if data.meeting_date > clock.today():
            raise DisclosureError("会议日期不能晚于今天。", "meeting_date")
    revision = disclosure.working_revision
    entry = Review(revision=revision, round=revision.review_round, reviewer_id=reviewer.id,
                   decision=data.decision,
                   check_content=data.check_content, check_form=data.check_form,
                   check_scope=data.check_scope, check_timing=data.check_timing,
                   check_duration=data.check_duration, check_secrecy=data.check_secrecy,
                   reason=data.reason.strip(), meeting_date=data.meeting_date,
                   meeting_attendees=data.meeting_attendees.strip(),
                   meeting_decision=data.meeting_decision.strip())
    db.session.add(entry)
    db.session.flush()
    record(f"review.{data.decision.value}", disclosure, actor=reviewer,
           summary=f"{revision.title}（第 {revision.number} 版，第 {revision.review_round} 轮）"
           + (f"：{entry.reason}" if entry.reason else ""))
    if data.decision == Decision.RETURN:
        _do(disclosure, Action.RETURN, reviewer, None, summary=entry.reason)
        _mark_returned(revision, reviewer, entry.reason)
        db.session.flush()
        notices.returned(disclosure, reviewer)
    elif quorum_reached(disclosure):
        revision.approved_at = clock.now()
        _do(disclosure, Action.APPROVE, reviewer, None)
        notices.approved(disclosure, reviewer)
    return entry


def publish(disclosure: Disclosure, *, actor: User, expected_version: int | None = None) -> None:
    """Make the approved working revision the live one (先党内、后党外 for public items).
    A rule of publication broken by now (time passed since approval) is refused with the
    fix: 退回草稿, change, submit again."""
    from dwgk.disclosures import notices

    revision = disclosure.working_revision
    now = clock.now()
    today = clock.today()
    if disclosure.state == State.APPROVED:
        if revision.is_predisclosure and revision.decision_date is None:
            raise DisclosureError(f"不能发布：预公开须填写拟决策日期。{PUBLISH_FIX}", "decision_date")
        problem = publish_rule_problem(revision, today)
        if problem is not None:
            raise DisclosureError(f"不能发布：{problem}{PUBLISH_FIX}", problem.field)
    was_public = disclosure.public_from is not None
    previous = disclosure.live_revision
    _do(disclosure, Action.PUBLISH, actor, expected_version)
    revision.published_at = now
    revision.published_by_id = actor.id
    disclosure.live_revision = revision
    disclosure.last_published_at = now
    if disclosure.first_published_at is None:
        disclosure.first_published_at = now
    if revision.scope == Scope.PUBLIC:
        if not was_public:
            disclosure.public_from = now + timedelta(days=revision.members_first_days)
    else:
        disclosure.public_from = None
    disclosure.search_text = f"{revision.title}\n{plain_text(revision.body_html)}"
    db.session.flush()
    if previous is not None:
        record("disclosure.republish", disclosure, actor=actor,
               summary=f"第 {revision.number} 版替换第 {previous.number} 版：{revision.change_note}")
    notices.published(disclosure, actor)


def revise(disclosure: Disclosure, *, actor: User, expected_version: int | None = None) -> Revision:
    """Start a new revision from the live one; the live one stays shown until the new one
    is approved and published."""
    live = disclosure.live_revision
    number = max(r.number for r in disclosure.revisions) + 1
    attachments = [
        Attachment(stored_name=a.stored_name, original_name=a.original_name,
                   content_type=a.content_type, size=a.size, sha256=a.sha256,
                   uploaded_by_id=a.uploaded_by_id, created_at=a.created_at)
        for a in live.attachments
    ]
    values = {item.name: getattr(live, item.name) for item in fields(DraftInput)}
    values["change_note"] = ""
    copy = Revision(number=number, author_id=actor.id, body_html=live.body_html,
                    attachments=attachments, **values)
    db.session.add(copy)
    disclosure.revisions.append(copy)
    db.session.flush()
    # Inline images point at the copied attachments, so the new body shows its own files.
    mapping = {old.id: new.id for old, new in zip(live.attachments, attachments, strict=True)}
    copy.body_html = rewrite_attachment_ids(live.body_html, mapping)
    copy.body_source = copy.body_html
    disclosure.working_revision = copy
    _do(disclosure, Action.REVISE, actor, expected_version, summary=f"开始第 {number} 版修订")
    return copy


def end_work(disclosure: Disclosure, ended_on: date | None, *, actor: User) -> Disclosure:
    """本项工作已结束: the office says the whole 分期 work `disclosure` belongs to ended on
    `ended_on` (not after today). Recorded on the work's first stage; when the work spans a
    calendar year end a closing summary (总结性公开) is owed (queries.summary_deadline)."""
    first = disclosure.first_stage or disclosure
    revision = first.live_revision
    if revision is None or revision.cadence != Cadence.STAGED or first.withdrawn_at is not None:
        raise DisclosureError("只有已发布的分期公开工作才能标记为已结束。")
    if first.work_ended_on is not None:
        raise DisclosureError(f"本项工作已于 {first.work_ended_on} 标记为结束。")
    if ended_on is None:
        raise DisclosureError("请填写本项工作结束的日期。", "ended_on")
    today = clock.today()
    started = first.first_published_at.astimezone(clock.LOCAL_TZ).date()
    if ended_on > today:
        raise DisclosureError(f"结束日期不能晚于今天（{today}）。", "ended_on")
    if ended_on < started:
        raise DisclosureError(f"结束日期不能早于第一阶段的发布日（{started}）。", "ended_on")
    first.work_ended_on = ended_on
    first.work_ended_by_id = actor.id
    db.session.flush()
    record("disclosure.work_end", first, actor=actor, summary=f"本项工作于 {ended_on} 结束")
    return first


def reopen_work(disclosure: Disclosure, *, actor: User) -> Disclosure:
    """撤销结束: the work goes on (a mistaken 本项工作已结束); its summary is no longer owed."""
    first = disclosure.first_stage or disclosure
    if first.work_ended_on is None:
        raise DisclosureError("本项工作尚未标记为结束。")
    ended_on = first.work_ended_on
    first.work_ended_on = None
    first.work_ended_by_id = None
    db.session.flush()
    record("disclosure.work_reopen", first, actor=actor, summary=f"撤销“于 {ended_on} 结束”")
    return first


def archive(disclosure: Disclosure, *, actor: User | None, expected_version: int | None = None,
            summary: str = "") -> None:
    disclosure.archived_at = clock.now()
    _do(disclosure, Action.ARCHIVE, actor, expected_version, summary=summary)


def withdraw(disclosure: Disclosure, reason: str, *, actor: User,
             expected_version: int | None = None) -> None:
    """Take the item off every board at once. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("撤回须写明理由。", "reason")
    disclosure.withdrawn_at = clock.now()
    disclosure.withdrawn_by_id = actor.id
    disclosure.withdraw_reason = reason
    disclosure.search_text = ""
    _do(disclosure, Action.WITHDRAW, actor, expected_version, summary=reason)


def archive_ended_publicity_periods() -> list[Disclosure]:
    """Archive every published item whose publicity period (公示期) is over: the period
    runs through its last working day, so the item moves to the archive once that day
    has ended. Idempotent: run it as often as you like."""
    from dwgk.core.workdays import Calendar
    from dwgk.disclosures import queries

    calendar = Calendar.load()
    today = clock.today()
    archived = []
    for disclosure in queries.published_with_publicity_period():
        period = queries.publicity_period(disclosure, calendar)
        if period is not None and period.due < today:
            archive(disclosure, actor=None,
                    summary=f"公示期满（{period.start} 起 {disclosure.live_revision.publicity_workdays}"
                            f" 个工作日，至 {period.due}），自动归档")
            archived.append(disclosure)
    return archived


# Shown on the formal version's page and when its submission is refused.
ADOPTION_MISSING = "预公开稿收到的意见中，尚有 {count} 条未填写采纳情况（采纳 / 部分采纳 / 未采纳及理由）。"


def unanswered_opinions(disclosure: Disclosure) -> int:
    """How many opinions on the pre-disclosure the formal version has not answered yet."""
    from dwgk.disclosures import queries

    return sum(answer is None for _opinion, answer in queries.opinion_answers(disclosure))


@dataclass
class AdoptionInput:
    feedback_id: int
    outcome: str
    reason: str


def record_adoptions(disclosure: Disclosure, answers: list[AdoptionInput], *, actor: User) -> int:
    """Save the formal version's 采纳情况 for the opinions given (a draft only). A row with
    an outcome needs a reason and the other way round; rows left empty stay unanswered.
    Nothing is saved when one row is wrong. Returns how many were saved."""
    from dwgk.disclosures import queries

    if disclosure.state != State.DRAFT:
        raise DisclosureError("采纳情况只能在草稿中填写：请先退回草稿或修订。")
    current = {opinion.id: answer for opinion, answer in queries.opinion_answers(disclosure)}
    saved = 0
    for number, item in enumerate(answers, start=1):
        reason = (item.reason or "").strip()
        if item.feedback_id not in current:
            raise DisclosureError("意见不属于本事项的预公开稿。", "adoption")
        if not item.outcome and not reason:
            continue
        try:
            outcome = Adoption(item.outcome)
        except ValueError:
            raise DisclosureError(f"第 {number} 条意见：请选择采纳、部分采纳或未采纳。",
                                  f"outcome_{item.feedback_id}") from None
        if not reason:
            raise DisclosureError(f"第 {number} 条意见：请写明{outcome.label}的理由。",
                                  f"reason_{item.feedback_id}")
        if len(reason) > 1000:
            raise DisclosureError(f"第 {number} 条意见：理由不能超过 1000 个字。",
                                  f"reason_{item.feedback_id}")
        answer = current[item.feedback_id]
        if answer is None:
            answer = OpinionAdoption(disclosure_id=disclosure.id, feedback_id=item.feedback_id,
                                     outcome=outcome, reason=reason, updated_by_id=actor.id)
            db.session.add(answer)
        else:
            answer.outcome, answer.reason, answer.updated_by_id = outcome, reason, actor.id
        saved += 1
    disclosure.updated_at = clock.now()
    db.session.flush()
    record("disclosure.adoption", disclosure, actor=actor, summary=f"填写采纳情况 {saved} 条")
    return saved
