"""The account's API tokens page: list, make (the secret shown once), revoke."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.permissions import can_manage_own_tokens, requires
from ..forms import submit
from . import bp
from .forms import RevokeForm, TokenForm
from .services import issue_token, revoke_tokens, user_tokens


@bp.before_request
@requires(can_manage_own_tokens, _l("Only coordinators and administrators make API tokens here; ask an administrator."))
def own_tokens_only():
    """Coordinators and admins manage their own tokens here; other roles ask an admin (`users token`)."""


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    form = TokenForm()
    made = submit(form, lambda: issue_token(current_user, form.name.data))
    new_token, secret = made.result if made.done else (None, None)
    if made.done:
        form = TokenForm(formdata=None)
    page = render_template("tokens/index.html", tokens=user_tokens(current_user), form=form,
                           new_token=new_token, secret=secret)
    # The secret is in this answer only: no cache may keep it.
    return page, 201 if made.done else made.status, {"Cache-Control": "no-store"}


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400, description=_("The form was incomplete; please try again."))
    (token,) = revoke_tokens(current_user, token_id)
    flash(_("Token “%(name)s” revoked: it no longer opens the API.", name=token.name or token.id), "success")
    return redirect(url_for("tokens.tokens"))
