"""Duties: what someone has to do by a date, computed from the database alone.

`compute_duties(today, calendar, settings)` returns every duty of design.md's table
("Deadlines that produce reminders") that is due today or overdue; with `horizon=` a later
date, also those due after today up to that date (the "我的待办" page looks ahead; the
sweep does not):

| kind            | due                                                   | who                     |
|-----------------|-------------------------------------------------------|-------------------------|
| `periodic`      | the last day of the entry's period (quarter unless    | the entry's responsible |
|                 | the entry says otherwise), nothing published in it    | person; overdue: + reviewers |
| `staged`        | 7 days after the result date (moved past holidays),   | the item's responsible  |
|                 | the item still unpublished (draft/in review/approved) | person, else its author |
| `review`        | N working days after the round's submission           | reviewers who have not  |
|                 | (review_due_workdays): the quorum still missing       | decided the round       |
| `feedback`      | N working days after a named filing came in           | the assignee, else office |
| `note`          | N working days after a supervision note was filed     | office                  |
| `publicity`     | the last working day of a publicity period (公示期)    | office                  |
| `predisclosure` | the decision date, no formal version published yet    | office                  |
| `summary`       | 7 days after a cross-year 分期 work ended (moved past  | the first stage's       |
|                 | holidays), no closing summary (总结性公开) published   | responsible, else author |

When a duty is notified (see `Duty.due_key`): on its due date ("due today"), and once
more after it ("overdue"); never more, however often the sweep runs. A sweep that first
sees a duty after its due date sends only the overdue notice. A publicity period's end is
told once: the item is archived after it, and an archived item's duty lives only on the day
of its archiving, so a sweep that did not run on the last day still tells the office.

A fixed number of queries, whatever the number of rows: one or two per kind, plus the
office users, the reviewers and the users named as responsible/assignee (one query).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from dwgk.accounts.models import Role, User, UserRole
from dwgk.catalog.models import Cadence, CatalogEntry, Category
from dwgk.catalog.queries import DEFAULT_PERIOD_MONTHS, covered_periods, period_name, period_start
from dwgk.catalog.services import FREQUENCY_LABELS
from dwgk.core.clock import LOCAL_TZ
from dwgk.core.settings import Settings
from dwgk.core.workdays import DAYS, Calendar, Deadline, format_day, period_end
from dwgk.disclosures.models import Disclosure, Review, Revision, State
from dwgk.disclosures.queries import OwedSummary, count_publicity_period, owed_summaries
from dwgk.extensions import db
from dwgk.feedback.models import Feedback, FeedbackStatus
from dwgk.supervision.models import SupervisionNote

PERIODIC = "periodic"
STAGED = "staged"
REVIEW = "review"
FEEDBACK = "feedback"
NOTE = "note"
PUBLICITY = "publicity"
PREDISCLOSURE = "predisclosure"
SUMMARY = "summary"

KINDS = (PERIODIC, STAGED, REVIEW, FEEDBACK, NOTE, PUBLICITY, PREDISCLOSURE, SUMMARY)

KIND_LABELS = {
    PERIODIC: "定期公开",
    STAGED: "分期公开结果",
    REVIEW: "待审核事项",
    FEEDBACK: "实名反映答复",
    NOTE: "监督意见答复",
    PUBLICITY: "公示期届满",
    PREDISCLOSURE: "预公开决策日",
    SUMMARY: "总结性公开",
}

# What the notice says on the due date, and once overdue.
_DUE_TODAY = {
    PERIODIC: "今日为本期最后一日，尚未公开，请今日内公开",
    STAGED: "结果公开期限今日届满，请今日内公开",
    REVIEW: "审核期限今日届满，请尽快审核",
    FEEDBACK: "答复期限今日届满，请今日内答复",
    NOTE: "答复期限今日届满，请今日内答复",
    PUBLICITY: "公示期今日届满，请公布结果",
    PREDISCLOSURE: "今日为拟决策日，意见征集截止，请汇总意见并公开正式版本",
    SUMMARY: "本项跨年度工作已结束，总结性公开期限今日届满，请今日内发布",
}
_OVERDUE = {
    PERIODIC: "已逾期：上一期未公开",
    STAGED: "已逾期：结果尚未公开",
    REVIEW: "已逾期：尚未完成审核",
    FEEDBACK: "已逾期：尚未答复",
    NOTE: "已逾期：尚未答复",
    PUBLICITY: "公示期已届满，请公布结果",
    PREDISCLOSURE: "决策日已过，尚未公开正式版本",
    SUMMARY: "已逾期：本项跨年度工作已结束，尚未发布总结性公开",
}

STAGED_RESULT_DAYS = 7  # design.md: a staged result is disclosed within 7 days


@dataclass(frozen=True)
class Duty:
    kind: str
    object_type: str  # a table name: catalog_entry, disclosure, feedback, supervision_note
    object_id: int
    title: str
    due: date
    explanation: str  # how the due date was computed (Deadline.explanation)
    recipients: tuple[User, ...]
    overdue: bool
    link: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def days_overdue(self, today: date) -> int:
        """Calendar days since the due date (0 on the day, negative before it)."""
        return (today - self.due).days

    @property
    def notice_kind(self) -> str:
        return f"duty.{self.kind}"

    @property
    def due_key(self) -> str:
        """The notice's key: the due date on the day, "overdue:<due date>" after it. With
        the notification's unique key, each person is told at most twice per due date.
        A publicity period's end is told once: on its last day, or by the first sweep after
        it when none ran that day (the item is archived then; the result is still owed)."""
        if self.overdue and self.kind != PUBLICITY:
            return f"overdue:{self.due.isoformat()}"
        return self.due.isoformat()

    @property
    def message(self) -> str:
        what = (_OVERDUE if self.overdue else _DUE_TODAY)[self.kind]
        return (f"【{KIND_LABELS[self.kind]}】{self.title}：{what}"
                f"（截止 {format_day(self.due)}）。{self.explanation}")[:500]


def compute_duties(today: date, calendar: Calendar, settings: Settings,
                   horizon: date | None = None) -> list[Duty]:
    """Every duty due today or overdue, oldest due date first; with `horizon`, also every
    duty due after today up to and including `horizon` (not overdue)."""
    until = today if horizon is None or horizon < today else horizon
    people = _People()
    owed = owed_summaries(calendar)
    duties = [
        *_periodic(today, until, people),
        *_staged(today, until, calendar, people, owed),
        *_review(today, until, calendar, settings, people),
        *_feedback(today, until, calendar, settings, people),
        *_notes(today, until, calendar, settings, people),
        *_publicity(today, until, calendar, people),
        *_predisclosure(today, until, people),
        *_summary(today, until, owed),
    ]
    people.resolve(duties)
    duties = [duty for duty in people.resolved if duty.recipients]
    duties.sort(key=lambda d: (d.due, KINDS.index(d.kind), d.object_id))
    return duties


# ---------------------------------------------------------------------------------------
# Who is told: loaded once per sweep


class _People:
    """Recipients are first named by role or by user id; `resolve` loads them all in at
    most three queries (office, reviewers, the named users)."""

    def __init__(self):
        self._roles: dict[Role, list[User]] = {}
        self.resolved: list[Duty] = []

    def role(self, role: Role) -> list[User]:
        if role not in self._roles:
            self._roles[role] = list(db.session.scalars(
                select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
                .order_by(User.id)).unique())
        return self._roles[role]

    def resolve(self, pending: list[tuple[Duty, list]]) -> None:
        """`pending`: (duty without recipients, [Role | user id | (user id, fallback Role)])."""
        ids = set()
        for _duty, who in pending:
            for item in who:
                if isinstance(item, tuple):
                    item = item[0]
                if isinstance(item, int):
                    ids.add(item)
        users = {}
        if ids:
            users = {user.id: user for user in db.session.scalars(
                select(User).where(User.id.in_(ids), User.active.is_(True)))}
        for duty, who in pending:
            found: dict[int, User] = {}
            for item in who:
                fallback = None
                if isinstance(item, tuple):
                    item, fallback = item
                if isinstance(item, Role):
                    chosen = self.role(item)
                elif item in users:
                    chosen = [users[item]]
                elif fallback is not None:
                    chosen = self.role(fallback)
                else:
                    chosen = []
                for user in chosen:
                    found.setdefault(user.id, user)
            self.resolved.append(_with(duty, recipients=tuple(found.values())))


def _with(duty: Duty, **changes) -> Duty:
    values = {name: getattr(duty, name) for name in Duty.__dataclass_fields__}
    values.update(changes)
    return Duty(**values)


def _local(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).date()


# ---------------------------------------------------------------------------------------
# The kinds


def _periodic(today: date, until: date, people: _People):
    entries = db.session.execute(
        select(CatalogEntry.id, CatalogEntry.title, CatalogEntry.period_months,
               CatalogEntry.responsible_id, CatalogEntry.created_at)
        .join(Category, Category.id == CatalogEntry.category_id)
        .where(CatalogEntry.active.is_(True), Category.active.is_(True),
               CatalogEntry.cadence == Cadence.PERIODIC)).all()
    if not entries:
        return []
    # by period: a period is done when a published item names it (a correction of last
    # quarter's item names last quarter, so it never silences this quarter's duty)
    periods = covered_periods()
    pending = []
    for entry_id, title, months, responsible_id, created_at in entries:
        months = months if months in FREQUENCY_LABELS else DEFAULT_PERIOD_MONTHS
        covered = periods.get(entry_id, {})
        start, end = period_start(today, months), period_end(today, months)
        responsible = (responsible_id, Role.OFFICE)
        link = f"/catalog/entries/{entry_id}"
        if end <= until and start not in covered:
            pending.append((_period_duty(entry_id, title, months, start, end, False, link),
                            [responsible]))
        previous_end = start - timedelta(days=1)
        previous_start = period_start(previous_end, months)
        created = _local(created_at)
        owed = created is None or created <= previous_end
        if owed and previous_start not in covered:
            pending.append((_period_duty(entry_id, title, months, previous_start, previous_end,
                                         True, link), [responsible, Role.REVIEWER]))
    return pending


def _period_duty(entry_id, title, months, start, end, overdue, link) -> Duty:
    deadline = Deadline(start=start, due=end, kind=DAYS,
                        rule=f"{FREQUENCY_LABELS[months]}公开一次，{period_name(end, months)}"
                             f"的内容应在该期最后一日前公开")
    return Duty(PERIODIC, "catalog_entry", entry_id, title, end, deadline.explanation, (),
                overdue, link)


def _staged(today: date, until: date, calendar: Calendar, people: _People,
            owed: list[OwedSummary]):
    working = aliased(Revision)
    live = aliased(Revision)
    rows = db.session.execute(
        select(Disclosure.id, working.title, working.result_date, working.responsible_id,
               working.author_id, live.result_date)
        .join(working, working.id == Disclosure.working_revision_id)
        .outerjoin(live, live.id == Disclosure.live_revision_id)
        .where(Disclosure.state.in_((State.DRAFT, State.IN_REVIEW, State.APPROVED)),
               working.cadence == Cadence.STAGED, working.result_date.is_not(None),
               # add_days only moves forward: nothing later than this can be due yet
               working.result_date <= until - timedelta(days=STAGED_RESULT_DAYS))).all()
    summaries = {item_id for summary in owed for item_id in summary.summary_ids}
    pending = []
    for item_id, title, result_date, responsible_id, author_id, live_result in rows:
        if live_result == result_date or item_id in summaries:
            continue  # that result is already published, or it is owed as the work's summary
        deadline = calendar.add_days(result_date, STAGED_RESULT_DAYS)
        if deadline.due <= until:
            duty = Duty(STAGED, "disclosure", item_id, title, deadline.due, deadline.explanation,
                        (), today > deadline.due, f"/office/items/{item_id}")
            pending.append((duty, [responsible_id if responsible_id is not None else author_id]))
    return pending


def _review(today: date, until: date, calendar: Calendar, settings: Settings, people: _People):
    rows = db.session.execute(
        select(Disclosure.id, Revision.id, Revision.title, Revision.submitted_at,
               Revision.author_id)
        .join(Revision, Revision.id == Disclosure.working_revision_id)
        .where(Disclosure.state == State.IN_REVIEW, Revision.submitted_at.is_not(None))).all()
    due_rows = []
    for item_id, revision_id, title, submitted_at, author_id in rows:
        deadline = calendar.add_workdays(_local(submitted_at), settings.review_due_workdays)
        if deadline.due <= until:
            due_rows.append((item_id, revision_id, title, author_id, deadline))
    if not due_rows:
        return []
    decided: dict[int, set[int]] = {}
    # Decisions of the open round only: after a return and a fix, every reviewer who has
    # not decided the new round is reminded again (the round's submission is its start).
    for revision_id, reviewer_id in db.session.execute(
            select(Review.revision_id, Review.reviewer_id)
            .join(Revision, Revision.id == Review.revision_id)
            .where(Review.revision_id.in_([row[1] for row in due_rows]),
                   Review.round == Revision.review_round)):
        decided.setdefault(revision_id, set()).add(reviewer_id)
    pending = []
    for item_id, revision_id, title, author_id, deadline in due_rows:
        skip = decided.get(revision_id, set()) | {author_id}
        reviewers = [user.id for user in people.role(Role.REVIEWER) if user.id not in skip]
        duty = Duty(REVIEW, "disclosure", item_id, title, deadline.due, deadline.explanation,
                    (), today > deadline.due, f"/review/{item_id}")
        pending.append((duty, reviewers))
    return pending


def _feedback(today: date, until: date, calendar: Calendar, settings: Settings,
              people: _People):
    rows = db.session.execute(
        select(Feedback.id, Feedback.kind, Feedback.received_on, Feedback.created_at,
               Feedback.assigned_to_id)
        .where(Feedback.is_named.is_(True), Feedback.replied_at.is_(None),
               Feedback.status != FeedbackStatus.CLOSED)).all()
    pending = []
    for feedback_id, kind, received_on, created_at, assignee_id in rows:
        # the same rule as feedback.services.reply_due
        deadline = calendar.add_workdays(received_on or _local(created_at),
                                         settings.feedback_reply_workdays)
        if deadline.due <= until:
            duty = Duty(FEEDBACK, "feedback", feedback_id, f"第 {feedback_id} 号实名{kind.label}",
                        deadline.due, deadline.explanation, (), today > deadline.due,
                        f"/office/feedback/{feedback_id}")
            pending.append((duty, [(assignee_id, Role.OFFICE) if assignee_id else Role.OFFICE]))
    return pending


def _notes(today: date, until: date, calendar: Calendar, settings: Settings, people: _People):
    rows = db.session.execute(
        select(SupervisionNote.id, SupervisionNote.topic, SupervisionNote.created_at)
        .where(SupervisionNote.answered_at.is_(None))).all()
    pending = []
    for note_id, topic, created_at in rows:
        # the same rule as supervision.queries.note_due
        deadline = calendar.add_workdays(_local(created_at), settings.supervision_reply_workdays)
        if deadline.due <= until:
            duty = Duty(NOTE, "supervision_note", note_id, f"第 {note_id} 号监督意见（{topic.label}）",
                        deadline.due, deadline.explanation, (), today > deadline.due,
                        f"/office/supervision/{note_id}")
            pending.append((duty, [Role.OFFICE]))
    return pending


def _publicity(today: date, until: date, calendar: Calendar, people: _People):
    rows = db.session.execute(
        select(Disclosure.id, Revision.title, Revision.publicity_workdays,
               Disclosure.first_published_at, Disclosure.public_from, Disclosure.state,
               Disclosure.archived_at)
        .join(Revision, Revision.id == Disclosure.live_revision_id)
        .where(Disclosure.state.in_((State.PUBLISHED, State.ARCHIVED)),
               Revision.publicity_workdays.is_not(None),
               Disclosure.first_published_at.is_not(None), Disclosure.withdrawn_at.is_(None),
               # an archived item: only on the day it was archived (by a sweep that came
               # late, after the period's last day), so the office is still told
               or_(Disclosure.state == State.PUBLISHED,
                   Disclosure.archived_at >= _local_day_start(today)))).all()
    pending = []
    for item_id, title, workdays, first_published_at, public_from, state, archived_at in rows:
        # the same rule as disclosures.queries.publicity_period
        period = count_publicity_period(first_published_at, public_from, workdays, calendar)
        if state == State.ARCHIVED and not _local(archived_at) > period.due:
            continue  # archived by hand before the period ended: nothing to publish
        if period.due <= until:
            duty = Duty(PUBLICITY, "disclosure", item_id, title, period.due, period.explanation,
                        (), today > period.due, f"/office/items/{item_id}")
            pending.append((duty, [Role.OFFICE]))
    return pending


def _local_day_start(day: date) -> datetime:
    """The first moment of a local day, as an aware datetime (for comparing with UTC)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ)


