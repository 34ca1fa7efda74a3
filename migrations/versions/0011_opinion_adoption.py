"""opinion adoption (采纳情况); the reporting period of periodic items

The formal version of a pre-disclosure says, for each opinion received on it, whether it
was adopted, partly adopted or not, and why. An item of a periodic (定期) catalog entry
names its reporting period (revision.period_start, the period's first day); existing ones
get the period they were published (or drafted) in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:00:00.000000
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import dwgk.core.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _period_start(day, months):
    months = months if months in (1, 3, 6, 12) else 3
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def upgrade():
    op.add_column('revision', sa.Column('period_start', sa.Date(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT revision.id, revision.published_at, revision.created_at, catalog_entry.period_months"
        " FROM revision JOIN catalog_entry ON catalog_entry.id = revision.catalog_entry_id"
        " WHERE catalog_entry.cadence = 'periodic'")).all()
    local = ZoneInfo('Asia/Shanghai')
    for revision_id, published_at, created_at, months in rows:
        moment = published_at or created_at
        if moment is None:
            continue
        if isinstance(moment, str):  # SQLite hands back text from a raw query
            moment = datetime.fromisoformat(moment)
        moment = moment.replace(tzinfo=timezone.utc)  # stored as naive UTC
        start = _period_start(moment.astimezone(local).date(), months)
        bind.execute(sa.text("UPDATE revision SET period_start = :start WHERE id = :id"),
                     {"start": start, "id": revision_id})
    op.create_table(
        'opinion_adoption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('disclosure_id', sa.Integer(), nullable=False),
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('adopted', 'partly', 'not_adopted', name='adoption',
                                     native_enum=False, length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', dwgk.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('adopted', 'partly', 'not_adopted')",
                           name=op.f('ck_opinion_adoption_known_outcome')),
        sa.CheckConstraint('length(reason) > 0', name=op.f('ck_opinion_adoption_adoption_reason')),
        sa.ForeignKeyConstraint(['disclosure_id'], ['disclosure.id'],
                                name=op.f('fk_opinion_adoption_disclosure_id_disclosure')),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'],
                                name=op.f('fk_opinion_adoption_feedback_id_feedback')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'],
                                name=op.f('fk_opinion_adoption_updated_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_adoption')),
        sa.UniqueConstraint('disclosure_id', 'feedback_id',
                            name=op.f('uq_opinion_adoption_disclosure_id_feedback_id')),
    )
    with op.batch_alter_table('opinion_adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_adoption_disclosure_id'), ['disclosure_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_adoption_feedback_id'), ['feedback_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('opinion_adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_adoption_feedback_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_adoption_disclosure_id'))
    op.drop_table('opinion_adoption')
    op.drop_column('revision', 'period_start')  # a plain DROP COLUMN: no rebuild of revision
