"""The update form, and the evidence fields it shares with the indicator values' form."""
from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
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
from ..errors import Invalid
from ..forms import strip
from .services import EvidenceGiven, Figure, figure_problem
from .uploads import check_upload


class EvidenceFields(FlaskForm):
    """The evidence a report comes with: files and links, maybe confidential (forms add their own fields)."""

    files = MultipleFileField("Files")
    links = TextAreaField("Links, one per line", validators=[Optional(), Length(max=limits.LINKS_TEXT)],
                          filters=[strip])
    confidential = BooleanField("Confidential: only coordinators and my agency may see this evidence")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links.data or "").splitlines() if line.strip()]

    def evidence(self, figure: Figure | None = None) -> EvidenceGiven:
        """The evidence given, its files checked (every refused file named beside the field)."""
        files, problems = [], []
        for upload in self.files.data or []:
            if not isinstance(upload, FileStorage) or not upload.filename:
                continue  # no file chosen, or text posted under the field's name
            try:
                files.append(check_upload(upload.stream, upload.filename, current_app.config["UPLOAD_MAX_BYTES"]))
            except Invalid as exc:
                problems.extend(exc.problems)
        if problems:
            raise Invalid(problems)
        return EvidenceGiven(files=files, links=self.link_list, figure=figure, confidential=self.confidential.data)

    def chosen(self) -> list[str]:
        """The files chosen in a submitted form: a refused form cannot keep them, so the page names them."""
        chosen = [f.filename for f in self.files.data or [] if isinstance(f, FileStorage) and f.filename]
        return chosen if self.is_submitted() else []


class UpdateForm(EvidenceFields):
    status = SelectField("Status", choices=[SelectChoice(s.value, s.label) for s in Status],
                         validators=[DataRequired()])
    progress = IntegerField(
        "Progress (%)",
        validators=[InputRequired(message="Give the progress as a number from 0 to 100."), NumberRange(0, 100)],
    )
    note = TextAreaField("What happened",
                         validators=[DataRequired(message="Say what happened."), Length(max=limits.NOTE)],
                         filters=[strip])
    figure_value = FloatField("Figure", validators=[Optional()])
    figure_unit = StringField("Unit", validators=[Optional(), Length(max=limits.UNIT)], filters=[strip])
    figure_as_of = DateField("As of", validators=[Optional()])
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
