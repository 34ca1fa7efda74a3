from datetime import date

import pytest

from dwgk.reporting.periods import Period, PeriodError


def test_quarters_years_and_ranges_read_back_from_their_keys():
    q4 = Period.parse("2026Q4")
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度")
    assert Period.parse(q4.key) == q4
    year = Period.parse("2027")
    assert (year.start, year.end, year.label) == (date(2027, 1, 1), date(2027, 12, 31), "2027年度")
    custom = Period.parse("2026-07-01..2026-08-15")
    assert custom.label == "2026年7月1日至2026年8月15日" and Period.parse(custom.key) == custom
    assert Period.previous_quarter(date(2027, 1, 5)) == Period.quarter(2026, 4)


def test_utc_bounds_follow_the_local_day():
    first, after = Period.quarter(2026, 4).utc_bounds()
    assert first.isoformat() == "2026-09-30T16:00:00+00:00"
    assert after.isoformat() == "2026-12-31T16:00:00+00:00"


@pytest.mark.parametrize("text, message", [
    ("2026Q5", "期间格式不对"), ("1850", "年份应在"), ("2026-02-30..2026-03-01", "日期不存在"),
    ("2026-05-01..2026-04-01", "结束日期不能早于"), ("", "请选择期间"),
])
def test_unreadable_periods_are_refused_in_chinese(text, message):
    with pytest.raises(PeriodError, match=message):
        Period.parse(text)
