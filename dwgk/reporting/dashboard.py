"""The dashboard (工作台): how the catalog stands, what is overdue, how long the review queue
is, and how much feedback and how many supervision notes wait for an answer.

Everything comes from existing reads — the catalog page's last publication and next due
date per entry (`catalog.queries.catalog_overview`), the reminders' duties
(`reminders.duties.compute_duties`) — plus one aggregate query of its own. A fixed number of
queries whatever the size of the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, func, literal, or_, select

from dwgk.accounts.models import Role

from dwgk.catalog.queries import CategoryGroup, catalog_overview
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db
from dwgk.reporting.ledger import local_date
from dwgk.feedback.models import Feedback, FeedbackStatus
from dwgk.reminders import work
from dwgk.reminders.duties import KIND_LABELS, KINDS, Duty, compute_duties
from dwgk.supervision.models import SupervisionNote
from dwgk.supervision.queries import overdue_before

OVERDUE_SHOWN = 20  # overdue duties listed by name; the counts by kind cover all of them


@dataclass(frozen=True)
class Queue:
    size: int
    oldest_submitted_on: date | None
    oldest_age_workdays: int | None  # working days the oldest item has waited


@dataclass(frozen=True)
class Work:
    """The sizes of the 我的待办 work lists (reminders.work): the same statements, counted."""

    returned: int  # 退回待修改
    approved: int  # 审核通过待发布
    mine_to_review: int | None  # 待我审核 (a reviewer looking); None for others


@dataclass(frozen=True)
class Handling:
    feedback_open: int  # not yet answered nor closed
    feedback_overdue: int  # named, past the unit's reply deadline, unanswered
    notes_open: int
    notes_overdue: int


@dataclass(frozen=True)
class CatalogStanding:
    groups: list[CategoryGroup]
    entries: int
    overdue: int
    on_time: int  # periodic entries published within the current period
    pending: int  # periodic entries not yet published in the current period, not overdue


@dataclass(frozen=True)
class Dashboard:
    today: date
    catalog: CatalogStanding
    overdue_duties: list[Duty]
    overdue_total: int
    overdue_by_kind: list[tuple[str, int]]  # (label, count), in the reminders' order
    queue: Queue
    handling: Handling
    work: Work


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ)


def _counts(calendar: Calendar, settings, today: date, reviewer_id: int | None):
    """The review queue, the work lists' sizes and the open/overdue handling counts, in one
    query. The open counts and the work lists are the same statements (reminders.work)."""
    feedback_cutoff = overdue_before(calendar, settings.feedback_reply_workdays, today)
    note_cutoff = overdue_before(calendar, settings.supervision_reply_workdays, today)
    overdue_feedback = and_(
        Feedback.is_named.is_(True), Feedback.replied_at.is_(None),
        Feedback.status != FeedbackStatus.CLOSED,
        or_(Feedback.received_on < feedback_cutoff,
            and_(Feedback.received_on.is_(None), Feedback.created_at < _day_start(feedback_cutoff))))
    unanswered = SupervisionNote.answered_at.is_(None)

    def count(model, *conditions):
        return select(func.count()).select_from(model).where(*conditions).scalar_subquery()

    queue = (select(func.count(Disclosure.id), func.min(Revision.submitted_at))
             .join(Revision, Revision.id == Disclosure.working_revision_id)
             .where(Disclosure.state == State.IN_REVIEW).subquery())
    mine = (work.count_of(work.waiting_for_review_by(reviewer_id)) if reviewer_id is not None
            else literal(None))
    return db.session.execute(select(
        queue.c[0], queue.c[1],
        work.count_of(work.feedback_to_answer()), count(Feedback, overdue_feedback),
        work.count_of(work.notes_to_answer()),
        count(SupervisionNote, unanswered, SupervisionNote.created_at < _day_start(note_cutoff)),
        work.count_of(work.returned_to_fix()), work.count_of(work.approved_to_publish()), mine,
    )).one()


def build(user) -> Dashboard:
    today = clock.today()
    calendar = Calendar.load()
    settings = unit_settings.get()
    groups = catalog_overview(user, today)
    rows = [row for group in groups for row in group.rows]
    duties = [duty for duty in compute_duties(today, calendar, settings) if duty.overdue]
    by_kind = {kind: 0 for kind in KINDS}
    for duty in duties:
        by_kind[duty.kind] = by_kind.get(duty.kind, 0) + 1
    reviewer_id = user.id if user.has_role(Role.REVIEWER) else None
    (queue_size, oldest_at, feedback_open, feedback_overdue, notes_open, notes_overdue,
     returned, approved, mine) = _counts(calendar, settings, today, reviewer_id)
    oldest_on = local_date(oldest_at)  # min() keeps the column's type: an aware UTC datetime
    return Dashboard(
        today=today,
        catalog=CatalogStanding(
            groups, len(rows), sum(row.due.is_overdue for row in rows),
            sum(row.due.is_done_for_period for row in rows),
            sum(bool(row.due.due) and not row.due.is_done_for_period and not row.due.is_overdue
                for row in rows)),
        overdue_duties=duties[:OVERDUE_SHOWN], overdue_total=len(duties),
        overdue_by_kind=[(KIND_LABELS.get(kind, kind), number)
                         for kind, number in by_kind.items() if number],
        queue=Queue(queue_size, oldest_on,
                    None if oldest_on is None else calendar.workdays_between(oldest_on, today)),
        handling=Handling(feedback_open, feedback_overdue, notes_open, notes_overdue),
        work=Work(returned, approved, mine))

