"""The update form."""
from flask_wtf import FlaskForm
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
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import limits
from ..enums import Status
from ..forms import strip
from .services import figure_problem


class UpdateForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(s.value, s.label) for s in Status],
                         validators=[DataRequired()])
    progress = IntegerField(
        "Progress (%)",
        validators=[InputRequired(message="Give the progress as a number from 0 to 100."), NumberRange(0, 100)],
    )
    note = TextAreaField("What happened",
                         validators=[DataRequired(message="Say what happened."), Length(max=limits.NOTE)],
                         filters=[strip])
    files = MultipleFileField("Files")
    links = TextAreaField("Links, one per line", validators=[Optional(), Length(max=limits.LINKS_TEXT)],
                          filters=[strip])
    figure_value = FloatField("Figure", validators=[Optional()])
    figure_unit = StringField("Unit", validators=[Optional(), Length(max=limits.UNIT)], filters=[strip])
    figure_as_of = DateField("As of", validators=[Optional()])
    confidential = BooleanField("Confidential: only coordinators and my agency may see this evidence")
    reason = TextAreaField("Why is it open again?", validators=[Optional(), Length(max=limits.NOTE)],
                           filters=[strip])
    version = HiddenField()
    submit = SubmitField("Save update")

    def validate_figure_value(self, field):
        if figure_problem(field.data):
            raise ValidationError(figure_problem(field.data))

    def validate_figure_unit(self, field):
        if self.figure_value.data is not None and not field.data:
            raise ValidationError("Say what the figure counts (e.g. “labourers rescued”).")
        if field.data and self.figure_value.data is None:
            raise ValidationError("Give the figure this unit belongs to.")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]
