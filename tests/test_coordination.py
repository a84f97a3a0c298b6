"""Coordinators assign agencies, set due dates and priorities, one item or many; others may not."""
import re
from datetime import date

import sqlalchemy as sa

from conftest import csrf_token
from conftest import fresh_item as item
from tracker.catalogue.services import find_agency
from tracker.enums import Basis, Priority, UpdateKind
from tracker.extensions import db
from tracker.models import Update
from tracker.seeding.loader import seed_catalogue

REF = "PAPER-a"


def version_and_token(client, path):
    html = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    return (version.group(1) if version else None), csrf_token(html)


def test_coordinator_reassigns_agencies_and_history_records_it(as_role, app):
    client = as_role("coordinator")
    version, token = version_and_token(client, f"/items/{REF}/agencies")
    unodc, fia = find_agency("UNODC"), find_agency("FIA")
    response = client.post(f"/items/{REF}/agencies", data={"csrf_token": token, "version": version,
                                                           "lead": str(fia.id), "supporting": [str(unodc.id)]})
    assert response.status_code == 302
    current = item(REF)
    assert current.lead.agency is fia and current.lead.basis == Basis.ASSIGNED
    assert [a.agency for a in current.supporting] == [unodc]
    (update,) = [u for u in current.updates if u.kind == UpdateKind.ASSIGNMENT]
    assert "lead:" in update.note and "FIA" in update.note and update.author.role.value == "coordinator"
    # A re-seed keeps what the coordinator decided.
    seed_catalogue(app.config["SEED_DIR"])
    assert item(REF).lead.agency is find_agency("FIA")


def test_assigned_agency_can_then_report(as_role):
    coordinator = as_role("coordinator")
    version, token = version_and_token(coordinator, f"/items/{REF}/agencies")
    sahil = find_agency("Sahil")
    lead = item(REF).lead.agency
    coordinator.post(f"/items/{REF}/agencies", data={"csrf_token": token, "version": version, "lead": str(lead.id),
                                                     "supporting": [str(sahil.id)]})
    assert as_role("agency", "Sahil").get(f"/items/{REF}/update").status_code == 200


def test_coordinator_sets_due_date_and_priority(as_role):
    client = as_role("coordinator")
    version, token = version_and_token(client, f"/items/{REF}/plan")
    response = client.post(f"/items/{REF}/plan", data={"csrf_token": token, "version": version,
                                                       "due_date": "2027-03-31", "priority": "high"})
    assert response.status_code == 302
    current = item(REF)
    assert (current.due_date, current.priority, current.due_derived) == (date(2027, 3, 31), Priority.HIGH, False)
    assert "due date: none → 31 Mar 2027" in current.updates[0].note


def test_stale_plan_is_refused(as_role):
    client = as_role("coordinator")
    version, token = version_and_token(client, f"/items/{REF}/plan")
    client.post(f"/items/{REF}/plan", data={"csrf_token": token, "version": version, "due_date": "2027-01-01"})
    response = client.post(f"/items/{REF}/plan", data={"csrf_token": token, "version": version,
                                                       "due_date": "2028-01-01", "priority": "low"})
    assert response.status_code == 409
    assert 'value="2028-01-01"' in response.get_data(as_text=True)
    assert item(REF).due_date == date(2027, 1, 1)


def test_bulk_due_date_priority_and_agency(as_role):
    client = as_role("coordinator")
    html = client.get("/items?framework=PAPER").get_data(as_text=True)
    assert 'form="bulk-form"' in html
    token = csrf_token(html)
    refs = ["PAPER-b", "PAPER-c", "PAPER-d"]
    response = client.post("/items/bulk", data={"csrf_token": token, "refs": refs, "action": "due_date",
                                                "due_date": "2027-06-30", "next": "/items?framework=PAPER"})
    assert response.status_code == 302
    assert all(item(ref).due_date == date(2027, 6, 30) for ref in refs)
    client.post("/items/bulk", data={"csrf_token": token, "refs": refs[:2], "action": "priority", "priority": "low"})
    assert [item(ref).priority for ref in refs] == [Priority.LOW, Priority.LOW, None]
    bedari = find_agency("Bedari")
    client.post("/items/bulk",
                data={"csrf_token": token, "refs": refs, "action": "supporting", "agency": str(bedari.id)})
    assert all(bedari in [a.agency for a in item(ref).supporting] for ref in refs)
    kinds = db.session.scalars(sa.select(Update.kind).where(Update.item.has(ref="PAPER-b"))).all()
    assert sorted(k.value for k in kinds) == ["assignment", "planning", "planning"]


