"""The ledger (台账): every item, review, feedback filing and supervision note of a period,
as plain rows. The ledger pages, their CSV/XLSX exports and the summary report all read
these functions, so a figure in the report adds up to the ledger rows it summarises.

Which rows belong to a `Period` (days inclusive, in the unit's time zone, Asia/Shanghai):

- an item (事项): by the local date of its first publication; an item never published, by
  the local date it was created. Withdrawing or archiving it later does not move it.
- a review (审核记录): by the local date of the decision (approve or return).
- a re-publication (再公开): a revision after the first (number > 1: `revise` only starts
  one from a published item) by the local date it was published, whatever became of the
  item since — so an item first published last quarter and corrected this quarter has a
  row here this quarter. The summary report's "再公开 N 次" counts exactly these rows.
- feedback (意见建议): by the day it was received — the date the office logged for an
  offline channel (`received_on`), else the local date it was filed on the web or kiosk.
- a supervision note (监督意见): by the local date it was filed.

Figures of a row:

- `ItemRow.republished_count`: how many times the item was re-published (再公开: a later
  revision published), counting publications up to the period's last day.
- Working days (`answer_workdays`) are counted as the deadlines are (design.md): the day
  something came in is not counted, the day it was answered is. Days come from the
  working-day calendar with the admin's 节假日调整.
- `FeedbackRow.overdue`: named feedback (实名) not answered within the unit's
  feedback_reply_workdays — answered after its due date, or still unanswered (and not
  closed) after it. Anonymous feedback has no due date and is never overdue.
  `NoteRow.overdue`: the same with supervision_reply_workdays, for every note.

Personal details of filers (name, phone, e-mail) are read only when asked for
(`feedback(..., include_filer=True)`, the office's ledger); otherwise the query does not
select them and the rows carry empty strings.

Every function runs a fixed number of queries whatever the number of rows: the rows, plus
the working-day calendar and the unit's settings where working days are counted, and the
reviewers who approved them for re-publications.
`tab_rows(tab, period, **filters)` (the exports) and `tab_page(...)` (one screen of rows and
a count query: the pages) serve the ledger's tabs with their filters.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from dwgk.accounts.models import User
from dwgk.catalog.models import CatalogEntry, Category, Scope, form_labels
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.workdays import Calendar
from dwgk.disclosures.models import Decision, Disclosure, Review, Revision, State
from dwgk.core.paging import Page, rows_page
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, FeedbackStatus
from dwgk.catalog.queries import DEFAULT_PERIOD_MONTHS, period_name
from dwgk.reporting.periods import Period
from dwgk.supervision.models import NoteTopic, SupervisionNote

PER_PAGE = 50


def local_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(clock.LOCAL_TZ).date()


def _in_period(column, period: Period):
    """SQL: a stored UTC timestamp falls on one of the period's local days."""
    first, after = period.utc_bounds()
    return and_(column >= first, column < after)


def _page_of(query, convert, page: int, per_page: int) -> Page:
    """A count and one page of `query` (two queries), rows made by `convert(list)`."""
    rows, result = rows_page(query, page, per_page)
    result.items = convert(rows)
    return result


# ---------------------------------------------------------------------------------------
# Items (事项)


@dataclass(frozen=True)
class ItemRow:
    id: int
    title: str
    category_id: int | None
    category_name: str
    catalog_entry_id: int | None
    catalog_entry_title: str | None
    period_name: str  # a periodic entry's item: the reporting period it names, else ""
    scope: str  # Scope value
    scope_label: str
    state: str  # State value
    state_label: str
    is_major: bool
    created_on: date
    submitted_on: date | None
    published_on: date | None  # first publication
    last_published_on: date | None
    public_from: date | None  # reached (or reaches) the public board; None: members only
    withdrawn_on: date | None
    archived_on: date | None
    republished_count: int
    form_labels: tuple[str, ...] = ()  # 公开形式


_Shown = aliased(Revision, name="shown_revision")  # the live revision, else the working one


