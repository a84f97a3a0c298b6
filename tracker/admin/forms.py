"""Forms for accounts and agencies."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import limits
from ..enums import AgencyKind, Role
from ..forms import optional_int, strip

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]
KIND_CHOICES = [SelectChoice(k.value, k.label) for k in AgencyKind]


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail",
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=limits.EMAIL)],
                       filters=[strip])
    name = StringField("Name", validators=[Optional(), Length(max=limits.PERSON_NAME)], filters=[strip])
    role = SelectField("Role", choices=ROLE_CHOICES)
    agency = SelectField("Agency (agency users only)", coerce=optional_int, validate_choice=False)
    # No password: the account's holder sets theirs with the link the welcome e-mail brings.
    submit = SubmitField("Create account")


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=limits.PERSON_NAME)], filters=[strip])
    role = SelectField("Role", choices=ROLE_CHOICES)
    agency = SelectField("Agency (agency users only)", coerce=optional_int, validate_choice=False)
    active = BooleanField("Active (may log in)")
    validator = BooleanField("Validator of the agency: its focal persons' reports come to this user to forward to "
                             "the coordinators or return")
    submit = SubmitField("Save")


class ResetPasswordForm(FlaskForm):
    submit = SubmitField("Reset password by e-mail")


class AgencyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=limits.AGENCY_NAME)], filters=[strip])
    short_name = StringField("Short name", validators=[Optional(), Length(max=limits.AGENCY_SHORT_NAME)],
                             filters=[strip])
    kind = SelectField("Kind", choices=KIND_CHOICES)
    province = SelectField("Province (provincial bodies)", coerce=optional_int, validate_choice=False)
    parent = SelectField("A unit of", coerce=optional_int, validate_choice=False)
    submit = SubmitField("Save agency")


class AliasForm(FlaskForm):
    alias = StringField("Another name for it", validators=[DataRequired(), Length(max=limits.AGENCY_NAME)],
                        filters=[strip])
    submit = SubmitField("Add name")


class MergeForm(FlaskForm):
    target = SelectField("Merge into", coerce=optional_int, validate_choice=False,
                         validators=[DataRequired(message="Choose the agency to merge into.")])
    submit = SubmitField("Merge")


class RemoveAliasForm(FlaskForm):
    submit = SubmitField("Remove")
