"""Each account's digits: Western (the default) or Urdu's, in Urdu pages

Revision ID: 92462f28bd1d
Revises: 19859103ce32
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '92462f28bd1d'
down_revision = '19859103ce32'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digits', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digits')
