"""Indicator values reported by agencies and verified like progress reports: a report is of an item or of an
indicator's period, and carries its values per breakdown cell

Revision ID: f503313176dc
Revises: 88f9ef73579c
Create Date: 2026-11-30 06:05:21.676844

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f503313176dc'
down_revision = '88f9ef73579c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('sex', sa.Enum('female', 'male', 'transgender', name='sex', native_enum=False, length=24), nullable=True),
    sa.Column('age', sa.Enum('child', 'adult', name='agegroup', native_enum=False, length=24), nullable=True),
    sa.Column('exploitation', sa.Enum('sexual', 'forced_labour', 'bonded_labour', 'domestic_servitude', 'begging', 'organ_removal', 'other', name='exploitation', native_enum=False, length=24), nullable=True),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_report_values_province_id_provinces')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_values_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_values'))
    )
    with op.batch_alter_table('report_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_values_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_indicator_values_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicator_values_report_id_reports'), 'reports', ['report_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period', sa.String(length=12), server_default='', nullable=False))
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_reports_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index('uq_reports_one_pending_values', ['indicator_id', 'period', 'agency_id'], unique=True, sqlite_where=sa.text("stage IN ('validation', 'coordination')"), postgresql_where=sa.text("stage IN ('validation', 'coordination')"))
        batch_op.create_foreign_key(batch_op.f('fk_reports_indicator_id_indicators'), 'indicators', ['indicator_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_reports_report_of_one_thing'),
                                         '(item_id IS NULL) <> (indicator_id IS NULL)')



def downgrade():
    op.execute("DELETE FROM reports WHERE indicator_id IS NOT NULL")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reports_report_of_one_thing'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_reports_indicator_id_indicators'), type_='foreignkey')
        batch_op.drop_index('uq_reports_one_pending_values', sqlite_where=sa.text("stage IN ('validation', 'coordination')"), postgresql_where=sa.text("stage IN ('validation', 'coordination')"))
        batch_op.drop_index(batch_op.f('ix_reports_indicator_id'))
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('period')
        batch_op.drop_column('indicator_id')

    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicator_values_report_id_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicator_values_report_id'))
        batch_op.drop_column('report_id')

    with op.batch_alter_table('report_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_values_report_id'))

    op.drop_table('report_values')
