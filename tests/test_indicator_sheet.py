"""A period's values of one indicator read from an uploaded CSV or Excel sheet in the export's long format: every
problem named by row and column, the whole file refused for one; and the template that reads back as filled."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.catalogue.services import find_agency
from tracker.enums import Breakdown, Exploitation, Frequency, IndicatorKind, UpdateOrigin
from tracker.errors import Invalid, Problem
from tracker.exports.services import indicator_value_csv_chunks
from tracker.exports.xlsx import workbook_bytes
from tracker.extensions import db
from tracker.indicators.contract import INDICATOR_VALUE_COLUMNS, VALUES_SHEET
from tracker.indicators.filters import IndicatorFilters
from tracker.indicators.sheet import MAX_ROWS, read_sheet, sheet_template, template_cells
from tracker.indicators.values import CellValue, categories, cell_key
from tracker.items.services import ItemFilters
from tracker.models import Indicator, IndicatorValue, Pillar, Province

CODE = "TEST-SHEET"
PERIOD = "2026-Q3"
HEADER = "indicator,period,province,exploitation,value"


def make_indicator(breakdowns: str = "province,exploitation", kind: IndicatorKind = IndicatorKind.COUNT,
                   frequency: Frequency = Frequency.QUARTERLY, code: str = CODE) -> Indicator:
    indicator = Indicator(code=code, name="Victims identified", unit="victims", kind=kind, frequency=frequency,
                          breakdowns=breakdowns, agency=find_agency("FIA"),
                          pillar=db.session.scalar(sa.select(Pillar).where(Pillar.code == "protection")))
    db.session.add(indicator)
    db.session.commit()
    return indicator


@pytest.fixture
def indicator(seeded) -> Indicator:
    """Victims identified, a count by province and by form of exploitation."""
    return make_indicator()


def read(indicator: Indicator, text: str, filename: str = "values.csv", period: str = PERIOD) -> list[CellValue]:
    return read_sheet(indicator, period, filename, text.encode("utf-8"))


def refusal(indicator: Indicator, text: str | bytes, filename: str = "values.csv",
            period: str = PERIOD) -> list[Problem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(Invalid) as refused:
        read_sheet(indicator, period, filename, data)
    return refused.value.problems


def by_cell(cells: list[CellValue]) -> dict[tuple, float]:
    return {cell.cell: cell.value for cell in cells}


def cell(**codes: str) -> tuple:
    return cell_key(codes)


def xlsx(rows: list[list], title: str = VALUES_SHEET, before: tuple[str, ...] = ()) -> bytes:
    """A workbook with `rows` on a sheet of this title, after sheets of other titles holding something else."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for other in before:
        book.create_sheet(other).append(["value"])
        book[other].append([999])
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_csv_reads_to_its_cells_by_code_or_name(indicator):
    text = ("\ufeff Indicator ,PERIOD,Province,exploitation, Value ,note\r\n"
            "test-sheet,2026-Q3,,,\"1,234\",=the total\r\n"  # the total, with a thousands comma
            f"{CODE},{PERIOD},SD,bonded_labour,12,\r\n"
            f"{CODE},{PERIOD},punjab,Forced Labour,30.0,\r\n"  # names, in any case
            f"{CODE},{PERIOD},kp,sexual,,nothing to report\r\n"
            "\r\n"
            f"{CODE},{PERIOD},Khyber Pakhtunkhwa,SEXUAL,'+5,\r\n")  # the quote a spreadsheet-safe cell carries
    assert read(indicator, text) == [
        CellValue.of({}, 1234),
        CellValue.of({"province": "SD", "exploitation": "bonded_labour"}, 12),
        CellValue.of({"province": "PB", "exploitation": "forced_labour"}, 30),
        CellValue.of({"province": "KP", "exploitation": "sexual"}, 5),
    ]


def test_only_value_and_the_indicators_breakdowns_are_required(seeded):
    by_sex = make_indicator("sex")
    assert read(by_sex, "sex,value\nFemale,3\nmale,4\n,7\n") == [
        CellValue.of({"sex": "female"}, 3), CellValue.of({"sex": "male"}, 4), CellValue.of({}, 7)]


