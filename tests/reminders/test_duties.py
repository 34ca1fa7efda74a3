"""Each kind of duty, with the clock frozen: a quarter end, the 2026 National Day holiday
(Oct 1–7, Oct 10 an adjusted working Saturday) and the 2026→2027 year end."""
from __future__ import annotations

from datetime import date, datetime

from dwgk.catalog.models import Cadence
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_disclosure
from tests.reminders import duties_now, full_duties_now, user


def _entry(app, frozen_clock, when=datetime(2026, 10, 10, 9, 0)) -> int:
    frozen_clock(when)
    with app.app_context():
        entry = make_catalog_entry(title="党费收缴使用情况", responsible=user("office"))
        db.session.commit()
        return entry.id


def _of(kind, duties):
    return [d for d in duties if d[0] == kind]


def test_periodic_entry_due_on_the_quarters_last_day_and_overdue_after(app, users, frozen_clock):
    entry_id = _entry(app, frozen_clock)
    frozen_clock(datetime(2026, 12, 30, 9, 0))
    assert _of("periodic", duties_now(app)) == []
    frozen_clock(datetime(2026, 12, 31, 9, 0))  # a Thursday: due today, the office only
    assert _of("periodic", duties_now(app)) == [
        ("periodic", entry_id, date(2026, 12, 31), False, ["office"])]
    frozen_clock(datetime(2027, 1, 4, 9, 0))  # across the year end: overdue, reviewers too
    assert _of("periodic", duties_now(app)) == [
        ("periodic", entry_id, date(2026, 12, 31), True, ["office", "reviewer"])]
    with app.app_context():  # published late, naming its period: the duty is done
        from dwgk.catalog.models import CatalogEntry
        make_disclosure(catalog_entry=db.session.get(CatalogEntry, entry_id), author=user("office"),
                        period_start=date(2026, 10, 1))
        db.session.commit()
    assert _of("periodic", duties_now(app)) == []


def test_periodic_entry_published_in_the_quarter_owes_nothing(app, users, frozen_clock):
    entry_id = _entry(app, frozen_clock)
    with app.app_context():
        from dwgk.catalog.models import CatalogEntry
        make_disclosure(catalog_entry=db.session.get(CatalogEntry, entry_id), author=user("office"))
        db.session.commit()
    frozen_clock(datetime(2026, 12, 31, 9, 0))
    assert _of("periodic", duties_now(app)) == []


def test_staged_result_due_seven_days_later_moved_past_national_day(app, users, frozen_clock):
    frozen_clock(datetime(2026, 9, 27, 10, 0))
    with app.app_context():
        item = make_disclosure(State.DRAFT, cadence=Cadence.STAGED, result_date=date(2026, 9, 26),
                               author=user("office"), responsible_id=users["admin"])
        db.session.commit()
        item_id = item.id
    # Sep 26 + 7 days = Oct 3, a holiday: moved to Oct 8, the first working day after.
    frozen_clock(datetime(2026, 10, 7, 10, 0))
    assert _of("staged", duties_now(app)) == []
    frozen_clock(datetime(2026, 10, 8, 10, 0))
    assert _of("staged", duties_now(app)) == [("staged", item_id, date(2026, 10, 8), False, ["admin"])]
    duty = [d for d in full_duties_now(app) if d.kind == "staged"][0]
    assert "顺延" in duty.explanation and "10月8日" in duty.explanation
    frozen_clock(datetime(2026, 10, 9, 10, 0))
    assert _of("staged", duties_now(app)) == [("staged", item_id, date(2026, 10, 8), True, ["admin"])]


def test_staged_result_without_responsible_goes_to_the_author(app, users, frozen_clock):
    frozen_clock(datetime(2026, 9, 27, 10, 0))
    with app.app_context():
        make_disclosure(State.IN_REVIEW, cadence=Cadence.STAGED, result_date=date(2026, 9, 26),
                        author=user("office"))
        db.session.commit()
    frozen_clock(datetime(2026, 10, 8, 10, 0))
    assert [d[4] for d in _of("staged", duties_now(app))] == [["office"]]


def test_item_waiting_in_review_across_national_day(app, users, frozen_clock):
    frozen_clock(datetime(2026, 9, 29, 15, 0))  # Tuesday; 3 working days: Sep 30, Oct 8, Oct 9
    with app.app_context():
        item = make_disclosure(State.IN_REVIEW, author=user("office"))
        db.session.commit()
        item_id = item.id
    frozen_clock(datetime(2026, 10, 8, 9, 0))
    assert _of("review", duties_now(app)) == []
    frozen_clock(datetime(2026, 10, 9, 9, 0))
    assert _of("review", duties_now(app)) == [("review", item_id, date(2026, 10, 9), False, ["reviewer"])]
    frozen_clock(datetime(2026, 10, 10, 9, 0))  # the adjusted working Saturday
    assert _of("review", duties_now(app)) == [("review", item_id, date(2026, 10, 9), True, ["reviewer"])]


