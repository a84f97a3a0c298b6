"""The decision form: one per pending report, on the queue and on the item page."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from .. import limits
from ..forms import strip


class DecisionForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=limits.COMMENT)], filters=[strip])
    version = HiddenField()
    forward = SubmitField("Forward to the coordinators")
    verify = SubmitField("Verify")
    send_back = SubmitField("Return to the agency")
