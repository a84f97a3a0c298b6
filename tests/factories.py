"""Test data in one line each (factory_boy), shared by the tests and the benchmarks (bench/, scripts/benchmark.py).

Factories add their rows to `db.session` and flush, inside the caller's app context; the test (or a
view it calls) commits. `ActionItemFactory()` makes an item with its framework, pillar and a lead agency:

    item = ActionItemFactory(pillar=prevention, lead__agency=nadra, due_date=date(2020, 1, 1))
    user = UserFactory(role=Role.AGENCY, agency=nadra)   # logs in with PASSWORD
    ActionItemFactory(lead=None)                         # no lead agency
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from tracker.enums import (
    AgencyKind,
    AssignmentRole,
    Basis,
    FrameworkKind,
    ReportStage,
    Role,
    Status,
    UpdateKind,
    UpdateOrigin,
)
from tracker.extensions import db
from tracker.models import (
    ActionItem,
    Agency,
    CoverageLink,
    Evidence,
    Framework,
    ItemAgency,
    Pillar,
    Province,
    Report,
    Update,
    User,
)

PASSWORD = "correct horse battery"
# Cheap on purpose: werkzeug's default (scrypt) is built to be slow, and tests log in all the time.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "flush"


class FrameworkFactory(BaseFactory):
    class Meta:
        model = Framework

    code = factory.Sequence(lambda n: f"FW{n}")
    name = factory.Sequence(lambda n: f"Framework {n}")
    title = factory.LazyAttribute(lambda o: f"{o.name}: a plan to follow")
    year = 2025


class PillarFactory(BaseFactory):
    class Meta:
        model = Pillar
        # The four pillars are fixed: asking for one by code returns it if it exists.
        sqlalchemy_get_or_create = ("code",)

    code = factory.Iterator(["prevention", "prosecution", "protection", "partnership"])
    name = factory.LazyAttribute(lambda o: o.code.capitalize())
    position = factory.Sequence(int)


class ProvinceFactory(BaseFactory):
    class Meta:
        model = Province

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Province {n}")


class AgencyFactory(BaseFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.Sequence(lambda n: f"AG{n}")
    kind = AgencyKind.FEDERAL_AGENCY


class ActionItemFactory(BaseFactory):
    """An item of a plan with a lead agency (pass `lead=None` for none, `lead__agency=...` to choose it)."""

    class Meta:
        model = ActionItem

    class Params:
        # Statuses, progress and due dates spread over the plan, as a grown catalogue has them.
        varied = factory.Trait(
            status=factory.Iterator(Status),
            progress=factory.Sequence(lambda n: n % 101),
            due_date=factory.Sequence(lambda n: date(2020 + n % 10, 1 + n % 12, 1)),
        )

    ref = factory.Sequence(lambda n: f"TEST-{n}")
    framework = factory.SubFactory(FrameworkFactory)
    pillar = factory.SubFactory(PillarFactory)
    position = factory.Sequence(lambda n: 10_000 + n)
    title = factory.Sequence(lambda n: f"Item {n}")
    text = factory.LazyAttribute(lambda o: f"The text of {o.ref}.")
    status = Status.NOT_STARTED
    progress = 0
    lead = factory.RelatedFactory(
        f"{__name__}.ItemAgencyFactory", factory_related_name="item", role=AssignmentRole.LEAD
    )


class ItemAgencyFactory(BaseFactory):
    """An agency made responsible for an item (supporting unless `role` says lead)."""

    class Meta:
        model = ItemAgency

    item = factory.SubFactory(ActionItemFactory, lead=None)
    agency = factory.SubFactory(AgencyFactory)
    role = AssignmentRole.SUPPORTING
    basis = Basis.ASSIGNED


class UserFactory(BaseFactory):
    """A user with a role (coordinator unless told), who logs in with PASSWORD."""

    class Meta:
        model = User

    class Params:
        password = PASSWORD

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.COORDINATOR
    agency = None
    password_hash = factory.LazyAttribute(lambda o: generate_password_hash(o.password, method=PASSWORD_HASH_METHOD))


class UpdateFactory(BaseFactory):
    """A progress report on an item: from not started to in progress, 10%."""

    class Meta:
        model = Update

    item = factory.SubFactory(ActionItemFactory)
    author = None
    agency = factory.LazyAttribute(lambda o: o.author.agency if o.author else None)
    origin = UpdateOrigin.USER
    kind = UpdateKind.PROGRESS
    status_before = Status.NOT_STARTED
    status_after = Status.IN_PROGRESS
    progress_before = 0
    progress_after = 10
    note = factory.Sequence(lambda n: f"Progress report {n}.")


class ReportFactory(BaseFactory):
    """An agency's report on an item awaiting a coordinator: in progress, 10%."""

    class Meta:
        model = Report

    item = factory.SubFactory(ActionItemFactory)
    author = factory.SubFactory(UserFactory, role=Role.AGENCY, agency=factory.SelfAttribute("..item.lead.agency"))
    agency = factory.LazyAttribute(lambda o: o.author.agency)
    status = Status.IN_PROGRESS
    progress = 10
    note = factory.Sequence(lambda n: f"Report {n}.")
    stage = ReportStage.COORDINATION


