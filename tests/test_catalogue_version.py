"""The catalogue's version (tracker/catalogue/version.py): it moves as a change to what pages read of the whole
catalogue commits, whoever makes it and however, and only then; what a process kept is never shown after it."""
import sqlalchemy as sa

from conftest import make_app
from test_admin import token
from test_progress import form_data, post_update
from tracker.catalogue.services import find_agency
from tracker.catalogue.version import catalogue_version
from tracker.enums import AgencyKind, GovernmentResponse
from tracker.extensions import db
from tracker.items.services import filter_options
from tracker.models import ActionItem, Agency
from tracker.pickers.options import all_agencies


def names(app) -> set[str]:
    with app.test_request_context("/"):
        return {agency.name for agency in all_agencies()}


def test_an_agency_renamed_through_the_admin_pages_moves_it_once_and_a_report_does_not(seeded, as_role):
    admin, nadra = as_role("admin"), as_role("agency", "NADRA")
    before = catalogue_version()
    assert post_update(nadra, form_data(nadra)).status_code == 302  # a report: the catalogue is as it was
    assert catalogue_version() == before
    agency = find_agency("NADRA")
    path = f"/admin/agencies/{agency.id}"
    response = admin.post(path, data={"agency-csrf_token": token(admin, path), "agency-name": "NADRA renamed",
                                      "agency-short_name": "NADRA", "agency-kind": agency.kind.value,
                                      "agency-province": "", "agency-parent": ""})
    assert response.status_code == 302
    assert catalogue_version() == before + 1


def test_what_a_process_kept_is_read_again_once_another_process_changes_it(seeded, tmp_path):
    # Two apps on one database, as two gunicorn workers are: each keeps its own reads.
    other = make_app(tmp_path / "other", SQLALCHEMY_DATABASE_URI=seeded.config["SQLALCHEMY_DATABASE_URI"])
    assert "Federal Investigation Agency" in names(seeded)
    with other.app_context():
        assert "Federal Investigation Agency" in names(other)
        db.session.execute(sa.update(Agency).where(Agency.short_name == "FIA").values(name="FIA by statement"))
        db.session.commit()  # a statement through the session, not an object: noted all the same
        db.session.remove()
        db.engine.dispose()
    db.session.remove()
    assert "FIA by statement" in names(seeded) and "Federal Investigation Agency" not in names(seeded)


def test_a_change_rolled_back_leaves_it_and_a_transaction_sees_its_own_change(seeded):
    before = catalogue_version()
    with seeded.test_request_context("/"):
        all_agencies()  # kept at this version
        db.session.add(Agency(name="Bureau not yet committed", kind=AgencyKind.FEDERAL_AGENCY))
        db.session.flush()
        assert "Bureau not yet committed" in {agency.name for agency in all_agencies()}
        db.session.rollback()
        assert "Bureau not yet committed" not in {agency.name for agency in all_agencies()}
    db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-g")).progress = 5
    db.session.commit()
    assert catalogue_version() == before  # an item's progress is not the catalogue's; the rolled back add is gone
    find_agency("FIA").note = "a note"
    db.session.commit()
    assert catalogue_version() == before + 1
    db.session.execute(sa.update(ActionItem).where(ActionItem.ref == "PAPER-g").values(progress=10))
    db.session.commit()
    assert catalogue_version() == before + 2  # a statement on the items: counted without looking at its columns


def test_an_items_new_response_is_offered_by_the_filter_next_time(seeded):
    def responses():
        with seeded.test_request_context("/"):
            return filter_options().responses

    assert GovernmentResponse.NOTED not in responses()
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-g"))
    item.response = GovernmentResponse.NOTED
    db.session.commit()
    assert GovernmentResponse.NOTED in responses()


def test_it_is_moved_last_just_before_the_commit(seeded):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0] + " " + statement.split()[1])

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        find_agency("FIA").short_name = "FIA-HQ"
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements[-1] == "UPDATE catalogue_version"
    assert any(statement == "UPDATE agencies" for statement in statements[:-1])
