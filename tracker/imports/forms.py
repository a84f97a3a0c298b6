"""The plan upload form."""
from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import ValidationError

from ..indicators.forms import CheckboxesField

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def import_max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


class ImportForm(FlaskForm):
    file = FileField("Plan file (CSV)", validators=[
        FileRequired("Choose the CSV file to import."),
        FileAllowed(["csv"], "Only .csv files can be imported: save the spreadsheet as “CSV UTF-8”."),
    ])
    create_agencies = BooleanField("Create the agencies the file names that the tracker does not know yet")
    create_frameworks = BooleanField("Create the frameworks (plans) the file names that the tracker does not know yet")
    dry_run = BooleanField("Check only: report what would change, write nothing")
    submit = SubmitField("Import")

    def validate_file(self, field):
        stream = field.data.stream
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        limit = import_max_bytes()
        if size > limit:
            raise ValidationError(f"The file is {size / 1048576:.1f} MB; "
                                  f"at most {limit / 1048576:.0f} MB can be imported.")


class ConfirmRepeatsForm(FlaskForm):
    """The held file's suggested repeats, each ticked to confirm it; what is left unticked is not recorded."""

    staged = HiddenField()
    # The choices are the held file's suggestions; one that is not is refused by the import, by its row.
    repeats = CheckboxesField("Repeats of earlier recommendations", validate_choice=False)
    submit = SubmitField("Import, recording the ticked repeats")
