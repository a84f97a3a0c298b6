"""The audit log: each security-relevant event recorded where it happens, through the real HTTP paths;
nothing ever changes or removes an event; the admins' page and its CSV."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conftest import csrf_token, log_in, make_app
from downloads import csv_text
from test_backup import fresh_database_url, needs_pg_tools, serving_app  # noqa: F401 (the fixture)
from test_import import PUNJAB, punjab_bytes, upload
from test_progress import PDF, form_data, post_update
from tracker.audit.services import CSV_COLUMNS, record
from tracker.catalogue.services import find_agency
from tracker.enums import AuditEventKind, Role
from tracker.extensions import db
from tracker.models import AuditEvent, Evidence, User

Kind = AuditEventKind


def events(kind: AuditEventKind | None = None) -> list[AuditEvent]:
    """The recorded events (of one kind), oldest first, as the database holds them now."""
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if kind is not None:
        query = query.where(AuditEvent.event == kind)
    return list(db.session.scalars(query))


def only(kind: AuditEventKind) -> AuditEvent:
    found = events(kind)
    assert len(found) == 1, [(e.event, e.detail) for e in found]
    return found[0]


def page_token(client, path: str = "/notifications") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


def test_an_event_is_saved_by_the_commit_of_its_change_and_never_changed(app):
    record(Kind.EXPORT, subject="export:csv", detail="rolled back with its change")
    db.session.rollback()
    assert events() == []
    record(Kind.EXPORT, subject="export:csv", detail="no filters; 3 items")
    db.session.commit()
    (event,) = events()
    assert (event.subject, event.detail, event.user_id) == ("export:csv", "no filters; 3 items", None)
    assert event.actor.startswith("command line (")
    event.detail = "edited"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert [e.detail for e in events()] == ["no filters; 3 items"]


def test_a_login_and_a_logout_are_recorded_with_who_and_from_where(app, client, make_user):
    user = make_user("coordinator")
    assert log_in(client, "coordinator@example.org").status_code == 302
    login = only(Kind.LOGIN)
    assert (login.user_id, login.actor, login.address, login.subject) == (
        user.id, "coordinator@example.org", "127.0.0.1", f"user:{user.id}")
    assert login.when.tzinfo is not None
    client.post("/logout", data={"csrf_token": page_token(client)})
    assert log_in(client, "coordinator@example.org").status_code == 302
    client.post("/logout/everywhere", data={"csrf_token": page_token(client)})
    here, everywhere = events(Kind.LOGOUT)
    assert (here.user_id, here.actor, here.address, here.detail) == (user.id, user.email, "127.0.0.1", "this login")
    assert (everywhere.user_id, everywhere.detail) == (user.id, "everywhere: 1 login(s) ended")


def test_a_failed_login_records_the_email_tried_and_why(app, client, make_user):
    user = make_user("coordinator")
    assert log_in(client, "Coordinator@Example.org", "wrong password").status_code == 200
    assert log_in(client, "stranger@example.org").status_code == 200
    user.active = False
    db.session.commit()
    assert log_in(client, "coordinator@example.org").status_code == 200
    wrong, unknown, deactivated = events(Kind.LOGIN_FAILED)
    assert [(e.actor, e.subject, e.detail) for e in (wrong, unknown, deactivated)] == [
        ("Coordinator@Example.org", f"user:{user.id}", "wrong password"),
        ("stranger@example.org", "", "no account has this e-mail"),
        ("coordinator@example.org", f"user:{user.id}", "the account is deactivated"),
    ]
    assert {(e.user_id, e.address) for e in (wrong, unknown, deactivated)} == {(None, "127.0.0.1")}
    assert events(Kind.LOGIN) == []


def test_a_login_refused_by_throttling_is_a_lockout_from_the_clients_address(app, client, make_user):
    app.config["LOGIN_FREE_ATTEMPTS"] = 1
    make_user("coordinator")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    log_in(client, "coordinator@example.org", "wrong password")
    page = log_in(client, "coordinator@example.org").get_data(as_text=True)
    assert "Too many attempts" in page
    lockout = only(Kind.LOCKOUT)
    assert (lockout.actor, lockout.address, lockout.user_id) == ("coordinator@example.org", "203.0.113.9", None)
    assert "refused unchecked" in lockout.detail
    assert only(Kind.LOGIN_FAILED).address == "203.0.113.9" and events(Kind.LOGIN) == []


def admin_user() -> User:
    return db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))


def test_accounts_made_changed_and_reset_by_an_admin_are_recorded(as_role, make_user):
    admin = as_role("admin")
    me = admin_user()
    nadra = find_agency("NADRA")
    admin.post("/admin/users", data={"csrf_token": page_token(admin, "/admin/users"), "email": "focal@nadra.example",
                                     "role": "agency", "agency": str(nadra.id)})
    focal = db.session.scalar(sa.select(User).where(User.email == "focal@nadra.example"))
    made = events(Kind.ACCOUNT_CREATED)[-1]
    assert (made.user_id, made.actor, made.address, made.subject) == (me.id, me.email, "127.0.0.1", f"user:{focal.id}")
    assert made.detail == "focal@nadra.example: role agency, agency NADRA, state active"
    path = f"/admin/users/{focal.id}"
    admin.post(f"{path}/password", data={"csrf_token": page_token(admin, path)})
    reset = only(Kind.PASSWORD_RESET)
    assert (reset.actor, reset.subject, reset.address) == (me.email, f"user:{focal.id}", "127.0.0.1")
    welcome, link = events(Kind.PASSWORD_LINK_SENT)  # the new account's, then the reset's (no mail server here)
    assert (link.actor, link.subject) == (me.email, f"user:{focal.id}")
    assert "welcome link, the admin reset the password; not delivered" in link.detail
    assert "welcome link, account created" in welcome.detail
    admin.post(path, data={"csrf_token": page_token(admin, path), "name": "Focal", "role": "coordinator",
                           "agency": ""})  # "active" unticked
    changed = only(Kind.ACCOUNT_CHANGED)
    assert (changed.actor, changed.subject) == (me.email, f"user:{focal.id}")
    assert changed.detail == ("focal@nadra.example: role agency → coordinator; agency NADRA → none; "
                              "state active → deactivated")


def test_a_refused_or_empty_account_change_records_nothing(as_role):
    admin = as_role("admin")
    me = admin_user()
    path = f"/admin/users/{me.id}"
    refused = admin.post(path, data={"csrf_token": page_token(admin, path), "role": "coordinator", "agency": "",
                                     "active": "y"})
    assert refused.status_code == 422 and "last active admin" in refused.get_data(as_text=True)
    renamed = admin.post(path, data={"csrf_token": page_token(admin, path), "name": "Another Name", "role": "admin",
                                     "agency": "", "active": "y"})
    assert renamed.status_code == 302  # a name says nothing about what the account may do
    assert events(Kind.ACCOUNT_CHANGED) == []


def test_api_tokens_made_and_revoked_are_recorded(as_role):
    client = as_role("coordinator")
    too_long = client.post("/account/tokens", data={"csrf_token": page_token(client, "/account/tokens"),
                                                    "name": "x" * 200})
    assert too_long.status_code == 422 and events(Kind.TOKEN_CREATED) == []
    client.post("/account/tokens", data={"csrf_token": page_token(client, "/account/tokens"), "name": "script"})
    made = only(Kind.TOKEN_CREATED)
    assert made.subject.startswith("token:") and made.actor.startswith("coordinator-")
    assert made.detail == f"“script” for {made.actor}" and made.address == "127.0.0.1"
    token_id = made.subject.removeprefix("token:")
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": page_token(client, "/account/tokens")})
    revoked = only(Kind.TOKEN_REVOKED)
    assert (revoked.subject, revoked.user_id) == (made.subject, made.user_id)
    assert revoked.detail == f"“script” of {made.actor}"


def test_commands_record_their_events_under_the_command_line(app, runner, make_user):
    make_user("coordinator")
    result = runner.invoke(args=["users", "token", "coordinator@example.org", "--name", "cron"])
    assert result.exit_code == 0, result.output
    made = only(Kind.TOKEN_CREATED)
    assert made.actor.startswith("command line (") and made.user_id is None and made.address == ""
    assert only(Kind.ACCOUNT_CREATED).actor.startswith("command line (")
    result = runner.invoke(args=["export", "--format", "csv", "--status", "blocked", "--out", "-"])
    assert result.exit_code == 0, result.output
    export = only(Kind.EXPORT)
    assert (export.actor, export.subject, export.detail) == (made.actor, "export:csv", "status=blocked; 0 items")


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "html"])
def test_every_export_is_recorded_with_its_filters(as_role, export_format):
    client = as_role("rapporteur")
    assert client.get(f"/exports/items.{export_format}?pillar=prevention&overdue=1").status_code == 200
    export = only(Kind.EXPORT)
    assert (export.actor, export.address, export.subject) == (
        "rapporteur-x@example.org", "127.0.0.1", f"export:{export_format}")
    assert export.detail.startswith("pillar=prevention, overdue=1; ") and export.detail.endswith(" items")
    assert client.get(f"/exports/items.{export_format}?pillar=poverty").status_code == 400
    assert len(events(Kind.EXPORT)) == 1  # a refused export is no export


def test_imports_are_recorded_written_checked_or_refused(as_role, tmp_path):
    admin = as_role("admin")
    choices = {"create_agencies": "y", "create_frameworks": "y"}
    assert upload(admin, punjab_bytes(tmp_path), dry_run="y", **choices).status_code == 200
    assert upload(admin, punjab_bytes(tmp_path), **choices).status_code == 200
    bad_rows = [{**PUNJAB[0], "pillar": "poverty"}, {**PUNJAB[1], "progress": "150"}, PUNJAB[2]]
    assert upload(admin, punjab_bytes(tmp_path, bad_rows), filename="bad.csv", **choices).status_code == 422
    checked, imported = events(Kind.IMPORT)
    counts = "3 row(s): 3 new, 0 updated, 0 unchanged; 2 history entries"
    assert checked.detail.startswith(f"punjab.csv (check only, nothing written): {counts}")
    assert imported.detail.startswith(f"punjab.csv: {counts}; frameworks created: Punjab plan")
    refused = only(Kind.IMPORT_REFUSED)
    assert refused.detail.startswith("bad.csv: refused, 2 problem(s) on 2 row(s); the first: row 2, column pillar")
    for event in (checked, imported, refused):
        assert (event.actor, event.address) == ("admin-x@example.org", "127.0.0.1")
    assert [e.subject for e in (checked, imported, refused)] == ["file:punjab.csv", "file:punjab.csv", "file:bad.csv"]


def test_only_downloads_of_confidential_evidence_are_recorded(as_role):
    nadra = as_role("agency", "NADRA")
    for confidential, name in (("y", "case-file.pdf"), ("", "minutes.pdf")):
        data = form_data(nadra, confidential=confidential, note=f"{name} attached.")
        data["files"] = [(io.BytesIO(PDF), name)]
        assert post_update(nadra, data).status_code == 302
    files = {e.original_name: e for e in db.session.scalars(sa.select(Evidence).where(Evidence.original_name != ""))}
    coordinator = as_role("coordinator")
    assert coordinator.get(f"/evidence/{files['minutes.pdf'].id}/download").status_code == 200
    assert events(Kind.EVIDENCE_DOWNLOAD) == []
    case_file = files["case-file.pdf"]
    assert as_role("agency", "FIA").get(f"/evidence/{case_file.id}/download").status_code == 403
    assert coordinator.get(f"/evidence/{case_file.id}/download").status_code == 200
    download = only(Kind.EVIDENCE_DOWNLOAD)
    assert (download.actor, download.address, download.subject, download.detail) == (
        "coordinator-x@example.org", "127.0.0.1", f"evidence:{case_file.id}", "case-file.pdf of PAPER-g")


def table_counts() -> dict[str, int]:
    """How many rows every table of the models holds."""
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@needs_pg_tools
def test_backup_and_restore_keep_every_table_and_are_recorded(serving_app, template_databases, tmp_path):  # noqa: F811
    counts = table_counts()
    assert counts["audit_events"] >= 4  # two accounts made, two logins
    result = serving_app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    backup = only(Kind.BACKUP)
    assert backup.actor.startswith("command line (") and backup.subject == "backup:backup"
    assert backup.detail.startswith(f"{tmp_path / 'backup'}: the ")
    db.session.remove()
    db.engine.dispose()
    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_database_url(template_databases, tmp_path),
                      UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    with target.app_context():
        db.create_all()
        result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        # Every table came back as it was; the log gained the restore (the backup's own event came after it).
        assert table_counts() == {**counts, "audit_events": counts["audit_events"] + 1}
        assert {e.actor for e in events(Kind.LOGIN)} == {"nadra@example.org", "fia@example.org"}
        assert events(Kind.BACKUP) == []
        restore = only(Kind.RESTORE)
        assert restore.subject == "backup:backup" and restore.detail.startswith(f"{tmp_path / 'backup'}: the ")
        db.session.remove()
        db.engine.dispose()


def rows_shown(html: str) -> int:
    return html.count("<time datetime=")


def test_the_log_page_shows_newest_first_and_its_filters_persist(as_role):
    admin = as_role("admin")
    old = record(Kind.EXPORT, actor="old@example.org", subject="export:csv", detail="long ago")
    old.created_at = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
    db.session.commit()
    log_in(admin.application.test_client(), "stranger@example.org")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert html.index("stranger@example.org") < html.index("admin-x@example.org") < html.index("long ago")
    assert 'href="/admin/audit"' in html and ">Audit log</a>" in html  # in the admin menu
    filtered = admin.get("/admin/audit?user=STRANGER&event=login_failed").get_data(as_text=True)
    assert rows_shown(filtered) == 1 and "no account has this e-mail" in filtered
    assert 'value="STRANGER"' in filtered and '<option selected value="login_failed">' in filtered
    assert 'href="/admin/audit.csv?user=STRANGER&amp;event=login_failed"' in filtered
    one_day = admin.get("/admin/audit?date_from=2025-01-10&date_to=2025-01-10").get_data(as_text=True)
    assert rows_shown(one_day) == 1 and "long ago" in one_day and 'value="2025-01-10"' in one_day
    before = admin.get("/admin/audit?date_to=2025-01-09").get_data(as_text=True)
    assert rows_shown(before) == 0 and "No event matches these filters." in before


def test_the_log_pages_keep_their_filters(as_role):
    admin = as_role("admin")
    for number in range(60):
        record(Kind.EXPORT, actor="script@example.org", subject="export:csv", detail=f"export {number}")
    db.session.commit()
    first = admin.get("/admin/audit?event=export").get_data(as_text=True)
    assert rows_shown(first) == 50 and "export 59" in first and "export 9<" not in first
    assert 'href="/admin/audit?event=export&amp;page=2"' in first
    second = admin.get("/admin/audit?event=export&page=2").get_data(as_text=True)
    assert rows_shown(second) == 10 and "export 9<" in second and "export 10<" not in second
    assert rows_shown(admin.get("/admin/audit?event=export&page=3").get_data(as_text=True)) == 0


def test_bad_filters_are_named_and_dropped_never_a_server_error(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/audit", query_string={"event": "nonsense", "date_from": "2026-02-30",
                                                    "date_to": "9999-12-31", "user": "x" * 300, "page": "0"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ignored:" in html
    assert "Event &#39;nonsense&#39; is not an event the log records" in html
    assert "From &#39;2026-02-30&#39; is not a date (YYYY-MM-DD)" in html
    assert "User e-mail contains" in html and "has at most 254 characters" in html
    assert rows_shown(html) == len(events())  # the bad filters dropped, the good one (up to 9999-12-31) kept
    backwards = admin.get("/admin/audit?date_from=2026-02-01&date_to=2026-01-01").get_data(as_text=True)
    assert "To &#39;2026-01-01&#39; is before “From”" in backwards
    download = admin.get("/admin/audit.csv?event=nonsense")
    assert download.status_code == 400 and "is not an event the log records" in download.get_data(as_text=True)
    assert events(Kind.EXPORT) == []


def test_an_empty_log_says_so(as_role):
    admin = as_role("admin")
    db.session.execute(sa.delete(AuditEvent))  # a database upgraded to the log: nothing recorded yet
    db.session.commit()
    assert "Nothing has been recorded yet." in admin.get("/admin/audit").get_data(as_text=True)


def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = csv_text(response.get_data(as_text=True))
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_the_filtered_log_with_formulas_made_inert(as_role, tmp_path):
    admin = as_role("admin")
    assert log_in(admin.application.test_client(), "=1+2@example.org").status_code == 200
    upload(admin, b"ref\n=HYPERLINK(1)\n", filename="=HYPERLINK(1).csv")
    for text in ("+SUM(1)", "-2", "@A1"):
        record(Kind.EXPORT, actor="script@example.org", subject="export:csv", detail=text)
    db.session.commit()
    response = admin.get("/admin/audit.csv?event=login_failed")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    (failed,) = read_csv(response)
    assert failed["actor"] == "'=1+2@example.org" and failed["event"] == "login_failed"
    assert failed["address"] == "127.0.0.1" and failed["time"].endswith("+00:00")
    (download,) = events(Kind.EXPORT)[-1:]
    assert (download.subject, download.detail) == ("export:audit-csv", "event=login_failed; 1 events")
    everything = read_csv(admin.get("/admin/audit.csv"))
    assert len(everything) == len(events()) - 1  # all but the record of this download, made after its rows
    assert everything[0]["detail"] == "event=login_failed; 1 events"  # newest first
    assert {row["detail"] for row in everything} >= {"'+SUM(1)", "'-2", "'@A1"}
    (refused,) = [row for row in everything if row["event"] == "import_refused"]
    assert refused["detail"].startswith("'=HYPERLINK(1).csv: refused")
