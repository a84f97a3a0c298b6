"""Uncertain reminder deliveries: the Message-ID and an admin's decision on each log row

Revision ID: 5b1e0c2d9a47
Revises: 5e1c0a7d2b90
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c2d9a47'
down_revision = '5e1c0a7d2b90'
branch_labels = None
depends_on = None


def upgrade():
    # The new state value ("uncertain") needs nothing: the state column is a VARCHAR without a CHECK.
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decision', sa.String(length=24), server_default='', nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reminder_log_decided_by_id_users'), 'users', ['decided_by_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    op.execute("UPDATE reminder_log SET state = 'failed' WHERE state = 'uncertain'")
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminder_log_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decision')
        batch_op.drop_column('message_id')