def _items_query(period: Period, *, category_id=None, scope=None, state=None):
    after = period.utc_bounds()[1]
    publications = (select(func.count(Revision.id))
                    .where(Revision.disclosure_id == Disclosure.id,
                           Revision.published_at.is_not(None), Revision.published_at < after)
                    .correlate(Disclosure).scalar_subquery())
    query = (
        select(Disclosure.id, Disclosure.state, Disclosure.created_at, Disclosure.first_published_at,
               Disclosure.last_published_at, Disclosure.public_from, Disclosure.withdrawn_at,
               Disclosure.archived_at, _Shown.title, _Shown.category_id, Category.name,
               _Shown.catalog_entry_id, CatalogEntry.title, _Shown.scope, _Shown.is_major,
               _Shown.submitted_at, publications, _Shown.disclosure_forms, _Shown.period_start,
               CatalogEntry.period_months)
        .outerjoin(_Shown, _Shown.id == func.coalesce(Disclosure.live_revision_id,
                                                      Disclosure.working_revision_id))
        .outerjoin(Category, Category.id == _Shown.category_id)
        .outerjoin(CatalogEntry, CatalogEntry.id == _Shown.catalog_entry_id)
        .where(or_(_in_period(Disclosure.first_published_at, period),
                   and_(Disclosure.first_published_at.is_(None),
                        _in_period(Disclosure.created_at, period))))
        .order_by(func.coalesce(Disclosure.first_published_at, Disclosure.created_at), Disclosure.id))
    if category_id is not None:
        query = query.where(_Shown.category_id == category_id)
    if scope is not None:
        query = query.where(_Shown.scope == Scope(scope))
    if state is not None:
        query = query.where(Disclosure.state == State(state))
    return query


def _item_rows(rows) -> list[ItemRow]:
    result = []
    for (item_id, state, created_at, first_published_at, last_published_at, public_from,
         withdrawn_at, archived_at, title, category_id, category_name, entry_id, entry_title,
         scope, is_major, submitted_at, publications, forms, period_start,
         period_months) in rows:
        result.append(ItemRow(
            id=item_id, title=title or "", category_id=category_id,
            category_name=category_name or "", catalog_entry_id=entry_id,
            catalog_entry_title=entry_title,
            period_name=(period_name(period_start, period_months if period_months in (1, 3, 6, 12)
                                     else DEFAULT_PERIOD_MONTHS) if period_start else ""),
            scope=scope.value if scope else "",
            scope_label=scope.label if scope else "", state=state.value, state_label=state.label,
            is_major=bool(is_major), created_on=local_date(created_at),
            submitted_on=local_date(submitted_at), published_on=local_date(first_published_at),
            last_published_on=local_date(last_published_at), public_from=local_date(public_from),
            withdrawn_on=local_date(withdrawn_at), archived_on=local_date(archived_at),
            republished_count=max((publications or 0) - 1, 0),
            form_labels=tuple(form_labels(forms))))
    return result


def items(period: Period, *, category_id: int | None = None, scope: str | None = None,
          state: str | None = None) -> list[ItemRow]:
    """Every item of the period (see the module's rules), oldest first; one query."""
    query = _items_query(period, category_id=category_id, scope=scope, state=state)
    return _item_rows(db.session.execute(query).all())


# ---------------------------------------------------------------------------------------
# Reviews (审核记录)


@dataclass(frozen=True)
class ReviewRow:
    id: int
    disclosure_id: int
    revision_number: int
    item_title: str  # the reviewed revision's title
    is_major: bool
    reviewer_name: str
    decision: str  # Decision value
    decision_label: str
    decided_on: date
    reason: str
    meeting_date: date | None
    meeting_attendees: str
    meeting_decision: str


_Reviewer = aliased(User, name="reviewer")


def _reviews_query(period: Period, *, decision=None):
    query = (select(Review.id, Revision.disclosure_id, Revision.number, Revision.title,
                   Revision.is_major, _Reviewer.display_name, Review.decision, Review.created_at,
                   Review.reason, Review.meeting_date, Review.meeting_attendees,
                   Review.meeting_decision)
            .join(Revision, Revision.id == Review.revision_id)
            .join(_Reviewer, _Reviewer.id == Review.reviewer_id)
            .where(_in_period(Review.created_at, period))
            .order_by(Review.created_at, Review.id))
    if decision is not None:
        query = query.where(Review.decision == Decision(decision))
    return query


def _review_rows(rows) -> list[ReviewRow]:
    return [ReviewRow(id=review_id, disclosure_id=item_id, revision_number=number,
                      item_title=title, is_major=bool(is_major), reviewer_name=reviewer,
                      decision=decision.value, decision_label=decision.label,
                      decided_on=local_date(created_at), reason=reason or "",
                      meeting_date=meeting_date, meeting_attendees=attendees or "",
                      meeting_decision=meeting_decision or "")
            for (review_id, item_id, number, title, is_major, reviewer, decision, created_at,
                 reason, meeting_date, attendees, meeting_decision) in rows]


