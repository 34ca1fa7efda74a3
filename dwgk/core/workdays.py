"""The working-day calendar, and deadlines counted on it.

Whether a date is a working day, in priority order:

1. the admin's 节假日调整 (`WorkdayOverride`) for that date;
2. the built-in statutory calendar (chinese_calendar: holidays and adjusted working days 调休);
3. Monday to Friday, for a year the built-in calendar does not know yet (it stops at 2026).

Periods are counted as the Civil Code counts them (arts. 200–203): the day the event
happens is not counted; a period of N working days ends on the Nth working day after it;
a period of N days ends N days after it, moved to the next working day when that day is
not one. A quarterly duty is due on the quarter's last day, whatever day that is.

Compute with a `Calendar`: `Calendar.load()` reads the overrides in one query, and its
methods are pure, so a page computing many deadlines loads the overrides once. The
module-level functions (`add_workdays(start, n, cal=None)` …) load one when none is given.
Every deadline comes back as a `Deadline`, which can say in Chinese how it was computed.

The admin's changes to the calendar (`set_override`, `delete_override`) are at the end:
they flush and write their audit event; the caller commits.
"""
from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from sqlalchemy import select

from dwgk.core.errors import Refusal
from dwgk.core.audit import record
from dwgk.core.models import WorkdayOverride, kind_label
from dwgk.extensions import db

# About ten years. No duty of this system runs longer; a longer search is a typo or a bug,
# and refusing it keeps every loop here bounded.
MAX_SEARCH_DAYS = 3660

OVERRIDE = "override"  # the admin's 节假日调整 decided
STATUTORY = "statutory"  # the built-in calendar decided
WEEKDAY = "weekday"  # Mon–Fri fallback: no override, and the built-in calendar lacks the year

SOURCE_LABELS = {
    OVERRIDE: "节假日调整",
    STATUTORY: "内置法定节假日日历",
    WEEKDAY: "周一至周五（内置日历未收录该年）",
}

WORKDAYS = "workdays"
DAYS = "days"

_ONE_DAY = timedelta(days=1)
_WEEKDAY_NAMES = "一二三四五六日"


# ---------------------------------------------------------------------------------------
# Plain date arithmetic (no holidays involved)


def quarter_end(day: date) -> date:
    """The last day of the calendar quarter containing `day` (3-31, 6-30, 9-30 or 12-31)."""
    return period_end(day, 3)


