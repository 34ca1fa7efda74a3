"""The working-day calendar: statutory holidays and 调休, the admin's overrides, the Mon–Fri
fallback for years the built-in calendar does not know, and deadlines counted on it."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from dwgk.accounts.models import User
from dwgk.core.audit import AuditEvent
from dwgk.core import workdays
from dwgk.core.models import WorkdayOverride
from dwgk.core.workdays import Calendar, Deadline
from dwgk.extensions import db

BUILT_IN = Calendar({})


def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


# --- the built-in calendar: 2026 National Day ------------------------------------------------
# chinese_calendar 1.11.0: Oct 1–7 off; Sunday Sept 20 and Saturday Oct 10 are worked (调休).


def test_the_2026_national_day_holiday():
    for day in _days(date(2026, 10, 1), date(2026, 10, 7)):
        assert not BUILT_IN.is_workday(day), day
        assert BUILT_IN.source(day) == "statutory"
    assert BUILT_IN.is_workday(date(2026, 10, 8))
    assert BUILT_IN.is_workday(date(2026, 9, 30))


def test_the_adjusted_weekend_days_are_working_days():
    assert date(2026, 9, 20).weekday() == 6 and date(2026, 10, 10).weekday() == 5
    assert BUILT_IN.is_workday(date(2026, 9, 20))
    assert BUILT_IN.is_workday(date(2026, 10, 10))
    assert BUILT_IN.source(date(2026, 10, 10)) == "statutory"
    assert not BUILT_IN.is_workday(date(2026, 10, 11))  # the Sunday after is a rest day


def test_statutory_label_says_what_the_built_in_calendar_says():
    assert workdays.statutory_label(date(2026, 10, 1)) == "放假（国庆节）"
    assert workdays.statutory_label(date(2026, 10, 10)) == "调休上班（国庆节）"
    assert workdays.statutory_label(date(2026, 10, 9)) == "工作日"
    assert workdays.statutory_label(date(2026, 10, 11)) == "休息日"
    assert workdays.statutory_label(date(2027, 1, 1)) == "未收录"
    assert workdays.statutory_years()[0] == 2004


# --- N working days ---------------------------------------------------------------------------


def test_five_working_days_after_september_30_skip_the_holiday():
    deadline = BUILT_IN.add_workdays(date(2026, 9, 30), 5)
    # Oct 8, 9, 10 (the adjusted Saturday), 12, 13.
    assert deadline.due == date(2026, 10, 13)
    assert deadline.start == date(2026, 9, 30)
    assert deadline.rule == "自 2026-09-30 起第 5 个工作日"
    assert deadline.skipped == (*_days(date(2026, 10, 1), date(2026, 10, 7)), date(2026, 10, 11))
    assert deadline.adjusted == (date(2026, 10, 10),)
    assert deadline.overridden == () and deadline.fallback_years == ()
    assert deadline.explanation == (
        "自 2026-09-30 起第 5 个工作日，截止 2026年10月13日（星期二）；"
        "跳过非工作日 10月1日至10月7日、10月11日；10月10日为调休上班日，计为工作日。"
    )


def test_the_day_of_the_event_is_not_counted():
    assert BUILT_IN.add_workdays(date(2026, 9, 30), 1).due == date(2026, 10, 8)
    # A plain week: Monday + 1 working day is Tuesday.
    deadline = BUILT_IN.add_workdays(date(2026, 3, 2), 1)
    assert deadline.due == date(2026, 3, 3)
    assert deadline.skipped == ()
    assert "期间没有需要跳过的非工作日" in deadline.explanation


def test_a_period_counted_from_inside_the_holiday():
    # Published on the holiday itself: counting starts with the first working day after it.
    assert BUILT_IN.add_workdays(date(2026, 10, 3), 1).due == date(2026, 10, 8)


# --- N calendar days --------------------------------------------------------------------------


def test_seven_days_landing_in_the_holiday_move_to_the_next_working_day():
    deadline = BUILT_IN.add_days(date(2026, 9, 28), 7)  # Oct 5, in the holiday
    assert deadline.due == date(2026, 10, 8)
    assert deadline.skipped == _days(date(2026, 10, 5), date(2026, 10, 7))
    assert deadline.rule == "自 2026-09-28 起 7 日，遇节假日顺延"
    assert deadline.explanation == (
        "自 2026-09-28 起 7 日，遇节假日顺延：第 7 日（10月5日）不是工作日，"
        "顺延跳过 10月5日至10月7日，截止 2026年10月8日（星期四）。"
    )


def test_days_ending_on_a_working_day_are_not_moved():
    # The days in between do not matter, only the last one.
    deadline = BUILT_IN.add_days(date(2026, 9, 30), 8)
    assert deadline.due == date(2026, 10, 8)
    assert deadline.skipped == ()
    # Saturday Oct 10 is an adjusted working day: a period may end on it.
    assert BUILT_IN.add_days(date(2026, 10, 3), 7).due == date(2026, 10, 10)
    # An ordinary weekend moves to Monday.
    assert BUILT_IN.add_days(date(2026, 3, 2), 5).due == date(2026, 3, 9)


def test_zero_days_is_the_start_itself():
    deadline = BUILT_IN.add_days(date(2026, 10, 1), 0)
    assert deadline.due == date(2026, 10, 1)  # not moved: there is no period to end


# --- past the years the built-in calendar knows ----------------------------------------------


def test_a_period_crossing_into_2027_is_counted_monday_to_friday():
    deadline = BUILT_IN.add_workdays(date(2026, 12, 28), 10)
    # Dec 29, 30, 31, Jan 1 (a Friday: the fallback does not know it is New Year), Jan 4–8, 11.
    assert deadline.due == date(2027, 1, 11)
    assert deadline.skipped == (date(2027, 1, 2), date(2027, 1, 3), date(2027, 1, 9), date(2027, 1, 10))
    assert deadline.fallback_years == (2027,)
    assert BUILT_IN.source(date(2027, 1, 4)) == "weekday"
    assert BUILT_IN.source(date(2026, 12, 31)) == "statutory"
    explanation = deadline.explanation
    assert "截止 2027年1月11日（星期一）" in explanation
    assert "跳过非工作日 2027年1月2日至1月3日、1月9日至1月10日" in explanation
    assert "内置节假日日历尚未收录 2027 年，该年按周一至周五计算" in explanation


def test_years_before_the_built_in_calendar_fall_back_too():
    assert BUILT_IN.is_workday(date(2003, 6, 2))  # a Monday
    assert not BUILT_IN.is_workday(date(2003, 6, 1))  # a Sunday
    assert BUILT_IN.source(date(2003, 6, 2)) == "weekday"


# --- the admin's overrides --------------------------------------------------------------------


def test_an_override_for_2027_changes_the_deadline():
    calendar = Calendar({date(2027, 1, 4): False})
    deadline = calendar.add_workdays(date(2026, 12, 28), 10)
    assert deadline.due == date(2027, 1, 12)
    assert deadline.overridden == (date(2027, 1, 4),)
    assert date(2027, 1, 4) in deadline.skipped
    assert "2027年1月4日按管理员设置的节假日调整计算" in deadline.explanation
    assert calendar.source(date(2027, 1, 4)) == "override"


def test_an_override_wins_over_the_built_in_calendar():
    calendar = Calendar({date(2026, 10, 9): False, date(2026, 10, 11): True})
    assert calendar.source(date(2026, 10, 9)) == "override"
    assert not calendar.is_workday(date(2026, 10, 9))
    assert calendar.is_workday(date(2026, 10, 11))
    # Oct 8, 10, 11 (now worked), 12, 13 — the declared rest day is skipped.
    deadline = calendar.add_workdays(date(2026, 9, 30), 5)
    assert deadline.due == date(2026, 10, 13)
    assert deadline.overridden == (date(2026, 10, 9), date(2026, 10, 11))
    assert Calendar({date(2026, 10, 9): False}).add_workdays(date(2026, 9, 30), 5).due == date(2026, 10, 14)
    # A declared working Saturday ends a period in days without moving it.
    assert Calendar({date(2026, 3, 7): True}).add_days(date(2026, 3, 2), 5).due == date(2026, 3, 7)


# --- age in working days ------------------------------------------------------------------------


def test_workdays_between():
    assert BUILT_IN.workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert BUILT_IN.workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert BUILT_IN.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert BUILT_IN.workdays_between(date(2026, 10, 13), date(2026, 10, 13)) == 0
    assert BUILT_IN.workdays_between(date(2026, 10, 13), date(2026, 9, 30)) == 0
    assert BUILT_IN.workdays_between(date(2026, 12, 28), date(2027, 1, 11)) == 10


def test_workdays_between_agrees_with_add_workdays():
    start = date(2026, 9, 14)
    for n in range(1, 30):
        due = BUILT_IN.add_workdays(start, n).due
        assert BUILT_IN.workdays_between(start, due) == n


# --- quarters and periods -----------------------------------------------------------------------


@pytest.mark.parametrize(("day", "end"), [
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 3, 31), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 8, 15), date(2026, 9, 30)),
    (date(2026, 12, 31), date(2026, 12, 31)),
    (date(2027, 11, 2), date(2027, 12, 31)),
])
def test_quarter_end(day, end):
    assert workdays.quarter_end(day) == end
    assert BUILT_IN.quarter_end(day) == end


@pytest.mark.parametrize(("day", "months", "end"), [
    (date(2028, 2, 10), 1, date(2028, 2, 29)),  # a leap year
    (date(2027, 2, 10), 1, date(2027, 2, 28)),
    (date(2026, 5, 5), 3, date(2026, 6, 30)),
    (date(2026, 5, 5), 6, date(2026, 6, 30)),
    (date(2026, 7, 1), 6, date(2026, 12, 31)),
    (date(2026, 1, 1), 12, date(2026, 12, 31)),
])
def test_period_end(day, months, end):
    assert workdays.period_end(day, months) == end


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, -1])
def test_a_period_of_working_days_needs_at_least_one(n):
    with pytest.raises(ValueError):
        BUILT_IN.add_workdays(date(2026, 9, 30), n)


def test_bad_counts_and_dates_are_refused():
    with pytest.raises(ValueError):
        BUILT_IN.add_days(date(2026, 9, 30), -1)
    with pytest.raises(ValueError):
        BUILT_IN.add_workdays(date(2026, 9, 30), workdays.MAX_SEARCH_DAYS + 1)
    with pytest.raises(ValueError):
        BUILT_IN.add_days(date(2026, 9, 30), workdays.MAX_SEARCH_DAYS + 1)
    with pytest.raises(TypeError):
        BUILT_IN.add_workdays(date(2026, 9, 30), 2.5)
    with pytest.raises(TypeError):
        BUILT_IN.add_workdays(date(2026, 9, 30), True)
    with pytest.raises(TypeError):  # a timestamp is not a day: which time zone?
        BUILT_IN.add_workdays(datetime(2026, 9, 30, 20, 0), 1)
    with pytest.raises(TypeError):
        BUILT_IN.is_workday("2026-09-30")
    with pytest.raises(ValueError):
        workdays.period_end(date(2026, 5, 5), 2)
    with pytest.raises(ValueError):
        BUILT_IN.workdays_between(date(2000, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValueError):
        BUILT_IN.add_workdays(date.max - timedelta(days=3), 5)


def test_the_search_is_bounded():
    """An admin who declares ten years of holidays gets an error, not a hung request."""
    start = date(2030, 1, 1)
    calendar = Calendar({start + timedelta(days=i): False
                         for i in range(1, workdays.MAX_SEARCH_DAYS + 2)})
    with pytest.raises(ValueError):
        calendar.add_workdays(start, 1)
    with pytest.raises(ValueError):
        calendar.add_days(start, 1)


def test_a_deadline_is_immutable():
    deadline = BUILT_IN.add_workdays(date(2026, 9, 30), 5)
    assert isinstance(deadline, Deadline)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deadline.due = date(2026, 10, 14)


def test_describe_days_groups_ranges_and_names_a_new_year():
    days = [date(2026, 12, 31), date(2026, 12, 30), date(2027, 1, 1), date(2027, 1, 3)]
    assert workdays.describe_days(days, 2026) == "12月30日至2027年1月1日、1月3日"
    assert workdays.describe_days([], 2026) == ""


# --- the overrides in the database --------------------------------------------------------------


def _admin(username="admin"):
    return db.session.scalar(select(User).where(User.username == username))


def test_calendar_load_reads_every_override_in_one_query(app, users):
    with app.app_context():
        admin = _admin()
        workdays.set_override(date(2027, 1, 4), is_workday=False, note="2027年元旦", actor=admin)
        workdays.set_override(date(2027, 2, 20), is_workday=True, note="2027年春节调休", actor=admin)
        db.session.commit()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            calendar = Calendar.load()
            deadline = calendar.add_workdays(date(2026, 12, 28), 10)
            calendar.workdays_between(date(2027, 1, 1), date(2027, 3, 1))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len([s for s in statements if "workday_override" in s]) == 1
        assert deadline.due == date(2027, 1, 12)
        assert calendar.is_workday(date(2027, 2, 20))  # a Saturday


def test_the_module_functions_see_a_change_at_once(app, users):
    with app.app_context():
        assert workdays.add_workdays(date(2026, 12, 28), 10).due == date(2027, 1, 11)
        override = workdays.set_override(date(2027, 1, 4), is_workday=False, actor=_admin())
        db.session.commit()
        assert workdays.add_workdays(date(2026, 12, 28), 10).due == date(2027, 1, 12)
        assert not workdays.is_workday(date(2027, 1, 4))
        assert workdays.add_days(date(2026, 12, 28), 7).due == date(2027, 1, 5)
        assert workdays.workdays_between(date(2026, 12, 28), date(2027, 1, 12)) == 10
        workdays.delete_override(override, actor=_admin())
        db.session.commit()
        assert workdays.add_workdays(date(2026, 12, 28), 10).due == date(2027, 1, 11)


def test_set_override_updates_a_date_instead_of_duplicating_it(app, users):
    with app.app_context():
        admin = _admin()
        first = workdays.set_override(date(2027, 1, 4), is_workday=False, note="元旦", actor=admin)
        db.session.commit()
        second = workdays.set_override(date(2027, 1, 4), is_workday=True, note="调休", actor=admin)
        db.session.commit()
        assert first.id == second.id and second.is_workday and second.note == "调休"
        assert second.created_by_id == admin.id
        # Setting the same again changes nothing and records nothing.
        workdays.set_override(date(2027, 1, 4), is_workday=True, note="调休", actor=admin)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 1
        summaries = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "workday.set")
            .order_by(AuditEvent.id)).all()
        assert summaries == ["2027年1月4日（星期一）设为放假休息：元旦",
                             "2027年1月4日（星期一）：放假休息 → 调休上班；说明：元旦 → 调休"]
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workday.set"))
        assert (event_.object_type, event_.object_id, event_.actor_name) == (
            "workday_override", str(first.id), "admin")


def test_set_override_refuses_bad_values(app, users):
    with app.app_context():
        with pytest.raises(workdays.WorkdayError) as refused:
            workdays.set_override(date(1999, 12, 31), is_workday=False, actor=_admin())
        assert refused.value.field == "day"
        with pytest.raises(workdays.WorkdayError) as refused:
            workdays.set_override(date(2027, 1, 4), is_workday=False, note="长" * 101, actor=_admin())
        assert refused.value.field == "note"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(WorkdayOverride)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action.like("workday.%"))) == 0
