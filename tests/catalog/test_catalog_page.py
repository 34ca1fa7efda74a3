"""/catalog: who sees which entries, last publication, next due date, query count."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import event

from dwgk.accounts.models import Role, User
from dwgk.catalog.models import Cadence, Scope
from dwgk.extensions import db
from tests.factories import make_catalog_entry, make_category, make_disclosure, make_user
from tests.support import text_of

CANARY = "金丝雀-党内条目-7f3a"
CANARY_CONTENT = "金丝雀内容-只给党员看-19c2"


def _row(html: str, entry_id: int) -> str:
    match = re.search(rf'<tr id="entry-{entry_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"entry {entry_id} is not on the page"
    return match.group(1)


@pytest.fixture
def catalog(app, users):
    """A public and a members-only category; entries of every scope and cadence."""
    with app.app_context():
        office = db.session.get(User, users["office"])
        open_category = make_category("组织建设", position=1)
        members_only = make_category("党内专栏", position=2)
        public = make_catalog_entry(open_category, title="党员发展公示", scope=Scope.PUBLIC,
                                    cadence=Cadence.IMMEDIATE, responsible=office,
                                    basis="《发展党员工作细则》")
        secret = make_catalog_entry(members_only, title=CANARY, scope=Scope.MEMBERS,
                                    cadence=Cadence.PERIODIC, period_months=3)
        secret.content = CANARY_CONTENT
        inactive = make_catalog_entry(open_category, title="已停用条目", scope=Scope.PUBLIC)
        inactive.active = False
        db.session.commit()
        return {"public": public.id, "secret": secret.id, "inactive": inactive.id,
                "members_category": members_only.id}


def test_anonymous_sees_only_public_entries(login_as, catalog):
    response = login_as("anonymous").get("/catalog")
    html = text_of(response)
    assert response.status_code == 200
    assert "党员发展公示" in html and "《发展党员工作细则》" in html and "office" in html
    assert "事项发生后即时公开" in html
    assert CANARY not in html and CANARY_CONTENT not in html
    assert "党内专栏" not in html  # a category with nothing visible is not shown either
    assert "已停用条目" not in html
    assert "管理目录" not in html


@pytest.mark.parametrize("role", ["member", "reviewer", "supervisor", "nobody"])
def test_every_insider_sees_members_only_entries(login_as, catalog, role):
    html = text_of(login_as(role).get("/catalog"))
    assert CANARY in html and CANARY_CONTENT in html and "党内公开" in html
    assert "已停用条目" not in html
    assert "管理目录" not in html


def test_office_gets_the_manage_link(login_as, catalog):
    html = text_of(login_as("office").get("/catalog"))
    assert CANARY in html
    assert 'href="/catalog/manage"' in html


def test_empty_catalog(login_as, users):
    html = text_of(login_as("anonymous").get("/catalog"))
    assert "公开目录尚未编制" in html


@pytest.fixture
def published_catalog(app, users, frozen_clock):
    """Entries created on 2026-07-01; one publication of each kind on 2026-09-20."""
    frozen_clock(datetime(2026, 7, 1, 9, 0))
    with app.app_context():
        category = make_category("党费", position=1)
        quarterly = make_catalog_entry(category, title="党费收缴、使用和管理情况",
                                       scope=Scope.PUBLIC, period_months=3)
        idle = make_catalog_entry(category, title="一直没有公开的条目", scope=Scope.PUBLIC,
                                  period_months=3)
        mixed = make_catalog_entry(category, title="只在党内公开过的条目", scope=Scope.PUBLIC,
                                   period_months=3)
        db.session.commit()
        frozen_clock(datetime(2026, 9, 20, 10, 0))
        make_disclosure(catalog_entry=quarterly, category=category, title="第三季度党费情况")
        make_disclosure(catalog_entry=mixed, category=category, scope=Scope.MEMBERS,
                        title="党内通报")
        db.session.commit()
        return {"quarterly": quarterly.id, "idle": idle.id, "mixed": mixed.id}


def test_last_publication_and_next_due_across_a_quarter_end(login_as, published_catalog,
                                                            frozen_clock):
    ids = published_catalog
    anonymous = login_as("anonymous")

    frozen_clock(datetime(2026, 9, 25, 9, 0))
    html = text_of(anonymous.get("/catalog"))
    row = _row(html, ids["quarterly"])
    assert "2026-09-20" in row
    assert "下季度末（2026-12-31）" in row and "逾期" not in row
    idle = _row(html, ids["idle"])
    assert "尚未公开" in idle and "本季度末（2026-09-30）" in idle and "逾期" not in idle

    # The quarter ends: the third quarter had its publication, the fourth has not yet.
    frozen_clock(datetime(2026, 10, 8, 9, 0))
    html = text_of(anonymous.get("/catalog"))
    row = _row(html, ids["quarterly"])
    assert "本季度末（2026-12-31）" in row and "逾期" not in row
    idle = _row(html, ids["idle"])
    assert "逾期" in idle and "2026-09-30" in idle and "本季度末（2026-12-31）" in idle

    # Another quarter end without a publication: now the published entry is overdue too.
    frozen_clock(datetime(2027, 1, 5, 9, 0))
    row = _row(text_of(anonymous.get("/catalog")), ids["quarterly"])
    assert "逾期" in row and "本季度末（2027-03-31）" in row and "2026-09-20" in row


def test_the_public_never_learns_of_members_only_publications(login_as, published_catalog,
                                                              frozen_clock):
    frozen_clock(datetime(2026, 9, 25, 9, 0))
    ids = published_catalog
    public_row = _row(text_of(login_as("anonymous").get("/catalog")), ids["mixed"])
    assert "尚未公开" in public_row and "2026-09-20" not in public_row
    member_row = _row(text_of(login_as("member").get("/catalog")), ids["mixed"])
    assert "2026-09-20" in member_row and "下季度末（2026-12-31）" in member_row


def test_members_first_window_hides_the_date_from_the_public_until_it_ends(app, login_as, users,
                                                                           frozen_clock):
    frozen_clock(datetime(2026, 9, 1, 9, 0))
    with app.app_context():
        category = make_category("作风建设")
        entry = make_catalog_entry(category, title="八项规定落实情况", scope=Scope.PUBLIC)
        frozen_clock(datetime(2026, 9, 20, 10, 0))
        make_disclosure(catalog_entry=entry, category=category, members_first_days=3,
                        title="落实情况通报")
        db.session.commit()
        entry_id = entry.id
    frozen_clock(datetime(2026, 9, 21, 9, 0))
    assert "2026-09-20" not in _row(text_of(login_as("anonymous").get("/catalog")), entry_id)
    assert "2026-09-20" in _row(text_of(login_as("member").get("/catalog")), entry_id)
    frozen_clock(datetime(2026, 9, 24, 9, 0))
    assert "2026-09-20" in _row(text_of(login_as("anonymous").get("/catalog")), entry_id)


def test_withdrawn_items_do_not_count_as_publications(app, login_as, users, frozen_clock):
    from dwgk.disclosures.models import State

    frozen_clock(datetime(2026, 9, 20, 10, 0))
    with app.app_context():
        category = make_category("目标任务")
        entry = make_catalog_entry(category, title="目标任务完成情况", scope=Scope.PUBLIC)
        make_disclosure(State.WITHDRAWN, catalog_entry=entry, category=category)
        db.session.commit()
        entry_id = entry.id
    assert "尚未公开" in _row(text_of(login_as("member").get("/catalog")), entry_id)


@contextmanager
def count_queries(app):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _add_entries(app, first: int, last: int) -> None:
    """Entries `first`..`last - 1`, three to a category, each with its own responsible office
    user; every other one members-only; a published item under every third."""
    with app.app_context():
        category = None
        for i in range(first, last):
            if category is None or i % 3 == 0:
                category = make_category(f"类别{i}", position=i)
            responsible = make_user(Role.OFFICE, Role.MEMBER, display_name=f"责任人{i}")
            entry = make_catalog_entry(category, title=f"条目{i}",
                                       scope=Scope.MEMBERS if i % 2 else Scope.PUBLIC,
                                       responsible=responsible)
            if i % 3 == 0:
                make_disclosure(catalog_entry=entry, category=category)
        db.session.commit()


def _page_queries(app, client) -> tuple[int, list[str], str]:
    with count_queries(app) as statements:
        response = client.get("/catalog")
    assert response.status_code == 200
    return len(statements), statements, text_of(response)


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_query_count_does_not_grow_with_the_catalog(app, login_as, role):
    client = login_as(role)
    _add_entries(app, 0, 3)
    client.get("/catalog")  # warm up: first-request work is not the page's
    small, _, html = _page_queries(app, client)
    assert html.count('<tr id="entry-') == (3 if role == "member" else 2)
    _add_entries(app, 3, 30)
    client.get("/catalog")  # again: the change made what is kept per generation be read anew
    large, statements, html = _page_queries(app, client)
    assert html.count('<tr id="entry-') == (30 if role == "member" else 15)
    assert small == large, f"queries: {small} for 3 entries, {large} for 30"
    # The page's own: the entries and the last publications; the rest is per request
    # (the session's user and roles, unit settings, the transaction's BEGIN).
    assert large <= 8, "\n".join(s[:90] for s in statements)
