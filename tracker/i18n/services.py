"""Keeping a user's language and digits on their account."""
from flask_babel import gettext as _

from ..errors import Invalid
from ..extensions import db
from ..models import User
from . import DIGITS, LANGUAGES


def choose_language(user: User, language: str, digits: str) -> User:
    """Keep the interface's language and the digits of Urdu pages on the user's account."""
    problems = {}
    if language not in LANGUAGES:
        problems["language"] = _("Choose English or Urdu.")
    if digits not in DIGITS:
        problems["digits"] = _("Choose Western or Urdu digits.")
    if problems:
        raise Invalid(problems)
    user.language, user.digits = language, digits
    db.session.commit()
    return user
