"""The decision form: one per pending report, on the queue and on the item page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Optional

from .. import limits
from ..forms import MaxLength, strip


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(limits.COMMENT, _l("The comment"))],
                            filters=[strip])
    version = HiddenField()
    forward = SubmitField(_l("Forward to the coordinators"))
    verify = SubmitField(_l("Verify"))
    send_back = SubmitField(_l("Return to the agency"))
