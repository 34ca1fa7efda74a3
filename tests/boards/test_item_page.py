"""One item's page: its text, review record, attachments, re-publication and history,
the publicity period (公示期), pre-disclosure, and the printable A4 notice."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Attachment, Decision, Disclosure, State
from dwgk.extensions import db
from tests.boards.test_board_lists import APPROVE
from tests.factories import make_category, make_disclosure, make_user
from tests.support import text_of


def _people():
    return {"author": make_user(Role.OFFICE, Role.MEMBER, display_name="王办公"),
            "reviewer": make_user(Role.REVIEWER, Role.MEMBER, display_name="李审核")}


def test_the_page_shows_the_text_meta_and_review_record(app, client, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 15, 20))
    with app.app_context():
        item = make_disclosure(title="关于党费收缴情况的公示", body="<p>本季度党费<strong>已全部收齐</strong>。</p>",
                               category=make_category("组织建设"), **_people())
        db.session.commit()
        item_id = item.id
    html = text_of(client.get(f"/items/{item_id}"))
    assert "<h1>关于党费收缴情况的公示</h1>" in html
    assert "<strong>已全部收齐</strong>" in html
    assert "<dd>组织建设</dd>" in html and "社会公开" in html
    assert "发布于 2026-03-02 15:20" in html
    record = re.search(r'<section class="review-record".*?</section>', html, re.S).group(0)
    assert "李审核" in record and "2026-03-02 15:20" in record and "同意公开" in record
    assert "再公开" not in html and "已归档" not in html
    assert f'href="/items/{item_id}/print"' in html
    assert 'href="/static/css/boards.css"' in html


def test_unknown_and_unpublished_items_are_404_for_everyone(app, login_as):
    with app.app_context():
        people = _people()
        draft = make_disclosure(State.DRAFT, title="草稿", **people)
        approved = make_disclosure(State.APPROVED, title="待发布", **people)
        published = make_disclosure(title="已发布", **people)
        db.session.commit()
        ids = [draft.id, approved.id, 999_999]
        published_id = published.id
    for who in ("anonymous", "member", "office", "reviewer", "admin"):
        client = login_as(who)
        for item_id in ids:
            for url in (f"/items/{item_id}", f"/items/{item_id}/print",
                        f"/items/{item_id}/revisions/1"):
                assert client.get(url).status_code == 404, (who, url)
        for number in (0, 2, 99):
            assert client.get(f"/items/{published_id}/revisions/{number}").status_code == 404


def test_an_archived_item_stays_readable_and_says_so(app, client):
    with app.app_context():
        item = make_disclosure(State.ARCHIVED, title="去年的公示")
        db.session.commit()
        item_id = item.id
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 200
    assert "已归档" in text_of(response)
    assert client.get(f"/items/{item_id}/print").status_code == 200


# --- re-publication ----------------------------------------------------------------------

def _revise(item_id, *, title, body, note, scope=None):
    item = db.session.get(Disclosure, item_id)
    author = db.session.get(User, item.created_by_id)
    services.revise(item, actor=author)
    live = item.live_revision
    services.update_draft(item, services.DraftInput(
        title=title, body_source=body, category_id=live.category_id, scope=scope or live.scope,
        cadence=live.cadence, members_first_days=0, members_first_reason="更正无需党内先行",
        change_note=note), actor=author, expected_version=None)
    services.submit(item, actor=author)
    return item, author


def _approve_and_publish(item, author, reviewer_name="李审核"):
    reviewer = db.session.scalar(db.select(User).where(User.display_name == reviewer_name))
    services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewer)
    services.publish(item, actor=author)


def test_republication_replaces_the_text_and_keeps_the_old_one_readable(app, client,
                                                                       frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 9, 0))
    with app.app_context():
        item = make_disclosure(title="支部委员分工", body="原分工：张三负责组织。", **_people())
        db.session.commit()
        item_id = item.id

    frozen_clock(datetime(2026, 6, 1, 14, 30))
    with app.app_context():
        item, author = _revise(item_id, title="支部委员分工（调整）", body="新分工：李四负责组织。",
                               note="委员调整")
        db.session.commit()
    # While the revision is in review, the old text stays shown.
    html = text_of(client.get(f"/items/{item_id}"))
    assert "原分工：张三负责组织。" in html and "新分工" not in html
    assert "再公开" not in html
    assert client.get(f"/items/{item_id}/revisions/2").status_code == 404
    assert "支部委员分工" in text_of(client.get("/")) and "（调整）" not in text_of(client.get("/"))

    frozen_clock(datetime(2026, 6, 2, 10, 15))
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        _approve_and_publish(item, db.session.get(User, item.created_by_id))
        db.session.commit()
    html = text_of(client.get(f"/items/{item_id}"))
    assert "新分工：李四负责组织。" in html and "原分工" not in html
    assert "已于 2026-06-02 10:15 再公开" in html
    assert "委员调整" in html
    assert f'href="/items/{item_id}/revisions/1"' in html
    assert "发布于 2026-05-06 09:00" in html
    assert "已再公开" in text_of(client.get("/"))

    old = text_of(client.get(f"/items/{item_id}/revisions/1"))
    assert "原分工：张三负责组织。" in old and "新分工" not in old
    assert "历史版本（第 1 版）" in old and "2026-05-06 09:00" in old
    assert f'href="/items/{item_id}"' in old
    current = client.get(f"/items/{item_id}/revisions/2")
    assert current.status_code == 200 and "当前公开的版本" in text_of(current)
    assert client.get(f"/items/{item_id}/revisions/3").status_code == 404


def test_the_public_never_reads_an_earlier_members_only_revision(app, client, login_as):
    with app.app_context():
        item = make_disclosure(title="先在党内公开", body="党内版本正文 R-6618", scope=Scope.MEMBERS,
                               **_people())
        db.session.commit()
        item, author = _revise(item.id, title="后向社会公开", body="社会公开版本正文",
                               note="经研究向社会公开", scope=Scope.PUBLIC)
        _approve_and_publish(item, author)
        db.session.commit()
        item_id = item.id
    html = text_of(client.get(f"/items/{item_id}"))
    assert "社会公开版本正文" in html
    assert "R-6618" not in html and f"/items/{item_id}/revisions/1" not in html
    assert client.get(f"/items/{item_id}/revisions/1").status_code == 404
    member = login_as("member")
    assert f"/items/{item_id}/revisions/1" in text_of(member.get(f"/items/{item_id}"))
    assert "R-6618" in text_of(member.get(f"/items/{item_id}/revisions/1"))


# --- attachments --------------------------------------------------------------------------

def _attach(item_id):
    item = db.session.get(Disclosure, item_id)
    for name, content_type in (("党费明细.pdf", "application/pdf"), ("公示照片.png", "image/png")):
        db.session.add(Attachment(revision=item.live_revision, stored_name=f"stored-{name}",
                                  original_name=name, content_type=content_type, size=2048,
                                  sha256="0" * 64, uploaded_by_id=item.created_by_id))


def test_attachments_are_listed_and_linked_once_downloads_exist(app, make_app):
    with app.app_context():
        item = make_disclosure(title="带附件的事项")
        db.session.flush()
        _attach(item.id)
        db.session.commit()
        item_id = item.id
    html = text_of(app.test_client().get(f"/items/{item_id}"))
    assert "党费明细.pdf" in html and "公示照片.png" in html

    linked = make_app()
    if "attachments.download" not in linked.view_functions:
        linked.add_url_rule("/attachments/<int:attachment_id>/<filename>",
                            endpoint="attachments.download", view_func=lambda **kw: "")
    html = text_of(linked.test_client().get(f"/items/{item_id}"))
    links = re.findall(r'<a href="(/attachments/\d+/[^"]+)">([^<]+)</a>', html)
    assert [name for _href, name in links] == ["党费明细.pdf", "公示照片.png"]
    assert re.search(r'<img class="attachment-image" src="/attachments/\d+/[^"]+" alt="公示照片.png"', html)
    assert 'alt="党费明细.pdf"' not in html


# --- 公示期 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("published, end", [
    # Mid-Autumn is Sep 25, National Day Oct 1-7 2026; Sat Oct 10 is an adjusted working day.
    (datetime(2026, 9, 29, 10, 0), "2026-10-12"),  # 9-30, 10-8, 10-9, 10-10, 10-12
    (datetime(2026, 9, 30, 10, 0), "2026-10-13"),
    # 01:00 in Beijing on Oct 1 is still Sep 30 in UTC: the local date counts.
    (datetime(2026, 10, 1, 1, 0), "2026-10-13"),
])
def test_the_publicity_period_around_national_day(app, client, frozen_clock, published, end):
    frozen_clock(published)
    with app.app_context():
        item = make_disclosure(title="拟发展党员公示", publicity_workdays=5)
        db.session.commit()
        item_id = item.id
    html = text_of(client.get(f"/items/{item_id}"))
    start = published.date().isoformat()
    assert f"公示期：{start} 至 {end}（5 个工作日）" in html
    assert "公示中" in html
    note = re.search(r'<p class="note">(.*?)</p>', html, re.S).group(1)
    assert "10月10日为调休上班日，计为工作日" in note
    assert "至10月7日" in note  # the holiday skipped (from Oct 1, or Oct 2 when published on Oct 1)
    assert f"公示期：{start} 至 {end}（5 个工作日）" in text_of(client.get(f"/items/{item_id}/print"))

    last_day = date.fromisoformat(end)
    frozen_clock(datetime.combine(last_day, time(23, 59)))
    assert "公示中" in text_of(client.get(f"/items/{item_id}"))
    frozen_clock(datetime.combine(last_day + timedelta(days=1), time(0, 1)))
    assert "公示期已结束" in text_of(client.get(f"/items/{item_id}"))


def test_an_override_of_the_calendar_moves_the_period_shown(app, client, frozen_clock):
    from dwgk.core.models import WorkdayOverride

    frozen_clock(datetime(2026, 12, 28, 10, 0))
    with app.app_context():
        item = make_disclosure(title="跨年公示", publicity_workdays=5)
        db.session.commit()
        item_id = item.id
    assert "公示期：2026-12-28 至 2027-01-04（5 个工作日）" in text_of(client.get(f"/items/{item_id}"))
    with app.app_context():
        db.session.add(WorkdayOverride(day=date(2027, 1, 1), is_workday=False, note="元旦"))
        db.session.commit()
    html = text_of(client.get(f"/items/{item_id}"))
    assert "公示期：2026-12-28 至 2027-01-05（5 个工作日）" in html
    assert "节假日调整" in html


def test_no_period_no_line(app, client):
    with app.app_context():
        item = make_disclosure(title="长期公开事项")
        db.session.commit()
        item_id = item.id
    assert "公示期：" not in text_of(client.get(f"/items/{item_id}"))


# --- 预公开 ---------------------------------------------------------------------------------

def test_a_predisclosure_and_its_formal_version_link_to_each_other(app, client, login_as,
                                                                   frozen_clock):
    frozen_clock(datetime(2026, 9, 1, 10, 0))
    with app.app_context():
        people = _people()
        draft_plan = make_disclosure(title="年度发展党员工作计划（征求意见稿）",
                                     is_predisclosure=True, decision_date=date(2026, 9, 20), **people)
        db.session.commit()
        plan_id = draft_plan.id
    html = text_of(client.get(f"/items/{plan_id}"))
    assert "拟于 2026-09-20 决策，意见征集至 2026-09-19" in html
    assert "正在征求意见" in html
    assert "正式版本" not in html

    frozen_clock(datetime(2026, 9, 20, 8, 0))
    assert "意见征集已结束" in text_of(client.get(f"/items/{plan_id}"))

    with app.app_context():
        people = {"author": db.session.scalar(db.select(User).where(User.display_name == "王办公")),
                  "reviewer": db.session.scalar(db.select(User).where(User.display_name == "李审核"))}
        formal = make_disclosure(title="年度发展党员工作计划", **people)
        formal.predisclosure_id = plan_id
        hidden = make_disclosure(title="党内版本的正式稿 F-2210", scope=Scope.MEMBERS, **people)
        hidden.predisclosure_id = plan_id
        db.session.commit()
        formal_id, hidden_id = formal.id, hidden.id

    formal_html = text_of(client.get(f"/items/{formal_id}"))
    assert f'<a href="/items/{plan_id}">本事项的预公开稿</a>' in formal_html
    plan_html = text_of(client.get(f"/items/{plan_id}"))
    # The newest formal version the reader may see: the members-only one is not for the public.
    assert f'href="/items/{formal_id}">年度发展党员工作计划</a>' in plan_html
    assert "F-2210" not in plan_html
    member_plan = text_of(login_as("member").get(f"/items/{plan_id}"))
    assert f'href="/items/{hidden_id}">党内版本的正式稿 F-2210</a>' in member_plan


def test_a_formal_version_does_not_reveal_a_members_only_predisclosure(app, client, frozen_clock):
    frozen_clock(datetime(2026, 9, 1, 10, 0))
    with app.app_context():
        plan = make_disclosure(title="党内预公开稿 P-4471", scope=Scope.MEMBERS,
                               is_predisclosure=True, decision_date=date(2026, 9, 30))
        formal = make_disclosure(title="正式公开的方案")
        formal.predisclosure_id = plan.id
        db.session.commit()
        formal_id = formal.id
    html = text_of(client.get(f"/items/{formal_id}"))
    assert "P-4471" not in html and "预公开稿" not in html


# --- the printable notice -----------------------------------------------------------------

def test_the_printable_a4_notice(app, client, frozen_clock):
    frozen_clock(datetime(2026, 9, 29, 10, 0))
    with app.app_context():
        item = make_disclosure(title="关于拟发展党员的公示", body="拟发展对象：张三。",
                               publicity_workdays=5, category=make_category("组织建设"))
        db.session.flush()
        _attach(item.id)
        db.session.commit()
        item_id = item.id
        unit_name = app.config["DWGK_UNIT_NAME"]
    response = client.get(f"/items/{item_id}/print")
    assert response.status_code == 200
    html = text_of(response)
    assert 'href="/static/css/print.css"' in html
    assert "app.css" not in html and "main-nav" not in html and "<script" not in html
    assert "style=" not in html
    assert unit_name in html
    assert "<h1>关于拟发展党员的公示</h1>" in html and "拟发展对象：张三。" in html
    assert "公示期：2026-09-29 至 2026-10-12（5 个工作日）" in html
    assert "2026年9月29日" in html
    assert "<li>党费明细.pdf</li>" in html and "<li>公示照片.png</li>" in html
    back = re.search(r'<nav class="print-actions no-print"[^>]*>\s*<a href="([^"]+)">← 返回</a>', html)
    assert back and back.group(1) == f"/items/{item_id}"


def test_the_print_stylesheet_is_a4():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "print.css").read_text()
    assert "@page { size: A4; margin: 20mm; }" in css
    assert ".no-print { display: none" in css


def test_the_item_page_takes_a_fixed_number_of_queries(app, login_as):
    from tests.boards import recorded_queries

    with app.app_context():
        people = _people()
        reviewers = [make_user(Role.REVIEWER, display_name=f"审核{n}") for n in range(3)]
        small = make_disclosure(title="一版一审", publicity_workdays=5, **people)
        big = make_disclosure(title="多版多审", publicity_workdays=5, **people)
        db.session.flush()
        _attach(small.id)
        _attach(big.id)
        db.session.commit()
        for number in range(2, 5):
            item, author = _revise(big.id, title=f"多版多审 第{number}版", body=f"第{number}版正文",
                                   note=f"第{number}次修订")
            # one return and one approval on each revision (two rounds); the board shows
            # the approval
            services.review(item, services.ReviewInput(decision=Decision.RETURN, reason="请补充"),
                            reviewer=reviewers[0])
            services.submit(item, actor=author)
            services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewers[1])
            services.publish(item, actor=author)
            db.session.flush()
            _attach(big.id)
        db.session.commit()
        ids = (small.id, big.id)
    member = login_as("member")
    counts = []
    for item_id in ids:
        member.get(f"/items/{item_id}")
        with recorded_queries(app) as statements:
            response = member.get(f"/items/{item_id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert "多版多审 第4版" in text_of(response)
    # The board shows who approved; returns and their reasons are internal (design.md).
    assert "审核1" in text_of(response)
    assert "审核0" not in text_of(response) and "请补充" not in text_of(response)
    assert text_of(response).count("/revisions/") == 3
    assert counts[0] == counts[1], counts
