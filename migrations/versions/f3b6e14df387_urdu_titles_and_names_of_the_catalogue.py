"""Urdu titles and names of the catalogue

Revision ID: f3b6e14df387
Revises: 92462f28bd1d
Create Date: 2026-11-30

The items' short titles translated into Urdu, and the Urdu names of agencies, frameworks, pillars and
provinces (seed/): empty where there is none, and the English is shown.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b6e14df387'
down_revision = '92462f28bd1d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_ur', sa.String(length=300), server_default='', nullable=False))

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ur', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ur', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('title_ur', sa.String(length=300), server_default='', nullable=False))

    with op.batch_alter_table('pillars', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ur', sa.String(length=40), server_default='', nullable=False))

    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ur', sa.String(length=60), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.drop_column('name_ur')

    with op.batch_alter_table('pillars', schema=None) as batch_op:
        batch_op.drop_column('name_ur')

    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_column('title_ur')
        batch_op.drop_column('name_ur')

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('name_ur')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_column('title_ur')
