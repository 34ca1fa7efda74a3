"""mail outbox

The e-mails dwgk owes (dwgk.core.models.OutgoingMail): written with what calls for them,
marked sent only once the SMTP server accepted them, so neither a Redis restart nor a
worker killed mid-mail loses one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import dwgk.core.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', dwgk.core.types.UTCDateTime(), nullable=False),
        sa.Column('send_before', dwgk.core.types.UTCDateTime(), nullable=False),
        sa.Column('claimed_until', dwgk.core.types.UTCDateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('sent_at', dwgk.core.types.UTCDateTime(), nullable=True),
        sa.Column('failed_at', dwgk.core.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_owed', ['sent_at', 'failed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_owed')
    op.drop_table('mail_outbox')
