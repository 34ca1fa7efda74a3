"""review rounds, and why a draft is a draft again

Each submission opens a review round (revision.review_round); a reviewer decides once per
round (the unique key moves from (revision, reviewer) to (revision, round, reviewer)).
Existing decisions were all taken in round 1. A draft whose last decision was a return gets
that return as its "returned" note, so it shows as returned, not as a plain draft.

Hand-checked: on SQLite the review table is rebuilt (batch: the unique key changes); the
revision table only gets columns added (ALTER TABLE ADD COLUMN, no rebuild: disclosure and
revision point at each other, and a rebuild of revision would have to drop a parent table).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:40:19.471364
"""
from alembic import op
import sqlalchemy as sa
import dwgk.core.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.drop_constraint(batch_op.f('uq_review_revision_id_reviewer_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_review_revision_id_round_reviewer_id'),
                                          ['revision_id', 'round', 'reviewer_id'])
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.alter_column('round', server_default=None)

    # Plain ADD COLUMNs (recreate="never"): see the docstring.
    with op.batch_alter_table('revision', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('review_round', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('returned_at', dwgk.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=False,
                                      server_default=''))

    if op.get_bind().dialect.name == 'sqlite':  # a column constraint: no ALTER of constraints
        op.execute("ALTER TABLE revision ADD COLUMN returned_by_id INTEGER CONSTRAINT"
                   " fk_revision_returned_by_id_app_user REFERENCES app_user (id)")
    else:
        op.add_column('revision', sa.Column('returned_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_revision_returned_by_id_app_user'), 'revision',
                              'app_user', ['returned_by_id'], ['id'])

    op.execute("UPDATE revision SET review_round = 1 WHERE submitted_at IS NOT NULL")
    # A draft whose latest decision is a return: returned, with that reason.
    op.execute("""
        UPDATE revision SET
            returned_at = (SELECT r.created_at FROM review r WHERE r.revision_id = revision.id
                           AND r.decision = 'return' ORDER BY r.created_at DESC LIMIT 1),
            returned_by_id = (SELECT r.reviewer_id FROM review r WHERE r.revision_id = revision.id
                              AND r.decision = 'return' ORDER BY r.created_at DESC LIMIT 1),
            return_reason = (SELECT r.reason FROM review r WHERE r.revision_id = revision.id
                             AND r.decision = 'return' ORDER BY r.created_at DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM disclosure d WHERE d.working_revision_id = revision.id
                      AND d.state = 'draft')
          AND EXISTS (SELECT 1 FROM review r WHERE r.revision_id = revision.id
                      AND r.decision = 'return')
    """)
    # server defaults were for the existing rows only (the models set the values). SQLite
    # cannot drop a default without a rebuild; a leftover default there is harmless and
    # invisible to autogenerate's comparison, which ignores server defaults by default.
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('revision', 'review_round', server_default=None)
        op.alter_column('revision', 'return_reason', server_default=None)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A rebuild (SQLite cannot drop a column with a foreign key in place); env.py runs
        # migrations with foreign keys off, as SQLite's rebuild procedure requires.
        with op.batch_alter_table('revision', schema=None) as batch_op:
            for column in ('return_reason', 'returned_by_id', 'returned_at', 'review_round'):
                batch_op.drop_column(column)
    else:
        op.drop_constraint(op.f('fk_revision_returned_by_id_app_user'), 'revision',
                           type_='foreignkey')
        for column in ('return_reason', 'returned_by_id', 'returned_at', 'review_round'):
            op.drop_column('revision', column)

    # The old key allows one decision per reviewer and revision: later rounds' go.
    op.execute("DELETE FROM review WHERE round > 1")
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_review_revision_id_round_reviewer_id'),
                                 type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_review_revision_id_reviewer_id'),
                                          ['revision_id', 'reviewer_id'])
        batch_op.drop_column('round')
