"""The figures of the summary report (专题报告) for a period, computed from the database.

Every figure comes from SQL aggregates (COUNT, SUM over CASE, MIN, GROUP BY) written with
SQLAlchemy Core, the same on SQLite and PostgreSQL, in a fixed number of queries whatever
the amount of data (see `report_figures`). Working days cannot be counted in SQL portably:
where a figure needs them (days to answer, answered on time), one query brings the rows
and Python counts on the working-day calendar (dwgk.core.workdays).

Which rows a figure counts follows the ledger (dwgk.reporting.ledger, whose docstring is
the rule), so that each figure adds up to the ledger rows it summarises:

- items published (公开事项): items whose *first* publication falls in the period, by the
  category and scope of the revision shown now (the live one) — the ledger's item rows with
  a publication date. Items withdrawn since are still counted (and said to be withdrawn).
- feedback (意见建议): received in the period (`received_on`, else the filing's local
  date); answered = a reply is recorded (its date: `reply_date`, else when it was
  recorded); working days to answer = working days after the day it came in up to and
  including the reply's day. Named (实名) filings are due within the unit's
  feedback_reply_workdays.
- supervision notes (监督意见): filed in the period; answered = an answer is recorded;
  due within supervision_reply_workdays.

- re-publications (再公开): revisions after the first published *within the period*, of any
  item (an item first published last quarter and corrected this quarter counts here): the
  rows of the ledger's 再公开 tab.

One figure is not rows of the ledger:

- on-time rate (按时公开率) of the catalog's duties, with the reminders' rules
  (dwgk.reminders.duties, dwgk.catalog.queries): a periodic entry owes one publication in
  each of its periods (1, 3, 6 or 12 months, aligned to the calendar year) that ended in the
  report period, unless the entry was created after that period ended; it is on time when
  an item filed under the entry was published within that period. A staged result
  (分期公开) is due 7 days after its result date, moved to the next working day past
  holidays (`Calendar.add_days`); it counts in the period its due date falls in, and is on
  time when the revision carrying that result date was published by the due date. The
  closing summary (总结性公开) of a cross-year 分期 work that ended is one more staged duty, due 7
  days after the end (the reminders' rule, disclosures.queries.summary_deadline).
  Withdrawn items do not count as publications (the reminders ignore them too); duties not
  yet due and not yet done are "未到期" and left out of the rate. Only active entries of
  active categories are counted, as on the catalog page.

Personal details of filers are never selected here.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select

from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.catalog.queries import DEFAULT_PERIOD_MONTHS, period_name, period_start
from dwgk.catalog.services import FREQUENCY_LABELS
from dwgk.core import clock
from dwgk.core import settings as unit_settings
from dwgk.core.settings import Settings
from dwgk.core.workdays import Calendar, period_end
from dwgk.disclosures.models import Disclosure, Revision
from dwgk.disclosures.queries import owed_summaries
from dwgk.extensions import db
from dwgk.feedback.models import Feedback, FeedbackKind, FeedbackStatus
from dwgk.reminders.duties import STAGED_RESULT_DAYS
from dwgk.reporting.periods import Period
from dwgk.supervision.models import NoteTopic, SupervisionNote
from dwgk.supervision.queries import overdue_before

# A staged result due in the period has its result date at most this long before the
# period's start: 7 days, moved past at most a long holiday (the Spring Festival's 8–9 days
# plus the weekends around it). Rows found this way are filtered on their real due date.
_STAGED_LOOKBACK = timedelta(days=STAGED_RESULT_DAYS + 30)


def _local(moment) -> date | None:
    return None if moment is None else moment.astimezone(clock.LOCAL_TZ).date()


def _between(column, first, after):
    return and_(column >= first, column < after)


def _count_if(condition):
    """SQL: how many rows of the group satisfy `condition` (SUM over CASE, portable)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------------------------
# Items published


@dataclass
class CategoryCount:
    category_id: int | None
    name: str
    members: int = 0  # 党内公开
    public: int = 0  # 社会公开

    @property
    def total(self) -> int:
        return self.members + self.public


@dataclass
class Publications:
    by_category: list[CategoryCount]
    withdrawn: int  # of the items counted, withdrawn since
    republications: int  # re-publications (再公开) within the period, of any item

    @property
    def members(self) -> int:
        return sum(row.members for row in self.by_category)

    @property
    def public(self) -> int:
        return sum(row.public for row in self.by_category)

    @property
    def total(self) -> int:
        return self.members + self.public


