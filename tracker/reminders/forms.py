"""The reminder settings form."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from ..forms import MaxLength


class ReminderSettingsForm(FlaskForm):
    enabled = BooleanField("Send reminders on schedule")
    hour = IntegerField("Hour", validators=[InputRequired(), NumberRange(0, 23)])
    minute = IntegerField("Minute", validators=[InputRequired(), NumberRange(0, 59)])
    day_of_week = StringField("Days", validators=[DataRequired(), MaxLength(40, "The days")])
    timezone = StringField("Time zone", validators=[DataRequired(), MaxLength(60, "The time zone")])
    due_soon_days = IntegerField("Due soon: days ahead", validators=[InputRequired(), NumberRange(1, 365)])
    stale_days = IntegerField("Stale: days without an update", validators=[InputRequired(), NumberRange(7, 3650)])
    report_wait_days = IntegerField("Reports waiting: days before validators and coordinators are reminded",
                                    default=7, validators=[InputRequired(), NumberRange(1, 365)])
    submit = SubmitField("Save settings")

    def validate_timezone(self, field):
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Not a time zone name (e.g. Asia/Karachi).") from None

    def validate_day_of_week(self, field):
        try:
            CronTrigger(day_of_week=field.data)
        except ValueError as exc:
            raise ValidationError(f"Not a cron list of days: {exc}") from None
