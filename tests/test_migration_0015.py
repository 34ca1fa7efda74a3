"""Migration 0015 (分期 work): the disclosure table is rebuilt on SQLite; search still finds
items afterwards (its triggers are kept), and the downgrade gives 0014's schema back."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from dwgk.demo.factories import make_disclosure
from dwgk.extensions import db
from tests.test_migrations import _schema


def _found(word: str) -> list[int]:
    with db.engine.connect() as c:
        return c.execute(text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q"),
                         {"q": word}).scalars().all()


def test_upgrade_and_downgrade_keep_the_search_triggers(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with app.app_context():
        upgrade(revision="0014")
        before = _schema()
        upgrade(revision="0015")
        item = make_disclosure(title="校舍维修资金使用情况")
        db.session.commit()
        item_id = item.id
        db.session.remove()
        assert _found("维修资金") == [item_id]
        downgrade(revision="0014")
        assert _schema() == before
        with db.engine.begin() as c:
            c.execute(text("UPDATE disclosure SET search_text = '党员发展工作' WHERE id = :id"),
                      {"id": item_id})
        assert _found("发展工作") == [item_id] and _found("维修资金") == []
        upgrade()
