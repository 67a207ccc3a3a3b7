"""kkdash.rows: every sheet row gets one fate, with Thai reasons and warnings (contract section 4)."""

from datetime import datetime

import pytest

from kkdash import rows
from kkdash.dates import BANGKOK
from kkdash.matching import Matcher
from kkdash.schema import COUNT_FIELDS, FIELDS, HEADERS_TH, map_headers
from kkdash.sheet import sheet_from_rows

THAI_HEADERS = list(HEADERS_TH.values())
AS_OF = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
GOOD_COUNTS = dict(zip(COUNT_FIELDS, ["10", "10", "2", "2", "1", "1", "3", "3"], strict=True))


def answer(submitted_at="27/6/2566, 9:00:00", agency_name="สำนักงานจังหวัดขอนแก่น", **fields):
    """One form answer with nothing wrong in it, except what ``fields`` override."""
    values = {
        "submitted_at": submitted_at, "agency_name": agency_name, "district": "",
        "declared_on": "26/6/2566", "head_signed": "ใช่", **GOOD_COUNTS,
        "published_url": "https://www.example.go.th/moral", "reporter_name": "นายสมชาย ใจดี",
        "reporter_position": "เจ้าพนักงานธุรการ", "reporter_phone": "0812345678",
    }
    values.update(fields)
    return [values.get(field, "") for field in FIELDS]


@pytest.fixture
def classify(registry, districts):
    """Answer rows -> ClassifiedRows through the real registry, as of AS_OF unless told."""
    def run(*answers, as_of=AS_OF):
        sheet = sheet_from_rows([THAI_HEADERS, *answers])
        prepared = rows.prepare_rows(sheet, map_headers(sheet.headers), matcher=Matcher(registry),
                                     registry=registry, districts=districts)
        return rows.classify(prepared, as_of=as_of)
    return run


def fates(classified):
    return dict(zip(classified.rows["row_number"], classified.rows["fate"], strict=True))


def notes_of(classified, severity):
    picked = classified.notes[classified.notes["severity"] == severity]
    return list(zip(picked["row_number"], picked["code"], picked["message"], strict=True))


def test_latest_row_by_time_is_used_and_earlier_rows_superseded(classify):
    result = classify(
        answer("28/6/2566, 9:00:00"),
        answer("30/6/2566, 9:00:00"),
        answer("26/6/2566, 9:00:00"),  # lower in the sheet but earlier in time
    )
    assert fates(result) == {2: "superseded", 3: "used", 4: "superseded"}


def test_same_second_the_lower_row_in_the_sheet_wins(classify):
    result = classify(
        answer("3/7/2566, 14:00:00", civil_signed="9"),
        answer("3/7/2566 14:00:00", civil_signed="10"),
    )
    assert (fates(result), result.rows.set_index("row_number").at[3, "civil_signed"]) == (
        {2: "superseded", 3: "used"}, 10)


def test_a_rejected_correction_replaces_nothing(classify):
    result = classify(answer("1/7/2566, 9:00:00"), answer("2/7/2566, 9:00:00", civil_total="สิบ"))
    assert fates(result) == {2: "used", 3: "rejected"}


def test_rows_after_as_of_are_not_yet_in_the_sheet_even_when_bad(classify):
    result = classify(
        answer("1/7/2566, 9:00:00"),
        answer("25/7/2566, 9:00:00"),
        answer("25/7/2566, 9:00:00", civil_total="สิบ", published_url=""),
        answer("เมื่อวาน"),  # an unreadable time is rejected whatever T is
    )
    assert (fates(result), result.notes["row_number"].tolist()) == (
        {2: "used", 3: "after_as_of", 4: "after_as_of", 5: "rejected"}, [5])


def test_a_row_sent_exactly_at_as_of_counts(classify):
    result = classify(answer("20/7/2566, 12:00:00"), answer("20/7/2566, 12:00:01", agency_name="อำเภอพล"),
                      as_of=AS_OF)
    assert fates(result) == {2: "used", 3: "after_as_of"}


def test_blank_rows_are_skipped_and_row_numbers_stay_the_sheets(classify):
    result = classify(
        [""] * len(FIELDS),
        answer("1/7/2566, 9:00:00"),
        ["  ", "\u200b", *[""] * (len(FIELDS) - 2)][:len(FIELDS)],
        [],  # a short row: padded with blanks
        answer("2/7/2566, 9:00:00", agency_name="อำเภอพล"),
    )
    assert (fates(result), result.blank_rows) == ({3: "used", 6: "used"}, 3)


def test_a_sheet_with_no_answers_yet_classifies_to_nothing(classify):
    result = classify()
    assert (len(result.rows), len(result.notes), result.blank_rows) == (0, 0, 0)


UNKNOWN = ("ไม่พบชื่อหน่วยงาน 'โรงเรียนบ้านโนนสวรรค์' ในทะเบียน — ชื่อที่ใกล้เคียง: "
           "โรงพยาบาลจิตเวชขอนแก่นราชนครินทร์ (44), โรงพยาบาลขอนแก่น (43), โครงการชลประทานขอนแก่น (37)")
