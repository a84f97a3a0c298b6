"""Forms for accounts and agencies."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

    email = EmailField(_l("E-mail"),
                       validators=[DataRequired(), Email(check_deliverability=False),
                                   MaxLength(limits.EMAIL, _l("The e-mail address"))],
                       filters=[strip])
    name = StringField(_l("Name"), validators=[Optional(), MaxLength(limits.PERSON_NAME, _l("The name"))],
                       filters=[strip])
    # A new form offers the least privileged role: an agency's focal person sees what everyone sees and reports
    # only on its agency's items, which count once verified; a refused form keeps the role chosen.
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.AGENCY.value)
    agency = SelectField(_l("Agency (agency users only)"), coerce=optional_int, validate_choice=False)
    # No password: the account's holder sets theirs with the link the welcome e-mail brings.
    submit = SubmitField(_l("Create account"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        agency = db.session.get(Agency, self.agency.data) if self.agency.data else None
        if self.agency.data and agency is None:
            self.agency.errors.append(_("There is no such agency."))
            valid = False
        problems = account_problems(self.email.data or "", self.role.data or "", None,
                                    agency.name if agency else None)
        return place_problems(self, problems) and valid


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), MaxLength(limits.PERSON_NAME, _l("The name"))],
                       filters=[strip])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    agency = SelectField(_l("Agency (agency users only)"), coerce=optional_int, validate_choice=False)
    active = BooleanField(_l("Active (may log in)"))
    validator = BooleanField(_l("Validator of the agency: its focal persons' reports come to this user to forward to "
                                "the coordinators or return"))
    submit = SubmitField(_l("Save"))


class ResetPasswordForm(FlaskForm):
    submit = SubmitField(_l("Reset password by e-mail"))


class AgencyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), MaxLength(limits.AGENCY_NAME, _l("The name"))],
                       filters=[strip])
    short_name = StringField(_l("Short name"),
                             validators=[Optional(), MaxLength(limits.AGENCY_SHORT_NAME, _l("The short name"))],
                             filters=[strip])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    province = SelectField(_l("Province (provincial bodies)"), coerce=optional_int, validate_choice=False)
    parent = SelectField(_l("A unit of"), coerce=optional_int, validate_choice=False)
    submit = SubmitField(_l("Save agency"))


class AliasForm(FlaskForm):
    alias = StringField(_l("Another name for it"),
                        validators=[DataRequired(), MaxLength(limits.AGENCY_NAME, _l("The name"))], filters=[strip])
    submit = SubmitField(_l("Add name"))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=optional_int, validate_choice=False,
                         validators=[DataRequired(message=_l("Choose the agency to merge into."))])
    submit = SubmitField(_l("Merge"))


class RemoveAliasForm(FlaskForm):
    submit = SubmitField(_l("Remove"))
