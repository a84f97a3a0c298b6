"""Evidence may back an indicator's values for a period (an agency's report of them, or a coordinator's entry) instead of an item

Revision ID: 292149a0dafd
Revises: f503313176dc
Create Date: 2026-11-30 07:38:00.190173

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '292149a0dafd'
down_revision = 'f503313176dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period', sa.String(length=12), server_default='', nullable=False))
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_evidence_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_indicator_id_indicators'), 'indicators', ['indicator_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_evidence_backs_something'),
                                         'item_id IS NOT NULL OR indicator_id IS NOT NULL')



def downgrade():
    op.execute("DELETE FROM evidence WHERE item_id IS NULL")
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_evidence_backs_something'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_evidence_indicator_id_indicators'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_indicator_id'))
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('period')
        batch_op.drop_column('indicator_id')

