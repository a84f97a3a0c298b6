"""Forms of the token page."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import limits
from ..forms import strip


class TokenForm(FlaskForm):
    name = StringField("What it is for", filters=[strip], validators=[
        DataRequired(message="Name the token, e.g. the script that uses it."),
        Length(max=limits.TOKEN_NAME, message=f"A token's name has at most {limits.TOKEN_NAME} characters."),
    ])
    submit = SubmitField("Make a token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")
