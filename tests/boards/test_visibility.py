"""What the public must never see: members-only items and public items still in their
members-first window (先党内、后党外), on any page, through any filter or search; and
withdrawn items, which leave every board at once."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from tests.boards import CANARY_MEMBERS, CANARY_WINDOW
from tests.factories import make_category, make_disclosure, make_user
from tests.support import text_of

CANARY_CATEGORY = "CANARY-类别-x9z"


@pytest.fixture
def canaries(app):
    """A members-only item, and a public one still in its members-first window; both
    with canary strings in title, text and (for the first) a category of its own."""
    with app.app_context():
        shared = make_category("组织建设")
        members_only = make_disclosure(
            title=f"党内通报 {CANARY_MEMBERS}", body=f"正文 {CANARY_MEMBERS} 党费明细",
            scope=Scope.MEMBERS, category=make_category(CANARY_CATEGORY), publicity_workdays=5)
        in_window = make_disclosure(
            title=f"拟表彰名单 {CANARY_WINDOW}", body=f"正文 {CANARY_WINDOW} 表彰",
            members_first_days=1, category=shared, publicity_workdays=5)
        make_disclosure(title="已社会公开的党费收缴情况", body="党费公开内容", category=shared)
        db.session.commit()
        return {"members": members_only.id, "window": in_window.id, "category": shared.id,
                "secret_category": members_only.live_revision.category_id}


def _board_urls(ids) -> list[str]:
    return [
        "/", "/?page=1", "/?status=current", "/?status=archived",
        f"/?category={ids['category']}", f"/?category={ids['secret_category']}",
        "/?q=CANARY", "/?q=8f3k", "/?q=2q7w", f"/?q={CANARY_MEMBERS}", f"/?q={CANARY_WINDOW}",
        "/?q=党内", "/?q=党费", "/?q=费", "/?q=表彰", "/?q=拟表彰名单", "/?q=正文",
    ]


def _item_urls(item_id) -> list[str]:
    return [f"/items/{item_id}", f"/items/{item_id}/print", f"/items/{item_id}/revisions/1"]


def _without_echoed_query(html: str) -> str:
    """The page minus the two places that show the visitor's own query back to them."""
    html = re.sub(r'(<input type="search" name="q" id="board-q" value=")[^"]*"', r'\1"', html)
    return re.sub(r"搜索“[^”]*”，", "", html)


def _assert_no_canary(html: str, where: str):
    html = _without_echoed_query(html)
    for canary in (CANARY_MEMBERS, CANARY_WINDOW, CANARY_CATEGORY, "8f3k", "2q7w", "x9z"):
        assert canary not in html, f"{canary} leaked on {where}"


def test_the_public_never_sees_members_only_or_early_items(client, canaries):
    for url in _board_urls(canaries):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            _assert_no_canary(text_of(response), url)
    assert "已社会公开的党费收缴情况" in text_of(client.get("/?q=党费"))
    for key in ("members", "window"):
        for url in _item_urls(canaries[key]):
            response = client.get(url)
            assert response.status_code == 404, url
            _assert_no_canary(text_of(response), url)


def test_the_public_board_hides_them_from_insiders_too(login_as, canaries):
    for who in ("member", "office", "reviewer", "supervisor", "admin", "nobody"):
        client = login_as(who)
        for url in _board_urls(canaries):
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            _assert_no_canary(text_of(response), f"{url} as {who}")


def test_members_see_them_on_the_member_board_and_item_pages(login_as, canaries):
    member = login_as("member")
    board = text_of(member.get("/members"))
    assert CANARY_MEMBERS in board and CANARY_WINDOW in board and CANARY_CATEGORY in board
    assert CANARY_MEMBERS in text_of(member.get("/members?q=8f3k"))
    assert CANARY_WINDOW in text_of(member.get("/members?q=2q7w"))
    assert CANARY_MEMBERS in text_of(member.get(f"/members?category={canaries['secret_category']}"))
    for key, canary in (("members", CANARY_MEMBERS), ("window", CANARY_WINDOW)):
        for url in _item_urls(canaries[key]):
            response = member.get(url)
            assert response.status_code == 200, url
            assert canary in text_of(response), url


def test_pages_for_a_signed_in_reader_are_not_cached(login_as, canaries):
    response = login_as("member").get(f"/items/{canaries['members']}")
    assert "no-store" in response.headers["Cache-Control"]


