"""The plan upload form."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import ValidationError

from ..indicators.forms import CheckboxesField

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def import_max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


class ImportForm(FlaskForm):
    file = FileField(_l("Plan file (CSV)"), validators=[
        FileRequired(_l("Choose the CSV file to import.")),
        FileAllowed(["csv"], _l("Only .csv files can be imported: save the spreadsheet as “CSV UTF-8”.")),
    ])
    create_agencies = BooleanField(_l("Create the agencies the file names that the tracker does not know yet"))
    create_frameworks = BooleanField(
        _l("Create the frameworks (plans) the file names that the tracker does not know yet"))
    dry_run = BooleanField(_l("Check only: report what would change, write nothing"))
    submit = SubmitField(_l("Import"))

    def validate_file(self, field):
        stream = field.data.stream
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        limit = import_max_bytes()
        if size > limit:
            raise ValidationError(_("The file is %(size)s MB; at most %(limit)s MB can be imported.",
                                    size=f"{size / 1048576:.1f}", limit=f"{limit / 1048576:.0f}"))


class ConfirmRepeatsForm(FlaskForm):
    """The held file's suggested repeats, each ticked to confirm it; what is left unticked is not recorded."""

    staged = HiddenField()
    # The choices are the held file's suggestions; one that is not is refused by the import, by its row.
    repeats = CheckboxesField(_l("Repeats of earlier recommendations"), validate_choice=False)
    submit = SubmitField(_l("Import, recording the ticked repeats"))
