"""The item list's orders read from indexes: each item carries its framework's position (document order is then one
index), the due-date and last-update orders have an index each, and the government response is indexed

Revision ID: 785e4eb094c0
Revises: 6fef27bfb039
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '785e4eb094c0'
down_revision = '6fef27bfb039'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('framework_position', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_action_items_document_order', ['framework_position', 'position', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_response'), ['response'], unique=False)
    # Each item takes its framework's position; from now on items/ordering.py keeps it.
    op.execute("UPDATE action_items SET framework_position = "
               "(SELECT frameworks.position FROM frameworks WHERE frameworks.id = action_items.framework_id)")
    # Expression indexes (autogenerate cannot compare them): the ORDER BY terms of the due-date and last-update sorts.
    op.create_index('ix_action_items_due_order', 'action_items',
                    [sa.text('(due_date IS NULL)'), 'due_date', 'framework_position', 'position', 'id'])
    op.create_index('ix_action_items_updated_order', 'action_items',
                    [sa.text('(last_update_at IS NULL)'), sa.text('last_update_at DESC'), 'framework_position',
                     'position', 'id'])


def downgrade():
    op.drop_index('ix_action_items_updated_order', table_name='action_items')
    op.drop_index('ix_action_items_due_order', table_name='action_items')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_response'))
        batch_op.drop_index('ix_action_items_document_order')
        batch_op.drop_column('framework_position')
