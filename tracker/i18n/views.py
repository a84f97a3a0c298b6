"""The account's language page, and the front-end files both directions share: Bootstrap and the Nastaliq font,
served from node_modules where `make install` puts them with `npm ci` from the committed lockfile (never copied
into the repository, never fetched from a CDN)."""
import os

from flask import current_app, flash, redirect, render_template, send_from_directory, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from ..forms import submit
from . import DIGITS, WESTERN_DIGITS, bp
from .forms import LanguageForm
from .services import choose_language


@bp.route("/vendor/bootstrap/<path:filename>")
def bootstrap_files(filename: str):
    """A file of the bootstrap package's dist folder: its style sheets (left to right and right to left) and its
    script, all of one version."""
    folder = os.path.join(current_app.config["NODE_MODULES_DIR"], "bootstrap", "dist")
    return send_from_directory(folder, filename, max_age=86400)


@bp.route("/vendor/fonts/noto-nastaliq-urdu/<path:filename>")
def nastaliq_font(filename: str):
    """Noto Nastaliq Urdu (@fontsource/noto-nastaliq-urdu, SIL Open Font License): its @font-face style sheets and
    the font files they name."""
    folder = os.path.join(current_app.config["NODE_MODULES_DIR"], "@fontsource", "noto-nastaliq-urdu")
    return send_from_directory(folder, filename, max_age=86400)


@bp.route("/account/language", methods=["GET", "POST"])
def language():
    """The interface's language and the digits of Urdu pages, kept on the account."""
    form = LanguageForm(language=str(current_user.language or session.get("lang") or "en"),
                        digits=current_user.digits if current_user.digits in DIGITS else WESTERN_DIGITS)
    chosen = submit(form, lambda: choose_language(current_user, form.language.data, form.digits.data))
    if chosen.done:
        session["lang"] = form.language.data
        refresh()  # the message below is in the language just chosen
        flash(_("Your language and digits are saved."), "success")
        return redirect(url_for("i18n.language"))
    return render_template("i18n/language.html", form=form), chosen.status
