"""The report builder's form: a year, or any period, and the frameworks and pillars to cover."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

from ..indicators.forms import CheckboxesField


class ReportRequestForm(FlaskForm):
    year = SelectField("Year", coerce=int)
    start = DateField("Or from", validators=[Optional()])
    end = DateField("to", validators=[Optional()])
    frameworks = CheckboxesField("Frameworks (none ticked: all)")
    pillars = CheckboxesField("Pillars (none ticked: all)")
    submit = SubmitField("Write the report")
