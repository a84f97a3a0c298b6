"""the Rapporteur's report generated in the background and kept

Revision ID: 64eba29d029b
Revises: 6d2a8f4c1e07
Create Date: 2026-11-30 08:07:39.224398

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '64eba29d029b'
down_revision = '6d2a8f4c1e07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rapporteur_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('frameworks', sa.String(length=400), nullable=False),
    sa.Column('pillars', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='generationstate', native_enum=False, length=24), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('docx_name', sa.String(length=80), nullable=False),
    sa.Column('docx_size', sa.Integer(), nullable=True),
    sa.Column('pdf_name', sa.String(length=80), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_rapporteur_reports_period_in_order')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_rapporteur_reports_progress_range')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_rapporteur_reports_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapporteur_reports'))
    )
    with op.batch_alter_table('rapporteur_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rapporteur_reports_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rapporteur_reports_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('rapporteur_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rapporteur_reports_state'))
        batch_op.drop_index(batch_op.f('ix_rapporteur_reports_requested_at'))

    op.drop_table('rapporteur_reports')
