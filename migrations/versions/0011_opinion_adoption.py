"""opinion adoption (采纳情况)

The formal version of a pre-disclosure says, for each opinion received on it, whether it
was adopted, partly adopted or not, and why.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import dwgk.core.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
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
