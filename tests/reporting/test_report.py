"""The summary report (专题报告): its figures for a seeded quarter, answered by hand; the
page and the print view; a fixed number of queries; a bad period; no filer's details.

The seeded quarter is 2026Q4, seen on 2027-01-05. It crosses the National Day holiday of
2026 as the built-in calendar has it (October 1–7 off, Saturday October 10 worked), so
working days matter: a staged result due on the holiday is due on October 8 instead, and
answers across the holiday take fewer working days than calendar days.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Cadence, Category, Scope
from dwgk.core import clock
from dwgk.disclosures import services as items
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from dwgk.feedback import services as fb
from dwgk.feedback.models import Channel, FeedbackKind, ReplyMethod
from dwgk.reporting.periods import Period
from dwgk.supervision.services import NoteInput, answer_note, file_note
from tests.factories import make_catalog_entry, make_category, make_disclosure, make_user
from tests.support import QueryCounter, text_of

Q4 = Period.quarter(2026, 4)
REPORT_DAY = datetime(2027, 1, 5, 10, 0)  # local time (Asia/Shanghai)

# Typed by the office: must reach the page and the charts escaped, never as markup.
ODD_CATEGORY = "<script>alert(1)</script>作风&纪律"
# The named filers' details: none may appear in the report, its print view or its PDF.
CANARIES = ("王金丝雀", "13987654321", "canary.filer@example.cn")


def at(*moment) -> None:
    clock.set_frozen(datetime(*moment))


def _approve(item, author, reviewer):
    items.submit(item, actor=author)
    items.review(item, items.ReviewInput(
        decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
        check_timing=True, check_duration=True, check_secrecy=True), reviewer=reviewer)


def _publish_at(item, author, reviewer, *moment):
    """Publish a draft (or a revision) at a given local time."""
    at(*moment)
    _approve(item, author, reviewer)
    items.publish(item, actor=author)


def _republish_at(item, author, reviewer, *moment):
    at(*moment)
    items.revise(item, actor=author)
    _publish_at(item, author, reviewer, *moment)


def _named(body, *, kind=FeedbackKind.OPINION, **fields):
    return fb.FeedbackInput(body=body, kind=kind, is_named=True, filer_name=CANARIES[0],
                            filer_phone=CANARIES[1], filer_email=CANARIES[2], **fields)


def seed_fourth_quarter() -> dict:
    """2026Q4 of a small unit (inside an app context; leaves the clock on REPORT_DAY).
    Returns the ids the tests need."""
    at(2026, 9, 1, 9, 0)
    office = make_user(Role.OFFICE, Role.MEMBER, username="report-office")
    reviewer = make_user(Role.REVIEWER, Role.MEMBER, username="report-reviewer")
    supervisor = make_user(Role.SUPERVISOR, Role.MEMBER, username="report-supervisor")
    org = make_category("组织建设", position=1)
    odd = make_category(ODD_CATEGORY, position=2)
    quarterly = make_catalog_entry(org, title="党费收缴情况", cadence=Cadence.PERIODIC, period_months=3)
    monthly = make_catalog_entry(org, title="三会一课开展情况", scope=Scope.MEMBERS,
                                 cadence=Cadence.PERIODIC, period_months=1)
    at(2026, 11, 15, 9, 0)  # created within the quarter: owes the quarter's publication
    late_entry = make_catalog_entry(odd, title="作风建设情况", cadence=Cadence.PERIODIC)
    at(2027, 1, 2, 9, 0)  # created after the quarter: owes nothing for it
    make_catalog_entry(odd, title="新设条目", cadence=Cadence.PERIODIC)

    def draft(title, category, **fields):
        return make_disclosure(State.DRAFT, title=title, category=category, author=office, **fields)

    # Q3, re-published in Q4: one re-publication, not an item of Q4.
    at(2026, 9, 30, 9, 0)
    old = draft("第三季度事项", org, scope=Scope.PUBLIC)
    _publish_at(old, office, reviewer, 2026, 9, 30, 23, 30)
    _republish_at(old, office, reviewer, 2026, 11, 5, 10, 0)

    # Items first published in Q4 (drafted in it: each names its period, the default).
    at(2026, 10, 1, 0, 10)
    dues = draft("第四季度党费收缴情况", org, scope=Scope.PUBLIC, catalog_entry=quarterly)
    _publish_at(dues, office, reviewer, 2026, 10, 9, 10, 0)
    _republish_at(dues, office, reviewer, 2026, 12, 1, 10, 0)  # a second re-publication
    october = draft("10月三会一课", org, scope=Scope.MEMBERS, catalog_entry=monthly,
                    period_start=date(2026, 10, 1))  # drafted on Dec 1: names October
    _publish_at(october, office, reviewer, 2026, 10, 20, 10, 0)
    early = draft("国庆值班安排", odd, scope=Scope.PUBLIC)
    _publish_at(early, office, reviewer, 2026, 10, 1, 0, 30)  # 16:30 UTC on September 30
    at(2026, 10, 15, 9, 0)
    items.withdraw(early, "内容有误", actor=office)
    staged_on_time = draft("阶段结果一", org, scope=Scope.PUBLIC, cadence=Cadence.STAGED,
                           result_date=date(2026, 9, 28))  # due 10-05, a holiday: 10-08
    _publish_at(staged_on_time, office, reviewer, 2026, 10, 8, 10, 0)
    staged_late = draft("阶段结果二", odd, scope=Scope.MEMBERS, cadence=Cadence.STAGED,
                        result_date=date(2026, 11, 2))  # due 11-09
    _publish_at(staged_late, office, reviewer, 2026, 11, 12, 10, 0)
    at(2026, 12, 11, 9, 0)
    draft("阶段结果三", org, scope=Scope.PUBLIC, cadence=Cadence.STAGED,
          result_date=date(2026, 12, 10))  # due 12-17, never published
    draft("阶段结果四", org, scope=Scope.PUBLIC, cadence=Cadence.STAGED,
          result_date=date(2026, 12, 28))  # due 2027-01-04: not this quarter's

    # After the quarter: December's monthly duty and the late entry are not met by these.
    january = draft("12月三会一课", org, scope=Scope.MEMBERS, catalog_entry=monthly)
    _publish_at(january, office, reviewer, 2027, 1, 1, 0, 30)  # 16:30 UTC on December 31
    late = draft("第四季度作风建设情况", odd, scope=Scope.PUBLIC, catalog_entry=late_entry,
                 period_start=date(2026, 10, 1))  # drafted on Jan 1: names Q4
    _publish_at(late, office, reviewer, 2027, 1, 3, 10, 0)

    # Feedback.
    def reply(filing, *day):
        at(*day, 16, 0)
        fb.reply(filing, "已答复。", ReplyMethod.PHONE, date(*day), actor=office)

    at(2026, 10, 9, 10, 0)
    fb.file_feedback(_named("九月收到的意见", channel=Channel.IN_PERSON,
                            received_on=date(2026, 9, 29)), logged_by=office)  # Q3
    report, _ = fb.file_feedback(_named("实名举报一", kind=FeedbackKind.REPORT))
    reply(report, 2026, 10, 16)  # 6 working days (Saturday 10-10 worked)
    at(2026, 10, 1, 9, 0)
    holiday, _ = fb.file_feedback(_named("国庆期间的意见"))
    reply(holiday, 2026, 10, 12)  # 4 working days, 11 calendar days
    at(2026, 10, 12, 9, 0)
    slow, _ = fb.file_feedback(_named("答复较慢的意见"))
    reply(slow, 2026, 11, 10)  # 21 working days: late (due 11-02)
    at(2026, 11, 2, 9, 0)
    anonymous, _ = fb.file_feedback(fb.FeedbackInput(body="匿名意见"))
    reply(anonymous, 2026, 11, 20)  # 14 working days
    at(2026, 12, 2, 9, 0)
    fb.file_feedback(_named("实名举报二", kind=FeedbackKind.REPORT, channel=Channel.IN_PERSON,
                            received_on=date(2026, 12, 1)), logged_by=office)  # due 12-22: overdue
    at(2026, 12, 15, 9, 0)
    closed, _ = fb.file_feedback(fb.FeedbackInput(body="匿名意见，无需答复"))
    at(2026, 12, 16, 9, 0)
    fb.close(closed, actor=office)
    at(2026, 12, 30, 9, 0)
    fb.file_feedback(_named("年底的意见"))  # open, not due yet

    # Supervision notes.
    def note(topic, *moment):
        at(*moment)
        return file_note(NoteInput(topic=topic, body="监督意见"), author=supervisor)

    note("other", 2026, 9, 30, 15, 0)  # Q3
    first = note("content", 2026, 10, 1, 0, 30)
    at(2026, 10, 9, 10, 0)
    answer_note(first, "已整改。", actor=office)  # 2 working days
    second = note("timing", 2026, 11, 16, 10, 0)
    at(2026, 12, 11, 10, 0)
    answer_note(second, "已说明。", actor=office)  # 19 working days: late (due 12-07)
    note("content", 2026, 12, 1, 10, 0)  # open, due 12-22: overdue
    note("form", 2026, 12, 29, 10, 0)  # open, not due yet

    db.session.commit()
    at(*REPORT_DAY.timetuple()[:5])
    return {"office": office.id, "supervisor": supervisor.id, "org": org.id, "odd": odd.id}


@pytest.fixture
def seeded(app, frozen_clock):
    with app.app_context():
        return seed_fourth_quarter()


def _figures(app):
    from dwgk.reporting.figures import report_figures

    with app.app_context():
        return report_figures(Q4, REPORT_DAY.date())


def _charts(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*class="pygal-chart.*?</svg>', html, re.S)


# ---------------------------------------------------------------------------------------


def test_figures_of_the_seeded_quarter(app, seeded):
    figures = _figures(app)

    pub = figures.publications
    assert [(row.name, row.members, row.public) for row in pub.by_category] == [
        ("组织建设", 1, 2), (ODD_CATEGORY, 1, 1)]
    assert (pub.total, pub.members, pub.public, pub.withdrawn) == (5, 2, 3, 1)
    assert pub.republications == 2

    # quarterly Q4 met; monthly Oct met, Nov not, Dec's item published on Jan 1 (late);
    # the late entry's Q4 item published on Jan 3 (late): counted by the period each names
    periodic = figures.periodic
    assert (periodic.due, periodic.on_time, periodic.late, periodic.missing, periodic.pending) == (
        5, 2, 2, 1, 0)
    assert periodic.rate == pytest.approx(40.0)
    assert sorted((m.title, m.what) for m in periodic.misses) == [
        ("三会一课开展情况", "2026年11月"), ("三会一课开展情况", "2026年12月"),
        ("作风建设情况", "2026年第四季度")]

    staged = figures.staged
    assert (staged.due, staged.on_time, staged.late, staged.missing, staged.pending) == (3, 1, 1, 1, 0)
    assert staged.rate == pytest.approx(100 / 3)
    assert [(m.title, m.due, m.published_on) for m in staged.misses] == [
        ("阶段结果二", date(2026, 11, 9), date(2026, 11, 12)),
        ("阶段结果三", date(2026, 12, 17), None)]

    feedback = figures.feedback
    assert [(k.label, k.received, k.answered) for k in feedback.by_kind] == [
        ("意见建议", 5, 3), ("举报", 2, 1)]
    assert (feedback.received, feedback.answered, feedback.anonymous_received) == (7, 4, 2)
    assert (feedback.named_received, feedback.named_answered, feedback.named_on_time,
            feedback.named_overdue_open) == (5, 3, 2, 1)
    assert feedback.median_workdays == 10  # of 4, 6, 14 and 21 working days

    notes = figures.notes
    assert [(t.label, t.received, t.answered) for t in notes.by_topic] == [
        ("内容", 2, 1), ("形式", 1, 0), ("时间", 1, 1), ("其他", 0, 0)]
    assert (notes.filed, notes.answered, notes.on_time, notes.overdue_open) == (4, 2, 1, 1)
    assert notes.median_workdays == 10.5  # of 2 and 19 working days


def test_the_report_page_and_print_view(app, seeded, login_as):
    page = text_of(login_as("office").get("/report"))  # the previous quarter by default
    assert "关于2026年第四季度党务公开工作情况的报告" in page
    assert "本期首次公开事项 5 项，其中党内公开 2 项、社会公开 3 项（其中 1 项公开后已撤回）" in page
    assert "再公开 2 次" in page
    assert "定期公开本期应公开 5 项次，按时公开 2 项次、逾期公开 2 项次、未公开 1 项次，按时公开率 40.0%" in page
    assert "分期公开本期应公开 3 项次，按时公开 1 项次、逾期公开 1 项次、未公开 1 项次，按时公开率 33.3%" in page
    assert "答复用时中位数 10 个工作日" in page and "答复用时中位数 10.5 个工作日" in page
    assert "在 15 个工作日内答复 2 件，逾期未答复 1 件" in page
    assert 'href="/report/pdf?period=2026Q4"' in page and 'href="/report/print?period=2026Q4"' in page

    printed = text_of(login_as("supervisor").get("/report/print?period=2026Q4"))
    assert "关于2026年第四季度党务公开工作情况的报告" in printed
    assert "（盖章）" in printed and "2027年1月5日" in printed
    assert "示例学校党支部" in printed  # the unit's name from the settings
    for html in (page, printed):
        for canary in CANARIES:
            assert canary not in html
        # Three charts, inline, drawn on the server: no script, no style, no outside link.
        charts = _charts(html)
        assert len(charts) == 3
        for svg in charts:
            assert "<script" not in svg and "<style" not in svg and "style=" not in svg
            assert set(re.findall(r"https?://[^\s\"'<>]+", svg)) <= {"http://www.w3.org/2000/svg"}
        # The office's category name is text, never markup.
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;作风&amp;纪律" in html
    assert sum("&lt;script&gt;alert(1)" in svg for svg in _charts(page)) == 1


def test_query_count_does_not_grow_with_the_data(app, seeded, login_as):
    from dwgk.reporting.figures import report_figures

    client = login_as("reviewer")

    def count() -> tuple[int, int]:
        with QueryCounter(app) as figures_only:
            with app.app_context():
                report_figures(Q4, REPORT_DAY.date())
        with QueryCounter(app) as page:
            assert client.get("/report?period=2026Q4").status_code == 200
        return figures_only.count, page.count

    small = count()
    with app.app_context():  # four times the quarter's rows
        office = db.session.get(User, seeded["office"])
        reviewer = make_user(Role.REVIEWER, username="report-reviewer-2")
        supervisor = db.session.get(User, seeded["supervisor"])
        org = db.session.get(Category, seeded["org"])
        for n in range(15):
            at(2026, 10, 12 + n % 15, 10, 0)
            item = make_disclosure(State.DRAFT, title=f"加量事项{n}", category=org, author=office,
                                   cadence=Cadence.STAGED, result_date=date(2026, 10, 10))
            _publish_at(item, office, reviewer, 2026, 10, 12 + n % 15, 11, 0)
            if n % 5 == 0:  # an ended 分期 work (within one year: no summary owed)
                items.end_work(item, date(2026, 10, 12 + n % 15), actor=office)
            fb.file_feedback(_named(f"加量意见{n}"))
            note = file_note(NoteInput(topic="form", body="加量"), author=supervisor)
            answer_note(note, "已答复。", actor=office)
        db.session.commit()
        at(*REPORT_DAY.timetuple()[:5])
    assert _figures(app).publications.total == 20
    assert count() == small
    assert small[0] <= 13


def test_a_bad_period_is_refused_in_chinese(app, users, login_as, frozen_clock):
    frozen_clock(REPORT_DAY)
    client = login_as("office")
    for bad, message in [("2026Q5", "期间格式不对"), ("2026-02-30..2026-03-01", "日期不存在"),
                         ("1999", "年份应在 2000 至 2100 之间")]:
        for path in ("/report", "/report/print", "/report/pdf"):
            response = client.get(path, query_string={"period": bad})
            assert response.status_code == 400, path
            assert message in text_of(response)
            assert 'id="report-document"' not in text_of(response)
    # A range is a period too, and the chooser offers quarters and years.
    page = text_of(client.get("/report?period=2026-10-01..2026-10-31"))
    assert "关于2026年10月1日至2026年10月31日党务公开工作情况的报告" in page
    assert '<option value="2026Q4">2026年第四季度</option>' in page
    assert '<option value="2026">2026年度</option>' in page


def test_who_finds_the_report_in_the_navigation(app, users, login_as):
    for role, shown in [("office", True), ("reviewer", True), ("supervisor", True),
                        ("member", False), ("admin", False)]:
        page = text_of(login_as(role).get("/members"))
        assert ('href="/report"' in page) is shown, role
