"""Reporting progress: the update form, evidence files, confidentiality, concurrency (the cycle of
verification is in test_verification.py)."""
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import csrf_token, fresh_item
from tracker.enums import ReportStage, ReportStep, Status, UpdateKind, UpdateOrigin
from tracker.extensions import db
from tracker.models import ActionItem, Evidence, Update

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + b"\x00" * 32
)
ITEM = "PAPER-g"  # NADRA leads, FIA and Police support


def item(ref: str = ITEM) -> ActionItem:
    return fresh_item(ref)


def user_updates(ref: str = ITEM) -> list[Update]:
    return [u for u in item(ref).updates if u.origin == UpdateOrigin.USER]


def form_data(client, ref: str = ITEM, **fields) -> dict:
    page = client.get(f"/items/{ref}/update")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    data = {"csrf_token": csrf_token(html), "version": version, "status": "in_progress", "progress": "30",
            "note": "Records link agreed with NADRA.", "links": "", "figure_value": "", "figure_unit": "",
            "figure_as_of": ""}
    data.update(fields)
    return data


def post_update(client, data, ref: str = ITEM):
    return client.post(f"/items/{ref}/update", data=data, content_type="multipart/form-data")


def test_agency_reports_progress_with_file_link_and_figure(as_role, app):
    client = as_role("agency", "NADRA")
    data = form_data(client, links="https://example.org/report\n", figure_value="6000",
                     figure_unit="identity cards", figure_as_of="2026-10-01")
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    version = item().version
    response = post_update(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    # A report: the official state is as it was until a coordinator verifies it.
    current = item()
    assert (current.status, current.progress, current.version, current.verified_at) == (
        Status.NOT_STARTED, 0, version, None)
    (update,) = user_updates()
    assert (update.kind, update.step, update.status_before, update.status_after, update.progress_after) == (
        UpdateKind.REPORT, ReportStep.SUBMITTED, Status.NOT_STARTED, Status.NOT_STARTED, 0)
    report = update.report
    assert (report.status, report.progress, report.stage, report.agency.short_name) == (
        Status.IN_PROGRESS, 30, ReportStage.COORDINATION, "NADRA")
    assert current.pending_reports == [report] and report.evidence == update.evidence
    kinds = sorted((e.original_name, e.url, e.value) for e in update.evidence)
    assert kinds == [("", "", 6000.0), ("", "https://example.org/report", None), ("minutes.pdf", "", None)]
    stored = next(e for e in update.evidence if e.stored_name)
    path = Path(app.config["UPLOAD_DIR"]) / stored.stored_name
    assert path.read_bytes() == PDF and stored.size == len(PDF) and len(stored.sha256) == 64
    assert stored.stored_name != "minutes.pdf" and stored.uploaded_by.email.startswith("agency-")
    page = client.get(f"/items/{ITEM}").get_data(as_text=True)
    assert "Records link agreed with NADRA." in page and "awaiting a coordinator" in page
    download = client.get(f"/evidence/{stored.id}/download")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert "attachment" in disposition and "minutes.pdf" in disposition


def test_supporting_agency_may_update_but_others_may_not(as_role):
    assert as_role("agency", "FIA").get(f"/items/{ITEM}/update").status_code == 200
    other = as_role("agency", "Ministry of Foreign Affairs")
    assert other.get(f"/items/{ITEM}/update").status_code == 403
    page = other.get("/items/NAP05-PREV-b-viii/update")  # MOFA's own item: gets a token
    data = form_data(other, ref="NAP05-PREV-b-viii")
    response = post_update(other, data)  # … but posted to an item that is not theirs:
    response = other.post(f"/items/{ITEM}/update", data=data)
    assert response.status_code == 403 and page.status_code == 200
    assert user_updates() == [] and item().status == Status.NOT_STARTED


def test_rapporteur_and_admin_change_nothing(as_role):
    for role in ("rapporteur", "admin"):
        client = as_role(role)
        assert client.get(f"/items/{ITEM}/update").status_code == 403
        assert "Report progress" not in client.get(f"/items/{ITEM}").get_data(as_text=True)
    assert user_updates() == []


def test_rejected_form_keeps_input_and_names_files(as_role):
    client = as_role("coordinator")
    data = form_data(client, status="completed", progress="40", note="Half there <b>bold</b>",
                     links="not a link")
    data["files"] = [(io.BytesIO(PDF), "minutes.pdf")]
    response = post_update(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A completed item is 100% done" in html
    assert "Half there &lt;b&gt;bold&lt;/b&gt;" in html
    assert 'value="40"' in html and "choose again minutes.pdf" in html
    assert user_updates() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(
        Evidence.origin == UpdateOrigin.USER)) == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", PNG, "does not contain what its name says"),
        ("photo.png", PDF, "does not contain what its name says"),
        ("data.csv", b"a,b\x00,c", "does not contain what its name says"),
        ("../../etc/evil.pdf.exe", PDF, "is not a PDF, Word, Excel, CSV, JPEG or PNG file"),
        ("page.html", b"<script>alert(1)</script>", "is not a PDF"),
        ("noextension", PDF, "is not a PDF"),
    ],
)
def test_upload_checks_name_and_content(as_role, app, name, content, message):
    client = as_role("coordinator")
    data = form_data(client)
    data["files"] = [(io.BytesIO(content), name)]
    response = post_update(client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user_updates() == []
    assert not any(Path(app.config["UPLOAD_DIR"]).glob("*")) if Path(app.config["UPLOAD_DIR"]).exists() else True


def test_csv_and_html_looking_names_are_stored_and_shown_escaped(as_role):
    client = as_role("coordinator")
    data = form_data(client, note="<script>alert('x')</script>")
    data["files"] = [(io.BytesIO(PDF), "<img src=x onerror=alert(1)>.pdf"),
                     (io.BytesIO(b"district,rescued\nThatta,40\n"), "figures.csv")]
    assert post_update(client, data).status_code == 302
    html = client.get(f"/items/{ITEM}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html
    assert "figures.csv" in html


def test_file_over_the_limit_is_refused_beside_the_field(seeded, app, as_role):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    client = as_role("coordinator")
    data = form_data(client)
    data["files"] = [(io.BytesIO(PDF + b"0" * 2000), "big.pdf")]
    response = post_update(client, data)
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)


def test_request_over_the_total_limit_gets_a_413_page(seeded, app, as_role):
    client = as_role("coordinator")
    data = form_data(client)
    app.config["MAX_CONTENT_LENGTH"] = 2048
    data["files"] = [(io.BytesIO(PDF + b"0" * 5000), "big.pdf")]
    response = post_update(client, data)
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)
    assert user_updates() == []


