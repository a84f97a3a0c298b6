"""Every CSV the tracker sends opens in Excel with its Urdu and accented text intact: UTF-8 beginning with a
byte-order mark (contract.csv_response). The plan import reads a file with or without one."""
from __future__ import annotations

import io
import re

import pytest

from conftest import csrf_token, fresh_item
from test_import import import_plan, snapshot
from test_indicator_exports import indicators  # noqa: F401 (the fixture)
from test_progress import form_data, post_update
from tracker.catalogue.services import find_agency
from tracker.extensions import db

BOM = b"\xef\xbb\xbf"
URDU = "وفاقی تحقیقاتی ادارہ"  # Federal Investigation Agency
ACCENTED = "Sensibilisation des communautés à la traite"
ITEM = "PAPER-g"  # NADRA leads, FIA supports


@pytest.fixture
def urdu_and_accents(as_role, indicators):  # noqa: F811
    """An agency named in Urdu, an item titled with accents, and a report and an assessment, so that every
    download holds some of them."""
    item = fresh_item(ITEM)  # (which forgets changes not yet saved)
    item.title = ACCENTED
    find_agency("FIA").name = URDU
    db.session.commit()
    focal = as_role("agency", "NADRA")
    assert post_update(focal, form_data(focal, note=f"{ACCENTED} — {URDU}")).status_code == 302
    rapporteur = as_role("rapporteur")
    page = rapporteur.get(f"/items/{ITEM}").get_data(as_text=True)
    rapporteur.post(f"/items/{ITEM}/assessments", data={"csrf_token": csrf_token(page), "year": 2026,
                                                         "rating": "limited", "reason": ACCENTED})
    return {"coordinator": as_role("coordinator"), "admin": as_role("admin"), "agency": focal}


DOWNLOADS = [
    ("coordinator", "/exports/items.csv", (URDU, ACCENTED)),
    ("coordinator", "/exports/indicator-values.csv", ("indicator_name",)),
    ("coordinator", "/changes.csv", (ACCENTED, URDU)),
    ("coordinator", "/assessments.csv", (ACCENTED,)),
    ("coordinator", "/coverage.csv", ("recommendation",)),
    ("admin", "/admin/audit.csv", ("login",)),
    ("admin", "/admin/import/template.csv", ("ref",)),
    ("coordinator", "/indicators/PROS-CONVICTIONS/values/sheet.csv", ("PROS-CONVICTIONS",)),
]


@pytest.mark.parametrize("role, path, holds", DOWNLOADS)
def test_every_csv_download_is_utf8_with_a_byte_order_mark(urdu_and_accents, role, path, holds):
    response = urdu_and_accents[role].get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "text/csv" and response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    data = response.data
    assert data.startswith(BOM) and not data.startswith(BOM * 2)
    text = data.decode("utf-8-sig")
    for words in holds:
        assert words in text


def test_the_command_line_export_writes_the_mark_too(urdu_and_accents, runner, tmp_path):
    out = tmp_path / "items.csv"
    assert runner.invoke(args=["export", "--format", "csv", "--out", str(out)]).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(BOM) and URDU in data.decode("utf-8-sig")


@pytest.mark.parametrize("mark", [BOM, b""], ids=["with a byte-order mark", "without one"])
def test_the_export_imports_back_with_or_without_the_mark(urdu_and_accents, mark):
    coordinator, admin = urdu_and_accents["coordinator"], urdu_and_accents["admin"]
    exported = coordinator.get("/exports/items.csv").data
    content = mark + exported.removeprefix(BOM)
    before = snapshot()
    token = csrf_token(admin.get("/admin/import").get_data(as_text=True))
    response = admin.post("/admin/import", data={"csrf_token": token, "file": (io.BytesIO(content), "items.csv")},
                          content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "The plan is imported." in html
    assert re.search(rf"Unchanged items</th><td[^>]*>{len(before[0])}<", html)
    assert snapshot() == before
    assert fresh_item(ITEM).title == ACCENTED and find_agency(URDU) is not None


@pytest.mark.parametrize("mark", [BOM, b""], ids=["with a byte-order mark", "without one"])
def test_the_command_line_import_reads_the_file_with_or_without_the_mark(urdu_and_accents, runner, tmp_path, mark):
    exported = urdu_and_accents["coordinator"].get("/exports/items.csv").data
    path = tmp_path / "items.csv"
    path.write_bytes(mark + exported.removeprefix(BOM))
    before = snapshot()
    result = import_plan(runner, path)
    assert result.exit_code == 0, result.output
    assert f"0 new, 0 updated, {len(before[0])} unchanged" in result.output
    assert snapshot() == before
