"""What is overdue, counted in working days across the 2026 National Day holiday (Oct 1–7
rest; Sep 25 Mid-Autumn rest; Sat Oct 10 an adjusted working day)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from dwgk.core.workdays import Calendar
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback
from dwgk.supervision.queries import overdue_before
from tests.support import text_of
from tests.supervision import answer, make_feedback, make_note, set_reply_workdays, user


def _overdue_section(page: str) -> str:
    match = re.search(r'<section class="card sv-overdue".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_feedback_and_notes_fall_overdue_after_working_days(app, users, login_as, frozen_clock):
    set_reply_workdays(app, feedback=5, supervision=3)
    frozen_clock(datetime(2026, 9, 29, 10, 0))  # Tuesday
    named = make_feedback(app, named=True, body="实名意见：国庆前提交")
    make_feedback(app, body="匿名意见：从不逾期")
    frozen_clock(datetime(2026, 9, 30, 10, 0))  # Wednesday, the last working day before the holiday
    note_id = make_note(app, body="监督意见：国庆前提出")
    supervisor, office = login_as("supervisor"), login_as("office")

    # Feedback: Sep 30, Oct 8, 9, 10 (adjusted Saturday), 12 -> due Monday Oct 12.
    # Note: Oct 8, 9, 10 -> due Saturday Oct 10.
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    page = text_of(supervisor.get("/supervision"))
    assert _overdue_section(page) == ""
    assert "答复期限 2026-10-12" in page and "答复期限 2026-10-10" in page
    assert "10月10日为调休上班日，计为工作日" in page

    frozen_clock(datetime(2026, 10, 11, 9, 0))  # Sunday: the note is overdue, the feedback not
    section = _overdue_section(text_of(supervisor.get("/supervision")))
    assert "监督意见 1 条" in section and f"监督意见 #{note_id}" in section
    assert "实名意见建议" not in section
    page = text_of(office.get("/office/supervision"))
    assert "sv-row-overdue" in page and "2026-10-10" in page

    frozen_clock(datetime(2026, 10, 12, 23, 59))  # the feedback's last day: not yet overdue
    assert "实名意见建议" not in _overdue_section(text_of(supervisor.get("/supervision")))

    frozen_clock(datetime(2026, 10, 13, 0, 1))
    page = text_of(supervisor.get("/supervision"))
    section = _overdue_section(page)
    assert "实名意见建议 1 条" in section and f"#{named}" in section
    overdue_list = text_of(supervisor.get("/supervision?overdue=1"))
    assert "实名意见：国庆前提交" in overdue_list and "匿名意见" not in overdue_list

    # Answered, neither is overdue any more.
    from dwgk.feedback import services

    with app.app_context():
        services.reply(db.session.get(Feedback, named), "已答复。", services.ReplyMethod.PHONE,
                       date(2026, 10, 13), actor=user("office"))
        db.session.commit()
    answer(app, note_id)
    assert _overdue_section(text_of(supervisor.get("/supervision"))) == ""
    assert "sv-row-overdue" not in text_of(office.get("/office/supervision"))


def test_the_received_date_counts_not_the_logging_date(app, users, login_as, frozen_clock):
    set_reply_workdays(app, feedback=5, supervision=3)
    frozen_clock(datetime(2026, 10, 13, 9, 0))
    make_feedback(app, named=True, channel=Channel.LETTER, logged_by="office",
                  received_on=date(2026, 9, 29), body="九月底收到的来信")
    make_feedback(app, named=True, body="今天收到的意见")
    page = text_of(login_as("supervisor").get("/supervision?overdue=1"))
    assert "九月底收到的来信" in page and "今天收到的意见" not in page


def test_the_overdue_filter_agrees_with_is_overdue(app, users, login_as, frozen_clock):
    """The database filter (a cut-off date) and feedback.services.is_overdue say the same,
    for filings on every day around the holiday."""
    from dwgk.feedback.services import is_overdue

    set_reply_workdays(app, feedback=5, supervision=3)
    ids = {}
    day = date(2026, 9, 18)
    while day <= date(2026, 10, 16):
        frozen_clock(datetime.combine(day, datetime.min.time()) + timedelta(hours=15))
        ids[make_feedback(app, named=True, body=f"收到于{day.isoformat()}")] = day
        day += timedelta(days=1)
    for today in (date(2026, 10, 8), date(2026, 10, 11), date(2026, 10, 13), date(2026, 10, 19)):
        frozen_clock(datetime.combine(today, datetime.min.time()) + timedelta(hours=9))
        page = text_of(login_as("supervisor").get("/supervision?overdue=1"))
        listed = {int(number) for number in re.findall(r'id="feedback-(\d+)"', page)}
        with app.app_context():
            expected = {feedback.id for feedback in db.session.query(Feedback) if is_overdue(feedback)}
        assert listed == expected, today
        assert expected  # something is overdue on each of these days


@pytest.mark.parametrize("workdays", [1, 3, 5, 15])
def test_overdue_before_is_is_overdue_turned_around(workdays):
    calendar = Calendar()
    for today_offset in range(0, 80):
        today = date(2026, 9, 15) + timedelta(days=today_offset)
        cutoff = overdue_before(calendar, workdays, today)
        for start_offset in range(0, 60):
            start = date(2026, 8, 20) + timedelta(days=start_offset)
            overdue = today > calendar.add_workdays(start, workdays).due
            assert (start < cutoff) == overdue, (today, start)


def test_an_admin_override_moves_the_deadline(app, users, login_as, frozen_clock):
    """The calendar is loaded with the admin's 节假日调整: a day made a rest day is skipped."""
    from dwgk.core.workdays import set_override

    set_reply_workdays(app, feedback=5, supervision=3)
    frozen_clock(datetime(2026, 9, 30, 10, 0))
    make_note(app, body="监督意见")
    with app.app_context():
        set_override(date(2026, 10, 9), is_workday=False, note="停电放假")
        db.session.commit()
    frozen_clock(datetime(2026, 10, 11, 9, 0))
    page = text_of(login_as("supervisor").get("/supervision"))
    assert "答复期限 2026-10-12" in page and _overdue_section(page) == ""
