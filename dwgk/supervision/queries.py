"""Reading for the supervision inbox and the office's list of supervision notes.

The supervisors oversee the handling of feedback, not the people who filed it: the rows
built here carry no filer's name, phone or e-mail at all (and mask them where a filer wrote
them into the text), so no template can show them by mistake.

Every page loads the calendar and the unit's settings once (`DeadlineContext`) and runs a
fixed number of queries, however many rows it shows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, raiseload

from dwgk.accounts.models import User
from dwgk.catalog.models import CatalogEntry
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.settings import Settings
from dwgk.core.workdays import MAX_SEARCH_DAYS, Calendar, Deadline
from dwgk.disclosures.models import Disclosure, Revision
from dwgk.core.paging import Page, rows_page
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus, ReplyMethod
from dwgk.feedback.services import is_overdue, reply_due
from dwgk.supervision.models import NoteTopic, SupervisionNote
from dwgk.disclosures.models import Adoption

PER_PAGE = 30
OVERDUE_SHOWN = 10  # the oldest overdue things at the top of the inbox; the filter shows all
MASK = "〔已隐去〕"
_ONE_DAY = timedelta(days=1)


# ---------------------------------------------------------------------------------------
# Deadlines: one calendar and one settings row per page


@dataclass(frozen=True)
class DeadlineContext:
    calendar: Calendar
    settings: Settings
    today: date

    @classmethod
    def load(cls) -> DeadlineContext:
        return cls(Calendar.load(), unit_settings.get(), clock.today())


def local_date(moment: datetime) -> date:
    return moment.astimezone(clock.LOCAL_TZ).date()


def overdue_before(calendar: Calendar, workdays: int, today: date) -> date:
    """Something that came in before the returned date is overdue today when it had to be
    answered within `workdays` working days (the day it came in not counted).

    Overdue means today is after the Nth working day after the start: N working days lie
    between the start (exclusive) and yesterday (inclusive). Counting N working days back
    from yesterday gives the earliest start that is not yet overdue. The same rule as
    `feedback.services.is_overdue`, turned around so that the database can filter by it.
    """
    day, counted = today, 0
    for _ in range(MAX_SEARCH_DAYS):
        if counted == workdays:
            return day
        day -= _ONE_DAY
        counted += calendar.is_workday(day)
    raise ValueError("找不到足够的工作日，请检查节假日调整。")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_TZ)


def note_due(note: SupervisionNote, ctx: DeadlineContext) -> Deadline:
    """A note must be answered within N working days (unit setting) after it was filed."""
    return ctx.calendar.add_workdays(local_date(note.created_at),
                                     ctx.settings.supervision_reply_workdays)


def note_is_overdue(note: SupervisionNote, due: Deadline, ctx: DeadlineContext) -> bool:
    return note.answered_at is None and ctx.today > due.due


def _feedback_overdue(ctx: DeadlineContext):
    """SQL: named feedback not answered (nor closed) past the unit's feedback_reply_workdays."""
    cutoff = overdue_before(ctx.calendar, ctx.settings.feedback_reply_workdays, ctx.today)
    return and_(Feedback.is_named.is_(True), Feedback.replied_at.is_(None),
                Feedback.status != FeedbackStatus.CLOSED,
                or_(Feedback.received_on < cutoff,
                    and_(Feedback.received_on.is_(None), Feedback.created_at < _day_start(cutoff))))


def _note_overdue(ctx: DeadlineContext):
    """SQL: notes not answered past the unit's supervision_reply_workdays."""
    cutoff = overdue_before(ctx.calendar, ctx.settings.supervision_reply_workdays, ctx.today)
    return and_(SupervisionNote.answered_at.is_(None),
                SupervisionNote.created_at < _day_start(cutoff))


# ---------------------------------------------------------------------------------------
# Feedback, as the supervisors see it


@dataclass(frozen=True)
class FeedbackRow:
    """One filing and its handling. Deliberately without the filer's name, phone or e-mail."""

    id: int
    kind: FeedbackKind
    channel: Channel
    is_named: bool
    is_relayed: bool
    received_on: date
    status: FeedbackStatus
    body: str
    item_id: int | None
    item_title: str | None
    item_is_live: bool
    assignee_name: str | None
    is_replied: bool
    reply_text: str
    reply_method: ReplyMethod | None
    reply_date: date | None
    result_text: str
    result_published_at: datetime | None
    due: Deadline | None
    is_overdue: bool


def _phone_pattern(phone: str) -> re.Pattern | None:
    digits = [ch for ch in phone if ch.isdigit()]
    if len(digits) < 5:
        return None
    return re.compile(r"[\s\-()+]*".join(digits))