def test_a_withdrawn_item_leaves_every_board_search_and_page_at_once(app, client, login_as):
    with app.app_context():
        author = make_user(Role.OFFICE, Role.MEMBER)
        item = make_disclosure(title="将被撤回的事项 W-7731", body="撤回测试正文 W-7731",
                               author=author)
        members_item = make_disclosure(title="将被撤回的党内事项 M-5120", body="党内撤回 M-5120",
                                       scope=Scope.MEMBERS, author=author)
        db.session.commit()
        ids = {"W-7731": item.id, "M-5120": members_item.id}
        author_id = author.id
    member = login_as("member")
    assert "W-7731" in text_of(client.get("/?q=W-7731"))
    assert "M-5120" in text_of(member.get("/members?q=M-5120"))
    assert client.get(f"/items/{ids['W-7731']}").status_code == 200

    with app.app_context():
        author = db.session.get(User, author_id)
        for disclosure_id in ids.values():
            services.withdraw(db.session.get(Disclosure, disclosure_id), "内容有误", actor=author)
        db.session.commit()

    for who, board_client in (("anonymous", client), ("member", member), ("office", login_as("office"))):
        urls = ["/", "/?q=W-7731", "/?q=撤回测试", "/?q=撤回", "/?q=W"]
        if who != "anonymous":
            urls += ["/members", "/members?q=W-7731", "/members?q=M-5120", "/members?q=党内撤回",
                     "/members?q=撤回"]
        for url in urls:
            html = _without_echoed_query(text_of(board_client.get(url)))
            assert "W-7731" not in html and "M-5120" not in html, (who, url)
        for disclosure_id in ids.values():
            for url in _item_urls(disclosure_id):
                assert board_client.get(url).status_code == 404, (who, url)


# --- 先党内、后党外, with a frozen clock -----------------------------------------------------

def test_anonymous_sees_the_item_only_after_the_members_first_window(app, client, login_as,
                                                                     frozen_clock):
    frozen_clock(datetime(2026, 10, 9, 9, 0))
    with app.app_context():
        item = make_disclosure(title="先党内后党外的公示", body="表彰名单", members_first_days=1)
        db.session.commit()
        item_id = item.id
    member = login_as("member")

    def public_sees() -> bool:
        listed = "先党内后党外的公示" in text_of(client.get("/"))
        found = "先党内后党外的公示" in text_of(client.get("/?q=表彰名单"))
        status = client.get(f"/items/{item_id}").status_code
        printable = client.get(f"/items/{item_id}/print").status_code
        assert listed == found == (status == 200) == (printable == 200)
        return listed

    assert not public_sees()
    members_board = text_of(member.get("/members"))
    assert "先党内后党外的公示" in members_board
    assert "将于 2026-10-10 09:00 社会公开" in members_board
    assert "将于 2026-10-10 09:00 在社会公开栏公开" in text_of(member.get(f"/items/{item_id}"))
    assert "先党内后党外的公示" not in text_of(member.get("/"))

    frozen_clock(datetime(2026, 10, 10, 8, 59))
    assert not public_sees()
    frozen_clock(datetime(2026, 10, 10, 9, 0))
    assert public_sees()
    assert "先党内后党外的公示" in text_of(member.get("/"))
    members_board = text_of(member.get("/members"))
    assert "将于" not in members_board and "badge-public" in members_board


def test_a_revision_making_an_item_members_only_takes_it_off_the_public_board(app, client,
                                                                             login_as):
    from tests.boards.test_board_lists import APPROVE

    with app.app_context():
        author = make_user(Role.OFFICE, Role.MEMBER)
        reviewer = make_user(Role.REVIEWER)
        item = make_disclosure(title="原为社会公开", body="第一版", author=author, reviewer=reviewer)
        services.revise(item, actor=author)
        live = item.live_revision
        services.update_draft(item, services.DraftInput(
            title="改为党内公开 M-9034", body_source="第二版 M-9034", category_id=live.category_id,
            scope=Scope.MEMBERS, cadence=live.cadence, change_note="改为党内公开"),
            actor=author, expected_version=None)
        services.submit(item, actor=author)
        services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewer)
        services.publish(item, actor=author)
        db.session.commit()
        item_id = item.id
    for url in ["/", "/?q=M-9034", "/?q=原为社会公开", "/?q=第一版"]:
        html = _without_echoed_query(text_of(client.get(url)))
        assert "M-9034" not in html and "原为社会公开" not in html, url
    assert client.get(f"/items/{item_id}").status_code == 404
    # The public revision it once was stays unreadable too: the item is not public now.
    assert client.get(f"/items/{item_id}/revisions/1").status_code == 404
    member = login_as("member")
    assert "M-9034" in text_of(member.get("/members"))
    assert member.get(f"/items/{item_id}/revisions/1").status_code == 200
