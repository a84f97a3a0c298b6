"""The first day: one-time passwords, the reminder days as days (not cron), when the settings were saved,
reminders' in-app copies shown once, whether e-mail goes out, and the first-run checklist's ticked steps

Revision ID: 9db2f004b612
Revises: 51cef3b50eab
Create Date: 2026-11-30 12:21:40.969790

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9db2f004b612'
down_revision = '51cef3b50eab'
branch_labels = None
depends_on = None

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekdays_of(cron_days: str) -> str:
    """The days a cron day-of-week field ("*", "mon-fri", "sat,sun", "0-4" …) names, as "mon,tue,…";
    every day when it names none or cannot be read."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger(day_of_week=cron_days or "*", hour=0, minute=0, timezone=UTC)
    except ValueError:
        return ",".join(WEEK)
    monday = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
    days, moment = set(), monday - timedelta(seconds=1)
    while (moment := trigger.get_next_fire_time(None, moment + timedelta(seconds=1))) < monday + timedelta(days=7):
        days.add(moment.weekday())
    return ",".join(WEEK[day] for day in sorted(days)) or ",".join(WEEK)


def upgrade():
    op.create_table('mail_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_status'))
    )
    op.create_table('setup_steps',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_setup_steps_done_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setup_steps'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True))
    # Reminders given so far had their in-app copy shown then; failed ones had none (the next delivery shows it).
    op.execute("UPDATE reminder_log SET notified_at = COALESCE(sent_at, claimed_at) "
               "WHERE state IN ('sent', 'in_app', 'uncertain')")

    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekdays', sa.String(length=27), server_default='mon,tue,wed,thu,fri,sat,sun', nullable=False))
        batch_op.add_column(sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('saved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reminder_settings_saved_by_id_users'), 'users', ['saved_by_id'], ['id'], ondelete='SET NULL')
    # The days a cron field named become the days themselves, then the cron field goes.
    settings = sa.table('reminder_settings', sa.column('id', sa.Integer), sa.column('day_of_week', sa.String),
                        sa.column('weekdays', sa.String))
    connection = op.get_bind()
    for row_id, cron_days in connection.execute(sa.select(settings.c.id, settings.c.day_of_week)).all():
        connection.execute(settings.update().where(settings.c.id == row_id).values(weekdays=weekdays_of(cron_days)))
    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.drop_column('day_of_week')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('temporary_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('temporary_password')

    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_of_week', sa.VARCHAR(length=40), server_default='*', nullable=False))
    op.execute("UPDATE reminder_settings SET day_of_week = weekdays")
    with op.batch_alter_table('reminder_settings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminder_settings_saved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('saved_by_id')
        batch_op.drop_column('saved_at')
        batch_op.drop_column('weekdays')

    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_column('notified_at')

    op.drop_table('setup_steps')
    op.drop_table('mail_status')
