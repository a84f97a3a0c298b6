"""The decision form: one per pending report, on the queue and on the item page."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Optional

from .. import limits
from ..forms import MaxLength, strip


class DecisionForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), MaxLength(limits.COMMENT, "The comment")],
                            filters=[strip])
    version = HiddenField()
    forward = SubmitField("Forward to the coordinators")
    verify = SubmitField("Verify")
    send_back = SubmitField("Return to the agency")
