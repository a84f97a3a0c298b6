"""A coordinator's form on a recommendation's page: the action that addresses it, by ref, and how."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField

from .. import limits
from ..forms import MaxLength, strip


class CoverageForm(FlaskForm):
    # Checked by coverage.services.add_link (which the seed's rules share): a plan's action, a one-line reason.
    # Limits refused with both counts (forms.MaxLength), never a `maxlength` that cuts a paste short.
    action = StringField("Action's ref", filters=[strip], validators=[MaxLength(limits.REF, "The action's ref")],
                         render_kw={"list": "coverage-actions", "autocomplete": "off",
                                    "placeholder": "e.g. NAP05-PROT-SH-i"})
    reason = StringField("How it addresses the recommendation", filters=[strip],
                         validators=[MaxLength(limits.COVERAGE_REASON, "The reason")])
    submit = SubmitField("Add the action")
