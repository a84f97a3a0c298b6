"""What every form shares: input filters, agency choices, and running a service from a submitted form."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from . import limits
from .errors import Invalid, Stale
from .extensions import db
from .models import Agency
from .pickers.options import PickerSelect, agency_option_attrs, all_agencies, picker_attrs

T = TypeVar("T")


def strip(value):
    """A filter for text fields: surrounding spaces are never part of what was meant. A browser sends each
    line break as two characters (CR LF): kept as one, as the person typing saw it and counts it."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class MaxLength:
    """A text field's limit, refused beside the field with both counts, the text kept in the form.

    Unlike WTForms' Length it gives the browser no `maxlength`, which cuts a pasted text short without a word.
    """

    def __init__(self, limit: int, what: str):
        self.limit, self.what = limit, what

    def __call__(self, form, field) -> None:
        if problem := limits.too_long(self.what, field.data if isinstance(field.data, str) else "", self.limit):
            raise ValidationError(problem)


def record_id(value) -> int:
    """Coerce a select's value to a record's id; anything no id column holds is not a valid choice."""
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,10}", text) or not 1 <= int(text) <= limits.ID_MAX:
        raise ValueError(f"{value!r} is not a record's id")
    return int(text)


def optional_int(value):
    """Coerce a select's value to an id, or None for its empty choice."""
    return record_id(value) if value not in (None, "", "None") else None


def parse_version(raw: str | None) -> int | None:
    """The version a form was opened on; None if the field is missing or not a plain number."""
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def page_number(args) -> int:
    """The `page` query argument: a whole number from 1; anything else, or an absurdly large one, is page 1."""
    raw = (args.get("page") or "").strip()
    return int(raw) if re.fullmatch(r"[1-9][0-9]{0,5}", raw) else 1


def agency_choices(empty: str | None = None, exclude: Agency | None = None) -> list[SelectChoice]:
    """Every agency by name for a select field, with an empty first choice when `empty` names it; each option
    carries the other names a picker finds it by."""
    choices = [SelectChoice(a.id, a.shown_display_name, render_kw=agency_option_attrs(a))
               for a in all_agencies() if exclude is None or a.id != exclude.id]
    return [SelectChoice("", empty), *choices] if empty is not None else choices


def agency_picker(field, empty: str | None = None, exclude: Agency | None = None) -> None:
    """Make a select field of a form an agency picker (tracker/pickers): every agency as a choice (see
    `agency_choices`), searchable in the browser by name, short name and other names."""
    field.choices = agency_choices(empty, exclude)
    field.widget = PickerSelect(multiple=field.widget.multiple)
    attrs = picker_attrs()
    if isinstance(field, SelectMultipleField):
        attrs["size"] = 12  # without JavaScript, a list long enough to scan (not the browser's 4 rows)
    field.render_kw = {**(field.render_kw or {}), **attrs}


def place_problems(form: FlaskForm, problems: dict[str, str]) -> bool:
    """Put a rule's problems beside the form's fields they name, where the field's own checks found nothing
    (one message a field is enough; one naming no field of the form is flashed); whether there were none."""
    for name, message in problems.items():
        field = form._fields.get(name)
        if field is None:
            flash(message, "danger")
        elif not field.errors:
            field.errors = [message]
    return not problems


@dataclass
class Submission(Generic[T]):
    """How a submitted form went: `done` with the service's result, or the status to show the form again with."""

    done: bool = False
    result: T | None = None
    status: int = 200
    error: Invalid | Stale | None = None


def submit(form: FlaskForm, action: Callable[[], T]) -> Submission[T]:
    """Validate a submitted form and run `action`, the service call.

    A problem the service names by a field of the form goes beside that field, any other is flashed;
    the page is then shown again with what the user typed, as 422 (invalid) or 409 (changed meanwhile).
    NotAllowed and NotFound are left to the app's error handlers.
    """
    if not form.is_submitted():
        return Submission()
    if not form.validate():
        return Submission(status=422)
    try:
        return Submission(done=True, result=action())
    except Invalid as exc:
        db.session.rollback()
        for problem in exc.problems:
            field = form._fields.get(problem.field or "")
            if field is not None:
                field.errors = [*field.errors, problem.message]
            else:
                flash(problem.message, "danger")
        return Submission(status=422, error=exc)
    except Stale as exc:
        db.session.rollback()
        return Submission(status=409, error=exc)
