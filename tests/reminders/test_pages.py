""""我的待办" (/duties) for the office and for a reviewer, and the overdue duties in the
supervision inbox. The clock is frozen on Monday Sep 28, 2026: the 30 days ahead run across
the National Day holiday (Oct 1–7; Oct 10 an adjusted working Saturday)."""
from __future__ import annotations

import re
from datetime import date, datetime

from dwgk.catalog.models import Cadence
from dwgk.disclosures.models import State
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_disclosure
from tests.reminders import user
from tests.support import QueryCounter, text_of

TODAY = datetime(2026, 9, 28, 9, 0)


def _world(app, users, frozen_clock) -> dict[str, int]:
    """Overdue: named feedback (due Sep 21). Coming: the quarter's periodic entry (Sep 30),
    an item in review (Sep 30, reviewers), a staged result (Oct 3, a holiday → Oct 8; the
    admin is responsible), a publicity period (Oct 10)."""
    from tests.supervision import make_feedback

    frozen_clock(datetime(2026, 9, 1, 10, 0))
    feedback_id = make_feedback(app, named=True)
    with app.app_context():
        entry = make_catalog_entry(title="党费收缴使用情况", responsible=user("office"))
        db.session.commit()
        entry_id = entry.id
    frozen_clock(datetime(2026, 9, 25, 15, 0))
    with app.app_context():
        review = make_disclosure(State.IN_REVIEW, title="年度评优名单", author=user("office"))
        staged = make_disclosure(State.DRAFT, title="校舍维修结果", cadence=Cadence.STAGED,
                                 result_date=date(2026, 9, 26), author=user("office"),
                                 responsible_id=users["admin"])
        db.session.commit()
        review_id, staged_id = review.id, staged.id
    frozen_clock(TODAY)
    with app.app_context():
        publicity = make_disclosure(title="发展对象公示", author=user("office"), publicity_workdays=5)
        db.session.commit()
        publicity_id = publicity.id
    return {"feedback": feedback_id, "entry": entry_id, "review": review_id,
            "staged": staged_id, "publicity": publicity_id}


