"""The rapporteur's assessment form, on the item page: a year, a rating, a short reason."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..enums import AssessmentRating
from ..forms import strip


class AssessmentForm(FlaskForm):
    # The year, the rating and the reason are checked by assessments.services.assess, which the API calls too.
    year = IntegerField(_l("Year assessed"),
                        validators=[InputRequired(message=_l("Give the year assessed, e.g. 2026."))],
                        default=lambda: date.today().year)
    rating = SelectField(_l("Rating"), choices=[SelectChoice(r.value, r.label) for r in AssessmentRating])
    # No maxlength: the browser would cut a pasted reason short without a word; the service refuses it with
    # both counts.
    reason = TextAreaField(_l("Reason"), filters=[strip], render_kw={"rows": 3})
    submit = SubmitField(_l("Record the assessment"))
