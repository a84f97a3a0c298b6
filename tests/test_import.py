"""Importing a plan from a CSV file in the export's columns: checked first, then all rows or none."""
import csv
import io
import re

import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from downloads import csv_text
from tracker.catalogue.services import find_agency
from tracker.contract import CSV_COLUMNS, IMPORTED_COLUMNS
from tracker.enums import AgencyKind, AssignmentRole, Basis, ReportStep, Status, UpdateKind
from tracker.extensions import db
from tracker.models import ActionItem, Agency, AgencyAlias, Framework, ItemAgency, Update, User

PUNJAB = [
    {"ref": "PBPLAN-1", "framework": "Punjab plan", "pillar": "prevention", "section": "Awareness",
     "title": "Run awareness campaigns at brick kilns", "text": "The Task Force will run campaigns at brick kilns.",
     "lead_agency": "Punjab Anti-Trafficking Task Force", "supporting_agencies": "FIA; Ministry of Interior",
     "province": "Punjab", "status": "not_started", "progress": "0", "due_date": "2026-06-30", "priority": "high",
     "last_update": "", "source": "Punjab plan 2025, section 1"},
    {"ref": "PBPLAN-2", "framework": "Punjab plan", "pillar": "protection", "section": "Shelters",
     "title": "Open two shelters", "text": "Two shelters will be opened in Lahore and Multan.",
     "lead_agency": "punjab   anti-trafficking task force", "supporting_agencies": "",
     "province": "PB", "status": "in_progress", "progress": "40", "due_date": "", "priority": "",
     "last_update": "2025-01-31", "source": "Punjab plan 2025, section 2"},
    {"ref": "PBPLAN-3", "framework": "Punjab plan", "pillar": "prosecution", "section": "Courts",
     "title": "Train prosecutors", "text": "-Prosecutors are trained in the 2018 Act.",
     "lead_agency": "DG FIA", "supporting_agencies": "Punjab Anti-Trafficking Task Force",
     "province": "", "status": "completed", "progress": "100", "due_date": "", "priority": "low",
     "last_update": "", "source": "Punjab plan 2025, section 3"},
]


def plan_file(path, rows, columns=CSV_COLUMNS):
    """Write rows as the export would (a spreadsheet-safe `'` before a would-be formula)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            cells = ((c, row.get(c, "")) for c in columns)
            writer.writerow({c: "'" + v if v and v[0] in "=+-@" else v for c, v in cells})
    return path


def export_all(runner, path):
    result = runner.invoke(args=["export", "--format", "csv", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def read_rows(path):
    return list(csv.DictReader(io.StringIO(csv_text(path.read_bytes()))))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def snapshot():
    """Every item's version and fields, and how many rows each table holds."""
    db.session.expire_all()
    items = {
        item.ref: (item.version, item.status, item.progress, item.title, item.text, item.locator, item.due_date,
                   item.priority, item.framework_id, item.pillar_id, item.province_id,
                   tuple(sorted((a.agency_id, a.role.value, a.basis.value) for a in item.assignments)))
        for item in db.session.scalars(sa.select(ActionItem))
    }
    counts = {m.__name__: count(m) for m in (ActionItem, Update, Agency, AgencyAlias, Framework, ItemAgency)}
    return items, counts


def import_plan(runner, path, *options):
    return runner.invoke(args=["import-plan", str(path), *options])


def test_importing_the_export_changes_nothing(seeded, runner, tmp_path):
    # Cells the export neutralises with a leading quote must be read back without it.
    item = fresh_item("PAPER-a")
    item.title, item.section = "=SUM(1) is not a formula", "-a dash first"
    db.session.commit()
    path = export_all(runner, tmp_path / "all.csv")
    assert read_rows(path)[0] and any(r["title"] == "'=SUM(1) is not a formula" for r in read_rows(path))
    before = snapshot()
    result = import_plan(runner, path)
    assert result.exit_code == 0, result.output
    assert f"0 new, 0 updated, {len(before[0])} unchanged; 0 history entries" in result.output
    assert snapshot() == before
    assert fresh_item("PAPER-a").title == "=SUM(1) is not a formula"


def test_the_export_s_reported_columns_are_optional_and_ignored(seeded, runner, tmp_path):
    """verified_at, pending_status and pending_progress describe the tracker's state; the import never reads them."""
    rows = read_rows(export_all(runner, tmp_path / "all.csv"))
    for row in rows:
        row.update(verified_at="2020-01-01", pending_status="completed", pending_progress="100")
    before = snapshot()
    for columns in (CSV_COLUMNS, IMPORTED_COLUMNS):  # with the three columns, and without them (older files)
        result = import_plan(runner, plan_file(tmp_path / "plan.csv", rows, columns))
        assert result.exit_code == 0, result.output
        assert f"0 new, 0 updated, {len(rows)} unchanged" in result.output
    assert snapshot() == before


