"""Log in and out."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..audit.services import record
from ..enums import AuditEventKind
from ..errors import NotAllowed
from ..extensions import db
from . import bp
from .forms import LoginForm
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
            if user is not None:
                start_session(user, remember=form.remember.data)
                login_user(user, remember=form.remember.data)
                return redirect(safe_next(request.args.get("next")))
            flash("That e-mail and password do not match an active account.", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(current_user)
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/everywhere", methods=["POST"])
def logout_everywhere():
    """End every login of this user: other browsers, other computers, remembered ones too."""
    ended = end_all_sessions(current_user)
    record(AuditEventKind.LOGOUT, subject=f"user:{current_user.id}", detail=f"everywhere: {ended} login(s) ended")
    db.session.commit()
    logout_user()
    flash(f"You have logged out everywhere ({ended} login{'s' if ended != 1 else ''} ended).", "info")
    return redirect(url_for("auth.login"))
