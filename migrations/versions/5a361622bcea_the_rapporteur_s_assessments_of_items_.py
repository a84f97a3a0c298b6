"""The rapporteur's assessments of items, year by year, beside their official status (rows only ever added)

Revision ID: 5a361622bcea
Revises: 64eba29d029b
Create Date: 2026-11-30 07:56:28.660572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a361622bcea'
down_revision = '64eba29d029b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('not_started', 'limited', 'substantial', 'complete', 'not_assessable', name='assessmentrating', native_enum=False, length=24), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_assessments_author_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_assessments_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_item_id_year', ['item_id', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_year'), ['year'], unique=False)



def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_year'))
        batch_op.drop_index('ix_assessments_item_id_year')

    op.drop_table('assessments')
