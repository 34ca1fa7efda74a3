"""next_due(): when a catalog entry is next due, and when it is overdue (pure, no database)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from dwgk.catalog.models import Cadence
from dwgk.catalog.queries import next_due, period_name, period_start

CREATED_LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


def entry(cadence=Cadence.PERIODIC, months=3, created_at=CREATED_LONG_AGO):
    return SimpleNamespace(cadence=cadence, period_months=months, created_at=created_at)


def test_quarterly_nothing_published_this_quarter_is_due_at_its_end():
    due = next_due(entry(), date(2026, 8, 15), date(2026, 10, 9))
    assert due.due == date(2026, 12, 31)
    assert due.label == "本季度末（2026-12-31）"
    assert "2026年第四季度" in due.explanation and "尚未公开" in due.explanation
    assert not due.is_overdue  # the third quarter had its publication


def test_quarterly_published_this_quarter_is_due_at_the_end_of_the_next():
    due = next_due(entry(), date(2026, 10, 9), date(2026, 11, 20))
    assert due.due == date(2027, 3, 31)
    assert due.label == "下季度末（2027-03-31）"
    assert "已于 2026-10-09 公开" in due.explanation
    assert not due.is_overdue


def test_previous_period_without_publication_is_overdue():
    due = next_due(entry(), date(2026, 6, 30), date(2026, 10, 9))
    assert due.is_overdue
    assert due.due == date(2026, 12, 31)
    assert "上季度" in due.overdue_note and "2026-09-30" in due.overdue_note


def test_never_published_is_overdue_once_a_whole_period_has_passed():
    assert next_due(entry(), None, date(2026, 10, 9)).is_overdue


def test_catching_up_in_the_current_period_clears_the_overdue_mark():
    due = next_due(entry(), date(2026, 10, 2), date(2026, 10, 9))
    assert not due.is_overdue and due.due == date(2027, 3, 31)


def test_an_entry_created_this_period_owes_nothing_for_the_previous_one():
    # created 2026-10-05 08:00 in Beijing = 2026-10-05 00:00 UTC
    fresh = entry(created_at=datetime(2026, 10, 5, 0, 0, tzinfo=timezone.utc))
    assert not next_due(fresh, None, date(2026, 10, 9)).is_overdue
    # created on the last day of the previous quarter, local time (2026-09-30 23:30 in Beijing)
    late = entry(created_at=datetime(2026, 9, 30, 15, 30, tzinfo=timezone.utc))
    assert next_due(late, None, date(2026, 10, 9)).is_overdue


@pytest.mark.parametrize("months, today, label, due", [
    (1, date(2026, 2, 10), "本月末（2026-02-28）", date(2026, 2, 28)),
    (6, date(2026, 2, 10), "本半年末（2026-06-30）", date(2026, 6, 30)),
    (12, date(2026, 2, 10), "本年度末（2026-12-31）", date(2026, 12, 31)),
])
def test_other_periods(months, today, label, due):
    result = next_due(entry(months=months), None, today)
    assert (result.label, result.due) == (label, due)


def test_half_yearly_published_moves_to_the_end_of_the_year():
    due = next_due(entry(months=6), date(2026, 3, 1), date(2026, 6, 30))
    assert due.due == date(2026, 12, 31)
    assert "2026年下半年" in due.explanation


@pytest.mark.parametrize("cadence, label", [
    (Cadence.STANDING, "长期公开"),
    (Cadence.IMMEDIATE, "事项发生后即时公开"),
    (Cadence.STAGED, "结果产生后 7 日内"),
])
def test_non_periodic_entries_have_a_rule_not_a_date(cadence, label):
    due = next_due(entry(cadence=cadence, months=None), None, date(2026, 10, 9))
    assert due.label == label and due.due is None and not due.is_overdue


def test_periodic_without_months_counts_quarterly():
    assert next_due(entry(months=None), None, date(2026, 5, 1)).due == date(2026, 6, 30)


def test_period_helpers():
    assert period_start(date(2026, 11, 3), 3) == date(2026, 10, 1)
    assert period_start(date(2026, 11, 3), 6) == date(2026, 7, 1)
    assert period_start(date(2026, 11, 3), 12) == date(2026, 1, 1)
    assert period_name(date(2026, 11, 3), 1) == "2026年11月"
    assert period_name(date(2026, 2, 3), 3) == "2026年第一季度"
    assert period_name(date(2026, 2, 3), 6) == "2026年上半年"
    assert period_name(date(2026, 2, 3), 12) == "2026年度"