AMBIGUOUS = ("ชื่อหน่วยงาน 'ที่ว่าการอำเภอ' ใกล้เคียงหลายหน่วยงาน ระบบไม่เดา — โปรดเลือก: "
             "ที่ว่าการอำเภอพล (93), ที่ว่าการอำเภอชนบท (88)")
BAD_COUNT = "จำนวน '{}' อ่านไม่ได้ (ต้องเป็นจำนวนเต็มไม่ติดลบ): '{}'"


@pytest.mark.parametrize(("fields", "code", "message"), [
    ({"submitted_at": ""}, "no_timestamp", "ไม่มีเวลาประทับ (ประทับเวลา)"),
    ({"submitted_at": "เมื่อวานตอนบ่าย"}, "bad_timestamp", "อ่านเวลาประทับไม่ได้: 'เมื่อวานตอนบ่าย'"),
    ({"submitted_at": "31/2/2566, 9:00:00"}, "bad_timestamp", "อ่านเวลาประทับไม่ได้: '31/2/2566, 9:00:00'"),
    ({"agency_name": ""}, "no_agency", "ไม่ได้กรอกชื่อหน่วยงาน"),
    ({"agency_name": "โรงเรียนบ้านโนนสวรรค์"}, "unknown_agency", UNKNOWN),
    ({"agency_name": "ที่ว่าการอำเภอ"}, "ambiguous_agency", AMBIGUOUS),
    ({"civil_total": "สิบห้า"}, "bad_count", BAD_COUNT.format("ข้าราชการ (ทั้งหมด)", "สิบห้า")),
    ({"civil_signed": "-3"}, "bad_count", BAD_COUNT.format("ข้าราชการ (ลงนาม)", "-3")),
    ({"govemp_total": "12.5"}, "bad_count", BAD_COUNT.format("พนักงานราชการ (ทั้งหมด)", "12.5")),
    ({"civil_signed": "12"}, "signed_over_total", "ข้าราชการ: ลงนาม 12 คน มากกว่าจำนวนทั้งหมด 10 คน"),
    ({"staff_total": "1,234", "staff_signed": "1,300"}, "signed_over_total",
     "เจ้าหน้าที่อื่น: ลงนาม 1,300 คน มากกว่าจำนวนทั้งหมด 1,234 คน"),
    (dict.fromkeys(COUNT_FIELDS, "0"), "zero_total", "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท"),
    (dict(zip(COUNT_FIELDS, ["-", "", "0", "-", "", "", "0", "0"], strict=True)), "zero_total",
     "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท"),
])
def test_each_rejection_has_a_code_and_a_thai_reason(classify, fields, code, message):
    result = classify(answer(**fields))
    assert (fates(result), notes_of(result, "rejected"), result.rows["reason"].tolist()) == (
        {2: "rejected"}, [(2, code, message)], [message])


def test_a_row_with_two_faults_lists_both_reasons(classify):
    result = classify(answer("", agency_name="", civil_total="สิบ"))
    assert [code for _, code, _ in notes_of(result, "rejected")] == ["no_timestamp", "no_agency", "bad_count"]


@pytest.mark.parametrize(("fields", "code", "message"), [
    ({"published_url": ""}, "no_url", "ไม่มีลิงก์ประกาศบนเว็บไซต์"),
    ({"published_url": "javascript:alert(1)"}, "bad_url",
     "ลิงก์ประกาศ 'javascript:alert(1)' ใช้ไม่ได้ (ต้องเป็นที่อยู่เว็บไซต์ http/https) — นับว่ายังไม่เผยแพร่"),
    ({"published_url": "อยู่ระหว่างดำเนินการ"}, "bad_url",
     "ลิงก์ประกาศ 'อยู่ระหว่างดำเนินการ' ใช้ไม่ได้ (ต้องเป็นที่อยู่เว็บไซต์ http/https) — นับว่ายังไม่เผยแพร่"),
    ({"head_signed": "ไม่ใช่"}, "head_not_signed", "หัวหน้าหน่วยงานไม่ได้ร่วมลงนาม"),
    ({"head_signed": ""}, "head_unknown", "ไม่ได้ระบุว่าหัวหน้าหน่วยงานร่วมลงนามหรือไม่"),
    ({"agency_name": "อำเภอพล", "district": "ชุมแพ"}, "district_mismatch",
     "อำเภอที่กรอก 'ชุมแพ' ไม่ตรงกับทะเบียน (พล)"),
    ({"agency_name": "อำเภอพล", "district": "4005"}, "district_mismatch",
     "อำเภอที่กรอก '4005' ไม่ตรงกับทะเบียน (พล)"),
    ({"declared_on": ""}, "no_declared_on", "ไม่ได้ระบุวันที่ประกาศเจตนารมณ์"),
    ({"declared_on": "ไม่ทราบ"}, "bad_declared_on", "อ่านวันที่ประกาศเจตนารมณ์ไม่ได้: 'ไม่ทราบ'"),
    ({"declared_on": "28 มิ.ย. 66"}, "declared_after_submit", "วันที่ประกาศเจตนารมณ์อยู่หลังวันที่ส่งแบบรายงาน"),
    ({"agency_name": "สำนักงานพาณิชย์จังหวัดขอนแก่"}, "fuzzy_match",
     "ชื่อที่กรอกสะกดต่างจากทะเบียน จับคู่กับ 'สำนักงานพาณิชย์จังหวัดขอนแก่น' (คะแนน 98) — ตรวจสอบว่าถูกต้อง"),
])
def test_each_warning_is_listed_and_the_row_still_counts(classify, fields, code, message):
    result = classify(answer(**fields))
    assert (fates(result), notes_of(result, "warning"), result.rows["warnings"].tolist()) == (
        {2: "used"}, [(2, code, message)], [message])


