"""item bodies as HTML

Bodies were typed as Markdown (revision.body_source) and shown as the HTML rendered from it
(revision.body_html). From now on the rich-text editor writes HTML: body_source holds the
sanitised HTML too. The Markdown is kept, untouched, in revision.body_markdown, so nothing
typed before is lost and a downgrade puts it back.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 16:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_revision = sa.table('revision', sa.column('id', sa.Integer), sa.column('body_source', sa.Text),
                     sa.column('body_html', sa.Text), sa.column('body_markdown', sa.Text))
CHUNK = 500


def upgrade():
    from dwgk.core.richtext import render_markdown

    op.add_column('revision', sa.Column('body_markdown', sa.Text(), nullable=True))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_revision.c.id, _revision.c.body_source).where(_revision.c.id > last)
            .order_by(_revision.c.id).limit(CHUNK)).all()
        if not rows:
            break
        for row_id, source in rows:
            html = render_markdown(source or "")
            connection.execute(_revision.update().where(_revision.c.id == row_id).values(
                body_markdown=source or "", body_source=html, body_html=html))
        last = rows[-1][0]


def downgrade():
    connection = op.get_bind()
    connection.execute(_revision.update().where(_revision.c.body_markdown.is_not(None))
                       .values(body_source=_revision.c.body_markdown))
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of `revision` would trip over the
    # foreign keys that point at it.
    op.drop_column('revision', 'body_markdown')