def publications(period: Period) -> Publications:
    """Items first published in the period by category and scope (one query), and the
    re-publications within the period (one query)."""
    first, after = period.utc_bounds()
    shown = Revision  # the live revision (else the working one), as in the ledger
    rows = db.session.execute(
        select(Category.id, Category.name, shown.scope, func.count(Disclosure.id),
               _count_if(Disclosure.withdrawn_at.is_not(None)))
        .select_from(Disclosure)
        .join(shown, shown.id == func.coalesce(Disclosure.live_revision_id,
                                               Disclosure.working_revision_id))
        .outerjoin(Category, Category.id == shown.category_id)
        .where(_between(Disclosure.first_published_at, first, after))
        .group_by(Category.id, Category.name, Category.position, shown.scope)
        .order_by(Category.position, Category.id, shown.scope)).all()
    by_category: dict[int | None, CategoryCount] = {}
    withdrawn = 0
    for category_id, name, scope, count, withdrawn_count in rows:
        row = by_category.setdefault(category_id, CategoryCount(category_id, name or "（无类别）"))
        if scope == Scope.MEMBERS:
            row.members += count
        else:
            row.public += count
        withdrawn += withdrawn_count
    republications = db.session.scalar(
        select(func.count(Revision.id))
        .where(Revision.number > 1, _between(Revision.published_at, first, after))) or 0
    return Publications(list(by_category.values()), withdrawn, republications)


# ---------------------------------------------------------------------------------------
# On time (按时公开)


@dataclass(frozen=True)
class Miss:
    """A duty that was not done on time: what, which period or result, when it was due."""

    title: str
    what: str  # "2026年第四季度" or "结果日期 2026-09-28"
    due: date
    published_on: date | None  # late publication, or None: not published


@dataclass
class Timeliness:
    label: str  # 定期公开 / 分期公开
    on_time: int = 0
    late: int = 0  # published after the due date
    missing: int = 0  # not published, and the due date has passed
    pending: int = 0  # not due yet and not done yet: left out of the rate
    misses: list[Miss] = field(default_factory=list)

    @property
    def due(self) -> int:
        """The duties the rate is computed over."""
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> float | None:
        """On-time rate in per cent, None when nothing was due."""
        return None if not self.due else 100.0 * self.on_time / self.due

    def count(self, title: str, what: str, due: date, published: date | None, today: date) -> None:
        """One duty due on `due`, first published on `published` (None: not yet)."""
        if published is not None and published <= due:
            self.on_time += 1
        elif published is not None:
            self.late += 1
            self.misses.append(Miss(title, what, due, published))
        elif due >= today:
            self.pending += 1  # not due yet (or due today): it may still be done
        else:
            self.missing += 1
            self.misses.append(Miss(title, what, due, None))


@dataclass(frozen=True)
class _Bucket:
    months: int
    start: date
    end: date

    @property
    def key(self) -> str:
        return f"b{self.months}_{self.start.isoformat().replace('-', '')}"


def _buckets(period: Period, months_used: set[int]) -> list[_Bucket]:
    """Every period of 1, 3, 6 or 12 months (as used by some entry) ending in `period`."""
    found = []
    for months in sorted(months_used):
        end = period_end(period.start, months)
        while end <= period.end:
            found.append(_Bucket(months, period_start(end, months), end))
            end = period_end(end + timedelta(days=1), months)
    return found


