"""Search (Chinese substring) on the boards, on SQLite (FTS5 trigram, LIKE below three
characters) and on PostgreSQL (ILIKE)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dwgk.accounts.models import Role
from dwgk.boards import search
from dwgk.catalog.models import Scope
from dwgk.disclosures.models import Disclosure
from dwgk.extensions import db
from tests.factories import make_disclosure, make_user
from tests.support import text_of

ITEMS = {
    "dues": ("2026年第三季度党费收缴情况公示", "按照《党章》规定，本季度应缴党费已全部收齐。"),
    "meeting": ("关于召开组织生活会的通知", "会议时间：10月15日。请全体党员准时参加。"),
    "latin": ("Annual REPORT of the Branch", "Quarterly Summary, mixed Case Text."),
    "percent": ("完成率100%的工作", "全部完成。"),
    "underscore": ("文件编号dw_2026", "见附件。"),
    "quotes": ('关于"两学一做"的总结', "他说：'好'。"),
    "star": ("星号*说明", "符号测试。"),
    "backslash": ("路径C:\\docs说明", "反斜杠测试。"),
}


@pytest.fixture
def items(app):
    with app.app_context():
        people = {"author": make_user(Role.OFFICE), "reviewer": make_user(Role.REVIEWER)}
        ids = {key: make_disclosure(title=title, body=body, **people).id
               for key, (title, body) in ITEMS.items()}
        db.session.commit()
    return ids


def _found(app, items: dict[str, int], query: str) -> set[str]:
    names = {disclosure_id: key for key, disclosure_id in items.items()}
    with app.app_context():
        ids = db.session.scalars(select(Disclosure.id).where(search.matching_condition(query)))
        return {names[i] for i in ids}


@pytest.mark.parametrize("query, expected", [
    # two characters: the trigram index cannot answer these, LIKE does
    ("党费", {"dues"}),
    ("公示", {"dues"}),
    ("党员", {"meeting"}),
    # one character
    ("费", {"dues"}),
    ("会", {"meeting"}),
    # longer phrases, in the title and in the text
    ("党费收缴情况", {"dues"}),
    ("组织生活会", {"meeting"}),
    ("请全体党员准时参加", {"meeting"}),
    ("本季度应缴党费", {"dues"}),
    # a substring, not a bag of words
    ("党费公示", set()),
    ("收缴党费", set()),
    # Latin text, whatever the case
    ("annual report", {"latin"}),
    ("ANNUAL", {"latin"}),
    ("mixed case", {"latin"}),
    ("re", {"latin"}),
    ("Ca", {"latin"}),
    # white space around the query does not matter; an empty query matches everything
    ("  党费收缴  ", {"dues"}),
    ("", set(ITEMS)),
    ("   ", set(ITEMS)),
])
def test_matching(app, items, query, expected):
    assert _found(app, items, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("%", {"percent"}),
    ("100%", {"percent"}),
    ("_", {"underscore"}),
    ("dw_2026", {"underscore"}),
    ("w_2", {"underscore"}),
    ('"', {"quotes"}),
    ('"两学一做"', {"quotes"}),
    ('两学一做"的', {"quotes"}),
    ('"""', set()),
    ("'", {"quotes"}),
    ("'好'", {"quotes"}),
    ("*", {"star"}),
    ("星号*", {"star"}),
    ("\\", {"backslash"}),
    ("C:\\docs", {"backslash"}),
    ("NEAR(党费 公示)", set()),
    ("党费 OR 会议", set()),
    ("^党费", set()),
    ("-党费", set()),
    ("党费:", set()),
])
def test_special_characters_are_plain_text(app, items, query, expected):
    assert _found(app, items, query) == expected


def test_the_query_is_cut_to_100_characters_and_control_characters_dropped():
    assert search.normalise("党" * 150) == "党" * 100
    assert search.normalise("  党费\x00公示\t\n ") == "党费 公示"
    assert search.normalise(None) == ""