def test_bulk_with_an_unknown_ref_changes_nothing(as_role):
    client = as_role("coordinator")
    token = csrf_token(client.get("/items").get_data(as_text=True))
    response = client.post("/items/bulk", data={"csrf_token": token, "refs": ["PAPER-b", "NOPE-1"],
                                                "action": "due_date", "due_date": "2027-06-30"}, follow_redirects=True)
    assert "Unknown items: NOPE-1" in response.get_data(as_text=True)
    assert item("PAPER-b").due_date is None


def test_bulk_without_selection_says_so(as_role):
    client = as_role("coordinator")
    token = csrf_token(client.get("/items").get_data(as_text=True))
    response = client.post("/items/bulk", data={"csrf_token": token, "action": "priority", "priority": "high"},
                           follow_redirects=True)
    assert "Select at least one item" in response.get_data(as_text=True)


def test_only_coordinators_coordinate(as_role):
    for client in (as_role("agency", "NADRA"), as_role("rapporteur"), as_role("admin")):
        token = csrf_token(client.get("/items").get_data(as_text=True))
        assert 'form="bulk-form"' not in client.get("/items").get_data(as_text=True)
        assert client.get(f"/items/{REF}/agencies").status_code == 403
        assert client.get(f"/items/{REF}/plan").status_code == 403
        plan = {"csrf_token": token, "due_date": "2027-01-01"}
        assert client.post(f"/items/{REF}/plan", data=plan).status_code == 403
        assert client.post("/items/bulk", data={"csrf_token": token, "refs": [REF], "action": "due_date",
                                                "due_date": "2027-01-01"}).status_code == 403
    assert item(REF).due_date is None
    assert db.session.scalars(sa.select(Update).where(Update.kind != UpdateKind.PROGRESS)).all() == []


def test_a_report_on_a_copy_older_than_a_coordinators_change_lists_that_change(as_role):
    # The history writer stamps every entry with the version it produced, coordinators' included,
    # so an agency saving on an older copy is shown the new due date it missed.
    agency = as_role("agency", "Ministry of Interior")
    page = agency.get(f"/items/{REF}/update").get_data(as_text=True)
    agency_version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    coordinator = as_role("coordinator")
    version, token = version_and_token(coordinator, f"/items/{REF}/plan")
    assert coordinator.post(f"/items/{REF}/plan", data={"csrf_token": token, "version": version,
                                                        "due_date": "2027-06-30"}).status_code == 302
    response = agency.post(f"/items/{REF}/update", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(page), "version": agency_version, "status": "in_progress",
                                 "progress": "20", "note": "Draft circulated."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "due date: none → 30 Jun 2027" in html and "Draft circulated." in html
    planning = [u for u in item(REF).updates if u.kind == UpdateKind.PLANNING]
    assert planning[0].item_version == item(REF).version


def test_a_refused_bulk_change_says_why_and_returns_to_the_list(as_role):
    client = as_role("coordinator")
    token = csrf_token(client.get("/items").get_data(as_text=True))
    response = client.post("/items/bulk", data={"csrf_token": token, "refs": [REF], "action": "lead",
                                                "agency": "999999", "next": "/items?pillar=prevention"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/items?pillar=prevention")
    page = client.get("/items?pillar=prevention").get_data(as_text=True)
    assert "Nothing changed: That agency does not exist." in page
