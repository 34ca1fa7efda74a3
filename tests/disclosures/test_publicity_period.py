"""Publicity periods (公示期) end by themselves after their last working day."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from dwgk.core.audit import AuditEvent
from dwgk.catalog.models import Scope
from dwgk.core.models import WorkdayOverride
from dwgk.disclosures import queries, services
from dwgk.disclosures.models import Disclosure, State
from dwgk.extensions import db
from tests.factories import make_disclosure


def _publish_on(app, frozen_clock, moment, **kwargs):
    frozen_clock(moment)
    with app.app_context():
        item = make_disclosure(State.PUBLISHED, **kwargs)
        db.session.commit()
        return item.id


def _state(app, item_id):
    with app.app_context():
        return db.session.get(Disclosure, item_id).state


def test_a_period_across_national_day_ends_on_its_last_working_day(app, runner, frozen_clock):
    item_id = _publish_on(app, frozen_clock, datetime(2026, 9, 30, 10, 0), publicity_workdays=5)
    with app.app_context():
        period = queries.publicity_period(db.session.get(Disclosure, item_id))
    # Oct 1-7 holiday, Oct 8 and Sat Oct 10 adjusted working days: 8, 9, 10, 12, 13.
    assert period.due == date(2026, 10, 13)

    frozen_clock(datetime(2026, 10, 13, 23, 50))  # still the last day
    result = runner.invoke(args=["disclosures", "archive-ended"])
    assert "共归档 0 项" in result.output
    assert _state(app, item_id) == State.PUBLISHED

    frozen_clock(datetime(2026, 10, 14, 0, 5))
    result = runner.invoke(args=["disclosures", "archive-ended"])
    assert "共归档 1 项" in result.output
    assert _state(app, item_id) == State.ARCHIVED
    with app.app_context():
        summary = db.session.scalar(select(AuditEvent.summary)
                                    .where(AuditEvent.action == "disclosure.archive"))
    assert "2026-10-13" in summary and "自动归档" in summary
    # Running it again changes nothing.
    assert "共归档 0 项" in runner.invoke(args=["disclosures", "archive-ended"]).output


def test_a_calendar_override_moves_the_end(app, frozen_clock):
    item_id = _publish_on(app, frozen_clock, datetime(2026, 12, 28, 10, 0), publicity_workdays=5)
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        assert queries.publicity_period(item).due == date(2027, 1, 4)  # Mon-Fri in 2027
        db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note="元旦"))
        db.session.commit()
        assert queries.publicity_period(item).due == date(2027, 1, 5)
    frozen_clock(datetime(2027, 1, 5, 12, 0))
    with app.app_context():
        assert services.archive_ended_publicity_periods() == []


def test_items_without_a_period_are_left_alone(app, frozen_clock):
    item_id = _publish_on(app, frozen_clock, datetime(2026, 1, 5, 10, 0))
    frozen_clock(datetime(2026, 12, 1, 10, 0))
    with app.app_context():
        assert services.archive_ended_publicity_periods() == []
    assert _state(app, item_id) == State.PUBLISHED


def test_predisclosure_opinions_close_on_the_decision_date(app, frozen_clock):
    from flask_login import AnonymousUserMixin

    from dwgk import policy

    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        item = make_disclosure(State.PUBLISHED, is_predisclosure=True,
                               decision_date=date(2026, 11, 20))
        db.session.commit()
        anonymous = AnonymousUserMixin()
        assert policy.opinions_close_on(item) == date(2026, 11, 19)
        assert policy.can_give_opinion_on(anonymous, item)
        frozen_clock(datetime(2026, 11, 19, 23, 0))
        assert policy.can_give_opinion_on(anonymous, item)
        frozen_clock(datetime(2026, 11, 20, 8, 0))
        assert not policy.can_give_opinion_on(anonymous, item)
        ordinary = make_disclosure(State.PUBLISHED)
        assert policy.opinions_close_on(ordinary) is None


def test_a_public_items_period_counts_from_the_day_the_public_sees_it(app, users, login_as,
                                                                       frozen_clock):
    """Published Mon Nov 2 with the one-day members-first window: the public sees it on
    Tue Nov 3, so its 5 working days are Nov 4-10 (not Nov 3-9); the office's page says so."""
    from tests.reminders import full_duties_now

    item_id = _publish_on(app, frozen_clock, datetime(2026, 11, 2, 10, 0), publicity_workdays=5,
                          members_first_days=1)
    members_id = _publish_on(app, frozen_clock, datetime(2026, 11, 2, 10, 0),
                             publicity_workdays=5, scope=Scope.MEMBERS)
    with app.app_context():
        period = queries.publicity_period(db.session.get(Disclosure, item_id))
        assert (period.start, period.due) == (date(2026, 11, 3), date(2026, 11, 10))
        assert "社会公开之日" in period.explanation
        members = queries.publicity_period(db.session.get(Disclosure, members_id))
        assert (members.start, members.due) == (date(2026, 11, 2), date(2026, 11, 9))
    frozen_clock(datetime(2026, 11, 10, 9, 0))
    due = {duty.object_id: duty.due for duty in full_duties_now(app) if duty.kind == "publicity"}
    assert due == {item_id: date(2026, 11, 10), members_id: date(2026, 11, 9)}
    frozen_clock(datetime(2026, 11, 10, 23, 0))
    with app.app_context():
        assert [d.id for d in services.archive_ended_publicity_periods()] == [members_id]
    page = login_as("office").get(f"/office/items/{item_id}").get_data(as_text=True)
    assert "公示期：2026-11-03 起，至 2026-11-10 止（5 个工作日）" in page
    assert "自社会公开之日 2026-11-03 起算" in page