def redact(text: str, feedback: Feedback) -> str:
    """`text` with the filer's name, e-mail (any case) and phone (however spaced) masked:
    a filer may sign the opinion, and a reply may greet them by name."""
    if not text:
        return text
    name, email = feedback.filer_name.strip(), feedback.filer_email.strip()
    if len(name) >= 2:  # one character would mask half the text
        text = text.replace(name, MASK)
    if email:
        text = re.sub(re.escape(email), MASK, text, flags=re.IGNORECASE)
    pattern = _phone_pattern(feedback.filer_phone)
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return text


_Assignee = aliased(User, name="assignee")
_FeedbackItem = aliased(Revision, name="feedback_item")


def _feedback_query():
    return (select(Feedback, _Assignee.display_name, _FeedbackItem.title, Disclosure.withdrawn_at)
            .outerjoin(_Assignee, _Assignee.id == Feedback.assigned_to_id)
            .outerjoin(Disclosure, Disclosure.id == Feedback.disclosure_id)
            .outerjoin(_FeedbackItem, _FeedbackItem.id == Disclosure.live_revision_id)
            .options(raiseload("*")))


def _feedback_row(row, ctx: DeadlineContext) -> FeedbackRow:
    feedback, assignee_name, item_title, withdrawn_at = row
    return FeedbackRow(
        id=feedback.id, kind=feedback.kind, channel=feedback.channel,
        is_named=feedback.is_named, is_relayed=feedback.relayed_by_id is not None,
        received_on=feedback.received_on or local_date(feedback.created_at),
        status=feedback.status, body=redact(feedback.body, feedback),
        item_id=feedback.disclosure_id, item_title=item_title,
        item_is_live=item_title is not None and withdrawn_at is None,
        assignee_name=assignee_name, is_replied=feedback.replied_at is not None,
        reply_text=redact(feedback.reply_text, feedback),
        reply_method=feedback.reply_method, reply_date=feedback.reply_date,
        result_text=redact(feedback.result_text, feedback),
        result_published_at=feedback.result_published_at,
        due=reply_due(feedback, ctx.calendar, ctx.settings),
        is_overdue=is_overdue(feedback, ctx.calendar, ctx.settings))


def feedback_page(ctx: DeadlineContext, *, status: FeedbackStatus | None = None,
                  overdue_only: bool = False, page: int = 1) -> Page:
    """All feedback, newest first, filtered by status and/or "overdue only"."""
    query = _feedback_query().order_by(Feedback.created_at.desc(), Feedback.id.desc())
    if status is not None:
        query = query.where(Feedback.status == status)
    if overdue_only:
        query = query.where(_feedback_overdue(ctx))
    rows, result = rows_page(query, page, PER_PAGE)
    result.items = [_feedback_row(row, ctx) for row in rows]
    return result


def feedback_status_counts() -> dict[FeedbackStatus, int]:
    counts = {status: 0 for status in FeedbackStatus}
    counts.update(dict(db.session.execute(
        select(Feedback.status, func.count()).group_by(Feedback.status)).all()))
    return counts


# ---------------------------------------------------------------------------------------
# Supervision notes


@dataclass(frozen=True)
class NoteRow:
    id: int
    version_id: int
    topic: NoteTopic
    body: str
    created_at: datetime
    author_id: int
    author_name: str
    target: str | None  # "item", "entry" or None (a general note)
    target_id: int | None
    target_title: str | None
    target_is_live: bool
    answer_text: str
    answered_at: datetime | None
    answered_by_name: str | None
    adoption: Adoption | None
    due: Deadline
    is_overdue: bool

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


_Author = aliased(User, name="note_author")
_Answerer = aliased(User, name="note_answerer")
_NoteItem = aliased(Revision, name="note_item")


def _note_query():
    return (select(SupervisionNote, _Author.display_name, _Answerer.display_name,
                   _NoteItem.title, Disclosure.withdrawn_at, CatalogEntry.title, CatalogEntry.active)
            .join(_Author, _Author.id == SupervisionNote.author_id)
            .outerjoin(_Answerer, _Answerer.id == SupervisionNote.answered_by_id)
            .outerjoin(Disclosure, Disclosure.id == SupervisionNote.disclosure_id)
            .outerjoin(_NoteItem, _NoteItem.id == Disclosure.live_revision_id)
            .outerjoin(CatalogEntry, CatalogEntry.id == SupervisionNote.catalog_entry_id)
            .options(raiseload("*")))


