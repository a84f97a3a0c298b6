"""A template plan file: the contract's header and one example row to overwrite, for a framework or a new plan."""
from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from ..contract import IMPORTED_COLUMNS, inert
from ..enums import AssignmentRole, GovernmentResponse, Status
from ..extensions import db
from ..models import ActionItem, Agency, Framework, ItemAgency, Pillar

NEW_PLAN = "New plan"  # the example's framework when none is chosen: imported with "create frameworks"


def template_row(framework: Framework | None) -> dict[str, object]:
    """One example row that imports as it is (with "create frameworks" for a new plan): a ref free in the
    tracker, the framework's name, the first pillar, the agency that leads most items."""
    code = framework.code if framework is not None else "NEWPLAN"
    taken = set(db.session.scalars(sa.select(ActionItem.ref).where(ActionItem.ref.like(f"{code}-%"))))
    number = next(n for n in range(1, len(taken) + 2) if f"{code}-{n}" not in taken)
    pillar = db.session.scalar(sa.select(Pillar.code).order_by(Pillar.position).limit(1)) or "prevention"
    lead = db.session.scalar(
        sa.select(Agency.name).join(ItemAgency, ItemAgency.agency_id == Agency.id)
        .where(ItemAgency.role == AssignmentRole.LEAD)
        .group_by(Agency.id, Agency.name).order_by(sa.func.count().desc(), Agency.name).limit(1)
    ) or "Federal Investigation Agency"
    recommendation = framework is not None and framework.is_recommendations
    return {
        "ref": f"{code}-{number}",
        "framework": framework.name if framework is not None else NEW_PLAN,
        "pillar": pillar,
        "section": "The section's heading, as the document gives it",
        "title": "A short title of the action",
        "text": "The action as the document states it, word for word.",
        "lead_agency": lead,
        "supporting_agencies": "",
        "province": "",
        "status": Status.NOT_STARTED.value,
        "progress": 0,
        "due_date": "",
        "priority": "",
        "last_update": "",
        "source": "Where in the document: its section, page or paragraph",
        "response": GovernmentResponse.ACCEPTED.value if recommendation else "",
        "cycle": (framework.year or date.today().year) if recommendation else "",
    }


def template_csv(framework: Framework | None) -> bytes:
    """The template file: UTF-8 with a byte-order mark (spreadsheets then read it as UTF-8), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=IMPORTED_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(inert(template_row(framework)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_filename(framework: Framework | None) -> str:
    return f"plan-template-{framework.code if framework is not None else 'new'}.csv"
