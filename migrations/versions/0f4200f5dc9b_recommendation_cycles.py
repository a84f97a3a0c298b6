"""Recommendation cycles: a recommendation's response and cycle, confirmed repeats, imports held for confirmation;
frameworks' aims and the source of the pillars

Revision ID: 0f4200f5dc9b
Revises: e09ab5bb7193
Create Date: 2026-11-30 10:28:40.136876

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0f4200f5dc9b'
down_revision = 'e09ab5bb7193'
branch_labels = None
depends_on = None

AIM = ("The 4P's framework, that is, 1) Protection, 2) Prevention, 3) Prosecution and 4) Partnership, has formed the "
       "basis of the said five-year plan with the aim to strengthen key institutions through capacity-building, "
       "awareness raising, coordination and international cooperation.")
AIM_LOCATOR = "V. Domestic legal and policy framework, A. Special Anti-Trafficking and Anti-Smuggling Laws, line 40"


def upgrade():
    op.create_table('staged_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=120), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('create_agencies', sa.Boolean(), nullable=False),
    sa.Column('create_frameworks', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staged_imports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_imports')),
    sa.UniqueConstraint('token', name=op.f('uq_staged_imports_token'))
    )
    with op.batch_alter_table('staged_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staged_imports_user_id'), ['user_id'], unique=False)

    op.create_table('recommendation_repeats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('earlier_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_name', sa.String(length=120), nullable=False),
    sa.CheckConstraint('item_id <> earlier_id', name=op.f('ck_recommendation_repeats_not_itself')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_recommendation_repeats_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['earlier_id'], ['action_items.id'], name=op.f('fk_recommendation_repeats_earlier_id_action_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_recommendation_repeats_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_repeats')),
    sa.UniqueConstraint('item_id', 'earlier_id', name='uq_recommendation_repeats_item_id_earlier_id')
    )
    with op.batch_alter_table('recommendation_repeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_repeats_earlier_id'), ['earlier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_repeats_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response', sa.Enum('accepted', 'partially_accepted', 'noted', name='governmentresponse', native_enum=False, length=24), nullable=True))
        batch_op.add_column(sa.Column('cycle', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_action_items_cycle'), ['cycle'], unique=False)

    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aim', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('aim_locator', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('source_of_pillars', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The NAP 2021–2025 is the source of the four pillars; its aim as the paper quotes it (seed/catalogue.toml says
    # the same, for a database seeded later).
    frameworks = sa.table('frameworks', sa.column('code', sa.String), sa.column('aim', sa.Text),
                          sa.column('aim_locator', sa.String), sa.column('source_of_pillars', sa.Boolean))
    op.execute(frameworks.update().where(frameworks.c.code == 'NAP21').values(
        source_of_pillars=True, aim=AIM, aim_locator=AIM_LOCATOR))



def downgrade():
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_column('source_of_pillars')
        batch_op.drop_column('aim_locator')
        batch_op.drop_column('aim')

    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_cycle'))
        batch_op.drop_column('cycle')
        batch_op.drop_column('response')

    with op.batch_alter_table('recommendation_repeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_repeats_item_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_repeats_earlier_id'))

    op.drop_table('recommendation_repeats')
    with op.batch_alter_table('staged_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_imports_user_id'))

    op.drop_table('staged_imports')
