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

from sqlalchemy import and_, func, or_, select

from dwgk.catalog.queries import CategoryGroup, catalog_overview
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db
from dwgk.reporting.ledger import local_date
from dwgk.feedback.models import Feedback, FeedbackStatus
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


@dataclass(frozen=True)
class Dashboard:
    today: date
    catalog: CatalogStanding
    overdue_duties: list[Duty]
    overdue_total: int
    overdue_by_kind: list[tuple[str, int]]  # (label, count), in the reminders' order
    queue: Queue
    handling: Handling


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ)


def _counts(calendar: Calendar, settings, today: date):
    """The review queue and the open/overdue handling counts, in one query."""
    feedback_cutoff = overdue_before(calendar, settings.feedback_reply_workdays, today)
    note_cutoff = overdue_before(calendar, settings.supervision_reply_workdays, today)
    open_feedback = and_(Feedback.replied_at.is_(None), Feedback.status.in_(
        (FeedbackStatus.NEW, FeedbackStatus.ASSIGNED)))
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
    return db.session.execute(select(
        queue.c[0], queue.c[1],
        count(Feedback, open_feedback), count(Feedback, overdue_feedback),
        count(SupervisionNote, unanswered),
        count(SupervisionNote, unanswered, SupervisionNote.created_at < _day_start(note_cutoff)),
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
    (queue_size, oldest_at, feedback_open, feedback_overdue, notes_open,
     notes_overdue) = _counts(calendar, settings, today)
    oldest_on = local_date(oldest_at)  # min() keeps the column's type: an aware UTC datetime
    return Dashboard(
        today=today,
        catalog=CatalogStanding(groups, len(rows), sum(row.due.is_overdue for row in rows)),
        overdue_duties=duties[:OVERDUE_SHOWN], overdue_total=len(duties),
        overdue_by_kind=[(KIND_LABELS.get(kind, kind), number)
                         for kind, number in by_kind.items() if number],
        queue=Queue(queue_size, oldest_on,
                    None if oldest_on is None else calendar.workdays_between(oldest_on, today)),
        handling=Handling(feedback_open, feedback_overdue, notes_open, notes_overdue))