def reviews(period: Period) -> list[ReviewRow]:
    """Every review decided in the period, oldest first; one query."""
    return _review_rows(db.session.execute(_reviews_query(period)).all())


# ---------------------------------------------------------------------------------------
# Re-publications (再公开)


@dataclass(frozen=True)
class RepublicationRow:
    revision_id: int
    disclosure_id: int
    title: str  # the re-published revision's own title, category and scope
    category_id: int | None
    category_name: str
    scope: str  # Scope value
    scope_label: str
    revision_number: int  # 2 for the first re-publication
    state: str  # the item's State value now (a withdrawn item keeps its rows)
    state_label: str
    first_published_on: date | None
    republished_on: date
    approved_by: tuple[str, ...]  # reviewers who approved this revision, in order
    change_note: str  # 修订说明: what changed and why


# Up to this many rows, the reviewers are fetched by the rows' ids; beyond (a whole
# period's export), by the rows' own conditions, which select the same revisions.
_APPROVALS_BY_ID = 500


def _republications_query(period: Period, *, category_id=None, scope=None):
    query = (select(Revision.id, Revision.disclosure_id, Revision.title, Revision.category_id,
                    Category.name, Revision.scope, Revision.number, Disclosure.state,
                    Disclosure.first_published_at, Revision.published_at, Revision.change_note)
             .join(Disclosure, Disclosure.id == Revision.disclosure_id)
             .outerjoin(Category, Category.id == Revision.category_id)
             .where(Revision.number > 1, _in_period(Revision.published_at, period))
             .order_by(Revision.published_at, Revision.id))
    if category_id is not None:
        query = query.where(Revision.category_id == category_id)
    if scope is not None:
        query = query.where(Revision.scope == Scope(scope))
    return query


def _approvals(revision_ids: list[int], rows_query) -> dict[int, list[str]]:
    """Reviewer names per revision, for the revisions of `rows_query`'s rows (one query)."""
    if not revision_ids:
        return {}
    if len(revision_ids) <= _APPROVALS_BY_ID:
        wanted = Review.revision_id.in_(revision_ids)
    else:
        wanted = Review.revision_id.in_(
            rows_query.with_only_columns(Revision.id).order_by(None).scalar_subquery())
    found: dict[int, list[str]] = {}
    for revision_id, name in db.session.execute(
            select(Review.revision_id, _Reviewer.display_name)
            .join(_Reviewer, _Reviewer.id == Review.reviewer_id)
            .where(wanted, Review.decision == Decision.APPROVE)
            .order_by(Review.created_at, Review.id)):
        found.setdefault(revision_id, []).append(name)
    return found


def _republication_rows(rows, rows_query) -> list[RepublicationRow]:
    approvals = _approvals([row[0] for row in rows], rows_query)
    return [RepublicationRow(
        revision_id=revision_id, disclosure_id=item_id, title=title or "",
        category_id=category_id, category_name=category_name or "",
        scope=scope.value, scope_label=scope.label, revision_number=number,
        state=state.value, state_label=state.label,
        first_published_on=local_date(first_published_at),
        republished_on=local_date(published_at),
        approved_by=tuple(approvals.get(revision_id, ())), change_note=change_note or "")
        for (revision_id, item_id, title, category_id, category_name, scope, number, state,
             first_published_at, published_at, change_note) in rows]


def republications(period: Period, *, category_id: int | None = None,
                   scope: str | None = None) -> list[RepublicationRow]:
    """Every re-publication published in the period (see the module's rules), oldest
    first, by the re-published revision's category and scope; two queries (the rows, the
    reviewers who approved them)."""
    query = _republications_query(period, category_id=category_id, scope=scope)
    return _republication_rows(db.session.execute(query).all(), query)


# ---------------------------------------------------------------------------------------
# Feedback (意见建议)


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    kind: str  # FeedbackKind value
    kind_label: str
    channel: str  # Channel value
    channel_label: str
    received_on: date
    is_named: bool
    is_relayed: bool  # relayed by a supervisor
    disclosure_id: int | None
    item_title: str | None
    status: str  # FeedbackStatus value
    status_label: str
    answered_on: date | None  # the reply's date
    answer_workdays: int | None
    due_on: date | None  # named feedback only
    overdue: bool
    # The filer's details: filled only with include_filer=True (the office's ledger).
    filer_name: str = ""
    filer_phone: str = ""
    filer_email: str = ""


