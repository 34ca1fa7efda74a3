"""The supervision inbox: all feedback with its handling — never the filer's personal
details — filters, paging, and a fixed number of queries."""
from __future__ import annotations

from datetime import date, datetime

from dwgk.core import clock
from dwgk.extensions import db
from dwgk.feedback.models import Channel, Feedback, FeedbackKind, ReplyMethod
from tests.support import QueryCounter, text_of
from tests.supervision import (CANARIES, CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, answer,
                               make_feedback, make_item, make_note, user)


def _ok(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status}"
    return text_of(response)


def _handle(app, feedback_id, *, reply_text=None, result=None):
    from dwgk.feedback import services

    with app.app_context():
        feedback = db.session.get(Feedback, feedback_id)
        office = user("office")
        services.assign(feedback, office, actor=office)
        if reply_text:
            services.reply(feedback, reply_text, ReplyMethod.PHONE, clock.today(), actor=office)
        if result:
            services.publish_result(feedback, result, actor=office)
        db.session.commit()


def test_the_inbox_shows_the_handling(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 11, 20, 9, 0))
    item_id = make_item(app, title="2026年第三季度党费收缴使用情况")
    feedback_id = make_feedback(app, kind=FeedbackKind.REPORT, named=True, disclosure_id=item_id,
                                channel=Channel.LETTER, received_on=date(2026, 11, 18),
                                body="第三季度党费支出明细不全。")
    _handle(app, feedback_id, reply_text="已补充公开支出明细。", result="已补充公开第三季度党费支出明细。")
    with app.app_context():
        office_name = user("office").display_name
    page = _ok(login_as("supervisor"), "/supervision")
    for shown in ("举报 #", "实名", "来信", "2026-11-18", "已答复", office_name,
                  "《2026年第三季度党费收缴使用情况》", f'href="/items/{item_id}"',
                  "第三季度党费支出明细不全。", "已补充公开支出明细。", "2026-11-20", "电话",
                  "公开的处理结果", "已补充公开第三季度党费支出明细。"):
        assert shown in page, shown


def test_canaries_never_reach_the_supervisors(app, users, login_as):
    """A named filing's name, phone and e-mail appear nowhere a supervisor looks — not even
    where the filer signed the text or the office greeted them by name in the reply."""
    item_id = make_item(app)
    signed = (f"食堂账目不公开。反映人：{CANARY_NAME}，电话 139 0013 9000，"
              f"邮箱 {CANARY_EMAIL.upper()}")
    feedback_id = make_feedback(app, named=True, disclosure_id=item_id, body=signed)
    make_feedback(app, named=True, body="另一条实名意见。")
    _handle(app, feedback_id, reply_text=f"{CANARY_NAME}同志：您好，已核实。")
    note_id = make_note(app, disclosure_id=item_id)
    answer(app, note_id)
    for who in ("supervisor", "office"):
        client = login_as(who)
        pages = [f"/supervision/notes/{note_id}", "/notifications", "/notifications/bell"]
        if who == "supervisor":
            pages += ["/supervision", "/supervision?overdue=1", "/supervision?status=answered"]
        for path in pages:
            page = _ok(client, path)
            for canary in CANARIES:
                assert canary not in page, f"{canary} on {path} for {who}"
    page = _ok(login_as("supervisor"), "/supervision")
    assert "食堂账目不公开。反映人：〔已隐去〕，电话 〔已隐去〕，邮箱 〔已隐去〕" in page
    assert "〔已隐去〕同志：您好，已核实。" in page
    with app.app_context():  # the office still has them, of course
        assert db.session.get(Feedback, feedback_id).filer_phone == CANARY_PHONE


def test_filters_by_status_and_overdue(app, users, login_as, frozen_clock):
    frozen_clock(datetime(2026, 9, 1, 9, 0))
    old_named = make_feedback(app, named=True, body="九月初的实名意见")
    make_feedback(app, body="九月初的匿名意见")
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    answered = make_feedback(app, named=True, body="已答复的意见")
    _handle(app, answered, reply_text="答复。")
    client = login_as("supervisor")
    page = _ok(client, "/supervision?overdue=1")
    assert "九月初的实名意见" in page and f"#{old_named}" in page
    assert "九月初的匿名意见" not in page and "已答复的意见" not in page
    page = _ok(client, "/supervision?status=answered")
    assert "已答复的意见" in page and "九月初" not in page
    page = _ok(client, "/supervision?status=new")
    assert "九月初的实名意见" in page and "已答复的意见" not in page
    assert "没有逾期未答复的意见建议" in _ok(client, "/supervision?status=answered&overdue=1")
    # An unknown status is no filter at all.
    assert "已答复的意见" in _ok(client, "/supervision?status=bogus")


