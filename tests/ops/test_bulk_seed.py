"""`demo seed --items N --feedback M`: a large unit in bulk, holding every invariant the
app relies on; its items are on the boards and in search."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from dwgk.catalog.models import Scope
from dwgk.core import clock
from dwgk.demo import bulk
from dwgk.disclosures.models import Disclosure, Revision, State
from dwgk.extensions import db
from dwgk.feedback.models import Feedback
from tests.support import text_of


def test_bulk_seed_fills_boards_and_search_and_keeps_the_invariants(app, runner):
    result = runner.invoke(args=["demo", "seed", "--items", "300", "--feedback", "60"])
    assert result.exit_code == 0, result.output
    assert "已批量添加公开事项 300 条" in result.output
    with app.app_context():
        assert bulk.check_invariants() == []
        states = dict(db.session.execute(
            select(Disclosure.state, func.count()).group_by(Disclosure.state)).all())
        assert states[State.PUBLISHED] > 150 and states[State.ARCHIVED] > 10
        assert db.session.scalar(select(func.count()).select_from(Feedback)) >= 60
        newest = db.session.execute(
            select(Disclosure.id, Revision.title)
            .join(Revision, Disclosure.live_revision_id == Revision.id)
            .where(Disclosure.state == State.PUBLISHED, Revision.scope == Scope.PUBLIC,
                   Disclosure.public_from <= clock.now())
            .order_by(Disclosure.last_published_at.desc(), Disclosure.id.desc())).first()
        members_only = db.session.scalar(
            select(Revision.title).join(Disclosure, Disclosure.live_revision_id == Revision.id)
            .where(Revision.scope == Scope.MEMBERS, Disclosure.withdrawn_at.is_(None)))
    client = app.test_client()
    board = text_of(client.get("/"))
    total = int(re.search(r"共 (\d+) 项", board).group(1))
    assert total > 150
    assert members_only not in board
    page = client.get(f"/items/{newest.id}")
    assert page.status_code == 200 and newest.title in text_of(page)
    # search finds the newest item by its title (FTS5 trigram on SQLite, ILIKE on PostgreSQL)
    found = text_of(client.get("/", query_string={"q": newest.title}))
    assert f'href="/items/{newest.id}"' in found
