"""kkdash.schema: header rows -> field positions (contract section 1)."""

import pytest

from kkdash.schema import FIELDS, HEADERS_TH, REQUIRED_FIELDS, SchemaError, map_headers, normalize_header

THAI_HEADERS = list(HEADERS_TH.values())


def test_the_form_has_the_contract_fields_and_thai_headers():
    assert HEADERS_TH == {
        "submitted_at": "ประทับเวลา",
        "agency_name": "ชื่อหน่วยงาน",
        "district": "อำเภอ",
        "declared_on": "วันที่ประกาศเจตนารมณ์",
        "head_signed": "หัวหน้าหน่วยงานร่วมลงนาม",
        "civil_total": "ข้าราชการ (ทั้งหมด)",
        "civil_signed": "ข้าราชการ (ลงนาม)",
        "govemp_total": "พนักงานราชการ (ทั้งหมด)",
        "govemp_signed": "พนักงานราชการ (ลงนาม)",
        "permanent_total": "ลูกจ้างประจำ (ทั้งหมด)",
        "permanent_signed": "ลูกจ้างประจำ (ลงนาม)",
        "staff_total": "เจ้าหน้าที่อื่น (ทั้งหมด)",
        "staff_signed": "เจ้าหน้าที่อื่น (ลงนาม)",
        "published_url": "ลิงก์ประกาศบนเว็บไซต์",
        "reporter_name": "ชื่อผู้รายงาน",
        "reporter_position": "ตำแหน่ง",
        "reporter_phone": "เบอร์โทรศัพท์",
        "reporter_email": "ที่อยู่อีเมล",
    }


def test_default_thai_headers_map_in_sheet_order():
    assert dict(map_headers(THAI_HEADERS).positions) == {field: i for i, field in enumerate(FIELDS)}


def test_extra_columns_are_ignored_and_positions_follow_the_sheet():
    # As a Google Form that collects e-mail addresses lays them out: the address second, a quiz score last.
    headers = ["ประทับเวลา", "ที่อยู่อีเมล", *[h for h in THAI_HEADERS[1:] if h != "ที่อยู่อีเมล"], "คะแนน"]
    positions = map_headers(headers).positions
    assert (positions["submitted_at"], positions["reporter_email"], positions["agency_name"],
            positions["reporter_phone"]) == (0, 1, 2, 17)


def test_the_english_forms_email_column_is_the_reporters_email():
    assert map_headers(["Timestamp", "Email Address", *THAI_HEADERS[1:-1]],
                       extra={"Timestamp": "submitted_at"}).column("reporter_email") == 1


def test_optional_columns_may_be_missing():
    required = [HEADERS_TH[field] for field in REQUIRED_FIELDS]
    header_map = map_headers(required)
    assert [f for f in FIELDS if header_map.column(f) is None] == [
        "district", "declared_on", "head_signed", "published_url",
        "reporter_name", "reporter_position", "reporter_phone", "reporter_email",
    ]


@pytest.mark.parametrize(("typed", "key"), [
    ("ประทับเวลา", "ประทับเวลา"),
    ("  ประทับเวลา  ", "ประทับเวลา"),
    ("ประ\u200bทับ\u200cเวลา\ufeff", "ประทับเวลา"),
    ("ข้าราชการ   (ทั้งหมด)", "ข้าราชการ (ทั้งหมด)"),
    ("ข้าราชการ\t\n(ทั้งหมด)", "ข้าราชการ (ทั้งหมด)"),
    ("ข้าราชการ\u00a0(ทั้งหมด)", "ข้าราชการ (ทั้งหมด)"),
    ("Submitted_At", "submitted_at"),
    ("AGENCY_NAME", "agency_name"),
])
def test_normalize_header(typed, key):
    assert normalize_header(typed) == key


def test_messy_thai_headers_still_map():
    messy = [f"  {h.replace(' ', '   ')}\u200b " for h in THAI_HEADERS]
    assert dict(map_headers(messy).positions) == {field: i for i, field in enumerate(FIELDS)}


def test_canonical_english_names_are_accepted_in_any_case():
    headers = [field.upper() if i % 2 else field for i, field in enumerate(FIELDS)]
    assert dict(map_headers(headers).positions) == {field: i for i, field in enumerate(FIELDS)}


def test_config_maps_other_headers_to_fields():
    headers = ["Timestamp", "หน่วยงาน", *THAI_HEADERS[2:]]
    extra = {"timestamp": "submitted_at", "หน่วยงาน  ": "agency_name"}
    positions = map_headers(headers, extra=extra).positions
    assert (positions["submitted_at"], positions["agency_name"], positions["district"]) == (0, 1, 2)


def test_config_naming_an_unknown_field_is_an_error_naming_both():
    with pytest.raises(SchemaError, match=r"'Timestamp'.*'submitted'"):
        map_headers(THAI_HEADERS, extra={"Timestamp": "submitted"})


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_missing_required_column_is_an_error_naming_it(field):
    headers = [h for f, h in HEADERS_TH.items() if f != field]
    with pytest.raises(SchemaError) as caught:
        map_headers(headers)
    assert str(caught.value) == f"ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ: '{HEADERS_TH[field]}' ({field})"


def test_every_missing_required_column_is_named_at_once():
    with pytest.raises(SchemaError) as caught:
        map_headers(["ประทับเวลา", "ชื่อหน่วยงาน", "อำเภอ"])
    message = str(caught.value)
    assert [field for field in REQUIRED_FIELDS if f"({field})" in message] == list(REQUIRED_FIELDS[2:])


@pytest.mark.parametrize("doubled", ["ประทับเวลา", " ประทับ\u200bเวลา", "submitted_at", "Timestamp"])
def test_two_columns_for_one_field_is_an_error(doubled):
    headers = [*THAI_HEADERS, doubled]
    with pytest.raises(SchemaError) as caught:
        map_headers(headers, extra={"Timestamp": "submitted_at"})
    assert str(caught.value) == (
        f"หัวคอลัมน์ '{doubled}' ซ้ำกับคอลัมน์ที่ 1 (ทั้งสองหมายถึง 'ประทับเวลา')"
        " — กรุณาลบหรือเปลี่ยนชื่อคอลัมน์หนึ่ง"
    )


def test_blank_and_unknown_headers_are_not_fields():
    headers = ["", *THAI_HEADERS, "", "คำถามเพิ่มเติม"]
    assert map_headers(headers).column("submitted_at") == 1
