"""Forms of the auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email

from .. import limits
from ..forms import MaxLength, strip


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), MaxLength(limits.EMAIL, "The e-mail address")],
        filters=[strip],
    )
    password = PasswordField("Password", validators=[DataRequired(), MaxLength(limits.PASSWORD_MAX, "The password")])
    remember = BooleanField("Keep me logged in on this computer")
    submit = SubmitField("Log in")
