"""Reporting periods: a quarter, a year, or any range of days, in the unit's time zone.

`Period.parse("2026Q3")`, `Period.parse("2026")`, `Period.parse("2026-07-01..2026-08-15")`.
The ledger, the dashboard and the summary report all take a Period, so that a figure in the
report and the ledger rows it summarises are selected by the same bounds.

Days are inclusive and local (Asia/Shanghai); `utc_bounds()` gives the half-open UTC range
[start 00:00 local, day after end 00:00 local) for comparing stored UTC timestamps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from dwgk.core import clock
from dwgk.core.clock import LOCAL_TZ

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")

MAX_DAYS = 366 * 5  # a range longer than five years is refused: nobody reports on that


class PeriodError(ValueError):
    """A period the user typed that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str = "range"  # "quarter", "year" or "range"

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first_month = 3 * (number - 1) + 1
        start = date(year, first_month, 1)
        next_start = date(year + 1, 1, 1) if number == 4 else date(year, first_month + 3, 1)
        return cls(start, next_start - timedelta(days=1), "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def current_quarter(cls, today: date | None = None) -> Period:
        today = today or clock.today()
        return cls.quarter(today.year, (today.month - 1) // 3 + 1)

    @classmethod
    def previous_quarter(cls, today: date | None = None) -> Period:
        current = cls.current_quarter(today)
        return cls.current_quarter(current.start - timedelta(days=1))

    @classmethod
    def parse(cls, text: str | None, default: Period | None = None) -> Period:
        """Read "2026Q3", "2026" or "2026-07-01..2026-08-15"; raise PeriodError if unreadable."""
        text = (text or "").strip()
        if not text:
            if default is None:
                raise PeriodError("请选择期间")
            return default
        if match := _QUARTER.match(text):
            year, number = int(match[1]), int(match[2])
            _check_year(year)
            return cls.quarter(year, number)
        if match := _YEAR.match(text):
            year = int(match[1])
            _check_year(year)
            return cls.year(year)
        if match := _RANGE.match(text):
            try:
                start, end = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            except ValueError:
                raise PeriodError("日期不存在，请检查") from None
            return cls.range(start, end)
        raise PeriodError("期间格式不对：请写成 2026Q3、2026 或 2026-07-01..2026-08-15")

    @classmethod
    def range(cls, start: date, end: date) -> Period:
        if end < start:
            raise PeriodError("结束日期不能早于开始日期")
        if (end - start).days > MAX_DAYS:
            raise PeriodError("期间最长五年")
        _check_year(start.year)
        _check_year(end.year)
        return cls(start, end, "range")

    @property
    def key(self) -> str:
        """The text `parse` reads back: used in URLs and file names."""
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """How a person names it: 2026年第三季度, 2026年度, 2026年7月1日至2026年8月15日."""
        if self.kind == "quarter":
            number = "一二三四"[(self.start.month - 1) // 3]
            return f"{self.start.year}年第{number}季度"
        if self.kind == "year":
            return f"{self.start.year}年度"
        return f"{_day(self.start)}至{_day(self.end)}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[first moment, first moment after) in UTC, for stored UTC timestamps."""
        first = datetime.combine(self.start, time.min, LOCAL_TZ)
        after = datetime.combine(self.end + timedelta(days=1), time.min, LOCAL_TZ)
        return first.astimezone(timezone.utc), after.astimezone(timezone.utc)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise PeriodError("年份应在 2000 至 2100 之间")


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
