"""Items completed and reports made per month, kept as the history is written; counted from the history so far

Revision ID: 969aafa42828
Revises: 785e4eb094c0
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '969aafa42828'
down_revision = '785e4eb094c0'
branch_labels = None
depends_on = None

# The rules of tracker/items/monthly_counts.py as they stand at this revision, written out: a migration does not
# follow the app's code as it changes later.
COUNTS = """
INSERT INTO monthly_history_counts (month, completed, reported)
SELECT {month},
       SUM(CASE WHEN status_after = 'completed' AND status_before != 'completed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN step IN ('submitted', 'official') THEN 1 ELSE 0 END)
FROM updates
WHERE (status_after = 'completed' AND status_before != 'completed') OR step IN ('submitted', 'official')
GROUP BY {month}
"""
MONTH = {"postgresql": "to_char(timezone('UTC', created_at), 'YYYY-MM')", "sqlite": "strftime('%Y-%m', created_at)"}


def upgrade():
    op.create_table('monthly_history_counts',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('completed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reported', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_monthly_history_counts'))
    )
    op.execute(COUNTS.format(month=MONTH[op.get_bind().dialect.name]))


def downgrade():
    op.drop_table('monthly_history_counts')
