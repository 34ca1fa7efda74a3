"""The ledger (台账): which rows a period and the filters select (expectations written by
hand from the seed below), who sees which tab and whose details, the CSV and XLSX exports,
and a fixed number of queries whatever the data size."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from dwgk.accounts.models import User
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, State
from dwgk.extensions import db
from dwgk.feedback import services as fb
from dwgk.feedback.models import Channel, ReplyMethod
from dwgk.reporting import ledger
from dwgk.reporting.periods import Period
from dwgk.supervision.services import NoteInput, answer_note, file_note
from tests.factories import make_catalog_entry, make_category, make_disclosure
from tests.support import QueryCounter, text_of

Q3, Q4 = Period.quarter(2026, 3), Period.quarter(2026, 4)
TODAY = datetime(2026, 11, 20, 10, 0)  # a Friday; naive = Asia/Shanghai
CANARY_NAME, CANARY_PHONE, CANARY_EMAIL = "王金丝雀", "13900001111", "canary-filer@example.com"
FORMULA_REASON = '=HYPERLINK("http://evil.example","点击")'


def _approve(disclosure, reviewer):
    services.review(disclosure, services.ReviewInput(
        decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
        check_timing=True, check_duration=True, check_secrecy=True, meeting_date=None),
        reviewer=reviewer)


def seed_quarters(app, users, frozen_clock) -> dict:
    """Two quarters of a small unit's work. 2026: Fri Sep 25 (Mid-Autumn) and Oct 1-7 are
    holidays, Sun Sep 20 and Sat Oct 10 working days (调休). Leaves the clock at TODAY (2026-11-20)."""
    with app.app_context():
        office = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        supervisor = db.session.get(User, users["supervisor"])
        made = {}

        def at(*moment):
            frozen_clock(datetime(*moment))

        def item(title, category, **kwargs):
            return make_disclosure(title=title, category=category, author=office,
                                   reviewer=reviewer, **kwargs)

        at(2026, 9, 1, 9, 0)
        org, news = make_category("组织建设", position=1), make_category("工作动态", position=2)
        entry = make_catalog_entry(org, title="党费收缴使用情况")
        made["entry"], made["org"], made["news"] = entry, org, news
        made["never_entry"] = make_catalog_entry(org, title="发展党员情况")  # never published

        at(2026, 9, 10, 10, 0)
        made["i1"] = item("三季度党费公示", org, catalog_entry=entry)  # Q3
        at(2026, 9, 21, 10, 0)
        made["n2"] = file_note(NoteInput(topic="timing", body="三季度公开偏晚"), author=supervisor)
        at(2026, 9, 25, 10, 0)
        made["i3"] = item("跨季度事项", org, state=State.DRAFT)  # created Q3, published Q4
        at(2026, 10, 9, 10, 0)
        made["i2"] = item("十月主题党日", news, scope=Scope.MEMBERS)
        made["f1"], _ = fb.file_feedback(fb.FeedbackInput(
            body="建议公开更详细的党费明细", disclosure_id=made["i1"].id, is_named=True,
            filer_name=CANARY_NAME, filer_phone=CANARY_PHONE, filer_email=CANARY_EMAIL))
        made["f3"], _ = fb.file_feedback(fb.FeedbackInput(
            body="来信：-1 分也要公开", channel=Channel.LETTER, received_on=date(2026, 9, 30)),
            logged_by=office)  # received in Q3, logged in Q4
        at(2026, 10, 12, 10, 0)
        made["i4"] = item("草稿事项", org, state=State.DRAFT)
        made["n1"] = file_note(NoteInput(topic="content", body="内容不全",
                                         disclosure_id=made["i1"].id), author=supervisor)
        at(2026, 10, 13, 10, 0)
        made["i6"] = item("被退回事项", news, state=State.IN_REVIEW)
        services.review(made["i6"], services.ReviewInput(
            decision=Decision.RETURN, reason=FORMULA_REASON, meeting_date=None), reviewer=reviewer)
        at(2026, 10, 14, 10, 0)
        fb.reply(made["f1"], "已补充明细。", ReplyMethod.PHONE, date(2026, 10, 14), actor=office)
        at(2026, 10, 15, 10, 0)
        services.submit(made["i3"], actor=office)
        _approve(made["i3"], reviewer)
        services.publish(made["i3"], actor=office)
        answer_note(made["n1"], "已补充。", actor=office)
        at(2026, 10, 16, 10, 0)
        made["f2"], _ = fb.file_feedback(fb.FeedbackInput(
            body="举报材料", is_named=True, filer_name="李实名", filer_phone="13800002222"))
        at(2026, 10, 20, 10, 0)
        services.revise(made["i2"], actor=office)
        services.submit(made["i2"], actor=office)
        _approve(made["i2"], reviewer)
        services.publish(made["i2"], actor=office)  # re-published
        at(2026, 10, 21, 10, 0)
        made["i5"] = item("撤回事项", news)
        at(2026, 10, 22, 10, 0)
        services.withdraw(made["i5"], "内容有误", actor=office)
        db.session.commit()
        frozen_clock(TODAY)
        return {name: obj.id for name, obj in made.items()}


@pytest.fixture
def seeded(app, users, frozen_clock):
    return seed_quarters(app, users, frozen_clock)


def test_period_selects_items_by_first_publication_else_creation(app, seeded):
    with app.app_context():
        q3 = ledger.items(Q3)
        q4 = {row.id: row for row in ledger.items(Q4)}
    assert [row.id for row in q3] == [seeded["i1"]]
    # i3 was created in Q3 but first published in Q4; i4 and i6 were never published.
    assert set(q4) == {seeded[k] for k in ("i2", "i3", "i4", "i5", "i6")}
    i2 = q4[seeded["i2"]]
    assert (i2.published_on, i2.republished_count, i2.scope, i2.scope_label) == (
        date(2026, 10, 9), 1, "members", "党内公开")
    assert i2.public_from is None
    assert q4[seeded["i3"]].published_on == date(2026, 10, 15)
    assert q4[seeded["i3"]].submitted_on == date(2026, 10, 15)
    assert q4[seeded["i4"]].published_on is None and q4[seeded["i4"]].state == "draft"
    assert q4[seeded["i6"]].state == "draft"  # returned
    assert (q4[seeded["i5"]].state, q4[seeded["i5"]].withdrawn_on) == ("withdrawn", date(2026, 10, 22))
    assert q3[0].catalog_entry_id == seeded["entry"] and q3[0].category_name == "组织建设"
    assert q3[0].republished_count == 0


def test_item_filters(app, seeded):
    def ids(**filters):
        return {row.id for row in ledger.items(Q4, **filters)}

    with app.app_context():
        assert ids(category_id=seeded["org"]) == {seeded["i3"], seeded["i4"]}
        assert ids(scope="members") == {seeded["i2"]}
        assert ids(state="draft") == {seeded["i4"], seeded["i6"]}
        assert ids(category_id=seeded["news"], state="published") == {seeded["i2"]}
        assert {row.id for row in ledger.items(Period.year(2026))} == ids() | {seeded["i1"]}


def test_reviews_by_decision_date(app, seeded):
    with app.app_context():
        q3, q4 = ledger.reviews(Q3), ledger.reviews(Q4)
    assert [(r.disclosure_id, r.decided_on) for r in q3] == [(seeded["i1"], date(2026, 9, 10))]
    assert [(r.disclosure_id, r.decision, r.decided_on) for r in q4] == [
        (seeded["i2"], "approve", date(2026, 10, 9)),
        (seeded["i6"], "return", date(2026, 10, 13)),
        (seeded["i3"], "approve", date(2026, 10, 15)),
        (seeded["i2"], "approve", date(2026, 10, 20)),
        (seeded["i5"], "approve", date(2026, 10, 21)),
    ]
    assert q4[1].reason == FORMULA_REASON and q4[3].revision_number == 2


def _republish(item_id, office, reviewer, moment, **changes):
    """Revise a published item (with `changes`), have it approved and publish it at `moment`."""
    from dwgk.core import clock
    from dwgk.disclosures.models import Disclosure

    clock.set_frozen(moment)
    item = db.session.get(Disclosure, item_id)
    services.revise(item, actor=office)
    services.update_draft(item, services.draft_input_from(item.working_revision, **changes),
                          actor=office, expected_version=None)
    services.submit(item, actor=office)
    _approve(item, reviewer)
    services.publish(item, actor=office)


def test_republications_by_their_own_publication_date(app, users, seeded, frozen_clock, login_as,
                                                      monkeypatch):
    with app.app_context():
        office = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        # i1 (first published Sep 10, Q3): corrected at 23:30 on Sep 30 (15:30 UTC: still
        # Q3), and again in Q4 — now members only and under 工作动态.
        _republish(seeded["i1"], office, reviewer, datetime(2026, 9, 30, 23, 30),
                   change_note="更正金额")
        _republish(seeded["i1"], office, reviewer, datetime(2026, 11, 2, 10, 0),
                   title="三季度党费公示（再次更正）", category_id=seeded["news"],
                   scope=Scope.MEMBERS, change_note="-补充明细")
        db.session.commit()
        frozen_clock(TODAY)
        q3, q4 = ledger.republications(Q3), ledger.republications(Q4)
        by_category = [r.disclosure_id for r in ledger.republications(Q4, category_id=seeded["org"])]
        by_scope = [r.revision_number for r in ledger.republications(Q4, scope="members")]
        year = ledger.republications(Period.year(2026))
        # A long export finds the reviewers by the rows' conditions, not by their ids.
        monkeypatch.setattr(ledger, "_APPROVALS_BY_ID", 1)
        assert ledger.tab_rows("republications", Period.year(2026)) == year
    assert [(r.disclosure_id, r.revision_number, r.first_published_on, r.republished_on,
             r.change_note) for r in q3] == [
        (seeded["i1"], 2, date(2026, 9, 10), date(2026, 9, 30), "更正金额")]
    # Oldest first; i2 was re-published once (Oct 20), i1 a second time in Q4.
    assert [(r.disclosure_id, r.revision_number, r.title, r.category_name, r.scope,
             r.first_published_on, r.republished_on, r.approved_by, r.change_note)
            for r in q4] == [
        (seeded["i2"], 2, "十月主题党日", "工作动态", "members", date(2026, 10, 9),
         date(2026, 10, 20), ("reviewer",), ""),
        (seeded["i1"], 3, "三季度党费公示（再次更正）", "工作动态", "members",
         date(2026, 9, 10), date(2026, 11, 2), ("reviewer",), "-补充明细"),
    ]
    # Filters apply to the re-published revision's own category and scope.
    assert by_category == [] and by_scope == [2, 3]
    assert len(year) == 3

    office = login_as("office")
    page = text_of(office.get("/ledger/republications?period=2026Q4"))
    assert "共 <strong class=\"ledger-total\">2</strong> 条" in page
    assert "三季度党费公示（再次更正）" in page and "第 3 版" in page and 'id="ledger-category"' in page
    rows = list(csv.reader(io.StringIO(
        office.get("/ledger/republications.csv?period=2026Q4").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["事项编号", "标题", "类别"] and len(rows) == 3
    assert rows[2][rows[0].index("修订说明")] == "'-补充明细"  # a formula-like start, guarded
    response = login_as("reviewer").get("/ledger/republications.xlsx?period=2026")
    assert "2026.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *data = list(sheet.iter_rows(values_only=True))
    assert [(row[header.index("再公开日期")], row[header.index("审核人")]) for row in data] == [
        (datetime(2026, 9, 30), "reviewer"), (datetime(2026, 10, 20), "reviewer"),
        (datetime(2026, 11, 2), "reviewer")]


def test_feedback_rows_count_working_days_and_overdue(app, seeded):
    with app.app_context():
        q3 = ledger.feedback(Q3)
        q4 = {row.id: row for row in ledger.feedback(Q4)}
        with_filer = {row.id: row for row in ledger.feedback(Q4, include_filer=True)}
    # Logged in October, received (by letter) on Sep 30: Q3.
    assert [(row.id, row.received_on, row.is_named, row.channel) for row in q3] == [
        (seeded["f3"], date(2026, 9, 30), False, "letter")]
    assert set(q4) == {seeded["f1"], seeded["f2"]}
    f1, f2 = q4[seeded["f1"]], q4[seeded["f2"]]
    # Received Fri Oct 9, answered Wed Oct 14: Sat Oct 10 (调休), 12, 13, 14 = 4 working days.
    assert (f1.answered_on, f1.answer_workdays, f1.status, f1.overdue) == (
        date(2026, 10, 14), 4, "answered", False)
    assert f1.due_on == date(2026, 10, 29)
    # Received Fri Oct 16, 15 working days: due Fri Nov 6; unanswered on Nov 20.
    assert (f2.answered_on, f2.answer_workdays, f2.due_on, f2.overdue) == (
        None, None, date(2026, 11, 6), True)
    assert f1.filer_name == "" and f1.filer_phone == "" and f1.filer_email == ""
    assert (with_filer[seeded["f1"]].filer_name, with_filer[seeded["f1"]].filer_email) == (
        CANARY_NAME, CANARY_EMAIL)


def test_notes_by_filed_date(app, seeded):
    with app.app_context():
        q3, q4 = ledger.notes(Q3), ledger.notes(Q4)
    # Filed Mon Sep 21, 15 working days: Sep 22-24, 28-30 (6; Fri Sep 25 is the Mid-Autumn
    # Festival), then Oct 8, 9, Sat 10 (调休), 12-16, 19 (9): due Mon Oct 19.
    assert [(n.id, n.filed_on, n.answered_on, n.due_on, n.overdue, n.object_title) for n in q3] == [
        (seeded["n2"], date(2026, 9, 21), None, date(2026, 10, 19), True, "一般意见")]
    # Filed Mon Oct 12, answered Thu Oct 15: 3 working days.
    assert [(n.id, n.answer_workdays, n.overdue, n.object_kind, n.object_title) for n in q4] == [
        (seeded["n1"], 3, False, "item", "三季度党费公示")]


# --- the pages ----------------------------------------------------------------------------

def test_who_reads_which_tab(login_as, seeded):
    supervisor = login_as("supervisor")
    assert supervisor.get("/ledger").headers["Location"].startswith("/ledger/feedback")
    assert supervisor.get("/ledger/items?period=2026Q4").status_code == 403
    assert supervisor.get("/ledger/reviews.csv?period=2026Q4").status_code == 403
    page = supervisor.get("/ledger/feedback?period=2026Q4")
    assert page.status_code == 200
    assert "审核记录" not in text_of(page).split('aria-label="台账类别"')[1].split("</nav>")[0]
    assert login_as("office").get("/ledger").headers["Location"].startswith("/ledger/items")
    for role in ("member", "admin"):
        assert login_as(role).get("/ledger/feedback").status_code == 403


def test_filer_details_only_for_the_office(login_as, seeded):
    canaries = (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL)
    for role in ("reviewer", "supervisor"):
        client = login_as(role)
        for url in ("/ledger/feedback?period=2026Q4", "/ledger/feedback.csv?period=2026Q4"):
            body = text_of(client.get(url))
            assert not any(canary in body for canary in canaries), (role, url)
        xlsx = client.get("/ledger/feedback.xlsx?period=2026Q4").data
        cells = [str(v) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)
                 for v in row]
        assert not any(canary in cell for canary in canaries for cell in cells), role
    office = login_as("office")
    assert all(canary in text_of(office.get("/ledger/feedback?period=2026Q4")) for canary in canaries)
    assert CANARY_PHONE in text_of(office.get("/ledger/feedback.csv?period=2026Q4"))


def test_page_filters_and_paging_as_links_and_fragments(app, login_as, seeded, monkeypatch):
    office = login_as("office")
    page = text_of(office.get(f"/ledger/items?period=2026Q4&category={seeded['org']}"))
    assert "跨季度事项" in page and "草稿事项" in page and "十月主题党日" not in page
    assert "共 <strong class=\"ledger-total\">2</strong> 条" in page
    # A malformed filter is ignored, not an error.
    assert office.get("/ledger/items?period=2026Q4&state=nonsense").status_code == 200

    monkeypatch.setattr(ledger, "PER_PAGE", 2)
    first = text_of(office.get("/ledger/items?period=2026Q4"))
    assert "第 1 / 3 页" in first and 'href="/ledger/items?period=2026Q4&amp;page=2"' in first
    fragment = office.get("/ledger/items?period=2026Q4&page=3", headers={"HX-Request": "true"})
    html = text_of(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<section id="ledger"') and "<html" not in html
    assert "第 3 / 3 页" in html and "草稿事项" not in html  # the 5th item, by date: i5


def test_bad_period_is_explained_in_chinese(login_as, seeded):
    office = login_as("office")
    response = office.get("/ledger/items?period=2026Q5")
    assert response.status_code == 422
    assert "期间格式不对" in text_of(response)
    assert office.get("/ledger/notes.csv?period=1999").status_code == 422
    assert "年份应在 2000 至 2100 之间" in text_of(office.get("/ledger/notes.xlsx?period=1999"))


def test_default_period_is_the_current_quarter(login_as, seeded):
    page = text_of(login_as("reviewer").get("/ledger/items"))
    assert "2026年第四季度" in page and "十月主题党日" in page and "三季度党费公示" not in page


# --- the exports --------------------------------------------------------------------------

def test_csv_has_bom_chinese_headers_and_formula_guard(login_as, seeded):
    office = login_as("office")
    response = office.get("/ledger/reviews.csv?period=2026Q4")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "事项编号", "事项标题"]
    assert len(rows) == 1 + 5
    reason = rows[0].index("退回理由")
    assert rows[2][reason] == "'" + FORMULA_REASON
    assert rows[2][rows[0].index("审核日期")] == "2026-10-13"
    # The letter's text is not exported, but a cell starting with "-" would be guarded too.
    feedback = list(csv.reader(io.StringIO(
        office.get("/ledger/feedback.csv?period=2026Q3").data.decode("utf-8-sig"))))
    assert [row[0] for row in feedback[1:]] == [str(seeded["f3"])]


def test_xlsx_opens_with_bold_frozen_header_and_real_dates(login_as, seeded):
    response = login_as("reviewer").get(f"/ledger/items.xlsx?period=2026Q4&category={seeded['news']}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("编号", "标题", "类别")
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 40
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {"十月主题党日", "被退回事项", "撤回事项"}
    published = header.index("首次发布日期")
    assert by_title["十月主题党日"][published] == datetime(2026, 10, 9)
    cell = sheet.cell(row=2 + list(by_title).index("十月主题党日"), column=published + 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert by_title["十月主题党日"][header.index("再公开次数")] == 1
    reviews = load_workbook(io.BytesIO(login_as("office").get(
        "/ledger/reviews.xlsx?period=2026Q4").data)).active
    reason = [row[8] for row in reviews.iter_rows(min_row=2, values_only=True)]
    assert FORMULA_REASON in reason  # kept as text, not turned into a formula
    assert all(cell.data_type != "f" for row in reviews.iter_rows() for cell in row)


def test_fixed_query_count(app, users, login_as, seeded, frozen_clock):
    from tests.reporting.test_dashboard import add_more  # the same extra work as there

    office = login_as("office")
    urls = [f"/ledger/{tab}{suffix}?period=2026Q4" for tab in ledger.TABS
            for suffix in ("", ".csv", ".xlsx")]

    def counts():
        # Warm up: after a change, the first request re-reads what is kept per generation
        # (the unit's name, the board counts); that is not the ledger's cost.
        office.get("/ledger/items?period=2026Q4")
        result = {}
        for url in urls:
            with QueryCounter(app) as counter:
                assert office.get(url).status_code == 200
            result[url] = counter.count
        return result

    small = counts()
    add_more(app, users, frozen_clock, 6)
    with app.app_context():  # and re-publish each added item
        from dwgk.disclosures.models import Disclosure, Revision

        author = db.session.get(User, users["office"])
        reviewer = db.session.get(User, users["reviewer"])
        added = db.session.scalars(db.select(Disclosure.id).join(
            Revision, Revision.id == Disclosure.live_revision_id)
            .where(Revision.title.like("加量事项%"))).all()
        for item_id in added:
            _republish(item_id, author, reviewer, datetime(2026, 11, 11, 10, 0))
        db.session.commit()
    frozen_clock(TODAY)
    with app.app_context():
        assert all(len(ledger.tab_rows(tab, Q4)) > 6 for tab in ledger.TABS)
    assert counts() == small


CONTROL = "\x01\x08\x0b\x0c\x1f\x7f"


def test_exports_survive_control_characters_in_stored_text(app, users, login_as, frozen_clock):
    """Text pasted from another program can carry control characters, which XML 1.0 forbids:
    the XLSX leaves them out (openpyxl raised IllegalCharacterError: a 500); CSV and PDF
    work too. Tabs and line breaks are legal and kept."""
    with app.app_context():
        frozen_clock(datetime(2026, 10, 9, 10, 0))
        reviewer = db.session.get(User, users["reviewer"])
        office = db.session.get(User, users["office"])
        item = make_disclosure(title=f"粘贴{CONTROL}的标题", author=office, reviewer=reviewer,
                               category=make_category(f"类别{CONTROL}"))
        fb.file_feedback(fb.FeedbackInput(body="意见\x02正文\n第二行", disclosure_id=item.id))
        db.session.commit()
        frozen_clock(TODAY)
    client = login_as("office")
    for tab in ledger.TABS:
        response = client.get(f"/ledger/{tab}.xlsx?period=2026Q4")
        assert response.status_code == 200, tab
        cells = [str(v) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(
            values_only=True) for v in row if v is not None]
        assert not any(ch in cell for cell in cells for ch in CONTROL[:-1] + "\x02"), tab
        if tab == "items":
            assert "粘贴\x7f的标题" in cells  # DEL is legal XML; only C0 controls go
        assert client.get(f"/ledger/{tab}.csv?period=2026Q4").status_code == 200, tab
    assert client.get("/report/pdf?period=2026Q4").status_code == 200
