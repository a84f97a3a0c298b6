"""Reporting an indicator's values for a period: an agency's become a report that counts once verified; a
coordinator's count at once. The grid page and the API call `report_values`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.permissions import can_report_values, is_coordinator
from ..enums import AuditEventKind
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Indicator, Report, User
from ..progress.services import EvidenceGiven, add_evidence
from ..progress.uploads import discard
from ..verification.services import reported_meanwhile, submit_values
from .periods import Period
from .values import CellValue, accept_values, outliers, problems


def reportable_periods(indicator: Indicator, today: date, count: int = 8) -> list[Period]:
    """The periods values may be given for, newest first: the one under way and those before it."""
    period = Period.containing(today, indicator.frequency)
    periods = []
    for _step in range(count):
        periods.append(period)
        period = period.preceding()
    return periods


def report_values(user: User, indicator: Indicator, period: str, cells: list[CellValue], note: str,
                  confirmed: bool = False, today: date | None = None,
                  evidence: EvidenceGiven | None = None) -> Report | None:
    """Check and record a period's values with the evidence that backs them: a pending report (an agency), or
    the values that count (a coordinator, returning None). Values far from the period before are saved only
    when `confirmed`."""
    if not can_report_values(user, indicator):
        raise NotAllowed(_("Only the indicator's reporting agency and the coordinators give its values (it is "
                           "retired).") if indicator.retired
                         else _("Only the indicator's reporting agency and the coordinators give its values."))
    today = today or date.today()
    try:
        chosen = Period.parse(period)
    except ValueError as exc:
        raise Invalid({"period": str(exc)}) from None
    if chosen.frequency != indicator.frequency:
        raise Invalid({"period": _("%(code)s is reported %(frequency)s: choose a quarter.", code=indicator.code,
                                   frequency=str(indicator.frequency.label).lower())
                       if chosen.frequency.value == "yearly"
                       else _("%(code)s is reported %(frequency)s: choose a year.", code=indicator.code,
                              frequency=str(indicator.frequency.label).lower())})
    if chosen.start > today:
        raise Invalid({"period": _("%(period)s has not begun.", period=chosen.code)})
    evidence = evidence or EvidenceGiven()
    found = problems(indicator, cells)
    errors = {"values": " ".join(f"{where}: {what}" for where, what in found.items())} if found else {}
    if errors := errors | evidence.problems():
        raise Invalid(errors)
    unusual = outliers(indicator, chosen.code, cells)
    if unusual and not confirmed:
        raise Invalid({"confirm": _("Far from the period before — check them, then tick to confirm: %(values)s.",
                                    values="; ".join(unusual))})
    now = datetime.now(UTC)
    stored: list[str] = []
    try:
        if is_coordinator(user):
            accept_values(indicator, chosen.code, cells)
            add_evidence(user, evidence, stored, indicator=indicator, period=chosen.code)
            record(AuditEventKind.REPORT_DECISION, user=user, subject=f"indicator:{indicator.code}",
                   detail=f"{indicator.code} {chosen.code}: {len(cells)} value(s) entered by a coordinator, "
                          "counted at once")
            db.session.commit()
            return None
        report = submit_values(user, indicator, chosen.code, cells, note.strip(), now)
        add_evidence(user, evidence, stored, indicator=indicator, period=chosen.code, report=report)
        db.session.commit()
        return report
    except IntegrityError:
        db.session.rollback()
        discard(stored)
        raise reported_meanwhile("this period") from None
    except Exception:
        db.session.rollback()
        discard(stored)
        raise
