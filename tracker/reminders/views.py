"""Pages: notifications for everyone; reminder settings, preview and log for admins."""
from datetime import date

from flask import flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.permissions import is_admin, requires
from ..enums import DeliveryState
from ..forms import page_number, submit
from . import bp
from .delivery import STATE_LABELS, decide_uncertain, pending_digests, reminder_log, uncertain_count
from .forms import ReminderSettingsForm
from .notifications import mark_all_read, notifications_for, set_email_reminders, unread_count
from .rules import RULE_NAMES, get_settings, save_settings
from .schedule import WEEKDAYS, describe_schedule, next_run


@bp.app_context_processor
def notification_badge():
    """The unread count in the navigation bar: one small query per page."""
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return {"unread_notifications": unread_count(current_user)}
    return {}


@bp.route("/notifications")
def notifications():
    page = page_number(request.args)
    return render_template("reminders/notifications.html", pagination=notifications_for(current_user, page),
                           unread=unread_count(current_user))


@bp.route("/notifications/read", methods=["POST"])
def read_all():
    if FlaskForm().validate_on_submit():
        count = mark_all_read(current_user)
        flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count),
              "success")
    return redirect(url_for("reminders.notifications"))


@bp.route("/notifications/email", methods=["POST"])
def email_preference():
    if FlaskForm().validate_on_submit():
        set_email_reminders(current_user, request.form.get("email_reminders") == "1")
        flash(_("Reminder e-mails are on.") if current_user.email_reminders else
              _("Reminder e-mails are off. Reminders still appear on this page."), "success")
    return redirect(url_for("reminders.notifications"))


@bp.route("/admin/reminders", methods=["GET", "POST"])
@requires(is_admin)
def settings():
    saved = get_settings()
    form = ReminderSettingsForm.for_settings(saved)
    submission = submit(form, lambda: save_settings(form.setting_values(), current_user))
    if submission.done:
        settings = submission.result
        if settings.enabled:
            flash(_("Reminder settings saved: reminders go out %(schedule)s. The scheduler picks them up within five "
                    "minutes.", schedule=describe_schedule(settings)), "success")
        else:
            flash(_("Reminder settings saved: reminders are off. The scheduler picks them up within five minutes."),
                  "success")
        return redirect(url_for("reminders.settings"))
    preview = pending_digests(date.today())
    return render_template("reminders/settings.html", form=form, preview=preview, saved=saved,
                           schedule=describe_schedule(saved), next_run=next_run(saved), rule_names=RULE_NAMES,
                           weekday_names=list(WEEKDAYS.values())), submission.status


def _state_filter() -> DeliveryState | None:
    try:
        return DeliveryState(request.args.get("state", ""))
    except ValueError:
        return None


@bp.route("/admin/reminders/log")
@requires(is_admin)
def log():
    page = page_number(request.args)
    state = _state_filter()
    return render_template("reminders/log.html", pagination=reminder_log(page, state), state=state,
                           states=list(DeliveryState), uncertain=uncertain_count(), state_labels=STATE_LABELS,
                           rule_names=RULE_NAMES)


def _decide(log_id: int, decision: str, done: str):
    submission = submit(FlaskForm(), lambda: decide_uncertain(log_id, current_user, decision))
    if submission.done:
        flash(done, "success")
    elif submission.error is None:
        flash(_("The form expired; please try again."), "danger")
    state = _state_filter()
    return redirect(url_for("reminders.log", state=state.value if state else None))


@bp.route("/admin/reminders/log/<int:log_id>/confirm", methods=["POST"])
@requires(is_admin)
def confirm_delivered(log_id: int):
    return _decide(log_id, "confirmed", _("Marked as delivered: no run will send it again."))


@bp.route("/admin/reminders/log/<int:log_id>/resend", methods=["POST"])
@requires(is_admin)
def resend(log_id: int):
    return _decide(log_id, "resend", _("The next run sends it again, with the same Message-ID."))
