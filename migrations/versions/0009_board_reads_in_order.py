"""boards read in their order: drop the public_from index

With an index on disclosure.public_from, SQLite chose it for every board query (the public
board's condition `public_from <= now` is a range on it) and sorted all visible items to show
20 of them: EXPLAIN QUERY PLAN "SEARCH disclosure USING INDEX ix_disclosure_public_from …
USE TEMP B-TREE FOR ORDER BY", about 0.3 s at 100,000 items. Without it the board walks
ix_disclosure_published_order newest first and stops after a page ("SCAN disclosure USING
INDEX ix_disclosure_published_order", 0.2 ms). The one query that looked public_from up
(the next members-first end) is bounded by last_published_at instead.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:20:00.000000
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_public_from')


def downgrade():
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_public_from', ['public_from'], unique=False)