def test_an_admins_override_moves_the_due_date(app, users, frozen_clock):
    from dwgk.core.workdays import set_override

    frozen_clock(datetime(2026, 9, 29, 15, 0))
    with app.app_context():
        item = make_disclosure(State.IN_REVIEW, author=user("office"))
        db.session.commit()
        item_id = item.id
    frozen_clock(datetime(2026, 10, 9, 9, 0))
    assert _of("review", duties_now(app))[0][2] == date(2026, 10, 9)
    with app.app_context():  # Oct 9 made a rest day: the 3rd working day is the Saturday
        set_override(date(2026, 10, 9), is_workday=False, note="测试", actor=user("admin"))
        db.session.commit()
    assert _of("review", duties_now(app)) == []
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    assert _of("review", duties_now(app)) == [("review", item_id, date(2026, 10, 10), False, ["reviewer"])]
    duty = [d for d in full_duties_now(app) if d.kind == "review"][0]
    assert "节假日调整" in duty.explanation


def test_named_feedback_across_the_year_end(app, users, frozen_clock):
    from tests.supervision import make_feedback

    frozen_clock(datetime(2026, 12, 15, 10, 0))
    named = make_feedback(app, named=True)
    make_feedback(app, named=False)  # anonymous: no duty
    assigned = make_feedback(app, named=True)
    with app.app_context():
        from dwgk.feedback.models import Feedback
        db.session.get(Feedback, assigned).assigned_to_id = users["admin"]
        db.session.commit()
    # 15 working days from Dec 15: Jan 5, 2027 (2027 counted Mon–Fri)
    frozen_clock(datetime(2027, 1, 5, 9, 0))
    assert _of("feedback", duties_now(app)) == [
        ("feedback", named, date(2027, 1, 5), False, ["office"]),
        ("feedback", assigned, date(2027, 1, 5), False, ["admin"])]
    duty = [d for d in full_duties_now(app) if d.kind == "feedback"][0]
    assert "2027" in duty.explanation and "周一至周五" in duty.explanation
    assert "CANARY" not in duty.message
    frozen_clock(datetime(2027, 1, 6, 9, 0))
    assert all(d[3] for d in _of("feedback", duties_now(app)))


def test_supervision_note_unanswered(app, users, frozen_clock):
    from tests.supervision import answer, make_note

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    open_note = make_note(app)
    answered = make_note(app)
    answer(app, answered)
    with app.app_context():
        db.session.commit()
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    assert _of("note", duties_now(app)) == [("note", open_note, date(2026, 11, 23), False, ["office"])]


def test_publicity_period_ending_on_the_adjusted_saturday(app, users, frozen_clock):
    frozen_clock(datetime(2026, 9, 28, 10, 0))
    with app.app_context():
        item = make_disclosure(author=user("office"), publicity_workdays=5)
        db.session.commit()
        item_id = item.id
    # Sep 29, Sep 30, Oct 8, Oct 9, Oct 10 (调休上班)
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    duties = [d for d in full_duties_now(app) if d.kind == "publicity"]
    assert [(d.object_id, d.due, d.overdue) for d in duties] == [(item_id, date(2026, 10, 10), False)]
    assert "公示期今日届满，请公布结果" in duties[0].message
    assert [u.username for u in duties[0].recipients] == ["office"]


def test_predisclosure_window_ends_on_the_decision_date(app, users, frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 10, 0))
    with app.app_context():
        item = make_disclosure(author=user("office"), is_predisclosure=True,
                               decision_date=date(2026, 11, 20))
        db.session.commit()
        item_id = item.id
    frozen_clock(datetime(2026, 11, 19, 9, 0))
    assert _of("predisclosure", duties_now(app)) == []
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    assert _of("predisclosure", duties_now(app)) == [
        ("predisclosure", item_id, date(2026, 11, 20), False, ["office"])]
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    assert _of("predisclosure", duties_now(app))[0][3] is True
    with app.app_context():  # the formal version is published: done
        formal = make_disclosure(author=user("office"))
        formal.predisclosure_id = item_id
        db.session.commit()
    assert _of("predisclosure", duties_now(app)) == []


def test_nothing_crashes_on_either_side_of_the_year_end(app, users, frozen_clock):
    _entry(app, frozen_clock)
    for moment in (datetime(2026, 12, 31, 23, 59), datetime(2027, 1, 1, 0, 1),
                   datetime(2027, 12, 31, 9, 0)):
        frozen_clock(moment)
        duties_now(app)