class EvidenceFactory(BaseFactory):
    """A link backing an update (or an item directly, when no update is given)."""

    class Meta:
        model = Evidence

    update = None
    item = factory.Maybe(
        "update",
        yes_declaration=factory.SelfAttribute("update.item"),
        no_declaration=factory.SubFactory(ActionItemFactory),
    )
    origin = UpdateOrigin.USER
    url = factory.Sequence(lambda n: f"https://example.org/evidence/{n}")


class CoverageLinkFactory(BaseFactory):
    """A recommendation (of a framework of recommendations) addressed by a plan's action, added by a user."""

    class Meta:
        model = CoverageLink

    recommendation = factory.SubFactory(ActionItemFactory, lead=None,
                                        framework__kind=FrameworkKind.RECOMMENDATIONS)
    action = factory.SubFactory(ActionItemFactory)
    reason = factory.Sequence(lambda n: f"Reason {n}: it does what the recommendation asks.")
    origin = UpdateOrigin.USER


def synthetic_items(count: int) -> list[ActionItem]:
    """`count` items built on the catalogue already loaded (its first framework, its pillars, the agencies
    already responsible for something), statuses and due dates spread out: add them in one go to grow a plan."""
    framework = db.session.scalar(db.select(Framework).order_by(Framework.position, Framework.id))
    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position)).all()
    agencies = db.session.scalars(db.select(Agency).where(Agency.assignments.any()).order_by(Agency.id)).all()
    # Built, not flushed one by one: the caller adds them at once, as a bulk load would write them.
    return ActionItemFactory.build_batch(
        count, varied=True, framework=framework, pillar=factory.Iterator(pillars),
        lead__agency=factory.Iterator(agencies),
    )


def synthetic_indicators(count: int, periods: int = 20, provinces: int = 4, forms: int = 7) -> list[str]:
    """`count` quarterly indicators (codes SYN-1 …), each with a value for every period × province × form of
    exploitation, written in bulk: the plan's results at scale. Returns their codes."""
    from tracker.enums import Exploitation, IndicatorKind, ReportStage, UpdateOrigin
    from tracker.indicators.periods import Period
    from tracker.models import Evidence, Indicator, IndicatorValue, Province, Report

    pillars = db.session.scalars(db.select(Pillar).order_by(Pillar.position)).all()
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.id).limit(20)).all()
    province_ids = db.session.scalars(db.select(Province.id).order_by(Province.id).limit(provinces)).all()
    period, codes = Period(2026, 3), []
    for _ in range(periods - 1):
        period = period.preceding()
    quarters = []
    for _ in range(periods):
        quarters.append(period.code)
        period = period.following()
    base = (db.session.scalar(db.select(db.func.max(Indicator.position))) or 0) + 1
    for n in range(count):
        codes.append(f"SYN-{n + 1}")
        db.session.add(Indicator(code=codes[-1], name=f"Synthetic indicator {n + 1}", kind=IndicatorKind.COUNT,
                                 pillar=pillars[n % len(pillars)], agency=agencies[n % len(agencies)],
                                 breakdowns="province,exploitation", position=base + n))
    db.session.flush()
    ids = dict(db.session.execute(db.select(Indicator.code, Indicator.id).where(Indicator.code.in_(codes))).all())
    forms_used = list(Exploitation)[:forms]
    # Each period's values come from a report the agency sent and a coordinator verified, with a link behind it.
    now = datetime.now(UTC)
    db.session.execute(db.insert(Report), [
        {"indicator_id": ids[code], "period": quarter, "agency_id": agencies[n % len(agencies)].id,
         "stage": ReportStage.VERIFIED, "submitted_at": now, "stage_since": now, "decided_at": now, "note": "",
         "progress": 0, "reason": "", "comment": "", "version": 2}
        for n, code in enumerate(codes) for quarter in quarters])
    reports = {(indicator_id, period): report_id for report_id, indicator_id, period in db.session.execute(
        db.select(Report.id, Report.indicator_id, Report.period).where(Report.indicator_id.in_(ids.values())))}
    db.session.execute(db.insert(Evidence), [
        {"indicator_id": indicator_id, "period": period, "report_id": report_id, "origin": UpdateOrigin.USER,
         "url": f"https://example.org/registers/{report_id}", "note": "", "unit": "", "source_document": "",
         "locator": "", "confidential": False, "original_name": "", "content_type": "", "sha256": "",
         "created_at": now}
        for (indicator_id, period), report_id in reports.items()])
    db.session.execute(db.insert(IndicatorValue), [
        {"indicator_id": ids[code], "period": quarter, "province_id": province_id, "exploitation": form,
         "value": float((n + p + f) % 50), "origin": UpdateOrigin.USER, "note": "", "source_document": "",
         "locator": "", "report_id": reports[ids[code], quarter]}
        for n, code in enumerate(codes) for quarter in quarters for p, province_id in enumerate(province_ids)
        for f, form in enumerate(forms_used)
    ])
    db.session.commit()
    return codes