def test_a_new_plan_is_created_and_listed(as_role, runner, tmp_path):
    path = plan_file(tmp_path / "punjab.csv", PUNJAB)
    agencies_before = count(Agency)
    result = import_plan(runner, path, "--create-agencies", "--create-frameworks")
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated, 0 unchanged" in result.output
    assert "agencies created: Punjab Anti-Trafficking Task Force" in result.output
    assert "frameworks created: Punjab plan" in result.output
    assert count(Agency) == agencies_before + 1
    task_force = find_agency("PUNJAB ANTI-TRAFFICKING TASK FORCE")
    assert task_force.kind == AgencyKind.OTHER
    framework = db.session.scalar(sa.select(Framework).where(Framework.name == "Punjab plan"))

    first, second, third = fresh_item("PBPLAN-1"), fresh_item("PBPLAN-2"), fresh_item("PBPLAN-3")
    assert first.framework is framework and first.pillar.code == "prevention" and first.province.name == "Punjab"
    assert first.lead.agency is task_force and first.lead.basis == Basis.ASSIGNED
    assert [a.agency for a in first.supporting] == [find_agency("FIA"), find_agency("Ministry of Interior")]
    assert first.due_date.isoformat() == "2026-06-30" and first.priority.value == "high"
    assert first.locator == "Punjab plan 2025, section 1" and first.updates == []
    assert second.lead.agency is task_force and second.province.code == "PB"
    assert (second.status, second.progress) == (Status.IN_PROGRESS, 40)
    [entry] = second.updates
    assert entry.note == "Imported from punjab.csv" and entry.kind == UpdateKind.PROGRESS
    assert (entry.status_before, entry.status_after, entry.progress_after) == (
        Status.NOT_STARTED, Status.IN_PROGRESS, 40)
    assert third.text == "-Prosecutors are trained in the 2018 Act." and third.status == Status.COMPLETED
    assert third.lead.agency is find_agency("FIA") and [a.agency for a in third.supporting] == [task_force]

    page = as_role("rapporteur").get(f"/items?framework={framework.code}").get_data(as_text=True)
    assert all(ref in page for ref in ("PBPLAN-1", "PBPLAN-2", "PBPLAN-3")) and "PAPER-a" not in page


def test_unknown_agency_without_the_flag_is_an_error_and_nothing_is_written(seeded, runner, tmp_path):
    path = plan_file(tmp_path / "punjab.csv", PUNJAB)
    before = snapshot()
    result = import_plan(runner, path, "--create-frameworks")
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "row 2, column lead_agency: unknown agency 'Punjab Anti-Trafficking Task Force'" in result.output
    assert "row 3, column lead_agency: unknown agency" in result.output
    assert "row 4, column supporting_agencies: unknown agency" in result.output
    assert snapshot() == before
    assert fresh_item("PBPLAN-1") is None and find_agency("Punjab Anti-Trafficking Task Force") is None
    assert db.session.scalar(sa.select(Framework).where(Framework.name == "Punjab plan")) is None


def test_unknown_framework_without_the_flag_is_an_error(seeded, runner, tmp_path):
    path = plan_file(tmp_path / "punjab.csv", PUNJAB)
    before = snapshot()
    result = import_plan(runner, path, "--create-agencies")
    assert result.exit_code == 1
    assert "row 2, column framework: unknown framework 'Punjab plan'" in result.output
    assert snapshot() == before and find_agency("Punjab Anti-Trafficking Task Force") is None