_FeedbackItem = aliased(Revision, name="feedback_item")


def _feedback_query(period: Period, *, include_filer: bool = False, status=None, channel=None,
                    kind=None):
    first, after = period.utc_bounds()
    columns = [Feedback.id, Feedback.kind, Feedback.channel, Feedback.received_on,
               Feedback.created_at, Feedback.is_named, Feedback.relayed_by_id,
               Feedback.disclosure_id, _FeedbackItem.title, Feedback.status, Feedback.reply_date,
               Feedback.replied_at]
    if include_filer:
        columns += [Feedback.filer_name, Feedback.filer_phone, Feedback.filer_email]
    received = func.coalesce(Feedback.received_on, Feedback.created_at)  # for ordering only
    query = (select(*columns)
             .outerjoin(Disclosure, Disclosure.id == Feedback.disclosure_id)
            .outerjoin(_FeedbackItem, _FeedbackItem.id == Disclosure.live_revision_id)
            .where(or_(Feedback.received_on.between(period.start, period.end),
                       and_(Feedback.received_on.is_(None), Feedback.created_at >= first,
                            Feedback.created_at < after)))
            .order_by(received, Feedback.id))
    if status is not None:
        query = query.where(Feedback.status == FeedbackStatus(status))
    if channel is not None:
        query = query.where(Feedback.channel == Channel(channel))
    if kind is not None:
        query = query.where(Feedback.kind == FeedbackKind(kind))
    return query


class _Counter:
    """The calendar, the settings and today, loaded once per list of rows."""

    def __init__(self):
        self.calendar = Calendar.load()
        self.settings = unit_settings.get()
        self.today = clock.today()

    def answer(self, start: date, answered: date | None, workdays: int | None, *,
               open_: bool) -> tuple[int | None, date | None, bool]:
        """(working days to the answer, due date, overdue) of something that came in on
        `start`, was answered on `answered` and had to be answered within `workdays`."""
        spent = None if answered is None else self.calendar.workdays_between(start, answered)
        if workdays is None:
            return spent, None, False
        due = self.calendar.add_workdays(start, workdays).due
        late = answered > due if answered is not None else open_ and self.today > due
        return spent, due, late


def _feedback_rows(rows, include_filer: bool) -> list[FeedbackRow]:
    counter = _Counter()
    result = []
    for row in rows:
        (feedback_id, kind, channel, received_on, created_at, is_named, relayed_by_id,
         item_id, item_title, status, reply_date, replied_at) = row[:12]
        received = received_on or local_date(created_at)
        answered = reply_date or local_date(replied_at)
        spent, due, late = counter.answer(
            received, answered,
            counter.settings.feedback_reply_workdays if is_named else None,
            open_=status != FeedbackStatus.CLOSED)
        filer = row[12:15] if include_filer else ("", "", "")
        result.append(FeedbackRow(
            id=feedback_id, kind=kind.value, kind_label=kind.label, channel=channel.value,
            channel_label=channel.label, received_on=received, is_named=bool(is_named),
            is_relayed=relayed_by_id is not None, disclosure_id=item_id, item_title=item_title,
            status=status.value, status_label=status.label, answered_on=answered,
            answer_workdays=spent, due_on=due, overdue=late,
            filer_name=filer[0], filer_phone=filer[1], filer_email=filer[2]))
    return result


def feedback(period: Period, *, include_filer: bool = False) -> list[FeedbackRow]:
    """Every filing received in the period, oldest first: one query for the rows, one for
    the calendar and (once per request) one for the unit's settings."""
    query = _feedback_query(period, include_filer=include_filer)
    return _feedback_rows(db.session.execute(query).all(), include_filer)


# ---------------------------------------------------------------------------------------
# Supervision notes (监督意见)


@dataclass(frozen=True)
class NoteRow:
    id: int
    topic: str  # NoteTopic value
    topic_label: str
    object_kind: str  # "item", "entry" or "" (a general note)
    object_id: int | None
    object_title: str  # the item's or entry's title; "一般意见" for a general note
    author_name: str
    filed_on: date
    answered_on: date | None
    answer_workdays: int | None
    due_on: date
    overdue: bool
    adoption_label: str = ""  # 采纳 / 部分采纳 / 未采纳, said by the office when answering


