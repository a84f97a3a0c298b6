"""Forms of the auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from .. import limits
from ..forms import strip


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=limits.EMAIL)],
        filters=[strip],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=limits.PASSWORD_MAX)])
    remember = BooleanField("Keep me logged in on this computer")
    submit = SubmitField("Log in")
