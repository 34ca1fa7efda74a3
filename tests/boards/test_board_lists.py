"""The public board `/` and the member board `/members`: order, marks, filters, pages,
htmx fragments, and a number of queries that does not grow with the data."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from dwgk.accounts.models import Role
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, Disclosure, State
from dwgk.extensions import db, page_cache
from tests.boards import recorded_queries
from tests.factories import make_category, make_disclosure, make_user
from tests.support import text_of

APPROVE = dict(decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
               check_timing=True, check_duration=True, check_secrecy=True)


def _titles(response) -> list[str]:
    return re.findall(r'class="board-item-title" href="/items/\d+">([^<]*)</a>', text_of(response))


def _people():
    return {"author": make_user(Role.OFFICE, Role.MEMBER), "reviewer": make_user(Role.REVIEWER)}


def test_items_are_listed_newest_publication_first(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    with app.app_context():
        people = _people()
        make_disclosure(title="五月六日发布", **people)
        db.session.commit()
    frozen_clock(datetime(2026, 5, 4, 10, 0))  # created later, published earlier
    with app.app_context():
        make_disclosure(title="五月四日发布", **_people())
        db.session.commit()
    frozen_clock(datetime(2026, 5, 8, 10, 0))
    response = client.get("/")
    assert response.status_code == 200
    assert _titles(response) == ["五月六日发布", "五月四日发布"]
    assert "2026-05-06" in text_of(response)


def test_a_row_links_to_the_item_and_shows_its_category_and_date(app, client, frozen_clock):
    # 23:30 in Beijing is 15:30 UTC: the date shown is Beijing's.
    frozen_clock(datetime(2026, 3, 2, 23, 30))
    with app.app_context():
        item = make_disclosure(title="三月党费收缴情况", category=make_category("组织建设"))
        db.session.commit()
        item_id = item.id
    html = text_of(client.get("/"))
    assert f'href="/items/{item_id}">三月党费收缴情况</a>' in html
    assert '<span class="board-item-category">组织建设</span>' in html
    assert '<span class="board-item-date">2026-03-02</span>' in html


def test_the_public_board_shows_only_public_items_even_to_insiders(app, login_as):
    with app.app_context():
        make_disclosure(title="社会公开的事项")
        make_disclosure(title="只在党内公开的事项", scope=Scope.MEMBERS)
        db.session.commit()
    for who in ("anonymous", "member", "office", "admin"):
        assert _titles(login_as(who).get("/")) == ["社会公开的事项"], who
    member_board = login_as("member").get("/members")
    assert _titles(member_board) == ["只在党内公开的事项", "社会公开的事项"]


def test_the_member_board_marks_scope_and_the_members_first_window(app, login_as, frozen_clock):
    frozen_clock(datetime(2026, 6, 1, 9, 0))
    with app.app_context():
        make_disclosure(title="党内事项", scope=Scope.MEMBERS)
        make_disclosure(title="先党内后党外的事项", members_first_days=2)
        make_disclosure(title="已社会公开的事项", members_first_days=0)
        db.session.commit()
    html = text_of(login_as("member").get("/members"))
    rows = dict(re.findall(r'>([^<>]*事项)</a>\s*<div class="board-item-meta">(.*?)</div>', html, re.S))
    assert "党内</span>" in rows["党内事项"] and "社会公开" not in rows["党内事项"]
    assert "社会公开</span>" in rows["先党内后党外的事项"]
    assert "将于 2026-06-03 09:00 社会公开" in rows["先党内后党外的事项"]
    assert "社会公开</span>" in rows["已社会公开的事项"] and "将于" not in rows["已社会公开的事项"]
    # The public board needs no scope badges: everything there is public.
    public_html = text_of(login_as("member").get("/"))
    assert "badge-public" not in public_html and "badge-members" not in public_html


def test_republished_and_archived_items_are_marked_and_stay_listed(app, client, users):
    with app.app_context():
        people = _people()
        republished = make_disclosure(title="再公开过的事项", **people)
        services.revise(republished, actor=people["author"])
        services.submit(republished, actor=people["author"])
        services.review(republished, services.ReviewInput(**APPROVE), reviewer=people["reviewer"])
        services.publish(republished, actor=people["author"])
        make_disclosure(State.ARCHIVED, title="已经归档的事项")
        make_disclosure(title="普通事项")
        db.session.commit()
    html = text_of(client.get("/"))
    rows = dict(re.findall(r'>([^<>]*事项)</a>\s*<div class="board-item-meta">(.*?)</div>', html, re.S))
    assert set(rows) == {"再公开过的事项", "已经归档的事项", "普通事项"}
    assert "已再公开" in rows["再公开过的事项"] and "已归档" not in rows["再公开过的事项"]
    assert "已归档" in rows["已经归档的事项"] and "已再公开" not in rows["已经归档的事项"]
    assert "已再公开" not in rows["普通事项"] and "已归档" not in rows["普通事项"]

    assert _titles(client.get("/?status=archived")) == ["已经归档的事项"]
    assert set(_titles(client.get("/?status=current"))) == {"再公开过的事项", "普通事项"}
    assert len(_titles(client.get("/?status=nonsense"))) == 3


def test_the_category_filter_lists_only_categories_with_items(app, client, login_as):
    with app.app_context():
        people = _people()
        building = make_category("组织建设", position=1)
        conduct = make_category("作风建设", position=2)
        make_category("思想建设", position=3)  # no items at all
        secret = make_category("仅有党内事项的类别", position=4)
        make_disclosure(title="组织建设事项", category=building, **people)
        make_disclosure(title="作风建设事项", category=conduct, **people)
        make_disclosure(title="党内的事项", category=secret, scope=Scope.MEMBERS, **people)
        db.session.commit()
        building_id = building.id
    html = text_of(client.get("/"))
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert options == ["组织建设", "作风建设"]
    member_options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>',
                                text_of(login_as("member").get("/members")))
    assert member_options == ["组织建设", "作风建设", "仅有党内事项的类别"]

    filtered = client.get(f"/?category={building_id}")
    assert _titles(filtered) == ["组织建设事项"]
    assert f'<option value="{building_id}" selected>组织建设</option>' in text_of(filtered)
    for junk in ("abc", "-1", "0", "999999"):
        assert client.get(f"/?category={junk}").status_code == 200


def test_twenty_items_a_page_and_the_pager_keeps_the_filters(app, client, frozen_clock):
    with app.app_context():
        people = _people()
        category = make_category("工作动态")
        for day in range(1, 26):
            frozen_clock(datetime(2026, 4, day, 10, 0))
            make_disclosure(title=f"工作动态第{day:02d}期", category=category, **people)
        db.session.commit()
        category_id = category.id
    frozen_clock(None)
    first = client.get(f"/?category={category_id}&q=工作动态")
    assert _titles(first) == [f"工作动态第{day:02d}期" for day in range(25, 5, -1)]
    html = text_of(first)
    assert "共 25 项，第 1 / 2 页" in html
    next_link = f"/?category={category_id}&amp;q=%E5%B7%A5%E4%BD%9C%E5%8A%A8%E6%80%81&amp;page=2"
    assert f'href="{next_link}"' in html and f'hx-get="{next_link}"' in html

    second = client.get(f"/?category={category_id}&q=工作动态&page=2")
    assert _titles(second) == [f"工作动态第{day:02d}期" for day in range(5, 0, -1)]
    assert 'rel="prev"' in text_of(second) and 'rel="next"' not in text_of(second)
    # A page past the end is empty, not an error; nonsense is page 1.
    assert _titles(client.get("/?page=9")) == []
    assert len(_titles(client.get("/?page=-3"))) == 20
    assert len(_titles(client.get("/?page=abc"))) == 20
    # The page size is the board's, not the visitor's.
    assert len(_titles(client.get("/?per_page=100"))) == 20


def test_htmx_gets_the_list_fragment_and_a_browser_the_page(app, client):
    with app.app_context():
        make_disclosure(title="片段测试事项")
        db.session.commit()
    fragment = client.get("/?q=片段", headers={"HX-Request": "true"})
    body = text_of(fragment).strip()
    assert body.startswith('<section id="board-list"') and body.endswith("</section>")
    assert "<html" not in body and "board-filters" not in body
    assert "片段测试事项" in body
    assert "HX-Request" in fragment.headers["Vary"]
    # The address bar gets the tidy URL: no empty fields of the form.
    tidy = client.get("/?q=+片段+&category=&status=&page=1", headers={"HX-Request": "true"})
    assert tidy.headers["HX-Push-Url"] == "/?q=%E7%89%87%E6%AE%B5"

    page = client.get("/?q=片段")
    assert "HX-Push-Url" not in page.headers
    assert "<html" in text_of(page) and '<section id="board-list"' in text_of(page)
    assert "HX-Request" in page.headers["Vary"]
    # A boosted request or a history restore needs the whole page.
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        response = client.get("/", headers={"HX-Request": "true", **extra})
        assert "<html" in text_of(response)


def test_the_member_board_fragment_and_its_login(app, client, login_as):
    member = login_as("member")
    fragment = text_of(member.get("/members", headers={"HX-Request": "true"})).strip()
    assert fragment.startswith('<section id="board-list"')
    assert client.get("/members").status_code == 302


def test_every_control_works_without_javascript(app, client):
    with app.app_context():
        make_disclosure(title="无脚本也能用")
        db.session.commit()
    html = text_of(client.get("/"))
    form = re.search(r'<form class="filters board-filters"(.*?)>', html, re.S).group(1)
    assert 'method="get"' in form and 'action="/"' in form
    assert 'hx-get="/"' in form and 'hx-target="#board-list"' in form and 'hx-push-url="true"' in form
    assert 'type="submit"' in html
    assert 'name="q"' in html and 'name="category"' in html and 'name="status"' in html
    assert "style=" not in html and "<script>" not in html and "onclick" not in html


def test_titles_are_escaped(app, client):
    with app.app_context():
        make_disclosure(title="<script>alert(1)</script>")
        db.session.commit()
    html = text_of(client.get("/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- a fixed number of queries ------------------------------------------------------------

def _add_items(app, count, start=0):
    with app.app_context():
        people = _people()
        categories = [make_category(f"查询计数类别{start}-{n}") for n in range(3)]
        for n in range(start, start + count):
            make_disclosure(title=f"公示事项第{n}号", body="党费公示内容",
                            category=categories[n % 3],
                            scope=Scope.MEMBERS if n % 4 == 0 else Scope.PUBLIC, **people)
        db.session.commit()


def _forget_rendered(app):
    """Drop everything the page cache keeps."""
    with app.app_context():
        page_cache.clear()


def _statements(app, client, url, *, rendered=False):
    client.get(url)  # the first request may set up the connection and the session
    if not rendered:
        _forget_rendered(app)
    with recorded_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert "公示事项第" in text_of(response)
    return statements


BOARD_URLS = ["/", "/?q=公示事项", "/?q=党费", "/?q=公", "/?status=current&page=2"]
MEMBER_URLS = ["/members", "/members?q=公示事项第", "/members?q=党费"]


@pytest.mark.parametrize("who, urls", [("anonymous", BOARD_URLS), ("member", MEMBER_URLS)])
def test_the_number_of_queries_does_not_grow_with_the_data(app, login_as, who, urls):
    client = login_as(who)
    _add_items(app, 5)
    # (page 2 of 5 items is empty: the pager is what it counts, not the rows)
    few = {url: _statements(app, client, url) for url in urls if "page=2" not in url}
    _add_items(app, 45, start=5)
    many = {url: _statements(app, client, url) for url in urls}
    for url in few:
        assert len(many[url]) == len(few[url]), (url, many[url])
    for url, statements in many.items():
        board = [s for s in statements if "disclosure" in s or "category" in s]
        # rendered anew: the next members-first end (for the cache's window), the page's
        # ids (in the board's order, LIMIT 20), those items with their live revisions and
        # categories, the count (bounded: LIMIT), the categories of the filter
        assert len(board) == 5, (url, board)
        assert sum("LIMIT" in s for s in board) == 2
        # the same again is served from the cache, searches included: the anonymous page
        # whole, an insider's list inside a page rendered for them
        again = _statements(app, client, url, rendered=True)
        assert [s for s in again if "disclosure" in s or "category" in s] == [], (url, again)
    assert len(many[urls[0]]) <= 10, many[urls[0]]


def test_the_public_board_of_an_insider_also_takes_a_fixed_number_of_queries(app, login_as):
    client = login_as("office")
    _add_items(app, 5)
    few = _statements(app, client, "/?q=公示")
    _add_items(app, 45, start=5)
    many = _statements(app, client, "/?q=公示")
    assert len(many) == len(few)


def test_a_withdrawn_or_unpublished_item_never_reaches_a_board(app, login_as):
    with app.app_context():
        make_disclosure(State.DRAFT, title="草稿事项")
        make_disclosure(State.IN_REVIEW, title="待审核事项")
        make_disclosure(State.APPROVED, title="待发布事项")
        make_disclosure(State.WITHDRAWN, title="撤回的事项")
        make_disclosure(title="已发布的事项")
        db.session.commit()
        assert db.session.query(Disclosure).count() == 5
    for who in ("anonymous", "office", "reviewer"):
        client = login_as(who)
        assert _titles(client.get("/")) == ["已发布的事项"], who
        if who != "anonymous":
            assert _titles(client.get("/members")) == ["已发布的事项"], who


def test_a_long_board_is_counted_only_so_far_and_still_pages_on(app, client, monkeypatch):
    from dwgk.boards import queries

    monkeypatch.setattr(queries, "COUNT_AT_LEAST", 30)
    monkeypatch.setattr(queries, "COUNT_AHEAD", 2)
    _add_items(app, 100)  # 75 of them public
    first = text_of(client.get("/"))
    # counted up to the next page and 2 more: 42
    assert "42 项以上，第 1 页" in first and "下一页" in first
    assert "62 项以上，第 2 页" in text_of(client.get("/?page=2"))
    last = text_of(client.get("/?page=4"))  # the end is in sight: counted exactly
    assert "共 75 项，第 4 / 4 页" in last and "下一页" not in last and "公示事项第" in last


def test_the_board_walks_its_order_index_and_sorts_nothing(app):
    """At 100,000 items a sort of every visible item cost 0.3 s a page (SQLite chose the
    public_from index for the board's condition): the page's ids must be read from the
    order index, newest first, with nothing sorted (SQLite's plan; migration 0009)."""
    from sqlalchemy import event

    _add_items(app, 30)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get("/?status=current").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in seen
                                 if s.startswith("SELECT disclosure.id") and "OFFSET" in s)
    with engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_disclosure_published_order" in plan and "TEMP B-TREE" not in plan, plan
