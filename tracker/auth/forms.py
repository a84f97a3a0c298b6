"""Forms of the auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

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


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=limits.EMAIL)],
        filters=[strip],
    )
    submit = SubmitField("E-mail me a link")


class SetPasswordForm(FlaskForm):
    # Its rules are the password policy's (auth.services.check_password_policy), named beside the field.
    password = PasswordField("New password", validators=[DataRequired(), Length(max=limits.PASSWORD_MAX)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("The same password again",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set my password")
