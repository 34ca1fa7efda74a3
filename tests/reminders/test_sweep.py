"""The sweep: idempotent, from the database only, a bounded number of queries."""
from __future__ import annotations

from datetime import date, datetime

from dwgk.catalog.models import Cadence
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_disclosure
from tests.reminders import duty_notices, sweep, user
from tests.support import QueryCounter


def _world(app, users, frozen_clock):
    """Duties due or overdue on Saturday Oct 10, 2026 (an adjusted working day)."""
    from tests.supervision import make_feedback, make_note

    frozen_clock(datetime(2026, 9, 1, 10, 0))
    with app.app_context():
        make_catalog_entry(title="季度公开", responsible=user("office"))
        db.session.commit()
    frozen_clock(datetime(2026, 9, 28, 10, 0))
    with app.app_context():
        make_disclosure(author=user("office"), publicity_workdays=5)  # ends Oct 10
        make_disclosure(State.DRAFT, cadence=Cadence.STAGED, result_date=date(2026, 9, 26),
                        author=user("office"))  # due Oct 8
        db.session.commit()
    frozen_clock(datetime(2026, 9, 29, 15, 0))
    with app.app_context():
        make_disclosure(State.IN_REVIEW, author=user("office"))  # due Oct 9
        db.session.commit()
    frozen_clock(datetime(2026, 9, 1, 10, 0))
    make_feedback(app, named=True)  # overdue since Sep 22
    make_note(app)


def test_ten_sweeps_tell_each_person_once(app, users, frozen_clock, redis_server):
    _world(app, users, frozen_clock)
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    first = sweep(app)
    notices = duty_notices(app)
    assert first.notices == len(notices) > 0
    kinds = {kind for _who, kind, _id, _key in notices}
    assert kinds == {"duty.periodic", "duty.staged", "duty.review", "duty.feedback",
                     "duty.note", "duty.publicity"}
    for _ in range(9):
        redis_server.flush()  # nothing lives in Redis: nothing is lost, nothing repeated
        assert sweep(app).notices == 0
    assert duty_notices(app) == notices
    assert len(set(notices)) == len(notices)


def test_due_today_then_overdue_once_more(app, users, frozen_clock):
    from tests.supervision import make_note

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    note_id = make_note(app)
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    sweep(app)
    sweep(app)
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    sweep(app)
    frozen_clock(datetime(2026, 11, 30, 9, 0))
    sweep(app)
    assert [n for n in duty_notices(app) if n[1] == "duty.note"] == [
        ("office", "duty.note", note_id, "2026-11-23"),
        ("office", "duty.note", note_id, "overdue:2026-11-23")]


def test_the_sweep_archives_ended_publicity_periods_first(app, users, frozen_clock):
    from dwgk.disclosures.models import Disclosure

    frozen_clock(datetime(2026, 9, 28, 10, 0))
    with app.app_context():
        item_id = make_disclosure(author=user("office"), publicity_workdays=5).id
        db.session.commit()
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    assert sweep(app).archived == 0
    frozen_clock(datetime(2026, 10, 11, 9, 0))
    result = sweep(app)
    assert result.archived == 1
    with app.app_context():
        assert db.session.get(Disclosure, item_id).state == State.ARCHIVED
    # only the day's notice: once archived, no overdue one
    assert [n[3] for n in duty_notices(app) if n[1] == "duty.publicity"] == ["2026-10-10"]


def test_run_sweep_takes_a_moment(app, users, frozen_clock):
    from dwgk.reminders.sweep import run_sweep
    from tests.supervision import make_note

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    make_note(app)
    frozen_clock(None)
    with app.app_context():
        assert run_sweep(datetime(2026, 11, 23, 9, 0)).notices == 1
        db.session.commit()


def test_a_sweep_runs_a_bounded_number_of_queries(app, users, frozen_clock):
    from tests.supervision import make_feedback, make_note

    def count_noop_sweep():
        with QueryCounter(app) as counter:
            assert sweep(app).notices == 0
        return len(counter.statements)

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    for _ in range(2):
        make_note(app)
        make_feedback(app, named=True)
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    sweep(app)
    few = count_noop_sweep()
    frozen_clock(datetime(2026, 11, 2, 10, 0))
    for _ in range(8):
        make_note(app)
        make_feedback(app, named=True)
    frozen_clock(datetime(2026, 11, 24, 9, 0))
    assert sweep(app).notices == 16
    assert count_noop_sweep() == few <= 20


def test_the_cli_prints_a_chinese_summary(app, users, runner, frozen_clock):
    from dwgk.reminders.cli import reminders_cli
    from tests.supervision import make_note

    frozen_clock(datetime(2026, 11, 2, 10, 0))
    make_note(app)
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    result = runner.invoke(reminders_cli, ["sweep"])
    assert result.exit_code == 0, result.output
    assert "新发送提醒 1 条" in result.output
    result = runner.invoke(reminders_cli, ["sweep"])
    assert "新发送提醒 0 条" in result.output
    assert len(duty_notices(app)) == 1


def test_a_late_sweep_archives_and_still_tells_the_office(app, users, frozen_clock):
    """No sweep on the period's last day (Oct 10): the next one archives the item and the
    office is still told to publish the result, once."""
    from dwgk.disclosures.models import Disclosure

    frozen_clock(datetime(2026, 9, 28, 10, 0))
    with app.app_context():
        item_id = make_disclosure(author=user("office"), publicity_workdays=5).id
        db.session.commit()
    frozen_clock(datetime(2026, 10, 12, 9, 0))
    result = sweep(app)
    assert result.archived == 1
    with app.app_context():
        assert db.session.get(Disclosure, item_id).state == State.ARCHIVED
    assert [n for n in duty_notices(app) if n[1] == "duty.publicity"] == [
        ("office", "duty.publicity", item_id, "2026-10-10")]
    sweep(app)
    frozen_clock(datetime(2026, 10, 13, 9, 0))
    sweep(app)
    assert len([n for n in duty_notices(app) if n[1] == "duty.publicity"]) == 1


def test_one_late_sweep_sends_every_duty_that_fell_due_once(app, users, frozen_clock):
    """The clock frozen past every due date of the world (Oct 8, 9, 10 and before), one
    sweep: every duty is notified, each once; more sweeps add nothing."""
    _world(app, users, frozen_clock)
    frozen_clock(datetime(2026, 10, 14, 9, 0))
    first = sweep(app)
    notices = duty_notices(app)
    kinds = sorted(kind for _who, kind, _id, _key in notices if _who == "office")
    assert set(kinds) == {"duty.periodic", "duty.staged", "duty.feedback", "duty.note",
                          "duty.publicity"}
    assert len(kinds) == len(set(kinds))  # one notice per duty for the office
    assert "duty.review" in {kind for _who, kind, _id, _key in notices}
    assert first.notices == len(notices)
    assert sweep(app).notices == 0
