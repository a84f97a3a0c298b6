"""Laws say where a source names them (and, for the P&CHTO, its salient features); section notes carry a locator

Revision ID: d323df0cde57
Revises: d34a0030d52c
Create Date: 2026-11-30 10:50:29.243325

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd323df0cde57'
down_revision = 'd34a0030d52c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_document', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('locator', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('features', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))

    with op.batch_alter_table('section_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locator', sa.String(length=300), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('section_notes', schema=None) as batch_op:
        batch_op.drop_column('locator')

    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.drop_column('features')
        batch_op.drop_column('locator')
        batch_op.drop_column('source_document')

