"""Reading the catalog: the page /catalog (what is disclosed, to whom, how often, by whom,
when it was last done and when it is next due) and the office's upkeep lists.

`catalog_overview()` runs a fixed number of queries whatever the number of entries: the
visible entries with their categories and responsible persons, one aggregate query for
the last publication of every entry, and one for the reporting periods (所属期次) that the
published items of periodic entries name ("last done" counts by period).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from dwgk import policy
from dwgk.accounts.models import Role, User, UserRole
from dwgk.catalog.models import Cadence, CatalogEntry, Category, Scope
from dwgk.catalog.services import FREQUENCY_LABELS
from dwgk.core.clock import LOCAL_TZ
from dwgk.core.workdays import period_end
from dwgk.disclosures.models import Disclosure, Revision
from dwgk.extensions import db

DEFAULT_PERIOD_MONTHS = 3  # design.md: periodic means quarterly unless the entry says otherwise

_PERIOD_WORDS = {  # months -> (this period, the next period, the previous period)
    1: ("本月", "下月", "上月"),
    3: ("本季度", "下季度", "上季度"),
    6: ("本半年", "下一个半年", "上一个半年"),
    12: ("本年度", "下一年度", "上一年度"),
}
_QUARTERS = "一二三四"


# --- due dates ------------------------------------------------------------------------------

def period_start(day: date, months: int) -> date:
    """The first day of the period (1, 3, 6 or 12 months, aligned to the calendar year)
    containing `day`."""
    end = period_end(day, months)
    return date(end.year, end.month - months + 1, 1)


def period_name(day: date, months: int) -> str:
    """The period containing `day`, as a person says it: 2026年10月, 2026年第四季度,
    2026年下半年, 2026年度."""
    if months == 1:
        return f"{day.year}年{day.month}月"
    if months == 3:
        return f"{day.year}年第{_QUARTERS[(day.month - 1) // 3]}季度"
    if months == 6:
        return f"{day.year}年{'上' if day.month <= 6 else '下'}半年"
    return f"{day.year}年度"


def entry_months(entry: CatalogEntry | None) -> int:
    """The length of a periodic entry's reporting period in months (quarterly by default)."""
    months = entry.period_months if entry is not None else None
    return months if months in FREQUENCY_LABELS else DEFAULT_PERIOD_MONTHS


def period_choices(months: int, today: date, count: int = 8) -> list[tuple[date, str]]:
    """The reporting periods an item may name: the current one first, then earlier ones."""
    choices, day = [], today
    for _ in range(count):
        start = period_start(day, months)
        choices.append((start, period_name(start, months)))
        day = start - timedelta(days=1)
    return choices


def covered_periods(entry_ids=None, visibility=None) -> dict[int, dict[date, date]]:
    """entry id -> {period start: the local day it was first published} for the reporting
    periods that published items of periodic entries name (their live revision's period).
    A correction names its own period, so it never covers the next one."""
    query = (select(Revision.catalog_entry_id, Revision.period_start,
                    func.min(Disclosure.first_published_at))
             .join(Disclosure, Disclosure.live_revision_id == Revision.id)
             .where(Revision.catalog_entry_id.is_not(None), Revision.period_start.is_not(None),
                    Disclosure.first_published_at.is_not(None), Disclosure.withdrawn_at.is_(None))
             .group_by(Revision.catalog_entry_id, Revision.period_start))
    if visibility is not None:
        query = query.where(visibility)
    found: dict[int, dict[date, date]] = {}
    for entry_id, start, first in db.session.execute(query):
        found.setdefault(entry_id, {})[start] = _local_date(first)
    return found


@dataclass(frozen=True)
class Due:
    """When an entry is next due, and how that was worked out."""

    label: str  # what the catalog shows as the due date or rule
    explanation: str = ""  # how it was computed
    due: date | None = None  # None: no fixed date (standing, immediate, staged)
    is_overdue: bool = False
    overdue_note: str = ""
    # Published within the current period: what "on time" (按时) means. An entry not yet
    # published in its period is "not yet due", never "on time".
    is_done_for_period: bool = False


def next_due(entry: CatalogEntry, last_published: date | None, today: date,
             covered: dict[date, date] | None = None) -> Due:
    """The next due date of `entry`, given the local date of its last publication.

    Periodic: the end of the current period if no item names it, else the end of the next
    one. Overdue: no item names the previous period (a period that ended before the entry
    was created owes nothing). `covered`: {period start: first published} of the periods
    the entry's items name (covered_periods); without it, by the publication date.
    """
    if entry.cadence == Cadence.STANDING:
        return Due("长期公开", "长期公开的内容，有变化时及时更新。")
    if entry.cadence == Cadence.IMMEDIATE:
        return Due("事项发生后即时公开", "无固定周期：事项发生或办理完毕后即时公开。")
    if entry.cadence == Cadence.STAGED:
        return Due("结果产生后 7 日内", "分期公开：每一阶段的结果产生后 7 日内公开；跨年度的工作另作总结公开。")
    months = entry.period_months if entry.period_months in FREQUENCY_LABELS else DEFAULT_PERIOD_MONTHS
    this_word, next_word, previous_word = _PERIOD_WORDS[months]
    start = period_start(today, months)
    end = period_end(today, months)
    previous_end = start - timedelta(days=1)
    previous_start = period_start(previous_end, months)
    if covered is not None:
        # by period: the current one done if an item names it; the previous one owed if none
        last_published = covered.get(start)
        previous_done = previous_start in covered
    else:
        previous_done = last_published is not None and last_published >= previous_start
    if last_published is not None and last_published >= start:
        due = period_end(end + timedelta(days=1), months)
        label = f"{next_word}末（{due.isoformat()}）"
        explanation = (f"{FREQUENCY_LABELS[months]}公开一次；{this_word}（{period_name(today, months)}）"
                       f"已于 {last_published.isoformat()} 公开，下次应在{next_word}"
                       f"（{period_name(due, months)}）最后一日 {due.isoformat()} 前公开。")
        return Due(label, explanation, due, is_done_for_period=True)
    label = f"{this_word}末（{end.isoformat()}）"
    explanation = (f"{FREQUENCY_LABELS[months]}公开一次；{this_word}（{period_name(today, months)}）"
                   f"尚未公开，应在{this_word}最后一日 {end.isoformat()} 前公开。")
    created = _local_date(entry.created_at)
    owed_previous = created is None or created <= previous_end
    if owed_previous and not previous_done:
        note = (f"逾期：{previous_word}（{period_name(previous_end, months)}，"
                f"截至 {previous_end.isoformat()}）未公开")
        return Due(label, explanation, end, True, note)
    return Due(label, explanation, end)


