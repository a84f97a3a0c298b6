"""The update form and the review form."""
import re

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..enums import Status


def parse_version(raw: str | None) -> int | None:
    """The item version a form was opened on; None if the field is missing or not a plain number."""
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def strip(value):
    return value.strip() if isinstance(value, str) else value


class UpdateForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(s.value, s.label) for s in Status], validators=[DataRequired()])
    progress = IntegerField(
        "Progress (%)",
        validators=[InputRequired(message="Give the progress as a number from 0 to 100."), NumberRange(0, 100)],
    )
    note = TextAreaField("What happened", validators=[DataRequired(message="Say what happened."), Length(max=5000)],
                         filters=[strip])
    files = MultipleFileField("Files")
    links = TextAreaField("Links, one per line", validators=[Optional(), Length(max=4000)], filters=[strip])
    figure_value = FloatField("Figure", validators=[Optional()])
    figure_unit = StringField("Unit", validators=[Optional(), Length(max=120)], filters=[strip])
    figure_as_of = DateField("As of", validators=[Optional()])
    confidential = BooleanField("Confidential: only coordinators and my agency may see this evidence")
    version = HiddenField()
    submit = SubmitField("Save update")

    def validate_figure_unit(self, field):
        if self.figure_value.data is not None and not field.data:
            raise ValidationError("Say what the figure counts (e.g. “labourers rescued”).")
        if field.data and self.figure_value.data is None:
            raise ValidationError("Give the figure this unit belongs to.")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]


class ReviewForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)], filters=[strip])
    verify = SubmitField("Verify")
    send_back = SubmitField("Return to the agency")
