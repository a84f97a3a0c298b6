"""Forms of the token page."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

from .. import limits
from ..forms import MaxLength, strip


class TokenForm(FlaskForm):
    name = StringField("What it is for", filters=[strip], validators=[
        DataRequired(message="Name the token, e.g. the script that uses it."),
        MaxLength(limits.TOKEN_NAME, "A token's name"),
    ])
    submit = SubmitField("Make a token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")