def periodic_timeliness(period: Period, today: date) -> Timeliness:
    """Periodic catalog entries (定期公开): two queries (entries; publications per period)."""
    result = Timeliness("定期公开")
    entries = db.session.execute(
        select(CatalogEntry.id, CatalogEntry.title, CatalogEntry.period_months,
               CatalogEntry.created_at)
        .join(Category, Category.id == CatalogEntry.category_id)
        .where(CatalogEntry.active.is_(True), Category.active.is_(True),
               CatalogEntry.cadence == Cadence.PERIODIC)
        .order_by(Category.position, Category.id, CatalogEntry.position, CatalogEntry.id)).all()
    if not entries:
        return result

    def months_of(value):
        return value if value in FREQUENCY_LABELS else DEFAULT_PERIOD_MONTHS

    buckets = _buckets(period, {months_of(row.period_months) for row in entries})
    if not buckets:
        return result
    # By period: each period's first publication of an item naming it (its own period).
    # A correction names the period it corrects, so it never counts for the next one; a
    # period's item published after the period ended is late, not on time.
    starts = {bucket.start for bucket in buckets}
    rows = db.session.execute(
        select(Revision.catalog_entry_id, Revision.period_start, func.min(Revision.published_at))
        .join(Disclosure, Disclosure.id == Revision.disclosure_id)
        .join(CatalogEntry, CatalogEntry.id == Revision.catalog_entry_id)
        .where(CatalogEntry.cadence == Cadence.PERIODIC, Disclosure.withdrawn_at.is_(None),
               Revision.published_at.is_not(None),
               Revision.period_start.in_(starts))
        .group_by(Revision.catalog_entry_id, Revision.period_start)).all()
    done = {(entry_id, start): _local(first) for entry_id, start, first in rows}
    for entry_id, title, months, created_at in entries:
        months = months_of(months)
        created = _local(created_at)
        for bucket in buckets:
            if bucket.months != months:
                continue
            if created is not None and created > bucket.end:
                continue  # a period that ended before the entry existed owes nothing
            result.count(title, period_name(bucket.end, months), bucket.end,
                         done.get((entry_id, bucket.start)), today)
    return result


def staged_timeliness(period: Period, today: date, calendar: Calendar) -> Timeliness:
    """Staged results (分期公开) due in the period, one query, one row per result; and the
    closing summaries (总结性公开) of cross-year works due in it, two more."""
    result = Timeliness("分期公开")
    rows = db.session.execute(
        select(Revision.disclosure_id, Revision.result_date, func.max(Revision.title),
               func.min(Revision.published_at))
        .join(Disclosure, Disclosure.id == Revision.disclosure_id)
        .where(Revision.cadence == Cadence.STAGED, Revision.result_date.is_not(None),
               Disclosure.withdrawn_at.is_(None),
               Revision.result_date >= period.start - _STAGED_LOOKBACK,
               Revision.result_date <= period.end - timedelta(days=STAGED_RESULT_DAYS))
        .group_by(Revision.disclosure_id, Revision.result_date)
        .order_by(Revision.result_date, Revision.disclosure_id)).all()
    owed = owed_summaries(calendar, period.start - _STAGED_LOOKBACK, period.end)
    summaries = {item_id for summary in owed for item_id in summary.summary_ids}
    for item_id, result_date, title, published_at in rows:
        due = calendar.add_days(result_date, STAGED_RESULT_DAYS).due
        if due not in period or item_id in summaries:
            continue  # not due in the period, or counted below as the work's summary
        result.count(title, f"结果日期 {result_date.isoformat()}", due, _local(published_at), today)
    for summary in owed:
        work = summary.work
        if summary.deadline.due in period:
            result.count(work.live_revision.title,
                         f"总结性公开（{work.work_ended_on.isoformat()} 结束）", summary.deadline.due,
                         summary.published_on, today)
    return result


# ---------------------------------------------------------------------------------------
# Feedback (意见建议) and supervision notes (监督意见)


@dataclass
class KindCount:
    label: str
    received: int = 0
    answered: int = 0


@dataclass
class FeedbackFigures:
    by_kind: list[KindCount]  # 意见建议, 举报
    named_received: int  # 实名
    named_answered: int
    named_on_time: int  # answered within feedback_reply_workdays
    named_overdue_open: int  # not answered, not closed, past the due date
    reply_workdays: int  # the unit's setting
    median_workdays: float | None  # over every answered filing of the period

    @property
    def received(self) -> int:
        return sum(row.received for row in self.by_kind)

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.by_kind)

    @property
    def anonymous_received(self) -> int:
        return self.received - self.named_received


def _received_in(period: Period):
    first, after = period.utc_bounds()
    return or_(Feedback.received_on.between(period.start, period.end),
               and_(Feedback.received_on.is_(None), _between(Feedback.created_at, first, after)))


def _received_before(day: date):
    """SQL: the filing came in before `day` (a local date)."""
    first = Period(day, day).utc_bounds()[0]
    return or_(Feedback.received_on < day,
               and_(Feedback.received_on.is_(None), Feedback.created_at < first))