def _predisclosure(today: date, until: date, people: _People):
    rows = db.session.execute(
        select(Disclosure.id, Revision.title, Revision.decision_date)
        .join(Revision, Revision.id == Disclosure.live_revision_id)
        .where(Disclosure.state == State.PUBLISHED, Revision.is_predisclosure.is_(True),
               Revision.decision_date.is_not(None), Revision.decision_date <= until)).all()
    if not rows:
        return []
    formal = set(db.session.scalars(
        select(Disclosure.predisclosure_id)
        .where(Disclosure.predisclosure_id.in_([row[0] for row in rows]),
               Disclosure.last_published_at.is_not(None), Disclosure.withdrawn_at.is_(None))))
    pending = []
    for item_id, title, decision_date in rows:
        if item_id in formal:
            continue
        deadline = Deadline(start=decision_date, due=decision_date, kind=DAYS,
                            rule="预公开的意见征集截至拟决策日")
        duty = Duty(PREDISCLOSURE, "disclosure", item_id, title, decision_date,
                    deadline.explanation, (), today > decision_date, f"/office/items/{item_id}")
        pending.append((duty, [Role.OFFICE]))
    return pending


def _summary(today: date, until: date, owed: list[OwedSummary]):
    """Ended 分期 works that cross a year end and have no published closing summary."""
    pending = []
    for summary in owed:
        work, deadline = summary.work, summary.deadline
        if deadline.due > until or summary.published_on is not None:
            continue
        revision = work.live_revision
        duty = Duty(SUMMARY, "disclosure", work.id, revision.title, deadline.due,
                    deadline.explanation, (), today > deadline.due, f"/office/items/{work.id}")
        pending.append((duty, [revision.responsible_id or work.created_by_id]))
    return pending
