"""The dashboard (工作台): the catalog's standing, overdue duties, the review queue's size and
age in working days, open and overdue feedback and notes — and a fixed query count."""
from __future__ import annotations

import re
from datetime import datetime

from dwgk.accounts.models import User
from dwgk.disclosures import services
from dwgk.disclosures.models import State
from dwgk.extensions import db
from dwgk.feedback import services as fb
from dwgk.supervision.services import NoteInput, file_note
from tests.factories import make_catalog_entry, make_disclosure
from tests.reporting.test_ledger import TODAY, seed_quarters
from tests.support import QueryCounter, text_of


def add_more(app, users, frozen_clock, n: int) -> None:
    """`n` more of everything in 2026Q4: catalog entries with a published item each, items in
    review, named feedback and supervision notes. Leaves the clock at TODAY."""
    with app.app_context():
        office = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        supervisor = db.session.get(User, users["supervisor"])
        frozen_clock(datetime(2026, 11, 10, 10, 0))
        for number in range(n):
            entry = make_catalog_entry(title=f"加量条目{number}")
            item = make_disclosure(title=f"加量事项{number}", catalog_entry=entry, author=office,
                                   reviewer=reviewer)
            make_disclosure(State.IN_REVIEW, title=f"加量待审{number}", author=office)
            fb.file_feedback(fb.FeedbackInput(body=f"加量意见{number}", disclosure_id=item.id,
                                              is_named=True, filer_name="张三",
                                              filer_phone="13700003333"))
            file_note(NoteInput(topic="form", body=f"加量监督{number}", disclosure_id=item.id),
                      author=supervisor)
        db.session.commit()
    frozen_clock(TODAY)


def _submit_for_review(app, users, frozen_clock, *days):
    with app.app_context():
        office = db.session.get(User, users["office"])
        for day in days:
            frozen_clock(datetime(2026, 11, day, 9, 0))
            item = make_disclosure(State.DRAFT, title=f"待审核事项{day}", author=office)
            services.submit(item, actor=office)
        db.session.commit()
    frozen_clock(TODAY)


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))


def test_dashboard_shows_catalog_queue_and_handling(app, users, login_as, frozen_clock):
    seed_quarters(app, users, frozen_clock)
    _submit_for_review(app, users, frozen_clock, 16, 19)  # Mon Nov 16 and Thu Nov 19
    html = text_of(login_as("office").get("/dashboard"))

    catalog = _section(html, "dash-catalog")
    # "On time" means published within the period: published last quarter (Sep 10) and not
    # yet this quarter is "not yet due", never 按时 (issue 13).
    assert "共 2 个目录条目：本期已按时公开 0 个，本期尚未公开（未到期） 1 个， 1 个逾期" in catalog
    assert re.search(r"党费收缴使用情况 .*? 2026-09-10 本季度末（2026-12-31） 本期待公开", catalog)
    assert "按时" not in catalog.replace("已按时公开", "")
    assert re.search(r"发展党员情况 .*? 尚未公开 .*? 逾期 逾期：上季度（2026年第三季度，截至 2026-09-30）未公开",
                     catalog)
    # Submitted Mon Nov 16: Tue-Fri are 4 working days by Fri Nov 20.
    queue = _section(html, "dash-queue")
    assert "2 项待审核" in queue and "2026-11-16 提交，已等待 4 个工作日" in queue
    # Open: the unanswered named report and the anonymous letter; overdue: the named one.
    feedback = _section(html, "dash-feedback")
    assert "2 条未答复" in feedback and "超期未答复 1 条" in feedback
    assert 'href="/office/feedback"' in html.split('id="dash-feedback"')[1].split("</section>")[0]
    notes = _section(html, "dash-notes")
    assert "1 条未答复" in notes and "超期未答复 1 条" in notes
    overdue = _section(html, "dash-overdue")
    assert "发展党员情况" in overdue and "三季度公开偏晚" not in overdue
    assert "定期公开 1" in overdue


def test_reviewers_see_it_with_ledger_links_others_do_not(login_as):
    reviewer = login_as("reviewer")
    html = text_of(reviewer.get("/dashboard"))
    assert ">工作台<" in html and 'href="/ledger/feedback"' in html and 'href="/review"' in html
    for role in ("supervisor", "member", "admin"):
        client = login_as(role)
        assert client.get("/dashboard").status_code == 403
        assert ">工作台<" not in text_of(client.get("/members"))


def test_dashboard_query_count_does_not_grow(app, users, login_as, frozen_clock):
    # Something of every kind at both sizes: the duties skip their follow-up queries
    # (who is to be told) when a kind has no rows at all.
    seed_quarters(app, users, frozen_clock)
    _submit_for_review(app, users, frozen_clock, 16)
    office = login_as("office")

    def count():
        with QueryCounter(app) as counter:
            assert office.get("/dashboard").status_code == 200
        return counter.count

    small = count()
    add_more(app, users, frozen_clock, 8)
    html = text_of(office.get("/dashboard"))
    assert "共 10 个目录条目" in _section(html, "dash-catalog")
    assert "9 项待审核" in _section(html, "dash-queue")
    assert count() == small
