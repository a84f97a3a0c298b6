"""The factories make rows the app accepts as its own: pages show them, their users log in and report."""
import sqlalchemy as sa

from conftest import log_in
from factories import (
    PASSWORD,
    ActionItemFactory,
    AgencyFactory,
    EvidenceFactory,
    ReportFactory,
    UpdateFactory,
    UserFactory,
    synthetic_items,
)
from tracker.enums import AssignmentRole, Role, Status
from tracker.extensions import db
from tracker.models import ActionItem, ItemAgency


def test_an_item_comes_with_its_framework_pillar_and_lead(app):
    nadra = AgencyFactory(name="National Database and Registration Authority", short_name="NADRA")
    item = ActionItemFactory(lead__agency=nadra)
    bare = ActionItemFactory(lead=None)
    db.session.commit()
    assert item.framework and item.pillar and item.lead.agency is nadra
    assert item.lead.role == AssignmentRole.LEAD and bare.assignments == []
    assert item.status == Status.NOT_STARTED and item.is_open


def test_a_factory_user_logs_in_and_reports_on_the_item_its_agency_leads(app, client):
    item = ActionItemFactory()
    UserFactory(role=Role.AGENCY, agency=item.lead.agency, email="focal@example.org")
    db.session.commit()
    assert log_in(client, "focal@example.org", PASSWORD).status_code == 302
    assert client.get(f"/items/{item.ref}").status_code == 200
    assert client.get(f"/items/{item.ref}/update").status_code == 200


def test_history_rows_hang_together(app):
    author = UserFactory(role=Role.AGENCY, agency=AgencyFactory())
    update = UpdateFactory(author=author)
    evidence = EvidenceFactory(update=update)
    report = ReportFactory(item=update.item, author=author)
    update.report = report
    db.session.commit()
    assert update.agency is author.agency and report.agency is author.agency and report.is_pending
    assert evidence.item is update.item and update.evidence == [evidence] and report.entries == [update]
    assert update.item.pending_reports == [report]


def test_synthetic_items_spread_over_the_plan(app):
    ActionItemFactory.create_batch(4, lead__agency=AgencyFactory())
    db.session.add_all(synthetic_items(40))
    db.session.commit()
    items = db.session.scalars(sa.select(ActionItem)).all()
    assert len(items) == 44
    assert len({i.status for i in items}) == len(Status) and len({i.pillar_id for i in items}) == 4
    leads = db.session.scalar(sa.select(sa.func.count()).select_from(ItemAgency).where(ItemAgency.role == "lead"))
    assert leads == 44