def test_the_values_export_narrowed_to_the_indicator_and_period_reads_back(indicator):
    sindh, punjab = (db.session.scalar(sa.select(Province).where(Province.code == code)) for code in ("SD", "PB"))
    for value, columns in ((42, {}), (12, {"province": sindh, "exploitation": Exploitation.BONDED_LABOUR}),
                           (30, {"province": punjab, "exploitation": Exploitation.FORCED_LABOUR})):
        db.session.add(IndicatorValue(indicator=indicator, period=PERIOD, value=value, origin=UpdateOrigin.SOURCE,
                                      source_document="=FIA register", **columns))
    db.session.commit()
    expected = {cell(): 42, cell(province="SD", exploitation="bonded_labour"): 12,
                cell(province="PB", exploitation="forced_labour"): 30}

    text = "".join(indicator_value_csv_chunks(IndicatorFilters(q=CODE)))
    assert text.startswith(",".join(INDICATOR_VALUE_COLUMNS)) and len(text.splitlines()) == 1 + 3
    assert by_cell(read(indicator, text, "indicator-values.csv")) == expected

    # The workbook holds every indicator's values: keep this one's, as a user would, and read it back.
    data, _ = workbook_bytes(ItemFilters(), date.today())
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[VALUES_SHEET]
    assert book.sheetnames[0] != VALUES_SHEET  # so the sheet is found by its name, not as the first
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, 1).value != CODE:
            sheet.delete_rows(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert by_cell(read_sheet(indicator, PERIOD, "export.xlsx", buffer.getvalue())) == expected


def test_a_workbook_reads_its_values_sheet_with_numbers_as_numbers(indicator):
    rows = [["indicator_name", "indicator", "period", "province", "exploitation", "value"],
            ["Victims", CODE, PERIOD, None, None, 1234],
            ["Victims", CODE, PERIOD, "Sindh", "Bonded labour", 12.0],
            ["Victims", CODE, PERIOD, "PB", "forced_labour", "1,000"],
            ["Victims", CODE, PERIOD, "KP", "sexual", None]]
    data = xlsx(rows, before=("Summary",))
    assert read_sheet(indicator, PERIOD, "Values.XLSX", data) == [
        CellValue.of({}, 1234),
        CellValue.of({"province": "SD", "exploitation": "bonded_labour"}, 12),
        CellValue.of({"province": "PB", "exploitation": "forced_labour"}, 1000),
    ]


def test_a_workbook_without_a_values_sheet_is_read_from_its_first(seeded):
    yearly = make_indicator("", frequency=Frequency.YEARLY)
    data = xlsx([["period", "value"], [2025, 7]], title="Sheet1")  # a year typed in a spreadsheet is a number
    assert read_sheet(yearly, "2025", "values.xlsx", data) == [CellValue.of({}, 7)]
    other_first = xlsx([["period", "value"], ["2025", 8]], title="Sheet2", before=("Sheet1",))
    assert read_sheet(yearly, "2025", "values.xlsx", other_first) == [CellValue.of({}, 999)]


def test_a_percentage_typed_as_one_in_a_workbook_reads_as_shown(seeded):
    shares = make_indicator("sex", kind=IndicatorKind.PERCENTAGE)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["sex", "value"], ["female", 0.125], ["male", 0.1], ["transgender", 45]):
        sheet.append(row)
    sheet["B2"].number_format = sheet["B3"].number_format = "0.0%"  # 12.5% and 10.0% on screen
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_sheet(shares, PERIOD, "shares.xlsx", buffer.getvalue()) == [
        CellValue.of({"sex": "female"}, 12.5), CellValue.of({"sex": "male"}, 10),
        CellValue.of({"sex": "transgender"}, 45)]


