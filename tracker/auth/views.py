"""Log in and out; set a password with a link, or ask for one."""
import threading
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from .. import limits
from ..audit.services import record
from ..enums import AuditEventKind
from ..errors import NotAllowed
from ..extensions import db
from ..forms import submit
from . import bp
from .forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from .passwords import (
    LinkPurpose,
    LinkRefused,
    choose_after_one_time_password,
    read_link,
    request_reset,
    send_reset_link,
    set_password_with_link,
)
from .services import authenticate, end_all_sessions, end_session, start_session


def safe_next(target: str | None) -> str:
    """Only follow `next` within this site, so a login link cannot send users elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr)
        except NotAllowed as exc:
            flash(str(exc), "danger")
        else:
            if user is not None and user.temporary_password:
                # A one-time password (the first admin's, or one the reset command printed) opens no session:
                # it leads straight to choosing one's own.
                flash(_("That password works only once: choose your own now."), "info")
                return redirect(url_for("auth.set_password", token=choose_after_one_time_password(user)))
            if user is not None:
                start_session(user, remember=form.remember.data)
                login_user(user, remember=form.remember.data)
                return redirect(safe_next(request.args.get("next")))
            flash(_("That e-mail and password do not match an active account."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
def logout_everywhere():
    """End every login of this user: other browsers, other computers, remembered ones too."""
    ended = end_all_sessions(current_user)
    record(AuditEventKind.LOGOUT, subject=f"user:{current_user.id}", detail=f"everywhere: {ended} login(s) ended")
    db.session.commit()
    logout_user()
    flash(ngettext("You have logged out everywhere (%(num)d login ended).",
                   "You have logged out everywhere (%(num)d logins ended).", ended), "info")
    return redirect(url_for("auth.login"))


def beside_response(response, action, *args) -> None:
    """Run `action` in a thread of its own (with its own app context) while the response goes out: what it takes
    (sending an e-mail) never shows in how long the answer took. Closing the response waits for it, so a server's
    worker (and the test client) has finished it before its next request; yet a server that closes late —
    werkzeug's development server can hold a finished response open until the browser lets its connection go —
    no longer holds the e-mail back with it."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                action(*args)
            except Exception:  # the answer is gone: log it, as nobody is left to tell
                app.logger.exception("beside the response: %s failed", action.__name__)
            finally:
                db.session.remove()

    worker = threading.Thread(target=run, name=f"beside-response-{action.__name__}", daemon=True)
    worker.start()
    response.call_on_close(lambda: worker.join(timeout=120))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to set a new password; the answer never says whether an account has the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data
        try:
            user_id = request_reset(email, request.remote_addr)
        except NotAllowed as exc:
            flash(str(exc), "danger")
            return render_template("auth/forgot.html", form=form), 429
        hours = int(LinkPurpose.RESET.lifetime.total_seconds() // 3600)
        flash(ngettext("If an active account has the address %(email)s, a link to set a new password is on its way "
                       "to it. It works once, for %(num)d hour; until then your password stays as it is.",
                       "If an active account has the address %(email)s, a link to set a new password is on its way "
                       "to it. It works once, for %(num)d hours; until then your password stays as it is.",
                       hours, email=email), "info")
        response = redirect(url_for("auth.login"))
        if user_id is not None:
            beside_response(response, send_reset_link, user_id, email, request.remote_addr)
        return response
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password with a link from an e-mail (or after logging in with a one-time password)."""
    try:
        holder = read_link(token)
    except LinkRefused as exc:
        return render_template("auth/link_refused.html", problem=exc.message), 400
    form = SetPasswordForm()
    submission = submit(form, lambda: set_password_with_link(token, form.password.data))
    if submission.done:
        if current_user.is_authenticated:
            end_session(current_user)  # whoever was logged in on this browser: the link's holder logs in afresh
            logout_user()
        flash(_("Your password is set: log in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=holder.user, password_min=limits.PASSWORD_MIN,
                           welcome=holder.purpose is LinkPurpose.WELCOME), submission.status
