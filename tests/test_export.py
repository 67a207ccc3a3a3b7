"""kkdash.export: CSV (UTF-8 with BOM) and .xlsx files that Excel opens safely."""

import csv
import io
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from kkdash import export, pipeline
from kkdash.parsing import BANGKOK
from kkdash.schema import HEADERS_TH
from kkdash.sources import sheet_from_rows

AS_OF = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
EXPORT_COLUMNS = [
    "agency_id", "name_th", "kind", "district_code", "district_name_th", "status", "first_submitted_at",
    "last_submitted_at", "personnel_total", "personnel_signed", "signing_rate", "fully_signed", "published_url",
    "reporter_name", "reporter_position", "reporter_phone",
]


@pytest.fixture(scope="module")
def agencies(registry, districts):
    """Agency statuses from a two-answer sheet whose contact cells try to be formulas."""
    answers = [
        ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่", "20", "19", "5", "5", "2", "2",
         "10", "10", "https://www.p01.example.go.th/moral", "=HYPERLINK(\"http://evil\",\"x\")", "@SUM(A1)",
         "812345678"],
        ["9/7/2566, 9:00:00", "อำเภอพล", "พล", "9/7/2566", "ใช่", "30", "30", "0", "0", "0", "0", "12", "12",
         "", "+66 นายธนพล", "-ปลัดอำเภอ", "043-414123"],
    ]
    outcome = pipeline.run(sheet_from_rows([list(HEADERS_TH.values()), *answers]), registry, districts, as_of=AS_OF)
    return outcome.agencies


def read_csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+66812345678", "'+66812345678"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("สำนักงาน", "สำนักงาน"), ("a=b", "a=b"), ("", ""),
    (12, 12), (-3, -3), (None, None),
])
def test_neutralize(value, expected):
    assert export.neutralize(value) == expected


def test_agency_export_has_exactly_the_export_columns(agencies):
    assert (list(export.agency_export(agencies).columns),
            list(export.agency_export(agencies, include_personal=False).columns)) == (
        EXPORT_COLUMNS, EXPORT_COLUMNS[:-3])


def test_csv_starts_with_the_bom_and_has_exactly_the_columns(agencies):
    data = export.csv_bytes(export.agency_export(agencies))
    assert (data[:3], read_csv_cells(data)[0], len(read_csv_cells(data))) == (b"\xef\xbb\xbf", EXPORT_COLUMNS, 155)


def test_csv_neutralises_text_and_keeps_numbers(agencies):
    cells = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True))
             for row in read_csv_cells(export.csv_bytes(export.agency_export(agencies)))[1:]}
    assert (cells["P01"], cells["D4012"], cells["P02"]) == (
        {"agency_id": "P01", "name_th": "สำนักงานจังหวัดขอนแก่น", "kind": "provincial", "district_code": "",
         "district_name_th": "ระดับจังหวัด", "status": "on_time", "first_submitted_at": "2023-07-01 09:00:00",
         "last_submitted_at": "2023-07-01 09:00:00", "personnel_total": "37", "personnel_signed": "36",
         "signing_rate": str(36 / 37), "fully_signed": "False", "published_url": "https://www.p01.example.go.th/moral",
         "reporter_name": "'=HYPERLINK(\"http://evil\",\"x\")", "reporter_position": "'@SUM(A1)",
         "reporter_phone": "0812345678"},
        {"agency_id": "D4012", "name_th": "ที่ว่าการอำเภอพล", "kind": "district_office", "district_code": "4012",
         "district_name_th": "พล", "status": "late", "first_submitted_at": "2023-07-09 09:00:00",
         "last_submitted_at": "2023-07-09 09:00:00", "personnel_total": "42", "personnel_signed": "42",
         "signing_rate": "1.0", "fully_signed": "True", "published_url": "", "reporter_name": "'+66 นายธนพล",
         "reporter_position": "'-ปลัดอำเภอ", "reporter_phone": "043414123"},
        {"agency_id": "P02", "name_th": "ที่ทำการปกครองจังหวัดขอนแก่น", "kind": "provincial", "district_code": "",
         "district_name_th": "ระดับจังหวัด", "status": "missing", "first_submitted_at": "",
         "last_submitted_at": "", "personnel_total": "", "personnel_signed": "", "signing_rate": "",
         "fully_signed": "False", "published_url": "", "reporter_name": "", "reporter_position": "",
         "reporter_phone": ""},
    )


def test_csv_formula_triggers_and_line_breaks_in_text_cells():
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "นาย\rสมชาย", "ok"],
        "count": pd.array([-1, 2, 3, 4, 5, 6, 7, None], dtype="Int64"),
    })
    assert read_csv_cells(export.csv_bytes(frame)) == [
        ["text", "count"], ["'=1+1", "-1"], ["'+1", "2"], ["'-1", "3"], ["'@A1", "4"], ["'\tx", "5"],
        ["'\rx", "6"], ["นาย\rสมชาย", "7"], ["ok", ""],
    ]


def test_xlsx_keeps_phones_as_text_and_numbers_as_numbers(agencies):
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies))))
    sheet = book["kkdash"]
    header = [cell.value for cell in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    phone_cell = sheet.cell(row=2, column=header.index("reporter_phone") + 1)
    assert (header, sheet.max_row, phone_cell.data_type, phone_cell.number_format,
            [rows["P01"][c] for c in ("reporter_phone", "personnel_total", "personnel_signed", "fully_signed",
                                      "reporter_name", "first_submitted_at")],
            [rows["D4012"][c] for c in ("reporter_phone", "reporter_name", "reporter_position", "signing_rate")]) == (
        EXPORT_COLUMNS, 155, "s", "@",
        ["0812345678", 37, 36, False, "'=HYPERLINK(\"http://evil\",\"x\")", datetime(2023, 7, 1, 9, 0)],
        ["043414123", "'+66 นายธนพล", "'-ปลัดอำเภอ", 1.0])


def test_xlsx_has_no_formula_cells(agencies):
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies))))["kkdash"]
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []


def test_xlsx_columns_are_sized_but_capped():
    frame = pd.DataFrame({"id": ["A1"], "name": ["ก" * 10_000]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame)))["kkdash"]
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (4, 60)


@pytest.mark.parametrize("suffix", [".csv", ".CSV", ".xlsx"])
def test_write_table_picks_the_format_from_the_suffix(tmp_path, suffix):
    path = tmp_path / f"agencies{suffix}"
    export.write_table(pd.DataFrame({"a": ["x"]}), path)
    head = path.read_bytes()[:4]
    assert head == (b"PK\x03\x04" if suffix == ".xlsx" else b"\xef\xbb\xbfa")


def test_write_table_refuses_other_suffixes(tmp_path):
    with pytest.raises(ValueError, match=r"ส่งออกได้เฉพาะไฟล์ \.csv หรือ \.xlsx \(ได้รับ '\.txt'\)"):
        export.write_table(pd.DataFrame({"a": ["x"]}), tmp_path / "agencies.txt")