def test_every_bad_row_is_reported_and_nothing_is_written(seeded, runner, tmp_path):
    exported = read_rows(export_all(runner, tmp_path / "all.csv"))
    paper_a = next(r for r in exported if r["ref"] == "PAPER-a")
    good = {**PUNJAB[0], "framework": "PAPER", "lead_agency": "FIA", "supporting_agencies": ""}
    rows = [
        {**paper_a, "title": "A changed title that must not be saved"},  # row 2: valid, an update
        {**good, "ref": "NEW-1"},  # row 3: valid, new
        {**good, "ref": "NEW-2", "pillar": "poverty"},  # row 4
        {**good, "ref": "NEW-3", "status": "in_progress", "progress": "150"},  # row 5
        {**good, "ref": "NEW-4", "due_date": "30/06/2026"},  # row 6
        {**good, "ref": "NEW-5", "status": "done"},  # row 7
        {**good, "ref": "NEW-6", "lead_agency": ""},  # row 8
        {**good, "ref": "NEW-1"},  # row 9: the ref of row 3 again
        {**good, "ref": "NEW-7", "last_update": "yesterday", "priority": "urgent"},  # row 10
    ]
    path = plan_file(tmp_path / "bad.csv", rows)
    before = snapshot()
    result = import_plan(runner, path)
    assert result.exit_code == 1
    assert "has 8 problem(s); nothing was written" in result.output
    for expected in (
        "row 4, column pillar: 'poverty' is not one of: prevention, prosecution, protection, partnership",
        "row 5, column progress: '150' must be a whole number from 0 to 100",
        "row 6, column due_date: '30/06/2026' is not a date (YYYY-MM-DD)",
        "row 7, column status: 'done' is not one of: not_started",
        "row 8, column lead_agency: is required",
        "row 9, column ref: NEW-1 is also on row 3",
        "row 10, column last_update: 'yesterday' is not a date",
        "row 10, column priority: 'urgent' is not one of: high, medium, low",
    ):
        assert expected in result.output
    assert "row 2" not in result.output and "row 3," not in result.output
    assert snapshot() == before
    assert fresh_item("NEW-1") is None and fresh_item("PAPER-a").title != "A changed title that must not be saved"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(seeded, runner, tmp_path):
    path = plan_file(tmp_path / "punjab.csv", PUNJAB)
    first = import_plan(runner, path, "--create-agencies", "--create-frameworks")
    assert first.exit_code == 0 and "3 new" in first.output
    after_first = snapshot()
    second = import_plan(runner, path, "--create-agencies", "--create-frameworks")
    assert second.exit_code == 0, second.output
    assert "0 new, 0 updated, 3 unchanged; 0 history entries" in second.output
    assert "created" not in second.output
    assert snapshot() == after_first


def test_changes_to_existing_items_go_through_their_history(seeded, runner, tmp_path, make_user):
    coordinator = make_user("coordinator")
    exported = {r["ref"]: r for r in read_rows(export_all(runner, tmp_path / "all.csv"))}
    row = exported["PAPER-g"]
    assert row["status"] == "not_started" and row["lead_agency"] != "Federal Investigation Agency"
    item = fresh_item("PAPER-g")
    version, other_version = item.version, fresh_item("PAPER-a").version
    changed = {**row, "title": "A curated new title", "status": "in_progress", "progress": "30",
               "lead_agency": "FIA", "supporting_agencies": row["lead_agency"], "due_date": "2027-01-31"}
    path = plan_file(tmp_path / "one.csv", [changed])  # a file of one item: the others are left alone
    items_before = count(ActionItem)
    result = import_plan(runner, path, "--user", "coordinator@example.org")
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 0 unchanged; 3 history entries" in result.output
    item = fresh_item("PAPER-g")
    assert item.title == "A curated new title" and (item.status, item.progress) == (Status.IN_PROGRESS, 30)
    assert item.version > version and item.due_date.isoformat() == "2027-01-31"
    assert item.lead.agency is find_agency("FIA")
    assert item.lead.basis == Basis.ASSIGNED and item.lead.assigned_by.id == coordinator.id
    assert [a.agency.name for a in item.supporting] == [row["lead_agency"]]
    assert all(a.role != AssignmentRole.LEAD for a in item.supporting)
    entries = {u.kind: u for u in item.updates}
    assert set(entries) == {UpdateKind.PROGRESS, UpdateKind.ASSIGNMENT, UpdateKind.PLANNING}
    progress = entries[UpdateKind.PROGRESS]
    assert progress.note == "Imported from one.csv" and progress.author.id == coordinator.id
    assert (progress.status_before, progress.status_after, progress.progress_after) == (
        Status.NOT_STARTED, Status.IN_PROGRESS, 30)
    assert progress.item_version == item.version and progress.step == ReportStep.OFFICIAL and not progress.report
    assert "lead:" in entries[UpdateKind.ASSIGNMENT].note and "31 Jan 2027" in entries[UpdateKind.PLANNING].note
    assert count(ActionItem) == items_before and fresh_item("PAPER-a").version == other_version
    updates = count(Update)
    again = import_plan(runner, path, "--user", "coordinator@example.org")
    assert "0 new, 0 updated, 1 unchanged" in again.output
    assert count(Update) == updates and fresh_item("PAPER-g").version == item.version


def test_status_and_progress_must_agree(seeded, runner, tmp_path):
    rows = [{**PUNJAB[2], "framework": "PAPER", "status": "completed", "progress": "60"},
            {**PUNJAB[2], "ref": "PBPLAN-4", "framework": "PAPER", "status": "not_started", "progress": "10"}]
    result = import_plan(runner, plan_file(tmp_path / "p.csv", rows), "--create-agencies")
    assert result.exit_code == 1
    assert "row 2, column progress: a completed item is 100% done, not 60%" in result.output
    assert "row 3, column progress: an item that has not started has 0% progress, not 10%" in result.output
    assert find_agency("Punjab Anti-Trafficking Task Force") is None


