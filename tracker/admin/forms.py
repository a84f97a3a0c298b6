"""Forms for accounts and agencies."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional

from .. import limits
from ..auth.services import account_problems
from ..enums import AgencyKind, Role
from ..extensions import db
from ..forms import MaxLength, optional_int, place_problems, strip
from ..models import Agency

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in Role]
KIND_CHOICES = [SelectChoice(k.value, k.label) for k in AgencyKind]


class UserCreateForm(FlaskForm):
    """A new account. Its fields are checked, then the account rules (auth.services.account_problems) beside
    the fields they concern, so that every problem shows at once."""

    email = EmailField("E-mail",
                       validators=[DataRequired(), Email(check_deliverability=False),
                                   MaxLength(limits.EMAIL, "The e-mail address")],
                       filters=[strip])
    name = StringField("Name", validators=[Optional(), MaxLength(limits.PERSON_NAME, "The name")], filters=[strip])
    # A new form offers the least privileged role: an agency's focal person sees what everyone sees and reports
    # only on its agency's items, which count once verified; a refused form keeps the role chosen.
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.AGENCY.value)
    agency = SelectField("Agency (agency users only)", coerce=optional_int, validate_choice=False)
    # No password: the account's holder sets theirs with the link the welcome e-mail brings.
    submit = SubmitField("Create account")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        agency = db.session.get(Agency, self.agency.data) if self.agency.data else None
        if self.agency.data and agency is None:
            self.agency.errors.append("There is no such agency.")
            valid = False
        problems = account_problems(self.email.data or "", self.role.data or "", None,
                                    agency.name if agency else None)
        return place_problems(self, problems) and valid


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), MaxLength(limits.PERSON_NAME, "The name")], filters=[strip])
    role = SelectField("Role", choices=ROLE_CHOICES)
    agency = SelectField("Agency (agency users only)", coerce=optional_int, validate_choice=False)
    active = BooleanField("Active (may log in)")
    validator = BooleanField("Validator of the agency: its focal persons' reports come to this user to forward to "
                             "the coordinators or return")
    submit = SubmitField("Save")


class ResetPasswordForm(FlaskForm):
    submit = SubmitField("Reset password by e-mail")


class AgencyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), MaxLength(limits.AGENCY_NAME, "The name")],
                       filters=[strip])
    short_name = StringField("Short name",
                             validators=[Optional(), MaxLength(limits.AGENCY_SHORT_NAME, "The short name")],
                             filters=[strip])
    kind = SelectField("Kind", choices=KIND_CHOICES)
    province = SelectField("Province (provincial bodies)", coerce=optional_int, validate_choice=False)
    parent = SelectField("A unit of", coerce=optional_int, validate_choice=False)
    submit = SubmitField("Save agency")


class AliasForm(FlaskForm):
    alias = StringField("Another name for it", validators=[DataRequired(), MaxLength(limits.AGENCY_NAME, "The name")],
                        filters=[strip])
    submit = SubmitField("Add name")


class MergeForm(FlaskForm):
    target = SelectField("Merge into", coerce=optional_int, validate_choice=False,
                         validators=[DataRequired(message="Choose the agency to merge into.")])
    submit = SubmitField("Merge")


class RemoveAliasForm(FlaskForm):
    submit = SubmitField("Remove")
