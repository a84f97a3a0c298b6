"""Agencies say where they come from: the documents that name them, or why the curators added them

Revision ID: e09ab5bb7193
Revises: 3906d396f3cf
Create Date: 2026-11-30 10:38:13.221766

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e09ab5bb7193'
down_revision = '3906d396f3cf'
branch_labels = None
depends_on = None


def upgrade():
    # Filled by the next `flask seed`: the catalogue's agencies carry one or the other (seed/README.md).
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('named_in', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('curated', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('curated')
        batch_op.drop_column('named_in')
