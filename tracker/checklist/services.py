"""The first-run checklist's steps: each done when the data shows it (accounts exist, the schedule was
saved) or, where nothing can show it (the agencies were looked over), when an admin ticks it."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..enums import Role
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import ReminderSettings, SetupStep, User

# The one step an admin ticks: nothing in the data says the catalogue's agencies were looked over.
AGENCIES_CHECKED = "agencies_checked"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    why: str
    link: str
    link_text: str
    done: bool
    tickable: bool = False  # done when an admin says so


def _has_account(role: Role) -> sa.Exists:
    return sa.exists().where(User.role == role, User.active.is_(True))


def checklist() -> list[Step]:
    """Every step, in the order a first day takes them (one query)."""
    coordinators, agency_users, rapporteur, agencies_checked, schedule_saved = db.session.execute(sa.select(
        _has_account(Role.COORDINATOR), _has_account(Role.AGENCY), _has_account(Role.RAPPORTEUR),
        sa.exists().where(SetupStep.key == AGENCIES_CHECKED),
        sa.exists().where(ReminderSettings.saved_at.is_not(None)),
    )).one()
    users = url_for("admin.users") + "#new-user"
    return [
        Step("coordinators", _("Create the coordinators' accounts"),
             _("The National Coordinator's office: they assign agencies, set due dates and verify reports."),
             users, _("New account"), coordinators),
        Step("agency_users", _("Create the agencies' accounts"),
             _("A focal person for each agency (and its validator, if it has one): they report progress on their "
               "items."),
             users, _("New account"), agency_users),
        Step("rapporteur", _("Create the National Rapporteur's account"),
             _("The rapporteur sees everything and records independent assessments."), users, _("New account"),
             rapporteur),
        Step(AGENCIES_CHECKED, _("Check the agencies"),
             _("Their names, kinds and provinces as the catalogue has them; merge any duplicates."),
             url_for("admin.agencies"), _("Agencies"), agencies_checked, tickable=True),
        Step("reminder_schedule", _("Set the reminder schedule"),
             _("The days, time and time zone of the reminders, and when items count as due soon or stale."),
             url_for("reminders.settings"), _("Reminders"), schedule_saved),
    ]


def open_checklist() -> list[Step] | None:
    """The checklist while any step is left, else None (the overview then shows none)."""
    steps = checklist()
    return steps if not all(step.done for step in steps) else None


def tick(key: str, user: User) -> None:
    """An admin says a step that only they can judge is done."""
    step = next((s for s in checklist() if s.key == key), None)
    if step is None:
        raise NotFound(_("There is no such step."))
    if not step.tickable:
        raise Invalid(_("“%(step)s” is done once it is: nothing to tick.", step=step.title))
    if step.done:
        return
    try:
        db.session.add(SetupStep(key=key, done_by=user))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another admin ticked it at the same moment
