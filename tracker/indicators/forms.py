"""The indicator form: what is measured, by whom, how often, by which breakdowns, against what."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from .. import limits
from ..enums import Breakdown, Direction, Frequency, IndicatorKind
from ..forms import MaxLength, optional_int, record_id, strip
from ..progress.forms import EvidenceFields


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """A short multiple choice as checkboxes: nothing to Ctrl-click."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class IndicatorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(message="Give the indicator a code."),
                                           MaxLength(limits.INDICATOR_CODE, "The code")], filters=[upper])
    name = StringField("Name", validators=[DataRequired(message="Name what is measured."),
                                           MaxLength(limits.TITLE, "The name")], filters=[strip])
    definition = TextAreaField("Definition: what exactly is counted",
                               validators=[MaxLength(limits.NOTE, "The definition")],
                               filters=[strip])
    unit = StringField("Unit", validators=[MaxLength(limits.UNIT, "The unit")], filters=[strip])
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in IndicatorKind])
    direction = SelectField("Direction", choices=[SelectChoice(d.value, d.label.capitalize()) for d in Direction])
    pillar = SelectField("Pillar", coerce=record_id)
    agency = SelectField("Reporting agency", coerce=optional_int, validate_choice=False)
    means_of_verification = TextAreaField("Means of verification",
                                          validators=[MaxLength(limits.NOTE, "The means of verification")],
                                          filters=[strip])
    frequency = SelectField("Reporting frequency", choices=[SelectChoice(f.value, f.label) for f in Frequency])
    breakdowns = CheckboxesField("Reported by", choices=[SelectChoice(b.value, b.label) for b in Breakdown])
    items = TextAreaField("Items it measures: refs, separated by commas or new lines",
                          validators=[MaxLength(limits.LINKS_TEXT, "The list of items")], filters=[strip])
    baseline_value = FloatField("Baseline value", validators=[Optional()])
    baseline_period = StringField("Baseline period", validators=[MaxLength(limits.PERIOD, "The baseline period")],
                                  filters=[strip])
    baseline_source = TextAreaField("Baseline source", validators=[MaxLength(limits.NOTE, "The baseline source")],
                                    filters=[strip])
    targets = TextAreaField("Targets: one per line, period = value (e.g. 2025 = 120)",
                            validators=[MaxLength(limits.LINKS_TEXT, "The targets")], filters=[strip])
    submit = SubmitField("Save indicator")


class RetireForm(FlaskForm):
    submit = SubmitField("Retire")


class ValuesForm(EvidenceFields):
    """The grid's fixed fields and the evidence; its cells are read by the grid (their names follow the
    breakdowns)."""

    period = SelectField("Period", validate_choice=False)
    note = TextAreaField("Note: where the figures come from, what they leave out",
                         validators=[MaxLength(limits.NOTE, "The note")], filters=[strip])
    sheet = FileField("Or upload them as a sheet (CSV or Excel)")
    confirm = BooleanField("The values far from the period before are right")
    submit = SubmitField("Send the values")
