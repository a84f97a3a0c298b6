"""Frameworks say whether they are a plan or a set of recommendations, which plans' actions cover

Revision ID: d34a0030d52c
Revises: 5a361622bcea
Create Date: 2026-11-30 10:23:23.104211

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd34a0030d52c'
down_revision = '5a361622bcea'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('plan', 'recommendations', name='frameworkkind',
                                                      native_enum=False, length=24),
                                      server_default='plan', nullable=False))
    op.execute("UPDATE frameworks SET kind = 'recommendations' WHERE code = 'PAPER'")


def downgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_column('kind')
