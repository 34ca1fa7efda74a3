"""the plans' rules (issue 14, rules 3, 6, 7, 8, 10)

The summary report's addressee in the unit settings and the office's narrative kept per
report period; whether a supervision note's suggestion was adopted (采纳情况); the forms of
disclosure (公开形式) of catalog entries and revisions; a feedback handler's proposed answer.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import dwgk.core.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handler_reply', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('handler_replied_at', dwgk.core.types.UTCDateTime(),
                                      nullable=True))
    for table in ('catalog_entry', 'revision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('disclosure_forms', sa.String(length=120), nullable=False,
                                          server_default=''))
    with op.batch_alter_table('supervision_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adoption', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_supervision_note_known_adoption'), "adoption IN ('adopted', 'partly', 'not_adopted')")
    with op.batch_alter_table('unit_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_addressee', sa.String(length=100), nullable=False,
                                      server_default='乡（镇）纪委'))
    op.create_table(
        'report_narrative',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_key', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', dwgk.core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'],
                                name=op.f('fk_report_narrative_updated_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_narrative')),
        sa.UniqueConstraint('period_key', name=op.f('uq_report_narrative_period_key')),
    )


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('handler_replied_at')
        batch_op.drop_column('handler_reply')
    for table in ('catalog_entry', 'revision'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('disclosure_forms')
    with op.batch_alter_table('supervision_note', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_supervision_note_known_adoption'), type_='check')
        batch_op.drop_column('adoption')
    op.drop_table('report_narrative')
    with op.batch_alter_table('unit_settings', schema=None) as batch_op:
        batch_op.drop_column('report_addressee')
