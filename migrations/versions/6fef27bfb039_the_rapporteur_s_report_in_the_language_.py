"""The Rapporteur's report in the language of its headings (English or Urdu); earlier reports were English

Revision ID: 6fef27bfb039
Revises: f3b6e14df387
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6fef27bfb039'
down_revision = 'f3b6e14df387'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rapporteur_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade():
    with op.batch_alter_table('rapporteur_reports', schema=None) as batch_op:
        batch_op.drop_column('language')
