"""Agencies' reports await verification: reports, validators, official state; reviews become history

Revision ID: 9a4d2c7e5b13
Revises: 7c3d9e1f4a26
Create Date: 2026-11-30 05:30:00.000000

Today's status and progress of each item become its official state. An agency's report that was
never reviewed becomes a report pending at the coordinators' stage; a reviewed one becomes a
verified or returned report, and each review becomes a history entry of its own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4d2c7e5b13'
down_revision = '7c3d9e1f4a26'
branch_labels = None
depends_on = None

STAGE = sa.Enum('validation', 'coordination', 'verified', 'returned', 'withdrawn', name='reportstage',
                native_enum=False, length=24)
STEP = sa.Enum('submitted', 'forwarded', 'returned', 'verified', 'official', name='reportstep',
               native_enum=False, length=24)
STATUS = sa.Enum('not_started', 'in_progress', 'completed', 'blocked', 'superseded', name='status',
                 native_enum=False, length=24)
PENDING = "stage IN ('validation', 'coordination')"


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('stage', STAGE, nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_reports_report_progress_range')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_reports_agency_id_agencies')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_reports_author_id_users')),
    sa.ForeignKeyConstraint(['corrects_id'], ['reports.id'], name=op.f('fk_reports_corrects_id_reports')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['action_items.id'], name=op.f('fk_reports_item_id_action_items'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_stage_since'), ['stage_since'], unique=False)
    op.create_index('uq_reports_one_pending', 'reports', ['item_id', 'agency_id'], unique=True,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))

    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', STEP, nullable=True))
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_updates_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_updates_report_id_reports'), 'reports', ['report_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evidence_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evidence_report_id_reports'), 'reports', ['report_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_action_items_verified_by_id_users'), 'users', ['verified_by_id'],
                                    ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('validator', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_wait_days', sa.Integer(), server_default='7', nullable=False))

    _move_reviews_into_reports()
    op.drop_table('reviews')


def _move_reviews_into_reports():
    bind = op.get_bind()
    updates, reviews, reports, evidence, items = (
        sa.table('updates', *(sa.column(c) for c in (
            'id', 'item_id', 'author_id', 'origin', 'created_at', 'status_before', 'status_after', 'progress_before',
            'progress_after', 'note', 'source_document', 'kind', 'agency_id', 'item_version', 'step', 'report_id',
            'reason'))),
        sa.table('reviews', *(sa.column(c) for c in ('id', 'update_id', 'reviewer_id', 'decision', 'comment',
                                                     'created_at'))),
        sa.table('reports', *(sa.column(c) for c in (
            'id', 'item_id', 'agency_id', 'author_id', 'status', 'progress', 'note', 'reason', 'stage',
            'submitted_at', 'stage_since', 'decided_by_id', 'decided_at', 'comment', 'version'))),
        sa.table('evidence', sa.column('update_id'), sa.column('report_id')),
        sa.table('action_items', sa.column('id'), sa.column('verified_at'), sa.column('verified_by_id')),
    )
    reported = bind.execute(
        sa.select(updates).where(updates.c.origin == 'user', updates.c.kind == 'progress',
                                 updates.c.agency_id.is_not(None)).order_by(updates.c.id)
    ).mappings().all()
    for entry in reported:
        latest = bind.execute(
            sa.select(reviews).where(reviews.c.update_id == entry['id']).order_by(reviews.c.id.desc()).limit(1)
        ).mappings().first()
        stage = 'coordination' if latest is None else latest['decision']  # verified / returned
        report_id = bind.execute(reports.insert().values(
            item_id=entry['item_id'], agency_id=entry['agency_id'], author_id=entry['author_id'],
            status=entry['status_after'], progress=entry['progress_after'], note=entry['note'], reason='',
            stage=stage, submitted_at=entry['created_at'],
            stage_since=latest['created_at'] if latest else entry['created_at'],
            decided_by_id=latest['reviewer_id'] if latest else None,
            decided_at=latest['created_at'] if latest else None,
            comment=latest['comment'] if latest else '', version=1,
        ).returning(reports.c.id)).scalar_one()
        bind.execute(updates.update().where(updates.c.id == entry['id'])
                     .values(step='submitted', report_id=report_id))
        bind.execute(evidence.update().where(evidence.c.update_id == entry['id']).values(report_id=report_id))
        # Each review becomes an entry of the history; the state it shows is the item's as it then stood.
        for review in bind.execute(sa.select(reviews).where(reviews.c.update_id == entry['id'])
                                   .order_by(reviews.c.id)).mappings():
            before = bind.execute(
                sa.select(updates.c.status_after, updates.c.progress_after, updates.c.item_version)
                .where(updates.c.item_id == entry['item_id'], updates.c.created_at <= review['created_at'])
                .order_by(updates.c.created_at.desc(), updates.c.id.desc()).limit(1)
            ).first() or (entry['status_after'], entry['progress_after'], entry['item_version'])
            bind.execute(updates.insert().values(
                item_id=entry['item_id'], author_id=review['reviewer_id'], origin='user',
                created_at=review['created_at'], status_before=before[0], status_after=before[0],
                progress_before=before[1], progress_after=before[1], note=review['comment'], source_document='',
                kind='report', agency_id=entry['agency_id'], item_version=before[2], step=review['decision'],
                report_id=report_id, reason='',
            ))
    # A coordinator's (or an import's) change was official at once.
    bind.execute(updates.update().where(updates.c.origin == 'user', updates.c.kind == 'progress',
                                        updates.c.agency_id.is_(None), updates.c.author_id.is_not(None))
                 .values(step='official'))
    # The official state as of the last change a person made to it; who made it official is known only
    # for a coordinator's own change (an agency's report was applied as it came).
    last = bind.execute(
        sa.select(updates.c.item_id, updates.c.created_at, updates.c.author_id, updates.c.agency_id)
        .where(updates.c.origin == 'user', updates.c.kind == 'progress', updates.c.author_id.is_not(None))
        .order_by(updates.c.item_id, updates.c.created_at, updates.c.id)
    ).all()
    for item_id, created_at, author_id, agency_id in {row[0]: row for row in last}.values():
        bind.execute(items.update().where(items.c.id == item_id)
                     .values(verified_at=created_at, verified_by_id=author_id if agency_id is None else None))


def downgrade():
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('verified', 'returned', name='reviewdecision', native_enum=False, length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_reviews_update_id_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_update_id'), ['update_id'], unique=False)
    # Verifications and returns go back to being reviews of the report's first entry; other steps are dropped.
    op.execute("""
        INSERT INTO reviews (update_id, reviewer_id, decision, comment, created_at)
        SELECT submitted.id, decision.author_id, decision.step, decision.note, decision.created_at
        FROM updates AS decision
        JOIN updates AS submitted ON submitted.report_id = decision.report_id AND submitted.step = 'submitted'
        WHERE decision.step IN ('verified', 'returned') AND decision.author_id IS NOT NULL
    """)
    op.execute("DELETE FROM updates WHERE kind = 'report' AND step <> 'submitted'")
    op.execute("UPDATE updates SET kind = 'progress' WHERE kind = 'report'")

    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.drop_column('report_wait_days')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('validator')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_items_verified_by_id_users'), type_='foreignkey')
        batch_op.drop_column('verified_by_id')
        batch_op.drop_column('verified_at')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_report_id_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evidence_report_id'))
        batch_op.drop_column('report_id')
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_updates_report_id_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_updates_report_id'))
        batch_op.drop_column('reason')
        batch_op.drop_column('report_id')
        batch_op.drop_column('step')
    op.drop_index('uq_reports_one_pending', table_name='reports')
    op.drop_table('reports')
