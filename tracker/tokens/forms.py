"""Forms of the token page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired

from .. import limits
from ..forms import MaxLength, strip


class TokenForm(FlaskForm):
    name = StringField(_l("What it is for"), filters=[strip], validators=[
        DataRequired(message=_l("Name the token, e.g. the script that uses it.")),
        MaxLength(limits.TOKEN_NAME, _l("A token's name")),
    ])
    submit = SubmitField(_l("Make a token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
