"""kkdash.export: CSV (UTF-8 with BOM) and .xlsx files that Excel opens safely."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kkdash import export, pipeline, views
from kkdash.dates import BANGKOK
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows

AS_OF = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
EXPORT_COLUMNS = [
    "รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภทหน่วยงาน", "รหัสอำเภอ", "อำเภอ", "สถานะการส่ง", "ส่งครั้งแรก", "ส่งล่าสุด",
    "บุคลากรทั้งหมด (คน)", "ลงนามแล้ว (คน)", "ร้อยละผู้ลงนาม", "ลงนามครบทุกคน", "ลิงก์ประกาศบนเว็บไซต์",
    "รายงานที่ถูกปฏิเสธ", "ผู้ที่ต้องติดต่อ", "ตำแหน่งผู้ที่ต้องติดต่อ", "เบอร์โทรศัพท์", "อีเมล", "ข้อมูลติดต่อจาก",
]
CHASE_COLUMNS = ["ติดตามล่าสุด", "ติดตามเมื่อ", "ผู้ติดตาม", "รับปากจะส่งภายใน"]


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
        EXPORT_COLUMNS, EXPORT_COLUMNS[:-5])


def test_agency_export_is_a_thai_table_of_the_same_rows(agencies):
    table = export.agency_export(agencies)
    rows = table.set_index("รหัสหน่วยงาน", drop=False)
    p01, p02 = rows.loc["P01"], rows.loc["P02"]
    assert (len(table), table["รหัสหน่วยงาน"].tolist(), p01.tolist()[:6], p01.tolist()[8:]) == (
        154, agencies["agency_id"].tolist(),
        ["P01", "สำนักงานจังหวัดขอนแก่น", "ส่วนราชการประจำจังหวัด", "", "ระดับจังหวัด", "ส่งตรงเวลา"],
        [37, 36, 97.3, "ไม่ใช่", "https://www.p01.example.go.th/moral", "", "=HYPERLINK(\"http://evil\",\"x\")",
         "@SUM(A1)", "081-234-5678", "", "ผู้รายงาน"])
    # Not reported: no figures and no yes/no, blank rather than 0 % or ไม่ใช่; the rate stays a number.
    assert (pd.isna(p02["ร้อยละผู้ลงนาม"]), pd.isna(p02["บุคลากรทั้งหมด (คน)"]), p02["ลงนามครบทุกคน"],
            p02["สถานะการส่ง"], str(table["ร้อยละผู้ลงนาม"].dtype), str(table["บุคลากรทั้งหมด (คน)"].dtype)) == (
        True, True, None, "ยังไม่ส่ง (เลยกำหนด)", "float64", "Int64")
    # Nobody reported for P02: whom to call is the registry's coordinator.
    assert p02.tolist()[-5:] == ["นางสาวกาญจนา ทองคำ", "นักวิเคราะห์นโยบายและแผน", "043-072-172",
                                 "saraban.p02@khonkaen-demo.example", "ทะเบียน"]
    assert (rows.loc["D4012", ["ประเภทหน่วยงาน", "รหัสอำเภอ", "สถานะการส่ง", "ร้อยละผู้ลงนาม", "ลงนามครบทุกคน",
                               "เบอร์โทรศัพท์"]].tolist(),
            p01["ส่งครั้งแรก"]) == (
        ["ที่ว่าการอำเภอ", "4012", "ส่งล่าช้า", 100.0, "ใช่", "043-414-123"],
        pd.Timestamp(datetime(2023, 7, 1, 9, 0, tzinfo=BANGKOK)))


def test_agency_export_words_every_status_and_kind_in_thai(agencies):
    table = export.agency_export(agencies)
    assert (set(table["สถานะการส่ง"]), set(table["ประเภทหน่วยงาน"])) == (
        {"ส่งตรงเวลา", "ส่งล่าช้า", "ยังไม่ส่ง (เลยกำหนด)"},  # as of 20 July: past the deadline, as on the page
        {"ส่วนราชการประจำจังหวัด", "ส่วนราชการส่วนกลางในจังหวัด", "ที่ว่าการอำเภอ", "หน่วยงานระดับอำเภอ", "อื่น ๆ"})


@pytest.mark.parametrize(("rate", "expected"), [
    (85 / 88, 96.6), (36 / 37, 97.3), (2 / 3, 66.7), (1.0, 100.0), (0.0, 0.0), (0.0004, 0.0),
])
def test_agency_export_gives_the_rate_in_percent_to_one_decimal(agencies, rate, expected):
    changed = agencies.copy()
    changed.loc[changed["agency_id"] == "P01", "signing_rate"] = rate
    table = export.agency_export(changed)
    assert table.loc[table["รหัสหน่วยงาน"] == "P01", "ร้อยละผู้ลงนาม"].tolist() == [expected]


@pytest.mark.parametrize(("phone", "expected"), [
    ("0812345678", "081-234-5678"), ("043414123", "043-414-123"), ("021234567", "02-123-4567"),
    ("043414123 ต่อ 12", "043414123 ต่อ 12"), ("1111", "1111"), ("08123456789", "08123456789"),
    ("๐๘๑๒๓๔๕๖๗๘", "๐๘๑๒๓๔๕๖๗๘"), ("", ""), (None, None),
])
def test_phone_for_people(phone, expected):
    assert export.phone_for_people(phone) == expected


def test_agency_export_without_contacts_has_no_contact_anywhere(agencies):
    data = export.csv_bytes(export.agency_export(agencies, include_personal=False)).decode("utf-8-sig")
    assert [text for text in ("HYPERLINK", "SUM(A1)", "นายธนพล", "ปลัดอำเภอ", "081", "812345678", "043")
            if text in data] == []


def test_csv_starts_with_the_bom_and_has_exactly_the_columns(agencies):
    data = export.csv_bytes(export.agency_export(agencies))
    assert (data[:3], read_csv_cells(data)[0], len(read_csv_cells(data))) == (b"\xef\xbb\xbf", EXPORT_COLUMNS, 155)


def test_csv_neutralises_text_and_keeps_numbers(agencies):
    cells = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True))
             for row in read_csv_cells(export.csv_bytes(export.agency_export(agencies)))[1:]}
    assert (cells["P01"], cells["D4012"], cells["P02"]) == (
        {"รหัสหน่วยงาน": "P01", "ชื่อหน่วยงาน": "สำนักงานจังหวัดขอนแก่น", "ประเภทหน่วยงาน": "ส่วนราชการประจำจังหวัด",
         "รหัสอำเภอ": "", "อำเภอ": "ระดับจังหวัด", "สถานะการส่ง": "ส่งตรงเวลา", "ส่งครั้งแรก": "2023-07-01 09:00:00",
         "ส่งล่าสุด": "2023-07-01 09:00:00", "บุคลากรทั้งหมด (คน)": "37", "ลงนามแล้ว (คน)": "36",
         "ร้อยละผู้ลงนาม": "97.3", "ลงนามครบทุกคน": "ไม่ใช่",
         "ลิงก์ประกาศบนเว็บไซต์": "https://www.p01.example.go.th/moral", "รายงานที่ถูกปฏิเสธ": "",
         "ผู้ที่ต้องติดต่อ": "'=HYPERLINK(\"http://evil\",\"x\")", "ตำแหน่งผู้ที่ต้องติดต่อ": "'@SUM(A1)",
         "เบอร์โทรศัพท์": "081-234-5678", "อีเมล": "", "ข้อมูลติดต่อจาก": "ผู้รายงาน"},
        {"รหัสหน่วยงาน": "D4012", "ชื่อหน่วยงาน": "ที่ว่าการอำเภอพล", "ประเภทหน่วยงาน": "ที่ว่าการอำเภอ",
         "รหัสอำเภอ": "4012", "อำเภอ": "พล", "สถานะการส่ง": "ส่งล่าช้า", "ส่งครั้งแรก": "2023-07-09 09:00:00",
         "ส่งล่าสุด": "2023-07-09 09:00:00", "บุคลากรทั้งหมด (คน)": "42", "ลงนามแล้ว (คน)": "42",
         "ร้อยละผู้ลงนาม": "100.0", "ลงนามครบทุกคน": "ใช่", "ลิงก์ประกาศบนเว็บไซต์": "", "รายงานที่ถูกปฏิเสธ": "",
         "ผู้ที่ต้องติดต่อ": "'+66 นายธนพล", "ตำแหน่งผู้ที่ต้องติดต่อ": "'-ปลัดอำเภอ", "เบอร์โทรศัพท์": "043-414-123",
         "อีเมล": "", "ข้อมูลติดต่อจาก": "ผู้รายงาน"},
        {"รหัสหน่วยงาน": "P02", "ชื่อหน่วยงาน": "ที่ทำการปกครองจังหวัดขอนแก่น", "ประเภทหน่วยงาน": "ส่วนราชการประจำจังหวัด",
         "รหัสอำเภอ": "", "อำเภอ": "ระดับจังหวัด", "สถานะการส่ง": "ยังไม่ส่ง (เลยกำหนด)", "ส่งครั้งแรก": "",
         "ส่งล่าสุด": "", "บุคลากรทั้งหมด (คน)": "", "ลงนามแล้ว (คน)": "", "ร้อยละผู้ลงนาม": "", "ลงนามครบทุกคน": "",
         "ลิงก์ประกาศบนเว็บไซต์": "", "รายงานที่ถูกปฏิเสธ": "", "ผู้ที่ต้องติดต่อ": "นางสาวกาญจนา ทองคำ",
         "ตำแหน่งผู้ที่ต้องติดต่อ": "นักวิเคราะห์นโยบายและแผน", "เบอร์โทรศัพท์": "043-072-172",
         "อีเมล": "saraban.p02@khonkaen-demo.example", "ข้อมูลติดต่อจาก": "ทะเบียน"},
    )


def test_csv_dates_are_iso_date_times_in_bangkok_time():
    # 02:00 UTC is 09:00 in Bangkok: the CSV holds the wall-clock time HR knows, without an offset.
    moments = pd.Series(pd.to_datetime(["2023-07-01T02:00:00Z", "2023-12-31T16:59:59Z", None], utc=True))
    assert read_csv_cells(export.csv_bytes(pd.DataFrame({"when": moments}))) == [
        ["when"], ["2023-07-01 09:00:00"], ["2023-12-31 23:59:59"], [""]]


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
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    phone_cell = sheet.cell(row=2, column=header.index("เบอร์โทรศัพท์") + 1)
    code_cell = sheet.cell(row=list(rows).index("D4012") + 2, column=header.index("รหัสอำเภอ") + 1)
    assert (header, sheet.max_row, phone_cell.data_type, phone_cell.number_format, code_cell.value,
            code_cell.number_format, list(rows["P01"].values()), rows["D4012"]["ร้อยละผู้ลงนาม"]) == (
        EXPORT_COLUMNS, 155, "s", "@", "4012", "@",
        ["P01", "สำนักงานจังหวัดขอนแก่น", "ส่วนราชการประจำจังหวัด", None, "ระดับจังหวัด", "ส่งตรงเวลา",
         datetime(2023, 7, 1, 9, 0), datetime(2023, 7, 1, 9, 0), 37, 36, 97.3, "ไม่ใช่",
         "https://www.p01.example.go.th/moral", None, "'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1)",
         "081-234-5678", None, "ผู้รายงาน"],
        100)


def test_xlsx_blank_cells_of_an_agency_that_has_not_reported(agencies):
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies)))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    p02 = next(dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "P02")
    assert [p02[c] for c in ("สถานะการส่ง", "ส่งครั้งแรก", "บุคลากรทั้งหมด (คน)", "ร้อยละผู้ลงนาม", "ลงนามครบทุกคน")] == [
        "ยังไม่ส่ง (เลยกำหนด)", None, None, None, None]


def test_xlsx_dates_are_date_cells_shown_in_buddhist_era(agencies):
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies)))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    first, last = (sheet.cell(row=2, column=header.index(name) + 1) for name in ("ส่งครั้งแรก", "ส่งล่าสุด"))
    assert [(c.value, c.is_date, c.number_format) for c in (first, last)] == [
        (datetime(2023, 7, 1, 9, 0), True, "[$-107041E]d mmm yyyy hh:mm")] * 2


def test_xlsx_has_no_formula_cells(agencies):
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies)))).worksheets[0]
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []


def test_xlsx_columns_are_sized_but_capped():
    frame = pd.DataFrame({"id": ["A1"], "name": ["ก" * 10_000]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame))).worksheets[0]
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


def test_the_export_carries_a_rejected_report_and_the_chase_logs_last_action(agencies):
    chased = agencies.assign(
        needs_correction=agencies["agency_id"].eq("P02"), rejected_row=pd.array([28] * len(agencies), dtype="Int64"),
        rejected_at=pd.Timestamp(datetime(2023, 7, 1, 11, 48, tzinfo=BANGKOK)), rejected_reason="จำนวนอ่านไม่ได้",
        last_action=agencies["agency_id"].map({"P02": "called"}),
        last_at=pd.Series([pd.Timestamp(datetime(2023, 7, 8, 10, 0, tzinfo=BANGKOK))] * len(agencies)),
        last_by="hr@khonkaen.example", promised_on=agencies["agency_id"].map({"P02": date(2023, 7, 12)}))
    table = export.agency_export(chased).set_index("รหัสหน่วยงาน")
    assert list(table.columns[-4:]) == CHASE_COLUMNS
    assert table.loc["P02", ["สถานะการส่ง", "รายงานที่ถูกปฏิเสธ", "ติดตามล่าสุด", "ผู้ติดตาม", "รับปากจะส่งภายใน"]].tolist() == [
        "ส่งแล้วแต่ต้องแก้ไข", "แถว 28 (1 ก.ค. 2566 11:48 น.): จำนวนอ่านไม่ได้", "โทรแล้ว", "hr@khonkaen.example",
        date(2023, 7, 12)]
    viewers = export.agency_export(chased, include_personal=False)
    assert not set(CHASE_COLUMNS) & set(viewers.columns)
def test_xlsx_freezes_the_header_and_filters_every_column(agencies):
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(export.agency_export(agencies),
                                                                sheet_name=export.AGENCY_SHEET)))["สถานะหน่วยงาน"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:S155")


def test_xlsx_columns_fit_thai_text():
    # Marks above and below a letter take no width; a Thai letter is a fifth wider than Excel's "0".
    frame = pd.DataFrame({"ชื่อหน่วยงาน": ["สำนักงานสาธารณสุขจังหวัดขอนแก่น"], "รหัส": ["P01"]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame))).worksheets[0]
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (33.2, 5.6)


def test_an_xlsx_about_sheet_is_formula_safe_text():
    about = export.about_rows(title="ทดสอบ", as_of=AS_OF, deadline=AS_OF.date(), source="=cmd|' /C calc'!A0",
                              count=3, filters=[("ค้นหา", "+สนง.")], personal=False)
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(pd.DataFrame({"a": ["x"]}), about=about)))
    assert book.sheetnames == ["ข้อมูล", "เกี่ยวกับไฟล์นี้"]
    assert list(book["เกี่ยวกับไฟล์นี้"].iter_rows(values_only=True)) == [
        ("หัวข้อ", "รายละเอียด"), ("ไฟล์นี้คือ", "ทดสอบ"), ("สถานะ ณ", "20 ก.ค. 2566 12:00 น."),
        ("กำหนดส่ง", "20 ก.ค. 2566"), ("ตัวกรอง: ค้นหา", "'+สนง."), ("จำนวนหน่วยงาน", "3"),
        ("แหล่งข้อมูล", "'=cmd|' /C calc'!A0"), ("ข้อมูลติดต่อผู้รายงาน", "ไม่มี")]


def test_without_filters_the_about_sheet_says_every_agency():
    rows = dict(export.about_rows(title="t", as_of=AS_OF, deadline=AS_OF.date(), source="s", count=154))
    assert rows["ตัวกรอง"] == "ไม่ได้กรอง (ทุกหน่วยงาน)" and "ข้อมูลติดต่อผู้รายงาน" not in rows


def test_filters_in_thai_words_and_the_file_name_they_make():
    filters = export.describe_filters(statuses=["missing", "late"], districts=["อ.พล"], kinds=["central"],
                                      links=["unreachable"], query="สนง. a/b")
    assert filters == [("สถานะ", "ยังไม่ส่ง, ส่งล่าช้า"), ("อำเภอ", "อ.พล"),
                       ("ประเภทหน่วยงาน", "ส่วนราชการส่วนกลางในจังหวัด"), ("ลิงก์ประกาศ", "เปิดไม่ได้"),
                       ("ค้นหา", "สนง. a/b")]
    at = datetime(2023, 7, 7, 17, 0, tzinfo=BANGKOK)
    assert export.export_file_name(at, export.describe_filters(statuses=["missing"], districts=["อ.พล"]),
                                   ".xlsx") == "kkdash-ยังไม่ส่ง-อ.พล-2566-07-07-1700.xlsx"
    assert export.export_file_name(at, filters, ".csv") == (
        "kkdash-ยังไม่ส่ง+ส่งล่าช้า-อ.พล-ส่วนราชการส่วนกลางในจังหวัด-เปิดไม่ได้-สนง._a_b-2566-07-07-1700.csv")
    assert export.export_file_name(at.astimezone(UTC), [], ".csv") == "kkdash-2566-07-07-1700.csv"


def test_the_follow_up_filters_in_thai_words_with_districts_named_and_the_chase_filter(agencies):
    filters = views.AgencyFilters(statuses=("late",), districts=("4012", "province"), chase=("not_chased",))
    assert export.describe_agency_filters(filters, agencies) == [
        ("สถานะ", "ส่งล่าช้า"), ("อำเภอ", "อ.พล, ระดับจังหวัด"), ("การติดตาม", "ยังไม่ได้ติดตาม")]


def test_the_export_says_not_sent_in_the_words_the_follow_up_page_shows(agencies):
    shown = views.followup_table(agencies, include_personal=False).set_index("agency_id")["status"]
    exported = export.agency_export(agencies).set_index("รหัสหน่วยงาน")["สถานะการส่ง"]
    assert (shown.str.split(" ", n=1).str[1] == exported).all()  # the badge is an emoji, a space, the words
    assert set(exported) == {"ส่งตรงเวลา", "ส่งล่าช้า", "ยังไม่ส่ง (เลยกำหนด)"}


def test_the_link_export_has_the_agency_exports_headers_and_thai_words(agencies):
    results = pd.DataFrame({"url": ["https://www.p01.example.go.th/moral"], "status": ["unreachable"]})
    table = export.links_export(views.with_link_status(agencies, results))
    assert list(table.columns) == ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "อำเภอ", "ลิงก์ประกาศบนเว็บไซต์", "ผลตรวจลิงก์"]
    assert table.set_index("รหัสหน่วยงาน").loc[["P01", "D4012"], "ผลตรวจลิงก์"].tolist() == ["เปิดไม่ได้", "ไม่มีลิงก์"]


# --- every character a form answer or a Google answer can carry: no export ever refuses it ---------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)  # surrogates, controls, noncharacters too


def readable(value: str) -> str:
    """What a spreadsheet cell shows of ``value``: without what no cell can hold, neutralised, CR read as LF (XML)."""
    kept = "".join(ch for ch in value if ch in "\t\n\r" or "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff"
                   or "\ue000" <= ch <= "\ufffd" or ch >= "\U00010000")
    return export.neutralize(kept).replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(ANY_TEXT, min_size=1, max_size=6), header=ANY_TEXT)
def test_no_character_makes_an_export_fail(cells, header):
    frame = pd.DataFrame({header or "h": pd.Series(cells, dtype="object")})
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame))).worksheets[0]
    shown = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [value or "" for value in shown] == [readable(cell) for cell in cells]
    assert sheet.cell(1, 1).value == (readable(header or "h") or None)
    assert [row[0] for row in read_csv_cells(export.csv_bytes(frame))[1:]] == [
        export.neutralize(export.excel_text(cell)) for cell in cells]


def test_a_reporter_name_with_a_vertical_tab_exports_to_excel(registry, districts):
    answer = ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่", "20", "19", "5", "5", "2", "2",
              "10", "10", "https://www.p01.example.go.th/moral", "นายสมชาย\x0bใจดี", "ธุรการ\x01", "0812345678"]
    outcome = pipeline.run(sheet_from_rows([list(HEADERS_TH.values()), answer]), registry, districts, as_of=AS_OF)
    table = export.agency_export(outcome.agencies)
    sheet = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(table))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    p01 = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "P01")
    assert (p01[header.index("ผู้ที่ต้องติดต่อ")], p01[header.index("ตำแหน่งผู้ที่ต้องติดต่อ")]) == ("นายสมชาย ใจดี", "ธุรการ")
