"""分期 work: stages linked to the work's first stage, the closing summary (总结性公开) and
the day the whole work ended (issue 14, rule 9)

On SQLite adding the foreign keys and the check rebuilds the disclosure table, which drops
the triggers that keep the search index (search_fts, migration 0002) in step: they are read
before and created again after, in both directions.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00.000000
"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


@contextmanager
def _rebuilding_disclosure():
    """batch_alter_table('disclosure'), keeping its triggers when SQLite rebuilds it."""
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":
        triggers = bind.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'disclosure'"
            " ORDER BY name")).scalars().all()
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        yield batch_op
    for sql in triggers:
        op.execute(sql)


def upgrade():
    with _rebuilding_disclosure() as batch_op:
        batch_op.add_column(sa.Column('first_stage_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_summary', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('work_ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('work_ended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_disclosure_first_stage_id_disclosure'),
                                    'disclosure', ['first_stage_id'], ['id'])
        batch_op.create_foreign_key(op.f('fk_disclosure_work_ended_by_id_app_user'),
                                    'app_user', ['work_ended_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_disclosure_first_stage_id'), ['first_stage_id'],
                              unique=False)
        batch_op.create_check_constraint(
            op.f('ck_disclosure_stage_not_self'), 'first_stage_id IS NULL OR first_stage_id <> id')


def downgrade():
    with _rebuilding_disclosure() as batch_op:
        batch_op.drop_constraint(op.f('ck_disclosure_stage_not_self'), type_='check')
        batch_op.drop_index(batch_op.f('ix_disclosure_first_stage_id'))
        batch_op.drop_constraint(op.f('fk_disclosure_work_ended_by_id_app_user'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_disclosure_first_stage_id_disclosure'), type_='foreignkey')
        batch_op.drop_column('work_ended_by_id')
        batch_op.drop_column('work_ended_on')
        batch_op.drop_column('is_summary')
        batch_op.drop_column('first_stage_id')