def test_the_template_has_a_row_per_cell_in_breakdown_order_and_reads_back_filled(seeded):
    # Stored in another order: the columns and the combinations still follow enums.Breakdown.
    indicator = make_indicator("exploitation,province", kind=IndicatorKind.AMOUNT)
    provinces = [code for code, _ in categories(Breakdown.PROVINCE)]
    forms = [e.value for e in Exploitation]
    text = sheet_template(indicator, PERIOD, {cell(province="SD", exploitation="begging"): 4.0, cell(): 9.5})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER.split(",")
    assert rows[1] == [CODE, PERIOD, "", "", "9.5"]
    assert [row[2:4] for row in rows[2:]] == [[p, f] for p in provinces for f in forms]
    assert {tuple(row[2:]) for row in rows[1:] if row[4]} == {("", "", "9.5"), ("SD", "begging", "4")}
    assert [cell_key(c) for c in template_cells(indicator)] == [cell_key({})] + [
        cell(province=p, exploitation=f) for p in provinces for f in forms]

    # Filled in (one value taken out, two added), it reads back as exactly the filled cells.
    filled = [rows[0]]
    for row in rows[1:]:
        if row[2:4] == ["SD", "begging"]:
            row[4] = ""
        elif row[2:4] in (["PB", "sexual"], ["ICT", "other"]):
            row[4] = "2"
        filled.append(row)
    stream = io.StringIO()
    csv.writer(stream).writerows(filled)
    assert by_cell(read(indicator, stream.getvalue())) == {
        cell(): 9.5, cell(province="PB", exploitation="sexual"): 2, cell(province="ICT", exploitation="other"): 2}


def test_the_template_of_an_indicator_without_breakdowns_is_its_total_and_its_cells_are_inert(seeded):
    indicator = make_indicator("", code="=SUM-CODE")
    text = sheet_template(indicator, PERIOD)
    assert text == f"indicator,period,value\r\n'=SUM-CODE,{PERIOD},\r\n"
    assert read(indicator, text.replace(f"{PERIOD},", f"{PERIOD},3")) == [CellValue.of({}, 3)]


def test_every_problem_is_named_by_row_and_column_and_one_refuses_the_whole_file(indicator):
    text = (f"{HEADER},sex\n"
            f"{CODE},{PERIOD},,,40,\n"  # 2: good
            f"{CODE},{PERIOD},SD,sexual,twelve,\n"  # 3
            f"{CODE},{PERIOD},SD,forced_labour,\"2,5\",\n"  # 4: a decimal comma is not read as 25
            f"{CODE},{PERIOD},Atlantis,begging,3,\n"  # 5
            f"{CODE},{PERIOD},PB,piracy,3,\n"  # 6
            f"{CODE},{PERIOD},PB,begging,3,female\n"  # 7: not reported by sex
            f"PROS-CONVICTIONS,2026-Q2,PB,sexual,3,\n"  # 8: another indicator's, another period's
            f"{CODE},{PERIOD},KP,sexual,-3,\n"  # 9
            f"{CODE},{PERIOD},KP,begging,2.5,\n"  # 10
            f"{CODE},{PERIOD},SD,bonded_labour,1,\n"  # 11: good
            f"{CODE},{PERIOD},Sindh,Bonded labour,1,\n"  # 12: the same cell as row 11
            f"{CODE},{PERIOD},,,40,\n")  # 13: the total again
    provinces = ", ".join(code for code, _ in categories(Breakdown.PROVINCE))
    forms = ", ".join(e.value for e in Exploitation)
    assert refusal(indicator, text) == [
        Problem("“twelve” is not a number", "value", 3),
        Problem("“2,5” is not a number", "value", 4),
        Problem(f"“Atlantis” is not a category of province: give one of {provinces}, or its name", "province", 5),
        Problem(f"“piracy” is not a category of form of exploitation: give one of {forms}, or its name",
                "exploitation", 6),
        Problem(f"{CODE} is not reported by sex: leave it empty", "sex", 7),
        Problem(f"is “PROS-CONVICTIONS”: only {CODE}'s values are read here", "indicator", 8),
        Problem(f"is “2026-Q2”: only {PERIOD}'s values are read here", "period", 8),
        Problem("A value is never negative.", "value", 9),
        Problem("A count is a whole number.", "value", 10),
        Problem("bonded labour, SD is given twice, on rows 11 and 12", "value", 12),
        Problem("the total is given twice, on rows 2 and 13", "value", 13),
    ]
    assert str(refusal(indicator, text)[0]) == "row 3, column value: “twelve” is not a number"


def test_a_number_whose_comma_was_not_quoted_is_refused_rather_than_read_short(indicator):
    # Read as cells, 1,234 would be a value of 1 and a cell beyond the header.
    assert refusal(indicator, f"{HEADER}\n{CODE},{PERIOD},BA,sexual,1,234\n") == [
        Problem("has more cells than the header's 5 columns (in a CSV file, put a number with commas in quotes)",
                None, 2)]