def test_confidential_evidence_is_for_coordinators_and_the_owning_agency(as_role):
    nadra = as_role("agency", "NADRA")
    data = form_data(nadra, confidential="y", note="Case file attached.")
    data["files"] = [(io.BytesIO(PDF), "case-file.pdf")]
    assert post_update(nadra, data).status_code == 302
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.original_name == "case-file.pdf"))
    assert evidence.confidential
    url = f"/evidence/{evidence.id}/download"
    for client, allowed in [(nadra, True), (as_role("coordinator"), True), (as_role("agency", "FIA"), False),
                            (as_role("rapporteur"), False)]:
        page = client.get(f"/items/{ITEM}").get_data(as_text=True)
        assert ("case-file.pdf" in page) is allowed
        assert client.get(url).status_code == (200 if allowed else 403)


def test_second_save_on_a_stale_copy_is_refused_and_keeps_input(as_role):
    first, second = as_role("coordinator", email="first@example.org"), as_role("coordinator")
    first_data = form_data(first, note="First: letter sent.")
    second_data = form_data(second, note="Second: my careful note.", progress="55")
    assert post_update(first, first_data).status_code == 302
    response = post_update(second, second_data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This item changed since you opened it" in html
    assert "First: letter sent." in html and "Second: my careful note." in html and 'value="55"' in html
    assert [u.note for u in user_updates()] == ["First: letter sent."]
    # Re-applied after reading the changes, it saves.
    second_data["version"] = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert post_update(second, second_data).status_code == 302
    assert [u.note for u in user_updates()] == ["Second: my careful note.", "First: letter sent."]


def test_update_requires_csrf(as_role):
    client = as_role("coordinator")
    data = form_data(client)
    del data["csrf_token"]
    response = post_update(client, data)
    assert response.status_code == 400
    assert user_updates() == []


def test_history_is_append_only(as_role):
    client = as_role("coordinator")
    post_update(client, form_data(client, note="One", progress="10"))
    post_update(client, form_data(client, note="Two (a correction)", progress="20"))
    notes = [(u.note, u.progress_before, u.progress_after) for u in user_updates()]
    assert notes == [("Two (a correction)", 10, 20), ("One", 0, 10)]


def test_deactivated_user_is_logged_out_at_the_next_request(as_role):
    client = as_role("agency", "NADRA")
    from tracker.models import User
    user = db.session.scalar(sa.select(User).where(User.email.like("agency-%")))
    user.active = False
    db.session.commit()
    assert client.get(f"/items/{ITEM}/update").status_code == 302
