"""Coordinators' forms: agencies, planning, bulk changes."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from ..enums import Priority
from ..forms import optional_int, record_id

PRIORITY_CHOICES = [SelectChoice("", "None")] + [SelectChoice(p.value, p.value.capitalize()) for p in Priority]


class AgenciesForm(FlaskForm):
    lead = SelectField("Lead agency", coerce=record_id, validators=[DataRequired(message="Choose the lead agency.")])
    supporting = SelectMultipleField("Supporting agencies", coerce=record_id)
    version = HiddenField()
    submit = SubmitField("Save agencies")


class PlanForm(FlaskForm):
    due_date = DateField("Due date", validators=[Optional()])
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, validators=[Optional()])
    version = HiddenField()
    submit = SubmitField("Save plan")


BULK_ACTIONS = [
    SelectChoice("due_date", "Set due date"),
    SelectChoice("priority", "Set priority"),
    SelectChoice("lead", "Make an agency lead"),
    SelectChoice("supporting", "Add a supporting agency"),
]


class BulkForm(FlaskForm):
    refs = SelectMultipleField("Items", validate_choice=False)
    action = SelectField("Change", choices=BULK_ACTIONS)
    due_date = DateField("Due date", validators=[Optional()])
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, validators=[Optional()])
    # Its own id: the item list's filters have an "agency" field on the same page.
    agency = SelectField("Agency", coerce=optional_int, validate_choice=False, id="bulk-agency")
    next = HiddenField()
    submit = SubmitField("Apply to selected items")

    def validate_refs(self, field):
        if not field.data:
            raise ValidationError("Select at least one item.")

    def validate_due_date(self, field):
        if self.action.data == "due_date" and field.data is None:
            raise ValidationError("Give the due date to set.")

    def validate_agency(self, field):
        if self.action.data in ("lead", "supporting") and not field.data:
            raise ValidationError("Choose the agency.")
