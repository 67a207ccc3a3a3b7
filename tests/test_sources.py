"""Response files people actually have: CSVs saved by Thai Windows Excel, sheets as wide as Google allows."""

import csv
from datetime import datetime

import pytest

from kkdash import pipeline
from kkdash.dates import BANGKOK
from kkdash.schema import HEADERS_TH
from kkdash.sheet import SourceError, sheet_from_rows
from kkdash.sources import read_responses_csv

AS_OF = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
ANSWERS = [
    ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่", "10", "10", "2", "2", "0", "0", "3", "3",
     "https://www.p01.example.go.th", "นายสมชาย ใจดี", "เจ้าพนักงานธุรการ", "0812345678"],
    ["2/7/2566, 9:00:00", "อำเภอพล", "พล", "2/7/2566", "ใช่", "20", "20", "0", "0", "1", "1", "5", "5",
     "https://www.d4012.example.go.th", "นายธนพล บุญมา", "ปลัดอำเภอ", "043-414123"],
]
WIDEST = 18_278  # columns: a Google Sheet's limit (ZZZ)
LAST = WIDEST - len(HEADERS_TH) - 1  # the number of the last extra question


def write(path, rows, encoding):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return path


def test_a_csv_saved_by_thai_windows_excel_is_read_with_a_note(tmp_path, registry, districts):
    rows = [list(HEADERS_TH.values()), *ANSWERS]
    thai_windows = read_responses_csv(write(tmp_path / "excel.csv", rows, "cp874"))
    utf8 = read_responses_csv(write(tmp_path / "forms.csv", rows, "utf-8"))
    assert (thai_windows.headers, thai_windows.cells.to_dict("list")) == (utf8.headers, utf8.cells.to_dict("list"))
    assert thai_windows.note == ("ไฟล์ excel.csv บันทึกเป็นภาษาไทยแบบ Windows (TIS-620/Windows-874) จึงอ่านด้วยรหัสนั้น"
                                 " — ถ้าตัวอักษรเพี้ยน ให้เปิดใน Excel แล้วบันทึกใหม่เป็นชนิด 'CSV UTF-8'")
    assert utf8.note == ""
    summary = pipeline.run(thai_windows, registry, districts, as_of=AS_OF).summary()
    assert (summary["agencies_reported"], summary["rows_used"]) == (2, 2)


@pytest.mark.parametrize(("content", "why"), [
    ("ประทับเวลา,ชื่อ\n1,2\n".encode("utf-16"), "UTF-16"),
    ("Zeitstempel,Behörde\n1,Müller\n".encode("latin-1"), "Latin-1: no Thai letter when read as Windows-874"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary\xff", "a picture"),
])
def test_a_file_that_is_neither_utf8_nor_thai_windows_is_refused_in_thai(tmp_path, content, why):
    path = tmp_path / "responses.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        read_responses_csv(path)
    assert str(caught.value) == (f"อ่านไฟล์คำตอบไม่ได้ ({path}): ต้องเป็นไฟล์ CSV แบบ UTF-8 หรือแบบภาษาไทยของ Windows"
                                 " (TIS-620/Windows-874 ที่ Excel บันทึกเป็น CSV) — ไฟล์นี้ไม่ใช่ทั้งสองแบบ"), why


def test_a_device_is_not_read_for_ever(tmp_path):
    with pytest.raises(SourceError, match="ไม่ใช่ไฟล์ CSV"):
        read_responses_csv("/dev/zero")


def wide_rows(width: int) -> list[list[str]]:
    """The form's columns, then ``width`` - 17 more questions; ten answers (one blank line among them)."""
    header = [*HEADERS_TH.values(), *(f"คำถามที่ {n}" for n in range(width - len(HEADERS_TH)))]
    form = [[*answer, *[""] * (len(HEADERS_TH) - len(answer))] for answer in ANSWERS]
    answers = [[*form[i % 2], *(f"{i}:{n}" for n in range(width - len(HEADERS_TH)))] for i in range(9)]
    return [header, *answers[:4], [""] * width, *answers[4:]]


@pytest.mark.parametrize("via", ["file", "sheet"])
def test_the_widest_sheet_reads_every_cell(tmp_path, registry, districts, via):
    rows = wide_rows(WIDEST)
    sheet = (read_responses_csv(write(tmp_path / "wide.csv", rows, "utf-8")) if via == "file"
             else sheet_from_rows(rows))
    assert (len(sheet.headers), sheet.cells.shape, sheet.headers[-1]) == (WIDEST, (10, WIDEST), f"คำถามที่ {LAST}")
    assert sheet.cells[WIDEST - 1].tolist() == [f"{i}:{LAST}" for i in range(4)] + [""] + [
        f"{i}:{LAST}" for i in range(4, 9)]
    outcome = pipeline.run(sheet, registry, districts, as_of=AS_OF)
    assert (outcome.counts, outcome.blank_rows) == (
        {"rows_total": 9, "rows_used": 2, "rows_superseded": 7, "rows_rejected": 0}, 1)


def test_a_wide_sheet_keeps_a_row_whose_only_answer_is_in_its_last_column(registry, districts):
    rows = wide_rows(3_000)
    rows.append([""] * 2_999 + ["ตอบเฉพาะข้อสุดท้าย"])
    outcome = pipeline.run(sheet_from_rows(rows), registry, districts, as_of=AS_OF)
    assert (outcome.counts["rows_total"], outcome.counts["rows_rejected"], outcome.blank_rows) == (10, 1, 1)
