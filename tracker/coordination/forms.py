"""Coordinators' forms: agencies, planning, bulk changes."""
from collections.abc import Sequence

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from ..enums import Priority
from ..forms import optional_int, record_id
from ..pickers.options import AgencyOption
from ..remembered import remembered

# The priorities' words (the enum keeps codes only).
PRIORITY_LABELS = {Priority.HIGH: _l("High"), Priority.MEDIUM: _l("Medium"), Priority.LOW: _l("Low")}
PRIORITY_CHOICES = [SelectChoice("", _l("None"))] + [SelectChoice(p.value, PRIORITY_LABELS[p]) for p in Priority]


class AgenciesForm(FlaskForm):
    lead = SelectField(_l("Lead agency"), coerce=record_id,
                       validators=[DataRequired(message=_l("Choose the lead agency."))])
    supporting = SelectMultipleField(_l("Supporting agencies"), coerce=record_id)
    version = HiddenField()
    submit = SubmitField(_l("Save agencies"))


class PlanForm(FlaskForm):
    due_date = DateField(_l("Due date"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, validators=[Optional()])
    version = HiddenField()
    submit = SubmitField(_l("Save plan"))


BULK_ACTIONS = [
    SelectChoice("due_date", _l("Set due date")),
    SelectChoice("priority", _l("Set priority")),
    SelectChoice("lead", _l("Make an agency lead")),
    SelectChoice("supporting", _l("Add a supporting agency")),
]


class BulkForm(FlaskForm):
    refs = SelectMultipleField(_l("Items"), validate_choice=False)
    action = SelectField(_l("Change"), choices=BULK_ACTIONS)
    due_date = DateField(_l("Due date"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, validators=[Optional()])
    # Its own id: the item list's filters have an "agency" field on the same page.
    agency = SelectField(_l("Agency"), coerce=optional_int, validate_choice=False, id="bulk-agency")
    next = HiddenField()
    submit = SubmitField(_l("Apply to selected items"))

    def validate_refs(self, field):
        if not field.data:
            raise ValidationError(_("Select at least one item."))

    def validate_due_date(self, field):
        if self.action.data == "due_date" and field.data is None:
            raise ValidationError(_("Give the due date to set."))

    def validate_agency(self, field):
        if self.action.data in ("lead", "supporting") and not field.data:
            raise ValidationError(_("Choose the agency."))


def bulk_change_fields(agencies: Sequence[AgencyOption]) -> Markup:
    """The bulk change's fields on the item list, for these agencies: the same on every list page in a language,
    so a process writes them once (tracker/remembered.py). The form's CSRF token and return address are the
    page's own, written beside them."""
    return remembered(_bulk_change_fields, tuple(agencies))


def _bulk_change_fields(agencies: tuple[AgencyOption, ...]) -> str:
    form = BulkForm(formdata=None, meta={"csrf": False})  # a new form: nothing of the request in it
    return current_app.jinja_env.get_template("coordination/_bulk_fields.html").render(form=form, agencies=agencies)
