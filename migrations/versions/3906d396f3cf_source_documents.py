"""A register of the source documents, so that pages and the report name a document by its title

Revision ID: 3906d396f3cf
Revises: d323df0cde57
Create Date: 2026-11-30 11:04:20.984787

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3906d396f3cf'
down_revision = 'd323df0cde57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('source_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_documents')),
    sa.UniqueConstraint('file', name=op.f('uq_source_documents_file'))
    )


def downgrade():
    op.drop_table('source_documents')