def _rows(html: str, table_id: str) -> list[str]:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    if match is None:
        return []
    rows = re.findall(r"<tr class=\"duty-row.*?</tr>", match.group(0), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_the_office_sees_the_offices_duties_with_how_each_date_was_computed(
        app, users, frozen_clock, login_as):
    ids = _world(app, users, frozen_clock)
    html = text_of(login_as("office").get("/duties"))
    # 30 days ahead: later than this quarter's end (Sep 30)
    assert "我的待办" in html and "至 2026-10-28" in html

    overdue = _rows(html, "overdue-duties")
    assert len(overdue) == 1
    assert "实名反映答复" in overdue[0] and "2026-09-21" in overdue[0] and "已逾期 7 天" in overdue[0]
    assert "第 15 个工作日" in overdue[0]
    assert f'href="/office/feedback/{ids["feedback"]}"' in html

    upcoming = _rows(html, "upcoming-duties")
    assert [row.split(" ")[0] for row in upcoming] == ["定期公开", "分期公开结果", "公示期届满"]
    periodic, staged, publicity = upcoming
    assert "2026-09-30" in periodic and "还有 2 天" in periodic and "第三季度" in periodic
    assert "我" in periodic.split()  # the office user is the entry's responsible person
    # the admin is responsible, but it is the office's work: listed, not marked as "mine"
    assert "2026-10-08" in staged and "顺延" in staged and "10月8日" in staged
    assert "我" not in staged.split() and "admin" in staged
    assert "2026-10-10" in publicity and "调休上班" in publicity
    assert f'href="/office/items/{ids["staged"]}"' in html
    assert f'href="/catalog/entries/{ids["entry"]}"' in html
    assert "年度评优名单" not in html  # reviewing is the reviewers' duty


def test_a_reviewer_sees_only_what_they_are_reminded_of(app, users, frozen_clock, login_as):
    ids = _world(app, users, frozen_clock)
    html = text_of(login_as("reviewer").get("/duties"))
    assert _rows(html, "overdue-duties") == []
    upcoming = _rows(html, "upcoming-duties")
    assert len(upcoming) == 1 and "待审核事项" in upcoming[0] and "年度评优名单" in upcoming[0]
    assert "2026-09-30" in upcoming[0] and "跳过非工作日 9月26日至9月27日" in upcoming[0]
    assert f'href="/review/{ids["review"]}"' in html
    assert "没有逾期的事项" in html

    # the quarter ends unpublished: the overdue periodic duty goes to the reviewers too,
    # with a link they may open (the catalog, not the office's edit page)
    frozen_clock(datetime(2026, 10, 8, 9, 0))
    html = text_of(login_as("reviewer").get("/duties"))
    overdue = _rows(html, "overdue-duties")
    assert any("定期公开" in row and "党费收缴使用情况" in row for row in overdue)
    assert 'href="/catalog"' in html and f'/catalog/entries/{ids["entry"]}' not in html


def test_the_page_shows_the_new_date_once_an_admin_changes_the_calendar(
        app, users, frozen_clock, login_as):
    _world(app, users, frozen_clock)
    reviewer = login_as("reviewer")
    assert "2026-09-30" in _rows(text_of(reviewer.get("/duties")), "upcoming-duties")[0]
    response = login_as("admin").form_post("/admin/workdays", {
        "day": "2026-09-30", "kind": "rest", "note": "临时停课"})
    assert response.status_code == 302
    row = _rows(text_of(reviewer.get("/duties")), "upcoming-duties")[0]
    assert "2026-10-08" in row and "按管理员设置的节假日调整计算" in row


def test_the_page_runs_a_fixed_number_of_queries(app, users, frozen_clock, login_as):
    from tests.supervision import make_feedback, make_note

    def count():
        client = login_as("office")
        with QueryCounter(app) as counter:
            assert client.get("/duties").status_code == 200
        return counter.count

    frozen_clock(datetime(2026, 9, 1, 10, 0))
    make_feedback(app, named=True)
    make_note(app)
    with app.app_context():
        make_catalog_entry(responsible=user("office"))
        db.session.commit()
    frozen_clock(TODAY)
    few = count()
    frozen_clock(datetime(2026, 9, 1, 10, 0))
    for _ in range(10):
        make_feedback(app, named=True)
        make_note(app)
    with app.app_context():
        for _ in range(5):
            make_catalog_entry(responsible=user("office"))
        db.session.commit()
    frozen_clock(TODAY)
    assert count() == few <= 25


def test_supervisors_see_overdue_duties_without_drafts_or_personal_details(
        app, users, frozen_clock, login_as):
    from tests.supervision import CANARIES

    ids = _world(app, users, frozen_clock)
    frozen_clock(datetime(2026, 10, 12, 9, 0))  # publicity ended Oct 10, not yet archived
    html = text_of(login_as("supervisor").get("/supervision"))
    section = re.search(r'<section[^>]*id="overdue-duties".*?</section>', html, re.S).group(0)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr class=\"sv-row-overdue\">.*?</tr>", section, re.S)]
    assert rows == [
        "定期公开 党费收缴使用情况 2026-09-30 12 天",
        "待审核事项 尚未公开的事项（编号 %d） 2026-09-30 12 天" % ids["review"],
        "分期公开结果 尚未公开的事项（编号 %d） 2026-10-08 4 天" % ids["staged"],
        "公示期届满 发展对象公示 2026-10-10 2 天",
    ]
    assert f'href="/items/{ids["publicity"]}"' in section
    assert "年度评优名单" not in html and "校舍维修结果" not in html  # drafts stay the office's
    assert "实名反映答复" not in section  # overdue feedback has its own list above
    for canary in CANARIES:
        assert canary not in html


def test_the_page_looks_to_the_quarters_end_when_that_is_later(app, users, frozen_clock, login_as):
    """Early in a quarter the quarter-end wave is visible at once (issue 13)."""
    frozen_clock(datetime(2026, 10, 8, 9, 0))
    with app.app_context():
        make_catalog_entry(title="党费收缴使用情况", responsible=user("office"))
        db.session.commit()
    html = text_of(login_as("office").get("/duties"))
    assert "至 2026-12-31" in html
    upcoming = _rows(html, "upcoming-duties")
    assert len(upcoming) == 1 and "党费收缴使用情况" in upcoming[0] and "2026-12-31" in upcoming[0]