def _local_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).date()


# --- the catalog page -----------------------------------------------------------------------

@dataclass
class EntryRow:
    entry: CatalogEntry
    last_published_at: datetime | None
    due: Due

    @property
    def frequency(self) -> str:
        """每季度 for a periodic entry, the cadence's label otherwise."""
        if self.entry.cadence == Cadence.PERIODIC:
            return FREQUENCY_LABELS.get(self.entry.period_months or DEFAULT_PERIOD_MONTHS, "")
        return ""


@dataclass
class CategoryGroup:
    category: Category
    rows: list[EntryRow] = field(default_factory=list)


def visible_entries(user) -> list[CatalogEntry]:
    """Active entries of active categories that `user` may see, in catalog order, with
    their category and responsible person, in one query."""
    query = (select(CatalogEntry).join(CatalogEntry.category)
             .where(CatalogEntry.active.is_(True), Category.active.is_(True))
             .options(contains_eager(CatalogEntry.category),
                      # the page shows names, not roles: skip loading the persons' roles
                      joinedload(CatalogEntry.responsible).lazyload(User.role_rows))
             .order_by(Category.position, Category.id, CatalogEntry.position, CatalogEntry.id))
    if not policy.is_signed_in(user):
        query = query.where(CatalogEntry.scope == Scope.PUBLIC)
    entries = db.session.scalars(query).unique()
    return [entry for entry in entries if policy.can_see_catalog_entry(user, entry)]


def last_publications(user) -> dict[int, datetime]:
    """entry id -> the newest publication of an item filed under it that `user` may see
    (the same condition as the boards: the public never learns of members-only items)."""
    rows = db.session.execute(
        select(Revision.catalog_entry_id, func.max(Disclosure.last_published_at))
        .join(Disclosure, Disclosure.live_revision_id == Revision.id)
        .where(Revision.catalog_entry_id.is_not(None), Disclosure.last_published_at.is_not(None),
               policy.board_visibility(user))
        .group_by(Revision.catalog_entry_id))
    return {entry_id: published for entry_id, published in rows}


def catalog_overview(user, today: date) -> list[CategoryGroup]:
    """The catalog as `user` may see it, grouped by category, each entry with its last
    publication and next due date. A fixed number of queries."""
    published = last_publications(user)
    periods = covered_periods(visibility=policy.board_visibility(user))
    groups: list[CategoryGroup] = []
    for entry in visible_entries(user):
        if not groups or groups[-1].category.id != entry.category_id:
            groups.append(CategoryGroup(entry.category))
        last = published.get(entry.id)
        covered = periods.get(entry.id, {}) if entry.cadence == Cadence.PERIODIC else None
        groups[-1].rows.append(EntryRow(entry, last, next_due(entry, _local_date(last), today,
                                                              covered)))
    return groups


# --- the office's upkeep --------------------------------------------------------------------

def all_categories() -> list[Category]:
    """Every category, active or not, in catalog order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def all_entries() -> list[CatalogEntry]:
    """Every entry, active or not, in catalog order, with category and responsible person."""
    return list(db.session.scalars(
        select(CatalogEntry).join(CatalogEntry.category)
        .options(contains_eager(CatalogEntry.category))
        .order_by(Category.position, Category.id, CatalogEntry.position, CatalogEntry.id)).unique())


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def get_entry(entry_id: int) -> CatalogEntry | None:
    return db.session.scalar(select(CatalogEntry).where(CatalogEntry.id == entry_id)
                             .options(joinedload(CatalogEntry.category)))


def category_choices(current_id: int | None = None) -> list[Category]:
    """Active categories, and the entry's current one even when it has been deactivated."""
    query = select(Category).order_by(Category.position, Category.id)
    if current_id is None:
        query = query.where(Category.active.is_(True))
    else:
        query = query.where(Category.active.is_(True) | (Category.id == current_id))
    return list(db.session.scalars(query))


def responsible_choices(current_id: int | None = None) -> list[User]:
    """Active office users, and the entry's current responsible person whoever that is."""
    office = (select(UserRole.user_id)
              .where(UserRole.role == Role.OFFICE).scalar_subquery())
    condition = User.active.is_(True) & User.id.in_(office)
    if current_id is not None:
        condition = condition | (User.id == current_id)
    return list(db.session.scalars(select(User).where(condition).order_by(User.display_name)))
