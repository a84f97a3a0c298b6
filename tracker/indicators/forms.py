"""The indicator form: what is measured, by whom, how often, by which breakdowns, against what."""
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from .. import limits
from ..enums import Breakdown, Direction, Frequency, IndicatorKind
from ..errors import Invalid
from ..extensions import db
from ..forms import MaxLength, optional_int, place_problems, record_id, strip
from ..models import ActionItem, Agency, Indicator, Pillar
from ..progress.forms import EvidenceFields
from .services import IndicatorFields, indicator_problems


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """A short multiple choice as checkboxes: nothing to Ctrl-click."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class IndicatorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Give the indicator a code.")),
                                               MaxLength(limits.INDICATOR_CODE, _l("The code"))], filters=[upper])
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Name what is measured.")),
                                               MaxLength(limits.TITLE, _l("The name"))], filters=[strip])
    definition = TextAreaField(_l("Definition: what exactly is counted"),
                               validators=[MaxLength(limits.NOTE, _l("The definition"))],
                               filters=[strip])
    unit = StringField(_l("Unit"), validators=[MaxLength(limits.UNIT, _l("The unit"))], filters=[strip])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, k.label) for k in IndicatorKind])
    # Its choices are set per request (the views' _choices): capitalised in the request's language.
    direction = SelectField(_l("Direction"))
    pillar = SelectField(_l("Pillar"), coerce=record_id)
    agency = SelectField(_l("Reporting agency"), coerce=optional_int, validate_choice=False)
    means_of_verification = TextAreaField(_l("Means of verification"),
                                          validators=[MaxLength(limits.NOTE, _l("The means of verification"))],
                                          filters=[strip])
    frequency = SelectField(_l("Reporting frequency"), choices=[SelectChoice(f.value, f.label) for f in Frequency])
    breakdowns = CheckboxesField(_l("Reported by"), choices=[SelectChoice(b.value, b.label) for b in Breakdown])
    items = TextAreaField(_l("Items it measures: refs, separated by commas or new lines"),
                          validators=[MaxLength(limits.LINKS_TEXT, _l("The list of items"))], filters=[strip])
    baseline_value = FloatField(_l("Baseline value"), validators=[Optional()])
    baseline_period = StringField(_l("Baseline period"),
                                  validators=[MaxLength(limits.PERIOD, _l("The baseline period"))], filters=[strip])
    baseline_source = TextAreaField(_l("Baseline source"),
                                    validators=[MaxLength(limits.NOTE, _l("The baseline source"))], filters=[strip])
    targets = TextAreaField(_l("Targets: one per line, period = value (e.g. 2025 = 120)"),
                            validators=[MaxLength(limits.LINKS_TEXT, _l("The targets"))], filters=[strip])
    submit = SubmitField(_l("Save indicator"))

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator  # the one edited, if any: its code is its own

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the indicator's rules (indicators.services.indicator_problems) beside the
        fields they concern: every problem at once."""
        valid = super().validate(extra_validators)
        fields, errors = self._read()
        if fields is not None:
            errors = indicator_problems(fields, self.indicator) | errors
        return place_problems(self, errors) and valid

    def indicator_fields(self) -> IndicatorFields:
        """The indicator the form describes (once it is valid)."""
        fields, errors = self._read()
        if errors or fields is None:
            raise Invalid(errors or _("The indicator form was incomplete; please try again."))
        return fields

    def _read(self) -> tuple[IndicatorFields | None, dict[str, str]]:
        """The fields as far as they can be read (None if a choice is not one), and what is wrong in the refs,
        the targets and the agency."""
        errors = {}
        refs = [ref for ref in re.split(r"[,\s]+", self.items.data or "") if ref]
        items = list(db.session.scalars(sa.select(ActionItem).where(ActionItem.ref.in_(refs)))) if refs else []
        if unknown := sorted(set(refs) - {item.ref for item in items}):
            errors["items"] = ngettext("No item has the ref %(refs)s.", "No item has the refs %(refs)s.", len(unknown),
                                       refs=", ".join(unknown))
        targets, wrong = {}, []
        for line in (self.targets.data or "").splitlines():
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*(\S+)\s*[=:]\s*(-?[0-9]+(?:\.[0-9]+)?)\s*", line)
            if match:
                targets[match.group(1)] = float(match.group(2))
            else:
                wrong.append(f"“{line.strip()}”")
        if wrong:
            errors["targets"] = ngettext("%(lines)s is not “period = value” (e.g. 2025 = 120).",
                                         "%(lines)s are not “period = value” (e.g. 2025 = 120).", len(wrong),
                                         lines=", ".join(wrong))
        agency = db.session.get(Agency, self.agency.data) if self.agency.data else None
        if self.agency.data and agency is None:
            errors["agency"] = _("There is no such agency.")
        pillar = db.session.get(Pillar, self.pillar.data) if self.pillar.data else None
        try:
            kind, direction = IndicatorKind(self.kind.data), Direction(self.direction.data)
            frequency = Frequency(self.frequency.data)
            breakdowns = [Breakdown(b) for b in self.breakdowns.data or []]
        except ValueError:
            return None, errors  # a choice that is not one: its field says so
        if pillar is None:
            return None, errors
        return IndicatorFields(
            code=self.code.data or "", name=self.name.data or "", kind=kind, pillar=pillar,
            definition=self.definition.data or "", unit=self.unit.data or "", direction=direction, agency=agency,
            means_of_verification=self.means_of_verification.data or "", frequency=frequency,
            breakdowns=breakdowns, items=items, baseline_value=self.baseline_value.data,
            baseline_period=self.baseline_period.data or "", baseline_source=self.baseline_source.data or "",
            targets=targets,
        ), errors


class RetireForm(FlaskForm):
    submit = SubmitField(_l("Retire"))


class ValuesForm(EvidenceFields):
    """The grid's fixed fields and the evidence; its cells are read by the grid (their names follow the
    breakdowns)."""

    period = SelectField(_l("Period"), validate_choice=False)
    note = TextAreaField(_l("Note: where the figures come from, what they leave out"),
                         validators=[MaxLength(limits.NOTE, _l("The note"))], filters=[strip])
    sheet = FileField(_l("Or upload them as a sheet (CSV or Excel)"))
    confirm = BooleanField(_l("The values far from the period before are right"))
    submit = SubmitField(_l("Send the values"))
