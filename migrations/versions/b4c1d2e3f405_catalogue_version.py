"""The catalogue's version: one counter, moved with every committed change to what pages read of the whole catalogue

Revision ID: b4c1d2e3f405
Revises: 969aafa42828
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4c1d2e3f405'
down_revision = '969aafa42828'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version'))
    )
    op.execute("INSERT INTO catalogue_version (id, version) VALUES (1, 0)")


def downgrade():
    op.drop_table('catalogue_version')
