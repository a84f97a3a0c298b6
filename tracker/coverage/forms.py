"""A coordinator's form on a recommendation's page: the action that addresses it, by ref, and how."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField

from .. import limits
from ..forms import strip


class CoverageForm(FlaskForm):
    # Checked by coverage.services.add_link (which the seed's rules share): a plan's action, a one-line reason.
    action = StringField(_l("Action's ref"), filters=[strip],
                         render_kw={"maxlength": limits.REF, "list": "coverage-actions", "autocomplete": "off",
                                    "placeholder": _l("e.g. NAP05-PROT-SH-i")})
    reason = StringField(_l("How it addresses the recommendation"), filters=[strip],
                         render_kw={"maxlength": limits.COVERAGE_REASON})
    submit = SubmitField(_l("Add the action"))
