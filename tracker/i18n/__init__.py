"""The interface's languages: English and Urdu (right to left), chosen per request by Flask-Babel.

The choice, first to last: `?lang=` on any page (remembered in the session, and on the account of a logged-in
user), the account's language, the session's, the browser's preference (Accept-Language), English. Outside a
request (jobs, the command line) the language is English unless a caller forces one (flask_babel.force_locale).

The account's page (/account/language) also keeps the digits of Urdu pages: Western unless the user picks
Urdu's (display.py writes them). The package serves Bootstrap (its left-to-right or right-to-left style sheet,
one version for both) and the Nastaliq font from node_modules (views.py).
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from ..extensions import babel, db

DEFAULT = "en"
# Each language by its own name, as the switch in the menu offers it.
LANGUAGES = {"en": "English", "ur": "اردو"}
RIGHT_TO_LEFT = frozenset({"ur"})
# The digits a user may choose for Urdu pages, by their CLDR numbering system: Western (the default) or Urdu's
# (Extended Arabic-Indic). English pages always use Western digits.
WESTERN_DIGITS, URDU_DIGITS = "latn", "arabext"
DIGITS = {WESTERN_DIGITS: "0123456789", URDU_DIGITS: "۰۱۲۳۴۵۶۷۸۹"}

bp = Blueprint("i18n", __name__)

# Flask-Babel's lazy strings call themselves safe HTML (`__html__` gives the text as it is), so Jinja would print
# a lazily translated message unescaped, with whatever values were put into it (an imported file's framework
# name, say). Escaped like any other text, a message with a value in it cannot carry markup into the page.
LazyString.__html__ = lambda self: escape(str(self))


def chosen_language() -> str:
    """The language of this request (Flask-Babel's locale selector); English outside a request."""
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


def page_digits() -> str:
    """The digits of this page: Urdu's on an Urdu page of a user who chose them, else Western."""
    if not has_request_context() or str(get_locale()) != "ur":
        return WESTERN_DIGITS
    chosen = getattr(current_user, "digits", None) if current_user and current_user.is_authenticated else None
    return chosen if chosen in DIGITS else WESTERN_DIGITS


def language_url(language: str) -> str:
    """This page in another language: its path and query with `lang` set (a GET of the page shown)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    # One leading slash: a path such as //host would otherwise be read as another site.
    path = "/" + quote(request.path.lstrip("/"))
    return f"{path}?{urlencode([*args, ('lang', language)])}"


class FormTranslations:
    """WTForms' and Flask-WTF's own messages ("This field is required." …) from the tracker's catalogue, in the
    request's language: WTForms' catalogue has no Urdu (their msgids are listed in i18n/external.py)."""

    def ugettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class PageTranslations:
    """The translations of the language a page is written in, found in one step. Flask-Babel finds them through
    four lookups of the request's context for each message (some 9 µs, and a list page has hundreds of messages);
    here the locale is asked for (so force_locale and refresh are obeyed) and its catalogue kept by it, loaded by
    Flask-Babel the first time. One per app: each app loads its own catalogues, as Flask-Babel's cache does."""

    def __init__(self):
        self.by_locale: dict = {}

    def __call__(self):
        locale = get_locale()
        translations = self.by_locale.get(locale)
        if translations is None:
            translations = get_translations()
            if locale is not None:
                self.by_locale[locale] = translations
        return translations


def install_page_translations(app: Flask) -> None:
    """The templates' _(), ngettext() and friends through PageTranslations (Flask-Babel installs its own first)."""
    translations = PageTranslations()
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


def use_our_catalogue_for_forms() -> None:
    # Flask-WTF (WTF_I18N_ENABLED) looks for the request's translations here before loading WTForms' own.
    request.wtforms_translations = FormTranslations()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=chosen_language)
    install_page_translations(app)
    app.before_request(use_our_catalogue_for_forms)
    app.before_request(remember_language)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, text_direction=text_direction, current_language=get_locale,
                                 language_url=language_url)
    # Its views (the language page, the shared front-end files) read the forms and models: imported here, once
    # the app is being built, so that display.py may import this module from anywhere.
    from . import views  # noqa: F401

    app.register_blueprint(bp)