def test_an_htmx_filter_gets_the_list_fragment(app, users, login_as):
    make_feedback(app, body="一条意见")
    response = login_as("supervisor").get("/supervision?status=new", headers={"HX-Request": "true"})
    page = text_of(response)
    assert page.lstrip().startswith('<div id="supervision-feedback">')
    assert "一条意见" in page and "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_the_feedback_list_is_paged(app, users, login_as):
    for number in range(31):
        make_feedback(app, body=f"第{number:02d}条意见")
    client = login_as("supervisor")
    first = _ok(client, "/supervision")
    assert "第30条意见" in first and "第00条意见" not in first and "第 1 / 2 页" in first
    second = _ok(client, "/supervision?page=2")
    assert "第00条意见" in second and "第30条意见" not in second
    assert "第 2 / 2 页" in _ok(client, "/supervision?page=99")


def test_notes_of_all_supervisors_with_answers(app, users, login_as):
    from dwgk.accounts.models import Role
    from tests.factories import make_user

    with app.app_context():
        make_user(Role.SUPERVISOR, username="supervisor2", display_name="王监督")
        db.session.commit()
    mine = make_note(app, body="我的监督意见")
    theirs = make_note(app, author="supervisor2", body="同事的监督意见")
    answer(app, theirs, "对同事意见的答复")
    page = _ok(login_as("supervisor"), "/supervision")
    assert "我的监督意见" in page and "同事的监督意见" in page and "对同事意见的答复" in page
    assert "王监督" in page and "（我）" in page
    assert f'href="/supervision/notes/{mine}"' in page


def _count_queries(app, client, path):
    with QueryCounter(app) as counter:
        response = client.get(path)
        assert response.status_code == 200
    return counter.count


def test_pages_take_a_fixed_number_of_queries(app, users, login_as, frozen_clock):
    from dwgk.feedback import services

    frozen_clock(datetime(2026, 9, 1, 9, 0))
    item_id = make_item(app)

    def add(rows):
        for number in range(rows):
            feedback_id = make_feedback(app, named=number % 2 == 0, disclosure_id=item_id,
                                        body=f"意见{number}")
            if number % 3 == 0:
                _handle(app, feedback_id, reply_text="答复")
            note_id = make_note(app, disclosure_id=item_id if number % 2 else None)
            if number % 3 == 0:
                answer(app, note_id)
        with app.app_context():
            services.assign(db.session.get(Feedback, feedback_id), user("office"), actor=user("office"))
            db.session.commit()

    paths = ["/supervision", "/supervision?overdue=1", "/supervision?status=answered",
             "/office/supervision", "/notifications"]
    supervisor, office = login_as("supervisor"), login_as("office")
    add(3)
    frozen_clock(datetime(2026, 11, 23, 9, 0))  # everything unanswered is overdue by now
    few = [_count_queries(app, office if "office" in path else supervisor, path) for path in paths]
    frozen_clock(datetime(2026, 9, 1, 9, 0))
    add(27)
    frozen_clock(datetime(2026, 11, 23, 9, 0))
    many = [_count_queries(app, office if "office" in path else supervisor, path) for path in paths]
    assert many == few


def test_the_inbox_links_to_notes_and_relay(app, users, login_as):
    page = _ok(login_as("supervisor"), "/supervision")
    assert 'href="/supervision/notes/new"' in page and 'href="/supervision/relay"' in page


def test_members_only_items_are_shown_to_supervisors(app, users, login_as):
    from dwgk.catalog.models import Scope

    item_id = make_item(app, title="党内事项", scope=Scope.MEMBERS)
    make_feedback(app, disclosure_id=item_id, channel=Channel.LETTER,
                  logged_by="office", body="对党内事项的意见")
    make_note(app, disclosure_id=item_id)
    page = _ok(login_as("supervisor"), "/supervision")
    assert page.count("《党内事项》") == 2 and "对党内事项的意见" in page
