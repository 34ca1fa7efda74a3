"""page cache generation, and the boards' order index

The one-row table whose token every change to what the public pages show moves on
(dwgk/web/cache.py); the cached pages of every worker and server are keyed by it. And an
index in the boards' order (newest publication first), so that a page of 20 items is read
from it instead of sorting every visible item (EXPLAIN: "SCAN disclosure USING INDEX
ix_disclosure_published_order" without a temporary B-tree, on SQLite and PostgreSQL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:10:00.000000
"""
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import dwgk.core.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'cache_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=32), nullable=False),
        sa.Column('changed_at', dwgk.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': secrets.token_hex(16),
                            'changed_at': datetime.now(timezone.utc)}])
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.create_index('ix_disclosure_published_order', ['last_published_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_index('ix_disclosure_published_order')
    op.drop_table('cache_generation')
