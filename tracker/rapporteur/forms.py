"""The report builder's form: a year, or any period, and the frameworks and pillars to cover."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..i18n import LANGUAGES
from ..indicators.forms import CheckboxesField


class ReportRequestForm(FlaskForm):
    year = SelectField(_l("Year"), coerce=int)
    start = DateField(_l("Or from"), validators=[Optional()])
    end = DateField(_l("to"), validators=[Optional()])
    # Each language by its own name, as the language switch offers it.
    language = SelectField(_l("Language of the headings"), default="en",
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    frameworks = CheckboxesField(_l("Frameworks (none ticked: all)"))
    pillars = CheckboxesField(_l("Pillars (none ticked: all)"))
    submit = SubmitField(_l("Write the report"))