@pytest.mark.parametrize(("kind", "wrong", "message", "right"), [
    (IndicatorKind.PERCENTAGE, "100.5", "A percentage is from 0 to 100.", "99.5"),
    (IndicatorKind.YES_NO, "2", "Yes / no is 1 for yes or 0 for no.", "1"),
    (IndicatorKind.AMOUNT, "-1", "A value is never negative.", "2500.75"),
    (IndicatorKind.COUNT, "nan", "“nan” is not a number", "1e3"),
])
def test_values_are_checked_for_their_indicators_kind(seeded, kind, wrong, message, right):
    indicator = make_indicator("", kind=kind)
    assert refusal(indicator, f"value\n{right}\n{wrong}\n") == [Problem(message, "value", 3)]
    assert read(indicator, f"value\n{right}\n") == [CellValue.of({}, float(right))]


def test_a_workbooks_cells_are_checked_alike(indicator):
    rows = [["indicator", "period", "province", "exploitation", "value"],
            [CODE, PERIOD, "SD", "sexual", True],
            [CODE, "2026-Q4", "SD", "begging", 3],
            [CODE, PERIOD, "SD", "begging", 3.5]]
    assert refusal(indicator, xlsx(rows), "values.xlsx") == [
        Problem("“TRUE” is not a number", "value", 2),
        Problem(f"is “2026-Q4”: only {PERIOD}'s values are read here", "period", 3),
        Problem("A count is a whole number.", "value", 4),
    ]


def test_a_header_without_the_columns_needed_is_refused_on_row_one(indicator):
    assert refusal(indicator, "indicator,period,Province,amount\nx,y,SD,3\n") == [
        Problem("is missing from the header row", "value", 1),
        Problem(f"is missing from the header row ({CODE} is reported by form of exploitation)", "exploitation", 1),
    ]
    assert refusal(indicator, "province,exploitation,value,Value\nSD,sexual,1,2\n") == [
        Problem("is named twice in the header row", "value", 1)]
    assert refusal(indicator, ",,\nSD,sexual,1\n") == [
        Problem("the header row is empty: the first row names the columns, value among them", None, 1)]


@pytest.mark.parametrize("text", ["", "province,exploitation,value\r\n", "province,exploitation,value\nSD,sexual,\n"])
def test_a_file_without_values_is_refused(indicator, text):
    (problem,) = refusal(indicator, text)
    assert (problem.field, problem.row) == ("file", None) and problem.message.startswith("holds no values")


@pytest.mark.parametrize("filename", ["values.xls", "values.txt", "values", "", "values.csv.exe"])
def test_only_csv_and_xlsx_files_are_read(indicator, filename):
    assert refusal(indicator, "value\n1\n", filename) == [Problem(
        "must be a CSV (.csv) or Excel (.xlsx) file" + (f", not “{filename}”" if filename else ""), "file")]


def damaged_workbook() -> bytes:
    """A zip file that is not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"value\n1\n", damaged_workbook(), xlsx([["value"], [1]])[:-200]])
def test_a_damaged_workbook_is_refused(indicator, data):
    (problem,) = refusal(indicator, data, "values.xlsx")
    assert problem.field == "file" and problem.message.startswith("cannot be read as an Excel workbook (.xlsx)")


def test_a_csv_that_is_not_utf8_is_refused(indicator):
    (problem,) = refusal(indicator, "value\n1\nSindh\u00e9".encode("latin-1"))
    assert problem.field == "file" and "is not UTF-8 text" in problem.message


def test_a_sheet_longer_than_a_periods_values_is_refused_before_its_rows_are_read(indicator):
    longest = "province,exploitation,value\n" + "\n" * (MAX_ROWS - 1) + ",,1\n"
    assert read(indicator, longest) == [CellValue.of({}, 1)]
    assert refusal(indicator, longest + "SD,sexual,twelve\n") == [Problem(
        f"holds more than {MAX_ROWS:,} rows below the header, far more than one period's values: keep the rows of "
        "this indicator and period only", "file")]


def test_a_refusal_reads_in_the_page_s_language(app, indicator):
    """Each cell's problem and where it is, in Urdu on an Urdu page (English elsewhere: the test above)."""
    text = f"{HEADER}\n{CODE},{PERIOD},SD,sexual,twelve\n"
    with app.test_request_context("/?lang=ur"):
        assert str(refusal(indicator, text)[0]) == "قطار 2، کالم value: “twelve” عدد نہیں ہے"