def test_a_clean_row_has_no_notes(classify):
    result = classify(answer(declared_on="27/6/2566"))  # declared on the day it was sent is fine
    assert (fates(result), len(result.notes), result.rows["reason"].tolist(), result.rows["warnings"].tolist()) == (
        {2: "used"}, 0, [""], [""])


@pytest.mark.parametrize(("agency_name", "district"), [
    ("อำเภอพล", "พล"), ("อำเภอพล", "อ.พล"), ("อำเภอพล", "อำเภอพล"), ("อำเภอพล", " อำเภอ พล "),
    ("อำเภอพล", "4012"), ("อำเภอพล", ""), ("สำนักงานจังหวัดขอนแก่น", "พล"),  # province level: no district to differ
])
def test_district_answers_that_agree_with_the_registry(classify, agency_name, district):
    assert len(classify(answer(agency_name=agency_name, district=district)).notes) == 0


def test_rejected_rows_get_reasons_but_no_warnings(classify):
    result = classify(answer(civil_total="สิบ", published_url="", head_signed="ไม่ใช่"))
    assert ([code for _, code, _ in notes_of(result, "warning")], result.rows["warnings"].tolist()) == ([], [""])


def test_superseded_rows_keep_their_warnings(classify):
    result = classify(answer("1/7/2566, 9:00:00", published_url=""), answer("2/7/2566, 9:00:00"))
    assert (fates(result), notes_of(result, "warning")) == (
        {2: "superseded", 3: "used"}, [(2, "no_url", "ไม่มีลิงก์ประกาศบนเว็บไซต์")])


def test_parsed_values_sit_beside_what_was_typed(classify):
    result = classify(answer(
        "๒๗/๖/๒๕๖๖, ๙:๑๕:๐๒", agency_name=" สนง. จ.ขก. ", declared_on="26 มิ.ย. 66", civil_total="๑๒ คน",
        civil_signed="12.0", staff_total="1,234", staff_signed="1,234", permanent_total="-", permanent_signed="",
        published_url="www.example.go.th/moral", reporter_phone="812345678"))
    row = result.rows.iloc[0]
    assert (row["agency_id"], row["agency_name"], row["agency_name_registry"], row["match_method"],
            row["submitted_at"].isoformat(), row["declared_on"].isoformat(), row["civil_total"],
            row["civil_total_raw"], row["civil_signed"], row["staff_total"], row["permanent_total"],
            row["published_url"], row["url_raw"], row["reporter_phone"], row["district_code"]) == (
        "P01", "สนง. จ.ขก.", "สำนักงานจังหวัดขอนแก่น", "exact",
        "2023-06-27T09:15:02+07:00", "2023-06-26", 12,
        "๑๒ คน", 12, 1234, 0,
        "https://www.example.go.th/moral", "www.example.go.th/moral", "0812345678", "")


def test_registry_district_is_attached_to_matched_rows(classify):
    row = classify(answer(agency_name="สสอ.พล")).rows.iloc[0]
    assert (row["agency_id"], row["district_code"], row["district_name_registry"]) == ("U4012-1", "4012", "พล")


def test_control_characters_are_stripped_with_a_warning_naming_the_fields(classify):
    result = classify(answer(agency_name="สำนักงานจังหวัด\x0bขอนแก่น", published_url="https://www.example.go.th/moral\x01",
                             reporter_name="นายสมชาย\x1b[31m ใจดี"))
    row = result.rows.iloc[0]
    assert (fates(result), row["agency_name"], row["published_url"], row["reporter_name"]) == (
        {2: "used"}, "สำนักงานจังหวัด ขอนแก่น", "https://www.example.go.th/moral", "นายสมชาย[31m ใจดี")
    assert notes_of(result, "warning") == [
        (2, "control_characters", "ตัดอักขระควบคุมที่มองไม่เห็น (เช่น จากการคัดลอกมาวาง) ออกจากช่อง ชื่อหน่วยงาน,"
         " ลิงก์ประกาศบนเว็บไซต์, ชื่อผู้รายงาน แล้ว — ตรวจว่าข้อความที่เหลือถูกต้อง")]
