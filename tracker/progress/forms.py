"""The update form, and the evidence fields it shares with the indicator values' form."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from .. import limits
from ..enums import Status
from ..errors import Invalid
from ..forms import MaxLength, strip
from ..models import ActionItem
from ..verification.services import REOPEN_REASON, reopens
from .services import EvidenceGiven, Figure, figure_problems, links_problem, progress_problem
from .uploads import check_upload


class EvidenceFields(FlaskForm):
    """The evidence a report comes with: files and links, maybe confidential (forms add their own fields)."""

    files = MultipleFileField(_l("Files"))
    links = TextAreaField(_l("Links, one per line"),
                          validators=[Optional(), MaxLength(limits.LINKS_TEXT, _l("The list of links"))],
                          filters=[strip])
    confidential = BooleanField(_l("Confidential: only coordinators and my agency may see this evidence"))

    def validate_links(self, field):
        if problem := links_problem(self.link_list):
            raise ValidationError(problem)

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
    """A progress report. Each field is checked by the rule the service applies (progress/services.py), so that
    every problem shows at once, beside its field; the service checks again for the API and any other caller."""

    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, s.label) for s in Status],
                         validators=[DataRequired()])
    progress = IntegerField(
        _l("Progress (%)"), validators=[InputRequired(message=_l("Give the progress as a number from 0 to 100."))])
    note = TextAreaField(_l("What happened"),
                         validators=[DataRequired(message=_l("Say what happened.")),
                                     MaxLength(limits.NOTE, _l("The note"))],
                         filters=[strip])
    figure_value = FloatField(_l("Figure"), validators=[Optional()])
    # No Optional() on the unit: it would stop the check that a figure has one.
    figure_unit = StringField(_l("Unit"), filters=[strip])
    figure_as_of = DateField(_l("As of"), validators=[Optional()])
    reason = TextAreaField(_l("Why is it open again?"), validators=[MaxLength(limits.NOTE, _l("The reason"))],
                           filters=[strip])
    version = HiddenField()
    submit = SubmitField(_l("Save update"))

    def __init__(self, *args, item: ActionItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item  # the item reported on: whether the chosen status reopens it

    def _status(self) -> Status | None:
        return Status(self.status.data) if self.status.data in Status.codes() else None

    def validate_progress(self, field):
        status = self._status()
        if status is not None and (problem := progress_problem(status, field.data)):
            raise ValidationError(problem)

    def validate_figure_value(self, field):
        if problem := figure_problems(field.data, self.figure_unit.data).get("value"):
            raise ValidationError(problem)

    def validate_figure_unit(self, field):
        if self.figure_value.data is None:
            # (A value that is not a number has its own error, beside it.)
            if field.data and not self.figure_value.errors:
                raise ValidationError(_("Give the figure this unit belongs to."))
            return
        if problem := figure_problems(self.figure_value.data, field.data).get("unit"):
            raise ValidationError(problem)

    def validate_reason(self, field):
        status = self._status()
        if self.item is not None and status is not None and reopens(self.item, status) and not field.data:
            raise ValidationError(str(REOPEN_REASON))
