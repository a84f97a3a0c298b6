"""The language page's form: the language of the interface, and the digits of Urdu pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice

from . import DIGITS, LANGUAGES, URDU_DIGITS, WESTERN_DIGITS


class LanguageForm(FlaskForm):
    # Each language by its own name: the reader finds theirs whatever the page's language.
    language = RadioField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    digits = RadioField(_l("Digits in Urdu pages"), choices=[
        SelectChoice(WESTERN_DIGITS, _l("Western digits: %(digits)s", digits=DIGITS[WESTERN_DIGITS])),
        SelectChoice(URDU_DIGITS, _l("Urdu digits: %(digits)s", digits=DIGITS[URDU_DIGITS])),
    ])
    submit = SubmitField(_l("Save"))
