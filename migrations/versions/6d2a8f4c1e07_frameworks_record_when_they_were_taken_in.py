"""Frameworks record when the tracker took them in, so that "new frameworks" between two dates can be read

Revision ID: 6d2a8f4c1e07
Revises: 292149a0dafd
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d2a8f4c1e07'
down_revision = '292149a0dafd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    # A framework came in with its first items: the earliest of their moments, else the upgrade's.
    op.execute("UPDATE frameworks SET created_at = COALESCE("
               "(SELECT MIN(action_items.created_at) FROM action_items "
               "WHERE action_items.framework_id = frameworks.id), CURRENT_TIMESTAMP)")
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_column('created_at')