def _note_row(row, ctx: DeadlineContext) -> NoteRow:
    note, author_name, answered_by_name, item_title, withdrawn_at, entry_title, entry_active = row
    if note.disclosure_id is not None:
        target, target_id, title = "item", note.disclosure_id, item_title
        is_live = item_title is not None and withdrawn_at is None
    elif note.catalog_entry_id is not None:
        target, target_id, title, is_live = "entry", note.catalog_entry_id, entry_title, bool(entry_active)
    else:
        target, target_id, title, is_live = None, None, None, False
    due = note_due(note, ctx)
    return NoteRow(
        id=note.id, version_id=note.version_id, topic=note.topic, body=note.body,
        created_at=note.created_at, author_id=note.author_id, author_name=author_name,
        target=target, target_id=target_id, target_title=title, target_is_live=is_live,
        answer_text=note.answer_text, answered_at=note.answered_at,
        answered_by_name=answered_by_name, adoption=note.adoption, due=due, is_overdue=note_is_overdue(note, due, ctx))


def notes_page(ctx: DeadlineContext, *, page: int = 1, author_id: int | None = None) -> Page:
    """Every note (or one supervisor's), newest first, with the office's answers."""
    query = _note_query().order_by(SupervisionNote.created_at.desc(), SupervisionNote.id.desc())
    if author_id is not None:
        query = query.where(SupervisionNote.author_id == author_id)
    rows, result = rows_page(query, page, PER_PAGE)
    result.items = [_note_row(row, ctx) for row in rows]
    return result


def load_note(note_id: int, ctx: DeadlineContext) -> NoteRow | None:
    row = db.session.execute(_note_query().where(SupervisionNote.id == note_id)).first()
    return None if row is None else _note_row(row, ctx)


def pending_notes(ctx: DeadlineContext) -> list[NoteRow]:
    """Notes awaiting an answer, oldest (most urgent) first: the office's work list."""
    rows = db.session.execute(_note_query().where(SupervisionNote.answered_at.is_(None))
                              .order_by(SupervisionNote.created_at, SupervisionNote.id))
    return [_note_row(row, ctx) for row in rows]


def answered_notes_page(ctx: DeadlineContext, page: int = 1) -> Page:
    query = (_note_query().where(SupervisionNote.answered_at.is_not(None))
             .order_by(SupervisionNote.answered_at.desc(), SupervisionNote.id.desc()))
    rows, result = rows_page(query, page, PER_PAGE)
    result.items = [_note_row(row, ctx) for row in rows]
    return result


# ---------------------------------------------------------------------------------------
# What is overdue, for the top of the inbox


@dataclass(frozen=True)
class Overdue:
    feedback: list[FeedbackRow]
    feedback_total: int
    notes: list[NoteRow]
    notes_total: int

    @property
    def any(self) -> bool:
        return bool(self.feedback_total or self.notes_total)


def overdue(ctx: DeadlineContext) -> Overdue:
    """The oldest overdue feedback and notes (OVERDUE_SHOWN of each) and how many there are:
    three queries, whatever is overdue."""
    feedback_condition, note_condition = _feedback_overdue(ctx), _note_overdue(ctx)
    feedback_total, notes_total = db.session.execute(select(
        select(func.count()).select_from(Feedback).where(feedback_condition).scalar_subquery(),
        select(func.count()).select_from(SupervisionNote).where(note_condition).scalar_subquery(),
    )).one()
    feedback = db.session.execute(
        _feedback_query().where(feedback_condition)
        .order_by(Feedback.received_on, Feedback.created_at, Feedback.id).limit(OVERDUE_SHOWN)).all()
    notes = db.session.execute(
        _note_query().where(note_condition)
        .order_by(SupervisionNote.created_at, SupervisionNote.id).limit(OVERDUE_SHOWN)).all()
    return Overdue([_feedback_row(row, ctx) for row in feedback], feedback_total,
                   [_note_row(row, ctx) for row in notes], notes_total)


# ---------------------------------------------------------------------------------------
# Choices for the forms


ITEM_CHOICES = 300  # the newest live items offered by the item picker


def live_item_choices(limit: int = ITEM_CHOICES) -> list[tuple[int, str, datetime | None]]:
    """(id, title, first published) of the newest live items, any scope (supervisors are
    insiders): what the note and relay forms offer to pick."""
    return [tuple(row) for row in db.session.execute(
        select(Disclosure.id, Revision.title, Disclosure.first_published_at)
        .join(Revision, Revision.id == Disclosure.live_revision_id)
        .where(Disclosure.withdrawn_at.is_(None))
        .order_by(Disclosure.first_published_at.desc(), Disclosure.id.desc()).limit(limit))]


def live_item_title(disclosure_id: int) -> str | None:
    """The title of a live item (any scope: supervisors are insiders), or None."""
    return db.session.scalar(
        select(Revision.title).join(Disclosure, Disclosure.live_revision_id == Revision.id)
        .where(Disclosure.id == disclosure_id, Disclosure.withdrawn_at.is_(None)))