def feedback_figures(period: Period, today: date, calendar: Calendar,
                     settings: Settings) -> FeedbackFigures:
    """Two queries: counts by kind and named/anonymous; the answered rows (for days)."""
    answered = or_(Feedback.reply_date.is_not(None), Feedback.replied_at.is_not(None))
    cutoff = overdue_before(calendar, settings.feedback_reply_workdays, today)
    counts = db.session.execute(
        select(Feedback.kind, Feedback.is_named, func.count(Feedback.id), _count_if(answered),
               _count_if(and_(~answered, Feedback.status != FeedbackStatus.CLOSED,
                              _received_before(cutoff))))
        .where(_received_in(period))
        .group_by(Feedback.kind, Feedback.is_named)).all()
    kinds = {kind: KindCount(kind.label) for kind in FeedbackKind}
    named_received = named_answered = named_overdue_open = 0
    for kind, is_named, received, answered_count, open_late in counts:
        kinds[kind].received += received
        kinds[kind].answered += answered_count
        if is_named:
            named_received += received
            named_answered += answered_count
            named_overdue_open += open_late
    rows = db.session.execute(
        select(Feedback.is_named, Feedback.received_on, Feedback.created_at, Feedback.reply_date,
               Feedback.replied_at)
        .where(_received_in(period), answered)).all()
    spent, named_on_time = [], 0
    for is_named, received_on, created_at, reply_date, replied_at in rows:
        received = received_on or _local(created_at)
        replied = reply_date or _local(replied_at)
        spent.append(calendar.workdays_between(received, replied))
        if is_named and replied <= calendar.add_workdays(
                received, settings.feedback_reply_workdays).due:
            named_on_time += 1
    return FeedbackFigures(list(kinds.values()), named_received, named_answered, named_on_time,
                           named_overdue_open, settings.feedback_reply_workdays, _median(spent))


@dataclass
class NoteFigures:
    by_topic: list[KindCount]
    on_time: int  # answered within supervision_reply_workdays
    overdue_open: int  # not answered, past the due date
    reply_workdays: int
    median_workdays: float | None

    @property
    def filed(self) -> int:
        return sum(row.received for row in self.by_topic)

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.by_topic)


def note_figures(period: Period, today: date, calendar: Calendar, settings: Settings) -> NoteFigures:
    """Two queries: counts by topic; the answered rows (for days)."""
    first, after = period.utc_bounds()
    filed = _between(SupervisionNote.created_at, first, after)
    answered = SupervisionNote.answered_at.is_not(None)
    cutoff = overdue_before(calendar, settings.supervision_reply_workdays, today)
    cutoff_at = Period(cutoff, cutoff).utc_bounds()[0]
    counts = db.session.execute(
        select(SupervisionNote.topic, func.count(SupervisionNote.id), _count_if(answered),
               _count_if(and_(~answered, SupervisionNote.created_at < cutoff_at)))
        .where(filed).group_by(SupervisionNote.topic)).all()
    topics = {topic: KindCount(topic.label) for topic in NoteTopic}
    overdue_open = 0
    for topic, count, answered_count, open_late in counts:
        topics[topic].received += count
        topics[topic].answered += answered_count
        overdue_open += open_late
    rows = db.session.execute(
        select(SupervisionNote.created_at, SupervisionNote.answered_at).where(filed, answered)).all()
    spent, on_time = [], 0
    for created_at, answered_at in rows:
        start, end = _local(created_at), _local(answered_at)
        spent.append(calendar.workdays_between(start, end))
        if end <= calendar.add_workdays(start, settings.supervision_reply_workdays).due:
            on_time += 1
    return NoteFigures(list(topics.values()), on_time, overdue_open,
                       settings.supervision_reply_workdays, _median(spent))


# ---------------------------------------------------------------------------------------
# The whole report


@dataclass
class ReportFigures:
    period: Period
    made_on: date  # "as of": answers and publications recorded up to this day count
    publications: Publications
    periodic: Timeliness
    staged: Timeliness
    feedback: FeedbackFigures
    notes: NoteFigures

    @property
    def timeliness(self) -> list[Timeliness]:
        return [self.periodic, self.staged]


def report_figures(period: Period, today: date | None = None) -> ReportFigures:
    """Every figure of the report, in at most 13 queries whatever the data: the unit's
    settings, the calendar, 2 for items, 2 periodic, 3 staged, 2 feedback, 2 notes."""
    today = today or clock.today()
    settings = unit_settings.get()
    calendar = Calendar.load()
    return ReportFigures(
        period=period, made_on=today,
        publications=publications(period),
        periodic=periodic_timeliness(period, today),
        staged=staged_timeliness(period, today, calendar),
        feedback=feedback_figures(period, today, calendar, settings),
        notes=note_figures(period, today, calendar, settings))
