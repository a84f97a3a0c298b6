"""The interface's languages: English and Urdu (right to left), chosen per request by Flask-Babel.

The choice, first to last: `?lang=` on any page (remembered in the session, and on the account of a logged-in
user), the account's language, the session's, the browser's preference (Accept-Language), English.
"""
from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..extensions import babel, db

DEFAULT = "en"
# Each language by its own name, as the switch in the menu offers it.
LANGUAGES = {"en": "English", "ur": "اردو"}
RIGHT_TO_LEFT = frozenset({"ur"})


def chosen_language() -> str:
    """The language of this request (Flask-Babel's locale selector); English outside a request (the command
    line, the scheduler's jobs), which choose another with flask_babel.force_locale."""
    if not has_request_context():
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    account = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    if account in LANGUAGES:
        return account
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def remember_language() -> None:
    """`?lang=ur` or `?lang=en` on any page switches the language and keeps it: in the session, and on the
    account of a logged-in user. Any other value is left aside (the page shows in the language it would)."""
    asked = request.args.get("lang")
    if asked not in LANGUAGES:
        return
    session["lang"] = asked
    if current_user and current_user.is_authenticated and getattr(current_user, "language", asked) != asked:
        current_user.language = asked
        db.session.commit()


def text_direction() -> str:
    return "rtl" if str(get_locale()) in RIGHT_TO_LEFT else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=chosen_language)
    app.before_request(remember_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, text_direction=text_direction, current_language=get_locale)
