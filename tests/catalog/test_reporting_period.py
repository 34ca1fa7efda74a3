"""Items of a periodic (定期) entry name their reporting period; "last done", the reminders
and the report's on-time rate count by period. A correction of last quarter's item — a
re-publication, or a new item naming that quarter — never counts as this quarter's."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.catalog.models import Cadence
from dwgk.core import clock
from dwgk.disclosures import services
from dwgk.extensions import db
from dwgk.reporting.figures import periodic_timeliness
from dwgk.reporting.periods import Period
from tests.factories import make_catalog_entry, make_user
from tests.reminders import full_duties_now
from tests.reporting.test_report import _publish_at, _republish_at


def test_a_correction_never_counts_as_the_next_periods_publication(app, users, login_as,
                                                                   frozen_clock):
    from dwgk.demo.factories import make_disclosure
    from dwgk.disclosures.models import State

    frozen_clock(datetime(2026, 6, 1, 9, 0))
    with app.app_context():
        office, reviewer = make_user(Role.OFFICE), make_user(Role.REVIEWER)
        entry = make_catalog_entry(title="党费收缴情况", cadence=Cadence.PERIODIC, period_months=3)
        db.session.commit()
        # Q3's item drafted in Q3 (its period, the default), published 20 days late
        frozen_clock(datetime(2026, 9, 25, 9, 0))
        q3 = make_disclosure(State.DRAFT, title="第三季度党费收缴情况", catalog_entry=entry,
                             author=office)
        assert q3.working_revision.period_start == date(2026, 7, 1)
        assert q3.working_revision.period_name == "2026年第三季度"
        _publish_at(q3, office, reviewer, 2026, 10, 20, 10, 0)
        # corrected on Dec 2: re-published, and a new item naming Q3 too
        _republish_at(q3, office, reviewer, 2026, 12, 2, 10, 0)
        fix = make_disclosure(State.DRAFT, title="第三季度党费收缴情况（更正）", catalog_entry=entry,
                              author=office, period_start=date(2026, 8, 15))  # any day of Q3
        assert fix.working_revision.period_start == date(2026, 7, 1)
        _publish_at(fix, office, reviewer, 2026, 12, 2, 11, 0)
        # a period not begun yet is refused, next to the field
        with pytest.raises(services.DisclosureError, match="所属期次不能晚于本期（2026年第四季度）") as refused:
            make_disclosure(State.DRAFT, catalog_entry=entry, author=office,
                            period_start=date(2027, 1, 1))
        assert refused.value.field == "period_start"
        db.session.commit()
        entry_id = entry.id

    frozen_clock(datetime(2026, 12, 3, 9, 0))
    page = login_as("office").get("/catalog").get_data(as_text=True)
    assert "本季度（2026年第四季度）尚未公开" in page
    assert "已于 2026-12-02 公开" not in page
    frozen_clock(datetime(2026, 12, 31, 9, 0))
    assert [(d.kind, d.object_id, d.due) for d in full_duties_now(app) if d.kind == "periodic"] == [
        ("periodic", entry_id, date(2026, 12, 31))]
    with app.app_context():
        q3_figures = periodic_timeliness(Period.quarter(2026, 3), clock.today())
        assert (q3_figures.on_time, q3_figures.late, q3_figures.missing) == (0, 1, 0)
        assert q3_figures.misses[0].published_on == date(2026, 10, 20)
        q4_figures = periodic_timeliness(Period.quarter(2026, 4), date(2027, 1, 5))
        assert (q4_figures.on_time, q4_figures.late, q4_figures.missing) == (0, 0, 1)
        db.session.rollback()


def test_the_draft_form_offers_the_periods_the_current_one_first(app, users, login_as,
                                                                 frozen_clock):
    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        from dwgk.disclosures import queries

        entry = make_catalog_entry(cadence=Cadence.PERIODIC, period_months=3)
        db.session.commit()
        choices = queries.period_choices(entry.id)
    assert choices[:2] == [(date(2026, 10, 1), "2026年第四季度"), (date(2026, 7, 1), "2026年第三季度")]
    page = login_as("office").get("/office/items/new").get_data(as_text=True)
    assert "所属期次（定期公开）" in page


def test_editing_a_draft_keeps_its_period_even_an_old_one(app, users, login_as, frozen_clock):
    from dwgk.demo.factories import make_disclosure
    from dwgk.disclosures.models import State

    frozen_clock(datetime(2026, 11, 2, 9, 0))
    with app.app_context():
        entry = make_catalog_entry(cadence=Cadence.PERIODIC, period_months=3)
        item = make_disclosure(State.DRAFT, catalog_entry=entry, period_start=date(2024, 2, 1))
        db.session.commit()
        item_id = item.id
    page = login_as("office").get(f"/office/items/{item_id}/edit").get_data(as_text=True)
    assert '<option selected value="2024-01-01">2024年第一季度</option>' in page
