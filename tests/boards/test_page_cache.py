"""The cache of rendered public pages (dwgk/web/cache.py): what an anonymous visitor sees is
never older than the last change, across processes, with or without Redis, and a withdrawn
or members-only text never comes out of it. Every answer goes through Flask and its hooks."""
from __future__ import annotations

from datetime import datetime

from datetime import timezone

from dwgk.accounts.models import Role
from dwgk.catalog.models import Scope
from dwgk.disclosures import services
from dwgk.disclosures.models import Decision, Disclosure, State
from dwgk.extensions import db
from dwgk.core import generation
from tests.boards import CANARY_MEMBERS, CANARY_WINDOW
from tests.factories import make_disclosure, make_user
from tests.support import text_of

APPROVE = dict(decision=Decision.APPROVE, meeting_date=None, check_content=True, check_form=True, check_scope=True,
               check_timing=True, check_duration=True, check_secrecy=True)


def _publish(app, **fields) -> int:
    with app.app_context():
        item = make_disclosure(**fields)
        db.session.commit()
        return item.id


def _served_from_cache(app, client, url) -> str:
    """The page, asserting the second answer is the cached one (one statement: the
    generation)."""
    client.get(url)
    from tests.boards import recorded_queries

    with recorded_queries(app) as statements:
        html = text_of(client.get(url))
    statements = [s for s in statements if s != "BEGIN"]  # SQLite's (core.database)
    assert len(statements) == 1 and "cache_generation" in statements[0], statements
    return html


