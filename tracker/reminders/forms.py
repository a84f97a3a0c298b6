"""The reminder settings form: days to tick, a time, a time zone from a list, and the thresholds."""
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, SubmitField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import ReminderSettings
from .schedule import WEEKDAYS, timezone_choices, weekday_list, weekdays_text


class CheckboxesField(SelectMultipleField):
    """A box to tick per choice, rather than a multiple select that needs Ctrl+click."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReminderSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Send reminders on schedule"))
    weekdays = CheckboxesField(_l("Days"), choices=[SelectChoice(day, name) for day, name in WEEKDAYS.items()])
    send_time = TimeField(_l("Time"), format="%H:%M",
                          validators=[InputRequired(message=_l("Give the time as hours and minutes, e.g. 08:00."))])
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    due_soon_days = IntegerField(_l("Due soon: days ahead"), validators=[InputRequired(), NumberRange(1, 365)])
    stale_days = IntegerField(_l("Stale: days without an update"),
                              validators=[InputRequired(), NumberRange(7, 3650)])
    report_wait_days = IntegerField(_l("Reports waiting: days before validators and coordinators are reminded"),
                                    default=7, validators=[InputRequired(), NumberRange(1, 365)])
    submit = SubmitField(_l("Save settings"))

    @classmethod
    def for_settings(cls, settings: ReminderSettings):
        """The form showing the saved settings (a submitted form shows what was sent instead)."""
        form = cls(data={
            "enabled": settings.enabled, "weekdays": weekday_list(settings.weekdays),
            "send_time": time(settings.hour, settings.minute), "timezone": settings.timezone,
            "due_soon_days": settings.due_soon_days, "stale_days": settings.stale_days,
            "report_wait_days": settings.report_wait_days,
        })
        form.timezone.choices = [SelectChoice(value, label) for value, label in timezone_choices(settings.timezone)]
        return form

    def validate_weekdays(self, field):
        if not field.data:
            raise ValidationError(_("Tick at least one day."))

    def validate_timezone(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose a time zone from the list (e.g. Asia/Karachi)."))

    def setting_values(self) -> dict:
        """What the form says, as the settings row holds it."""
        return {"enabled": self.enabled.data, "weekdays": weekdays_text(self.weekdays.data),
                "hour": self.send_time.data.hour, "minute": self.send_time.data.minute, "timezone": self.timezone.data,
                "due_soon_days": self.due_soon_days.data, "stale_days": self.stale_days.data,
                "report_wait_days": self.report_wait_days.data}
