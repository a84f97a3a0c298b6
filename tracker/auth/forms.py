"""Forms of the auth blueprint."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .. import limits
from ..forms import MaxLength, strip


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False),
                    MaxLength(limits.EMAIL, _l("The e-mail address"))],
        filters=[strip],
    )
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), MaxLength(limits.PASSWORD_MAX, _l("The password"))])
    remember = BooleanField(_l("Keep me logged in on this computer"))
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=limits.EMAIL)],
        filters=[strip],
    )
    submit = SubmitField(_l("E-mail me a link"))


class SetPasswordForm(FlaskForm):
    # Its rules are the password policy's (auth.services.check_password_policy), named beside the field.
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=limits.PASSWORD_MAX)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("The same password again"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set my password"))