def period_end(day: date, months: int) -> date:
    """The last day of the period containing `day`, for periods of 1, 3, 6 or 12 months
    aligned to the calendar year: months=6 gives June 30 or December 31."""
    _check_day(day)
    if months not in (1, 3, 6, 12):
        raise ValueError("周期只能是 1、3、6 或 12 个月。")
    last_month = -(-day.month // months) * months  # the period's last month: ceil(m / k) * k
    return date(day.year, last_month, monthrange(day.year, last_month)[1])


def statutory_years() -> tuple[int, int]:
    """The first and last year the built-in calendar knows (2004, 2026 for version 1.11.0)."""
    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


def statutory_label(day: date) -> str:
    """What the built-in calendar alone says about `day`, for a person: "工作日", "休息日",
    "放假（国庆节）", "调休上班（国庆节）", or "未收录" for a year it does not know."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return "未收录"
    festival = f"（{chinese_calendar.Holiday(name).chinese}）" if name else ""
    if is_holiday:
        return f"放假{festival}" if festival else "休息日"
    return f"调休上班{festival}" if day.weekday() >= 5 else "工作日"


# ---------------------------------------------------------------------------------------
# Formatting dates the way a person reads them


def format_day(day: date) -> str:
    """2026年10月1日"""
    return f"{day.year}年{day.month}月{day.day}日"


def weekday_name(day: date) -> str:
    """星期四"""
    return f"星期{_WEEKDAY_NAMES[day.weekday()]}"


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive dates grouped into (first, last) ranges, in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] + _ONE_DAY == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def describe_days(days: Iterable[date], year: int) -> str:
    """"10月1日至10月7日、10月11日": the year is written only where it changes from `year`
    (the year the reader already has in mind), so a list crossing into a new year says so."""
    pieces = []
    for first, last in day_ranges(days):
        text, year = _short_day(first, year)
        if last != first:
            last_text, year = _short_day(last, year)
            text += f"至{last_text}"
        pieces.append(text)
    return "、".join(pieces)


def _short_day(day: date, year: int) -> tuple[str, int]:
    if day.year != year:
        return format_day(day), day.year
    return f"{day.month}月{day.day}日", year


# ---------------------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True)
class Deadline:
    """A computed due date and everything needed to explain it.

    `skipped` are the non-working days passed over while counting (for a period in days:
    the days the due date was moved past). `adjusted` are weekend days that counted as
    working days (调休上班). `overridden` are the examined days decided by the admin's
    节假日调整; `fallback_years` the years examined on the Mon–Fri fallback.
    """

    start: date
    due: date
    rule: str
    kind: str = WORKDAYS
    skipped: tuple[date, ...] = ()
    adjusted: tuple[date, ...] = ()
    overridden: tuple[date, ...] = ()
    fallback_years: tuple[int, ...] = ()

    @property
    def explanation(self) -> str:
        """One Chinese sentence: the rule, the due date, the days skipped, and where the
        calendar's answers came from when that was not the built-in statutory calendar."""
        year = self.start.year
        due = f"{format_day(self.due)}（{weekday_name(self.due)}）"
        if self.kind == DAYS and self.skipped:
            parts = [f"{self.rule}：第 {(self.skipped[0] - self.start).days} 日"
                     f"（{describe_days(self.skipped[:1], year)}）不是工作日，"
                     f"顺延跳过 {describe_days(self.skipped, year)}，截止 {due}"]
        elif self.kind == DAYS:
            parts = [f"{self.rule}，截止 {due}"]
        else:
            parts = [f"{self.rule}，截止 {due}"]
            if self.skipped:
                parts.append(f"跳过非工作日 {describe_days(self.skipped, year)}")
            else:
                parts.append("期间没有需要跳过的非工作日")
        if self.adjusted:
            parts.append(f"{describe_days(self.adjusted, year)}为调休上班日，计为工作日")
        if self.overridden:
            parts.append(f"{describe_days(self.overridden, year)}按管理员设置的节假日调整计算")
        if self.fallback_years:
            years = "、".join(str(y) for y in self.fallback_years)
            which = "该年" if len(self.fallback_years) == 1 else "这些年份"
            parts.append(f"内置节假日日历尚未收录 {years} 年，{which}按周一至周五计算"
                         "（管理员可在“节假日调整”中补充）")
        return "；".join(parts) + "。"


class _Trace:
    """Records what a count looked at, for the Deadline's explanation."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self.skipped: list[date] = []
        self.adjusted: list[date] = []
        self.overridden: list[date] = []
        self.fallback_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        working, source = self.calendar.decide(day)
        if source == OVERRIDE:
            self.overridden.append(day)
        elif source == WEEKDAY:
            self.fallback_years.add(day.year)
        if not working:
            self.skipped.append(day)
        elif day.weekday() >= 5:
            self.adjusted.append(day)
        return working

    def deadline(self, start: date, due: date, rule: str, kind: str) -> Deadline:
        return Deadline(start=start, due=due, rule=rule, kind=kind,
                        skipped=tuple(self.skipped), adjusted=tuple(self.adjusted),
                        overridden=tuple(self.overridden),
                        fallback_years=tuple(sorted(self.fallback_years)))


# ---------------------------------------------------------------------------------------
# The calendar


class Calendar:
    """Working days: the admin's overrides, then the built-in calendar, then Mon–Fri.

    Build it with `Calendar.load()` (one query) inside an app context, or from a plain
    `{date: is_workday}` dict. Its methods never touch the database and never raise for a
    year the built-in calendar does not know.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        self._overrides = dict(overrides or {})

    @classmethod
    def load(cls) -> Calendar:
        """The calendar with every override in the database, read in one query."""
        rows = db.session.execute(select(WorkdayOverride.day, WorkdayOverride.is_workday))
        return cls({day: is_workday for day, is_workday in rows})

    def decide(self, day: date) -> tuple[bool, str]:
        """(is it a working day, which rule said so: OVERRIDE, STATUTORY or WEEKDAY)."""
        _check_day(day)
        if day in self._overrides:
            return self._overrides[day], OVERRIDE
        statutory = _statutory_workday(day)
        if statutory is not None:
            return statutory, STATUTORY
        return day.weekday() < 5, WEEKDAY

    def is_workday(self, day: date) -> bool:
        return self.decide(day)[0]

    def source(self, day: date) -> str:
        """Why `day` is or is not a working day: 'override', 'statutory' or 'weekday'."""
        return self.decide(day)[1]

    def add_workdays(self, start: date, n: int) -> Deadline:
        """The Nth working day after `start` (`start` itself is never counted); n >= 1.

        A period of "N working days" must contain at least one, so n = 0 is refused rather
        than guessed at (the start? the next working day?).
        """
        _check_day(start)
        _check_count(n, minimum=1)
        trace = _Trace(self)
        counted = 0
        for day in _days_after(start):
            if trace.is_workday(day):
                counted += 1
                if counted == n:
                    return trace.deadline(start, day, f"自 {start.isoformat()} 起第 {n} 个工作日",
                                          WORKDAYS)
        raise AssertionError("unreachable: _days_after raises when the search runs out")

    def add_days(self, start: date, n: int) -> Deadline:
        """N calendar days after `start`, moved to the next working day when that day is a
        holiday or a rest day. n = 0 is `start` itself, as it is: nothing to move."""
        _check_day(start)
        _check_count(n, minimum=0)
        rule = f"自 {start.isoformat()} 起 {n} 日，遇节假日顺延"
        if n == 0:
            return Deadline(start=start, due=start, rule=f"自 {start.isoformat()} 起当日",
                            kind=DAYS)
        try:
            end = start + timedelta(days=n)
        except OverflowError:
            raise ValueError("日期超出范围。") from None
        trace = _Trace(self)
        if trace.is_workday(end):
            return trace.deadline(start, end, rule, DAYS)
        for day in _days_after(end):
            if trace.is_workday(day):
                return trace.deadline(start, day, rule, DAYS)
        raise AssertionError("unreachable: _days_after raises when the search runs out")

    def workdays_between(self, start: date, end: date) -> int:
        """How many working days lie after `start`, up to and including `end` (0 when
        end <= start): the age, in working days, of something that arrived on `start`."""
        _check_day(start)
        _check_day(end)
        if end <= start:
            return 0
        if (end - start).days > MAX_SEARCH_DAYS:
            raise ValueError(f"时间跨度不能超过 {MAX_SEARCH_DAYS} 天。")
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    quarter_end = staticmethod(quarter_end)
    period_end = staticmethod(period_end)


def _statutory_workday(day: date) -> bool | None:
    """The built-in calendar's answer, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # "no available data for year 2027"
        return None


def _check_day(day) -> None:
    # A datetime is a date too, but a UTC timestamp can be the wrong day in China:
    # callers pass local dates (clock.today(), or a timestamp converted first).
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def _check_count(n, *, minimum: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"期限不能少于 {minimum} 天。")
    if n > MAX_SEARCH_DAYS:
        raise ValueError(f"期限不能超过 {MAX_SEARCH_DAYS} 天。")


def _days_after(start: date) -> Iterator[date]:
    """The days after `start`, for at most MAX_SEARCH_DAYS; then ValueError."""
    day = start
    for _ in range(MAX_SEARCH_DAYS):
        try:
            day += _ONE_DAY
        except OverflowError:
            break
        yield day
    raise ValueError(f"在 {MAX_SEARCH_DAYS} 天内找不到期限的截止日，请检查起算日和节假日调整。")


# The same, for a caller with no Calendar at hand: each call loads one (one query).


def is_workday(day: date, cal: Calendar | None = None) -> bool:
    return (cal or Calendar.load()).is_workday(day)


def add_workdays(start: date, n: int, cal: Calendar | None = None) -> Deadline:
    return (cal or Calendar.load()).add_workdays(start, n)


def add_days(start: date, n: int, cal: Calendar | None = None) -> Deadline:
    return (cal or Calendar.load()).add_days(start, n)


def workdays_between(start: date, end: date, cal: Calendar | None = None) -> int:
    return (cal or Calendar.load()).workdays_between(start, end)


# ---------------------------------------------------------------------------------------
# The admin's 节假日调整: reading and changing them

# Wide enough for any real use; narrow enough to catch "0202-10-01" and "20266-10-01".
FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_MAX = 100


class WorkdayError(Refusal):
    """A refused change; the message is shown to the user as it is."""


def day_problem(day: date | None) -> str | None:
    """Why `day` cannot be given an override, in Chinese, or None."""
    if day is None:
        return "请填写日期。"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"日期须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。"
    return None


def overrides_by_year() -> list[tuple[int, list[WorkdayOverride]]]:
    """Every override grouped by year: newest year first, dates in order within a year."""
    years: dict[int, list[WorkdayOverride]] = {}
    for override in db.session.scalars(select(WorkdayOverride).order_by(WorkdayOverride.day)):
        years.setdefault(override.day.year, []).append(override)
    return sorted(years.items(), reverse=True)


def find_override(day: date) -> WorkdayOverride | None:
    return db.session.scalar(select(WorkdayOverride).where(WorkdayOverride.day == day))


def set_override(day: date, *, is_workday: bool, note: str = "", actor=None) -> WorkdayOverride:
    """Make `day` a working day or a rest day, whatever the built-in calendar says.

    A date that already has an override is updated, never duplicated. Flushes and records
    "workday.set" (nothing is recorded when nothing changed); the caller commits.
    """
    problem = day_problem(day)
    if problem:
        raise WorkdayError(problem, "day")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise WorkdayError(f"说明最长 {NOTE_MAX} 个字符。", "note")
    is_workday = bool(is_workday)
    label = f"{format_day(day)}（{weekday_name(day)}）"
    override = find_override(day)
    if override is None:
        override = WorkdayOverride(day=day, is_workday=is_workday, note=note,
                                   created_by_id=actor.id if actor is not None else None)
        db.session.add(override)
        db.session.flush()
        record("workday.set", override, actor=actor,
               summary=f"{label}设为{kind_label(is_workday)}" + (f"：{note}" if note else ""))
        return override
    changes = []
    if override.is_workday != is_workday:
        changes.append(f"{kind_label(override.is_workday)} → {kind_label(is_workday)}")
        override.is_workday = is_workday
    if override.note != note:
        changes.append(f"说明：{override.note or '无'} → {note or '无'}")
        override.note = note
    if changes:
        db.session.flush()
        record("workday.set", override, actor=actor, summary=f"{label}：" + "；".join(changes))
    return override


def delete_override(override: WorkdayOverride, *, actor=None) -> None:
    """Remove an override: the date follows the built-in calendar (or Mon–Fri) again.
    Records "workday.delete"; the caller commits."""
    record("workday.delete", override, actor=actor,
           summary=f"{format_day(override.day)}（{weekday_name(override.day)}）"
                   f"不再{kind_label(override.is_workday)}" + (f"：{override.note}" if override.note else ""))
    db.session.delete(override)
    db.session.flush()


@dataclass(frozen=True)
class ImportResult:
    added: int
    replaced: int  # an override of that date said something else before
    unchanged: int  # the same override was there already


def import_overrides(days, *, source: str, actor=None) -> ImportResult:
    """Save a year's holidays and adjusted working days (holiday_notice.NoticeDay's) at once.

    An override already set on one of the dates is replaced (its old value is in the audit
    event); the same value again changes nothing. All or nothing: a refused date raises
    WorkdayError before the caller commits, and the caller rolls back. Records one
    "workday.set" per change and one "workday.import" saying what came in from `source`."""
    days = list(days)
    if not days:
        raise WorkdayError("没有要保存的日期。", None)
    for entry in days:
        problem = day_problem(entry.day)
        if problem:
            raise WorkdayError(f"{format_day(entry.day)}：{problem}", None)
    existing = {o.day: o for o in db.session.scalars(
        select(WorkdayOverride).where(WorkdayOverride.day.in_([entry.day for entry in days])))}
    added = replaced = unchanged = 0
    for entry in days:
        note = f"{entry.day.year}年{entry.name}"[:NOTE_MAX] if entry.name else ""
        before = existing.get(entry.day)
        if before is None:
            added += 1
        elif before.is_workday == entry.is_workday and before.note == note:
            unchanged += 1
            continue
        else:
            replaced += 1
        set_override(entry.day, is_workday=entry.is_workday, note=note, actor=actor)
    years = "、".join(str(y) for y in sorted({entry.day.year for entry in days}))
    rest = sum(not entry.is_workday for entry in days)
    record("workday.import", actor=actor, object_type="workday_override", object_id=years,
           summary=f"从{source}导入 {years} 年节假日调整 {len(days)} 条（放假 {rest} 天、"
                   f"调休上班 {len(days) - rest} 天）：新增 {added} 条，替换 {replaced} 条，"
                   f"未变 {unchanged} 条")
    return ImportResult(added=added, replaced=replaced, unchanged=unchanged)


def next_year_missing(today: date) -> int | None:
    """From 1 November: next year, when neither the built-in calendar nor any override
    knows it (deadlines in it would be counted Monday to Friday); otherwise None."""
    if today.month < 11:
        return None
    year = today.year + 1
    if year <= statutory_years()[1]:
        return None
    known = db.session.scalar(select(WorkdayOverride.id).where(
        WorkdayOverride.day >= date(year, 1, 1), WorkdayOverride.day <= date(year, 12, 31)).limit(1))
    return None if known is not None else year


def next_year_warning(year: int) -> str:
    return (f"内置节假日日历尚未收录 {year} 年，也还没有录入 {year} 年的节假日调整："
            f"{year} 年的期限将暂按周一至周五计算。")