def test_header_must_be_the_contract(seeded, runner, tmp_path):
    columns = [c for c in CSV_COLUMNS if c not in ("pillar", "source")] + ["notes"]
    result = import_plan(runner, plan_file(tmp_path / "h.csv", PUNJAB, columns=columns))
    assert result.exit_code == 1
    assert "row 1: missing columns: pillar, source" in result.output
    assert "row 1: unknown columns: notes" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "row 1: the header row is missing" in import_plan(runner, empty).output


def test_file_encoding_bom_and_other_encodings(seeded, runner, tmp_path):
    path = plan_file(tmp_path / "punjab.csv", PUNJAB)
    with_bom = tmp_path / "bom.csv"
    with_bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = import_plan(runner, with_bom, "--create-agencies", "--create-frameworks")
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes(path.read_text(encoding="utf-8").replace("Awareness", "Sensibilisé").encode("cp1252"))
    before = snapshot()
    bad = import_plan(runner, latin)
    assert bad.exit_code == 1 and "is not UTF-8 text" in bad.output
    assert snapshot() == before


def test_dry_run_reports_and_writes_nothing(seeded, runner, tmp_path):
    before = snapshot()
    result = import_plan(runner, plan_file(tmp_path / "punjab.csv", PUNJAB), "--create-agencies",
                         "--create-frameworks", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing written" in result.output and "3 new" in result.output
    assert snapshot() == before and fresh_item("PBPLAN-1") is None


# The upload page


def upload(client, content: bytes, filename="punjab.csv", token=None, **fields):
    token = token if token is not None else csrf_token(client.get("/admin/import").get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), **fields}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def is_ticked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', html).group(0)
    return " checked" in tag


def punjab_bytes(tmp_path, rows=PUNJAB) -> bytes:
    return plan_file(tmp_path / "upload.csv", rows).read_bytes()


def test_the_upload_page_is_for_admins_only(as_role, tmp_path):
    admin = as_role("admin")
    page = admin.get("/admin/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    assert 'href="/admin/import"' in admin.get("/items").get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    for client in (as_role("coordinator"), as_role("rapporteur"), as_role("agency", agency="FIA")):
        assert client.get("/admin/import").status_code == 403
        assert 'href="/admin/import"' not in client.get("/items").get_data(as_text=True)
        response = upload(client, punjab_bytes(tmp_path), token=csrf_token(client.get("/items").get_data(as_text=True)),
                          create_agencies="y", create_frameworks="y")
        assert response.status_code == 403
    assert token and fresh_item("PBPLAN-1") is None


def test_upload_lists_every_problem_and_keeps_the_choices(as_role, tmp_path):
    admin = as_role("admin")
    rows = [{**PUNJAB[0], "pillar": "poverty"}, {**PUNJAB[1], "progress": "150"}, PUNJAB[2]]
    before = snapshot()
    response = upload(admin, punjab_bytes(tmp_path, rows), create_agencies="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "nothing was written" in html
    assert "<td>2</td><td>pillar</td>" in html and "<td>3</td><td>progress</td>" in html
    assert "<td>2</td><td>framework</td><td>unknown framework" in html
    assert is_ticked(html, "create_agencies") and not is_ticked(html, "create_frameworks")
    assert snapshot() == before


def test_upload_imports_and_shows_the_counts(as_role, tmp_path):
    admin = as_role("admin")
    me = db.session.scalar(sa.select(User).where(User.email == "admin-x@example.org"))
    checked = upload(admin, punjab_bytes(tmp_path), create_agencies="y", create_frameworks="y", dry_run="y")
    assert checked.status_code == 200 and "Checked (nothing written)" in checked.get_data(as_text=True)
    assert fresh_item("PBPLAN-1") is None
    response = upload(admin, punjab_bytes(tmp_path), create_agencies="y", create_frameworks="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The plan is imported." in html
    assert "<th scope=\"row\">New items</th><td class=\"text-end\">3</td>" in html
    assert "Agencies created: Punjab Anti-Trafficking Task Force." in html
    item = fresh_item("PBPLAN-2")
    assert item.lead.assigned_by.id == me.id and item.updates[0].author.id == me.id
    again = upload(admin, punjab_bytes(tmp_path), create_agencies="y", create_frameworks="y")
    assert "<th scope=\"row\">Unchanged items</th><td class=\"text-end\">3</td>" in again.get_data(as_text=True)


def test_upload_needs_csrf_and_a_csv_file(as_role, tmp_path):
    admin = as_role("admin")
    assert upload(admin, punjab_bytes(tmp_path), token="", create_agencies="y",
                  create_frameworks="y").status_code == 400
    wrong = upload(admin, b"%PDF-1.4", filename="plan.pdf")
    assert wrong.status_code == 422 and "Only .csv files" in wrong.get_data(as_text=True)
    assert fresh_item("PBPLAN-1") is None and find_agency("Punjab Anti-Trafficking Task Force") is None
