"""Indicators: results measured against a baseline and targets, with the values the sources give

Revision ID: 88f9ef73579c
Revises: c9caa95e73b5
Create Date: 2026-11-30 05:45:11.374638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '88f9ef73579c'
down_revision = 'c9caa95e73b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('count', 'percentage', 'amount', 'yes_no', name='indicatorkind', native_enum=False, length=24), nullable=False),
    sa.Column('direction', sa.Enum('higher', 'lower', name='direction', native_enum=False, length=24), nullable=False),
    sa.Column('pillar_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('means_of_verification', sa.Text(), nullable=False),
    sa.Column('frequency', sa.Enum('quarterly', 'yearly', name='frequency', native_enum=False, length=24), nullable=False),
    sa.Column('breakdowns', sa.String(length=80), nullable=False),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('baseline_period', sa.String(length=12), nullable=False),
    sa.Column('baseline_source', sa.Text(), nullable=False),
    sa.Column('origin', sa.Enum('source', 'user', name='updateorigin', native_enum=False, length=24), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_indicators_agency_id_agencies')),
    sa.ForeignKeyConstraint(['pillar_id'], ['pillars.id'], name=op.f('fk_indicators_pillar_id_pillars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_pillar_id'), ['pillar_id'], unique=False)

    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=12), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_targets_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_targets_indicator_id'))
    )
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_targets_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=12), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('sex', sa.Enum('female', 'male', 'transgender', name='sex', native_enum=False, length=24), nullable=True),
    sa.Column('age', sa.Enum('child', 'adult', name='agegroup', native_enum=False, length=24), nullable=True),
    sa.Column('exploitation', sa.Enum('sexual', 'forced_labour', 'bonded_labour', 'domestic_servitude', 'begging', 'organ_removal', 'other', name='exploitation', native_enum=False, length=24), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('origin', sa.Enum('source', 'user', name='updateorigin', native_enum=False, length=24), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source_document', sa.String(length=120), nullable=False),
    sa.Column('locator', sa.String(length=300), nullable=False),
    sa.Column('seed_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_values_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_indicator_values_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('seed_key', name=op.f('uq_indicator_values_seed_key'))
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_values_period'), ['period'], unique=False)

    op.create_table('indicator_items',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_items_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_indicator_items_item_id_action_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'item_id', name=op.f('pk_indicator_items'))
    )


def downgrade():
    op.drop_table('indicator_items')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_period'))
        batch_op.drop_index(batch_op.f('ix_indicator_values_indicator_id'))

    op.drop_table('indicator_values')
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_targets_indicator_id'))

    op.drop_table('indicator_targets')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_pillar_id'))
        batch_op.drop_index(batch_op.f('ix_indicators_agency_id'))

    op.drop_table('indicators')
