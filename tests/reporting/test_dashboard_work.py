"""The dashboard's numbers equal the 我的待办 lists (issue 13): returned items to fix,
approved items to publish, items waiting for my review, feedback and notes to answer; and
"on time" (按时) means published within the period."""
from __future__ import annotations

import re
from datetime import datetime

from dwgk.accounts.models import Role, User
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_disclosure, make_user
from tests.support import text_of


def _world(app, users, frozen_clock):
    from tests.supervision import make_feedback, make_note

    frozen_clock(datetime(2026, 11, 16, 9, 0))
    make_feedback(app, named=True)
    make_note(app)
    with app.app_context():
        office = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        other = make_user(Role.REVIEWER)
        for number in range(3):
            make_disclosure(State.APPROVED, title=f"待发布{number}", author=office, reviewer=other)
        returned = make_disclosure(State.IN_REVIEW, title="退回的事项", author=office)
        services.review(returned, services.ReviewInput(decision=Decision.RETURN, reason="请补充附件"),
                        reviewer=reviewer)
        make_disclosure(State.IN_REVIEW, title="待我审核", author=office)
        decided = make_disclosure(State.IN_REVIEW, title="我已同意的重大事项", author=office,
                                  is_major=True)
        services.review(decided, services.ReviewInput(
            decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
            check_timing=True, check_duration=True, check_secrecy=True), reviewer=reviewer)
        db.session.commit()


def _count(html, list_key):
    section = re.search(rf'<section[^>]*id="work-{list_key}".*?</section>', html, re.S).group(0)
    shown = int(re.search(r'<span class="count">(\d+)</span>', section).group(1))
    assert shown == section.count("<li>")
    return shown


def _figure(html, section_id, pattern):
    section = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    return int(re.search(pattern, text).group(1))


def test_the_dashboard_counts_are_the_lists(app, users, login_as, frozen_clock):
    _world(app, users, frozen_clock)
    office = login_as("office")
    duties, board = text_of(office.get("/duties")), text_of(office.get("/dashboard"))
    assert _count(duties, "approved") == 3 == _figure(board, "dash-work", r"(\d+) 项审核通过待发布")
    assert _count(duties, "returned") == 1 == _figure(board, "dash-work", r"退回待修改 (\d+) 项")
    assert "请补充附件" in duties
    assert _count(duties, "feedback") == 1 == _figure(board, "dash-feedback", r"(\d+) 条未答复")
    assert _count(duties, "notes") == 1 == _figure(board, "dash-notes", r"(\d+) 条未答复")
    assert 'id="work-my_review"' not in duties  # the office does not review

    reviewer = login_as("reviewer")
    duties, board = text_of(reviewer.get("/duties")), text_of(reviewer.get("/dashboard"))
    # Two in review; the reviewer already approved the major one in this round.
    assert _figure(board, "dash-queue", r"(\d+) 项待审核") == 2
    assert _count(duties, "my_review") == 1 == _figure(board, "dash-queue", r"待我审核 (\d+) 项")
    assert "待我审核" in duties and 'id="work-approved"' not in duties


def test_on_time_means_published_within_the_period(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 9, 20, 9, 0))
    with app.app_context():
        office = db.session.get(User, users["office"])
        done = make_catalog_entry(title="本季已公开条目")
        waiting = make_catalog_entry(title="本季未公开条目")
        make_disclosure(title="上季公开", catalog_entry=waiting, author=office)
        db.session.commit()
        done_id = done.id
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    with app.app_context():
        from dwgk.catalog.models import CatalogEntry

        make_disclosure(title="本季公开", catalog_entry=db.session.get(CatalogEntry, done_id),
                        author=db.session.get(User, users["office"]))
        db.session.commit()
    html = text_of(login_as("office").get("/dashboard"))
    row = re.sub(r"<[^>]+>", " ", re.search(r'<tr id="dash-entry-\d+"[^>]*>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>本季已公开条目.*?</tr>', html, re.S).group(0))
    assert "按时" in row
    row = re.sub(r"<[^>]+>", " ", re.search(r'<tr id="dash-entry-\d+"[^>]*>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>本季未公开条目.*?</tr>', html, re.S).group(0))
    assert "按时" not in row and "本期待公开" in row
    assert "本期已按时公开 1 个，本期尚未公开（未到期） 1 个" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
