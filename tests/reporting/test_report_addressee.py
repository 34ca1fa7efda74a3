"""The summary report names its addressee from the unit settings, numbers its tables
without gaps, and carries the office's narrative, kept per period (issue 14, rule 10)."""
from __future__ import annotations

import re
from datetime import datetime

from dwgk.core import settings as unit_settings
from dwgk.extensions import db
from tests.support import text_of


def _captions(html: str) -> list[str]:
    return re.findall(r"<caption>表 (\d+)", html)


def test_addressee_comes_from_the_unit_settings(app, login_as, users, frozen_clock):
    frozen_clock(datetime(2027, 1, 5, 10, 0))
    office = login_as("office")
    assert "乡（镇）纪委：" in text_of(office.get("/report?period=2026Q4"))
    admin = login_as("admin")
    page = text_of(admin.get("/admin/settings"))
    assert 'name="report_addressee"' in page
    response = admin.form_post("/admin/settings", {
        "unit_name": "市教育局党组", "report_addressee": "市纪委",
        "members_first_days": "1", "review_due_workdays": "3",
        "feedback_reply_workdays": "15", "supervision_reply_workdays": "15"})
    assert response.status_code == 302
    with app.app_context():
        assert unit_settings.get().report_addressee == "市纪委"
    for url in ("/report?period=2026Q4", "/report/print?period=2026Q4"):
        html = text_of(login_as("office").get(url))
        assert "市纪委：" in html and "乡（镇）纪委" not in html


def test_tables_are_numbered_without_gaps(app, login_as, frozen_clock):
    frozen_clock(datetime(2027, 1, 5, 10, 0))
    html = text_of(login_as("office").get("/report/print?period=2026Q4"))
    numbers = [int(n) for n in _captions(html)]
    assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_the_office_writes_the_narrative_kept_per_period(app, login_as, frozen_clock):
    frozen_clock(datetime(2027, 1, 5, 10, 0))
    office = login_as("office")
    page = text_of(office.get("/report?period=2026Q4"))
    assert 'name="narrative"' in page
    response = office.form_post("/report/narrative?period=2026Q4",
                                {"narrative": "本季度认真落实党务公开制度。\n下一步加强监督。"})
    assert response.status_code == 302
    for url in ("/report?period=2026Q4", "/report/print?period=2026Q4"):
        html = text_of(office.get(url))
        assert "本季度认真落实党务公开制度。" in html and "下一步加强监督。" in html
    assert "本季度认真落实党务公开制度" not in text_of(office.get("/report?period=2026Q3"))
    # the supervisor reads it, but only the office writes it
    supervisor = login_as("supervisor")
    assert "本季度认真落实党务公开制度" in text_of(supervisor.get("/report?period=2026Q4"))
    assert 'name="narrative"' not in text_of(supervisor.get("/report?period=2026Q4"))
    assert supervisor.form_post("/report/narrative?period=2026Q4",
                                {"narrative": "改写"}).status_code == 403
    office.form_post("/report/narrative?period=2026Q4", {"narrative": "修改后的总结。"})
    assert "修改后的总结。" in text_of(office.get("/report/print?period=2026Q4"))
    with app.app_context():
        from dwgk.reporting.models import ReportNarrative
        assert db.session.query(ReportNarrative).count() == 1