def test_withdrawn_at_once_and_published_at_once(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    first = _publish(app, title="第一条公开事项")
    assert "第一条公开事项" in _served_from_cache(app, client, "/")
    assert "第一条公开事项" in _served_from_cache(app, client, f"/items/{first}")
    second = _publish(app, title="第二条公开事项")
    assert "第二条公开事项" in text_of(client.get("/"))
    with app.app_context():
        item = db.session.get(Disclosure, first)
        services.withdraw(item, "数据有误", actor=make_user())
        db.session.commit()
    board = text_of(client.get("/"))
    assert "第一条公开事项" not in board and "第二条公开事项" in board
    assert client.get(f"/items/{first}").status_code == 404
    assert "第一条公开事项" not in text_of(client.get("/?page=1"))
    assert second


def test_time_passing_public_from_shows_the_item_without_a_write(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    _publish(app, title=f"先党内事项 {CANARY_WINDOW}", members_first_days=1)
    _publish(app, title=f"党内事项 {CANARY_MEMBERS}", scope=Scope.MEMBERS)
    _publish(app, title="已社会公开事项")
    board = _served_from_cache(app, client, "/")
    assert "已社会公开事项" in board
    assert CANARY_WINDOW not in board and CANARY_MEMBERS not in board
    with app.app_context():
        token = generation.current()
    frozen_clock(datetime(2026, 5, 7, 10, 1))  # past public_from: nothing written
    board = text_of(client.get("/"))
    assert CANARY_WINDOW in board and CANARY_MEMBERS not in board
    with app.app_context():
        assert generation.current() == token


def test_republication_shows_the_new_text(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="食堂整改情况", body="整改于十月完成。")
    assert "整改于十月完成" in _served_from_cache(app, client, f"/items/{item_id}")
    with app.app_context():
        item = db.session.get(Disclosure, item_id)
        author = make_user(Role.OFFICE, Role.MEMBER)
        reviewer = make_user(Role.REVIEWER, Role.MEMBER)
        services.revise(item, actor=author)
        services.update_draft(item, services.draft_input_from(
            item.working_revision, body_source="整改于十月二十日完成。", change_note="更正日期"),
            actor=author, expected_version=None)
        db.session.commit()
        # a revision in progress does not change the shown text
        assert "整改于十月完成" in text_of(client.get(f"/items/{item_id}"))
        services.submit(item, actor=author)
        services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewer)
        services.publish(item, actor=author)
        db.session.commit()
        assert item.state == State.PUBLISHED
    page = text_of(client.get(f"/items/{item_id}"))
    assert "整改于十月二十日完成" in page and "再公开" in page


def test_two_app_servers_on_one_database_agree(make_app, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    one, two = make_app(), make_app()
    item_id = _publish(one, title="两台服务器共享的事项")
    for app in (one, two):
        assert "两台服务器共享的事项" in _served_from_cache(app, app.test_client(), "/")
    with one.app_context():
        services.withdraw(db.session.get(Disclosure, item_id), "撤回", actor=make_user())
        db.session.commit()
    # the other server's cache (another process's memory) drops it too: the generation moved
    assert "两台服务器共享的事项" not in text_of(two.test_client().get("/"))
    assert two.test_client().get(f"/items/{item_id}").status_code == 404


def test_with_redis_down_the_cache_stays_correct(make_app, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    app = make_app(DWGK_REDIS_URL="redis://127.0.0.1:9/0", RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    item_id = _publish(app, title="Redis 停机时的事项")
    assert "Redis 停机时的事项" in _served_from_cache(app, client, "/")
    with app.app_context():
        services.withdraw(db.session.get(Disclosure, item_id), "撤回", actor=make_user())
        db.session.commit()
    assert "Redis 停机时的事项" not in text_of(client.get("/"))


def test_an_anonymous_page_is_the_same_for_everyone_and_sets_no_cookie(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="公开事项甲")
    for url in ("/", f"/items/{item_id}", f"/items/{item_id}/print", "/?q=公开事项"):
        first, second = client.get(url), app.test_client().get(url)
        assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
        for response in (first, second):
            assert "Set-Cookie" not in response.headers, url
            assert "csrf" not in response.get_data(as_text=True), url
    # a visitor can still sign in: the sign-in form renders its own token
    refused = client.login("member", "wrong-password")
    assert refused.status_code == 422 and "用户名或密码" in text_of(refused)  # not a CSRF 400


def test_a_returning_browser_gets_304_until_something_changes(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="公开事项乙")
    first = client.get("/")
    assert first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["X-Frame-Options"] == "DENY"  # the after_request hooks ran
    _withdraw(app, item_id)
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "公开事项乙" not in text_of(changed)
    assert changed.headers["ETag"] != etag
    # the time window moves the tag too: at midnight the dates shown may change
    frozen_clock(datetime(2026, 5, 7, 0, 1))
    assert client.get("/").headers["ETag"] != changed.headers["ETag"]


def test_a_new_before_request_hook_runs_on_a_cache_hit(make_app, frozen_clock):
    from flask import request

    frozen_clock(datetime(2026, 5, 6, 10, 0))
    app = make_app()
    client = app.test_client()
    seen = []

    @app.before_request
    def maintenance():  # what an address allow-list or a maintenance mode would add
        seen.append(request.path)
        if request.args.get("closed"):
            return "维护中", 503
        return None

    _publish(app, title="维护模式测试")
    assert "维护模式测试" in _served_from_cache(app, client, "/")
    assert client.get("/?closed=1").status_code == 503
    etag = client.get("/kiosk/default/content").headers["ETag"]
    assert client.get("/kiosk/default/content", headers={"If-None-Match": etag}).status_code == 304
    assert seen == ["/", "/", "/", "/kiosk/default/content", "/kiosk/default/content"]


def test_signed_in_readers_never_get_a_visitors_page_nor_a_visitor_theirs(
        app, client, login_as, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="公开事项甲")
    for url in ("/", f"/items/{item_id}"):
        anonymous = client.get(url)
        member = login_as("member").get(url)
        assert "退出" in text_of(member) and "退出" not in text_of(anonymous)
        assert member.headers["Cache-Control"] == "no-store" and "ETag" not in member.headers
        assert "退出" not in text_of(client.get(url))
        # a member's conditional request with the visitors' tag still gets their own page
        again = login_as("member").get(url, headers={"If-None-Match": anonymous.headers["ETag"]})
        assert again.status_code == 200 and "退出" in text_of(again)


def test_an_emptied_generation_row_turns_caching_off(app, client, frozen_clock):
    """The suite empties every table between tests: without the row nothing is cached, so
    no page can outlive its data."""
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    _publish(app, title="事项乙")
    with app.app_context():
        db.session.execute(generation.generation_table.delete())
        db.session.commit()
        assert generation.current() is None
    assert "事项乙" in text_of(client.get("/"))
    with app.app_context():
        db.session.execute(Disclosure.__table__.update().values(withdrawn_at=datetime(2026, 5, 6, tzinfo=timezone.utc)))
        db.session.commit()
    assert "事项乙" not in text_of(client.get("/"))


def _withdraw(app, item_id):
    with app.app_context():
        services.withdraw(db.session.get(Disclosure, item_id), "撤回", actor=make_user())
        db.session.commit()


def test_a_withdrawn_item_leaves_every_cache_searches_and_member_lists_included(
        app, client, login_as, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="食堂账目公示 撤回测试")
    member = login_as("member")
    urls = ["/?q=撤回测试", "/members", "/members?q=撤回测试"]
    assert "撤回测试" in _served_from_cache(app, client, urls[0])
    for url in urls[1:]:
        member.get(url)
        assert "撤回测试" in text_of(member.get(url))  # the second from the kept list
    htmx = {"HX-Request": "true"}
    assert "撤回测试" in text_of(member.get("/members?q=撤回测试", headers=htmx))
    _withdraw(app, item_id)
    assert "撤回测试" not in text_of(client.get(urls[0])).split("搜索“撤回测试”")[-1]
    for url in urls[1:]:
        assert "撤回测试" not in text_of(member.get(url)).split("搜索“撤回测试”")[-1]
    assert "撤回测试" not in text_of(member.get("/members?q=撤回测试", headers=htmx)
                                     ).split("搜索“撤回测试”")[-1]


def test_members_only_text_never_reaches_the_public_board_or_search_from_a_cache(
        app, client, login_as, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    _publish(app, title=f"党内事项 {CANARY_MEMBERS}", scope=Scope.MEMBERS)
    _publish(app, title=f"先党内事项 {CANARY_WINDOW}", members_first_days=1)
    member = login_as("member")
    # insiders fill the caches first: their lists and their searches
    for url in ("/members", "/members?q=CANARY", "/?q=CANARY", "/"):
        member.get(url)
        member.get(url)
    for url in ("/", "/?q=CANARY", "/?q=党内事项"):
        page = _served_from_cache(app, client, url)
        assert CANARY_MEMBERS not in page and CANARY_WINDOW not in page
    members = text_of(member.get("/members"))
    assert CANARY_MEMBERS in members and CANARY_WINDOW in members


def test_a_settings_change_shows_at_once_on_cached_and_signed_in_pages(
        app, client, login_as, frozen_clock):
    from dwgk.core import settings

    frozen_clock(datetime(2026, 5, 6, 10, 0))
    _publish(app, title="单位名称测试事项")
    member = login_as("member")
    assert "单位名称测试事项" in _served_from_cache(app, client, "/")
    member.get("/members")
    with app.app_context():
        settings.update(actor=make_user(Role.ADMIN), unit_name="新名称学校党支部",
                        members_first_days=1, review_due_workdays=3,
                        feedback_reply_workdays=15, supervision_reply_workdays=15)
        db.session.commit()
    assert "新名称学校党支部" in text_of(client.get("/"))
    assert "新名称学校党支部" in text_of(member.get("/members"))
    assert "新名称学校党支部" in text_of(client.get("/catalog"))


def test_a_kiosk_304_keeps_the_security_headers(app, client, frozen_clock):
    frozen_clock(datetime(2026, 5, 6, 10, 0))
    item_id = _publish(app, title="屏幕事项")
    etag = client.get("/kiosk/default/content").headers["ETag"]
    for url, headers, status in (("/kiosk/default/content", {"If-None-Match": etag}, 304),
                                 ("/", {}, 200), (f"/items/{item_id}", {}, 200)):
        client.get(url, headers=headers)
        response = client.get(url, headers=headers)
        assert response.status_code == status
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Frame-Options"] == "DENY"
    _withdraw(app, item_id)
    assert client.get("/kiosk/default/content", headers={"If-None-Match": etag}).status_code == 200


def test_member_board_readers_each_get_their_own_page_around_the_kept_list(app, frozen_clock):
    from dwgk.accounts import services as accounts
    from dwgk.accounts.models import User
    from dwgk.notifications import services as notifications
    from tests.factories import DEFAULT_PASSWORD

    frozen_clock(datetime(2026, 5, 6, 10, 0))
    with app.app_context():
        make_disclosure(title="党内事项", scope=Scope.MEMBERS)
        make_user(username="zhang", display_name="张晓燕")
        li = make_user(username="li", display_name="李建国")
        admin = make_user(Role.ADMIN, username="boss")
        notifications.notify([li], "test", "有一条新通知")
        db.session.commit()
        li_id, admin_id = li.id, admin.id
    clients = {}
    for name in ("zhang", "li"):
        clients[name] = app.test_client()
        assert clients[name].login(name, DEFAULT_PASSWORD).status_code == 302
    zhang = text_of(clients["zhang"].get("/members"))
    li_page = text_of(clients["li"].get("/members"))
    assert "张晓燕" in zhang and "李建国" not in zhang and "bell-count" not in zhang
    assert "李建国" in li_page and "张晓燕" not in li_page and "bell-count" in li_page
    assert "党内事项" in zhang and "党内事项" in li_page
    with app.app_context():
        accounts.set_active(db.session.get(User, li_id), False,
                            actor=db.session.get(User, admin_id))
        db.session.commit()
    refused = clients["li"].get("/members")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