def test_on_sqlite_three_characters_use_the_trigram_index(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the FTS5 table exists on SQLite only")
        long_query = str(search.matching_condition("党费收缴").compile(db.engine))
        short_query = str(search.matching_condition("党费").compile(db.engine))
    assert "search_fts MATCH" in long_query
    assert "LIKE" in short_query and "search_fts" not in short_query


def test_the_fts_phrase_quotes_the_query():
    assert search.fts_phrase('两"学"') == '"两""学"""'
    assert search.escape_like("100%_a\\b") == "100\\%\\_a\\\\b"


# --- through the board --------------------------------------------------------------------

def _titles(response) -> list[str]:
    return re.findall(r'class="board-item-title" href="/items/\d+">([^<]*)</a>', text_of(response))


@pytest.mark.parametrize("query", ["党费", "公示", "费", "党费收缴情况", "ANNUAL report", "100%",
                                   "dw_2", '"', "'", "*", "%_", "\\", "%00", "a" * 300])
def test_the_board_answers_any_query(client, items, query):
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200


def test_a_nul_byte_in_the_query_string_is_harmless(client, items):
    response = client.get("/?q=%00%E5%85%9A%E8%B4%B9")  # "\0党费"
    assert response.status_code == 200
    assert _titles(response) == [ITEMS["dues"][0]]


def test_the_board_finds_by_title_and_text(client, items):
    assert _titles(client.get("/", query_string={"q": "党费"})) == [ITEMS["dues"][0]]
    assert _titles(client.get("/", query_string={"q": "准时参加"})) == [ITEMS["meeting"][0]]
    response = client.get("/", query_string={"q": "不存在的内容"})
    assert _titles(response) == []
    assert "没有符合条件的事项" in text_of(response)
    # The query is shown back, escaped.
    response = client.get("/", query_string={"q": '<b>"x"</b>'})
    assert "&lt;b&gt;" in text_of(response) and "<b>\"x\"</b>" not in text_of(response)


def test_search_only_narrows_what_the_reader_may_see(app, client, login_as):
    with app.app_context():
        make_disclosure(title="党内的党费使用情况", body="党内账目明细", scope=Scope.MEMBERS)
        make_disclosure(title="公开的党费使用情况", body="公开账目")
        db.session.commit()
    for query in ("党费", "党费使用情况", "账目", "党内账目明细", "明细"):
        assert _titles(client.get("/", query_string={"q": query})) in (
            ["公开的党费使用情况"], []), query
        assert _titles(login_as("member").get("/", query_string={"q": query})) in (
            ["公开的党费使用情况"], []), query
    member = login_as("member")
    assert _titles(member.get("/members", query_string={"q": "党内账目明细"})) == ["党内的党费使用情况"]
    assert len(_titles(member.get("/members", query_string={"q": "党费"}))) == 2


def test_search_follows_a_revision_of_the_text(app, client, users):
    from dwgk.disclosures import services
    from tests.boards.test_board_lists import APPROVE

    with app.app_context():
        author = make_user(Role.OFFICE)
        reviewer = make_user(Role.REVIEWER)
        item = make_disclosure(title="旧标题事项", body="旧的正文内容", author=author, reviewer=reviewer)
        services.revise(item, actor=author)
        live = item.live_revision
        services.update_draft(item, services.DraftInput(
            title="新标题事项", body_source="新的正文内容", category_id=live.category_id,
            scope=live.scope, cadence=live.cadence, members_first_days=0,
            members_first_reason="即时", change_note="更正"), actor=author, expected_version=None)
        services.submit(item, actor=author)
        db.session.commit()
        # in review: the live text is still the one searched
        assert _titles(client.get("/?q=旧的正文")) == ["旧标题事项"]
        assert _titles(client.get("/?q=新的正文")) == []
        services.review(item, services.ReviewInput(**APPROVE), reviewer=reviewer)
        services.publish(item, actor=author)
        db.session.commit()
    assert _titles(client.get("/?q=新的正文")) == ["新标题事项"]
    assert _titles(client.get("/?q=旧的正文")) == []
    assert _titles(client.get("/?q=旧的")) == []
