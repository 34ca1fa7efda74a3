"""Migration 0014: Markdown bodies become HTML, nothing lost (the Markdown is kept)."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from dwgk.core.richtext import plain_text, render_markdown
from dwgk.demo.factories import make_disclosure
from dwgk.extensions import db

MARKDOWN = ("## 收支情况\n\n第一季度党费收缴**全部到位**。\n\n- 在职党员 32 人\n- 退休党员 5 人\n\n"
            "| 项目 | 金额 |\n|---|---|\n| 收缴 | 4,800 元 |\n| 上缴 | 4,800 元 |\n\n"
            "详见[通知](http://intranet.example/n1)。")


def test_markdown_bodies_become_html_and_the_markdown_is_kept(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with app.app_context():
        upgrade()
        disclosure = make_disclosure()
        db.session.commit()
        revision_id = disclosure.working_revision_id
        old_html = render_markdown(MARKDOWN)
        db.session.remove()
        downgrade(revision="0013")
        # A body as it was before 0014: Markdown typed, HTML rendered from it.
        with db.engine.begin() as c:
            c.execute(text("UPDATE revision SET body_source = :md, body_html = :html WHERE id = :id"),
                      {"md": MARKDOWN, "html": old_html, "id": revision_id})
        upgrade(revision="0014")
        with db.engine.connect() as c:
            source, html, kept = c.execute(text(
                "SELECT body_source, body_html, body_markdown FROM revision WHERE id = :id"), {"id": revision_id}).one()
        assert kept == MARKDOWN
        assert source == html
        assert "<table>" in html and "<h2>收支情况</h2>" in html and "<strong>全部到位</strong>" in html
        assert "<li>退休党员 5 人</li>" in html and 'href="http://intranet.example/n1"' in html
        assert plain_text(html) == plain_text(old_html)
        downgrade(revision="0013")
        with db.engine.connect() as c:
            assert c.execute(text("SELECT body_source FROM revision WHERE id = :id"),
                             {"id": revision_id}).scalar() == MARKDOWN
