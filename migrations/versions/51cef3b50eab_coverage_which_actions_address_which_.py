"""Coverage: which plans' actions address which recommendation, each link with a one-line reason

Revision ID: 51cef3b50eab
Revises: 0f4200f5dc9b
Create Date: 2026-11-30 10:28:07.225555

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '51cef3b50eab'
down_revision = '0f4200f5dc9b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coverage_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('origin', sa.Enum('source', 'user', name='updateorigin', native_enum=False, length=24), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('recommendation_id <> action_id', name=op.f('ck_coverage_links_not_to_itself')),
    sa.ForeignKeyConstraint(['action_id'], ['action_items.id'], name=op.f('fk_coverage_links_action_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_coverage_links_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['action_items.id'], name=op.f('fk_coverage_links_recommendation_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_coverage_links_removed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_links')),
    sa.UniqueConstraint('recommendation_id', 'action_id', name=op.f('uq_coverage_links_pair'))
    )
    with op.batch_alter_table('coverage_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_links_action_id'), ['action_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coverage_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_links_action_id'))

    op.drop_table('coverage_links')