_NoteAuthor = aliased(User, name="note_author")
_NoteItem = aliased(Revision, name="note_item")


def _notes_query(period: Period, *, topic=None, answered=None):
    query = (select(SupervisionNote.id, SupervisionNote.topic, SupervisionNote.disclosure_id,
                   _NoteItem.title, SupervisionNote.catalog_entry_id, CatalogEntry.title,
                   _NoteAuthor.display_name, SupervisionNote.created_at, SupervisionNote.answered_at,
                   SupervisionNote.adoption)
            .join(_NoteAuthor, _NoteAuthor.id == SupervisionNote.author_id)
            .outerjoin(Disclosure, Disclosure.id == SupervisionNote.disclosure_id)
            .outerjoin(_NoteItem, _NoteItem.id == func.coalesce(Disclosure.live_revision_id,
                                                                Disclosure.working_revision_id))
            .outerjoin(CatalogEntry, CatalogEntry.id == SupervisionNote.catalog_entry_id)
            .where(_in_period(SupervisionNote.created_at, period))
            .order_by(SupervisionNote.created_at, SupervisionNote.id))
    if topic is not None:
        query = query.where(SupervisionNote.topic == NoteTopic(topic))
    if answered is not None:
        query = query.where(SupervisionNote.answered_at.is_not(None) if answered
                            else SupervisionNote.answered_at.is_(None))
    return query


def _note_rows(rows) -> list[NoteRow]:
    counter = _Counter()
    result = []
    for (note_id, topic, item_id, item_title, entry_id, entry_title, author_name, created_at,
         answered_at, adoption) in rows:
        if item_id is not None:
            kind, object_id, title = "item", item_id, item_title or f"事项 #{item_id}"
        elif entry_id is not None:
            kind, object_id, title = "entry", entry_id, entry_title or f"目录条目 #{entry_id}"
        else:
            kind, object_id, title = "", None, "一般意见"
        filed, answered = local_date(created_at), local_date(answered_at)
        spent, due, late = counter.answer(filed, answered,
                                          counter.settings.supervision_reply_workdays, open_=True)
        result.append(NoteRow(id=note_id, topic=topic.value, topic_label=topic.label,
                              object_kind=kind, object_id=object_id, object_title=title,
                              author_name=author_name, filed_on=filed, answered_on=answered,
                              answer_workdays=spent, due_on=due, overdue=late,
                              adoption_label=adoption.label if adoption else ""))
    return result


def notes(period: Period) -> list[NoteRow]:
    """Every supervision note filed in the period, oldest first; one query for the rows,
    one for the calendar, one (once per request) for the settings."""
    return _note_rows(db.session.execute(_notes_query(period)).all())


# ---------------------------------------------------------------------------------------
# The ledger pages and exports: any tab, with its filters


TABS = ("items", "reviews", "republications", "feedback", "notes")


def _query_and_rows(tab: str, period: Period, include_filer: bool, filters: dict):
    if tab == "items":
        return _items_query(period, **filters), _item_rows
    if tab == "reviews":
        return _reviews_query(period, **filters), _review_rows
    if tab == "republications":
        query = _republications_query(period, **filters)
        return query, lambda rows: _republication_rows(rows, query)
    if tab == "feedback":
        return (_feedback_query(period, include_filer=include_filer, **filters),
                lambda rows: _feedback_rows(rows, include_filer))
    if tab == "notes":
        return _notes_query(period, **filters), _note_rows
    raise ValueError(f"unknown ledger tab {tab!r}")


def tab_rows(tab: str, period: Period, *, include_filer: bool = False, **filters) -> list:
    """Every row of `tab` in the period under `filters` (the exports). Filters per tab:
    items: category_id, scope, state; reviews: decision; republications: category_id, scope;
    feedback: status, channel, kind; notes: topic, answered (bool)."""
    query, convert = _query_and_rows(tab, period, include_filer, filters)
    return convert(db.session.execute(query).all())


def tab_page(tab: str, period: Period, *, page: int = 1, per_page: int = PER_PAGE,
             include_filer: bool = False, **filters) -> Page:
    """One screen of `tab` (the pages): a count query and a page query."""
    query, convert = _query_and_rows(tab, period, include_filer, filters)
    return _page_of(query, convert, page, per_page)
