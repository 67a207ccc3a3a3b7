"""The pages' pure logic: KPIs, filters and their URL form, call order, contact links, history."""

from datetime import date, datetime

import pandas as pd
import pytest

from kkdash import pipeline, views
from kkdash.dates import BANGKOK
from kkdash.labels import MISSING, ON_TIME
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.redaction import mask_personal
from kkdash.sheet import sheet_from_rows
from kkdash.sources import read_responses_csv

HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)",
          "พนักงานราชการ (ลงนาม)", "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)",
          "เจ้าหน้าที่อื่น (ลงนาม)", "ลิงก์ประกาศบนเว็บไซต์", "เบอร์โทรศัพท์"]


def report(when: str, name: str, signed: int = 10, url: str = "https://a.example/x") -> list[str]:
    return [when, name, "10", str(signed), "0", "0", "0", "0", "0", "0", url, "081-234-5678"]


@pytest.fixture
def outcome(registry, districts):
    rows = [HEADER,
            report("1/7/2566, 09:00:00", "สำนักงานจังหวัดขอนแก่น"),                      # P01 on time, complete
            report("2/7/2566, 09:00:00", "ที่ว่าการอำเภอพล", signed=9),                  # D4012 on time, not full
            report("3/7/2566, 09:00:00", "ที่ว่าการอำเภอพล", signed=10),                 # ... corrected
            report("9/7/2566, 09:00:00", "สำนักงานสาธารณสุขอำเภอพล", url="")]            # U4012-1 late, no link
    return pipeline.run(sheet_from_rows(rows), registry, districts,
                        as_of=datetime(2023, 7, 10, 12, 0, tzinfo=BANGKOK), deadline=date(2023, 7, 7))


def test_headline_cards_read_as_a_governor_would(outcome):
    cards = {k.label: (k.value, k.detail, k.status) for k in views.headline(outcome, verified=1)}
    assert cards == {
        "ส่งรายงานแล้ว": ("3/154", "1.9% ของหน่วยงาน", ""),
        "ส่งตรงเวลา": ("2", "หน่วยงาน", ON_TIME),
        "ส่งล่าช้า": ("1", "หน่วยงาน", ""),
        "เลยกำหนดแล้ว ยังไม่ส่ง": ("151", "หน่วยงาน · ส่งแล้วแต่ต้องแก้ไข 0", MISSING),
        "บุคลากรลงนาม": ("100.0%", "30/30 คน ของหน่วยงานที่ส่งแล้ว 3 แห่ง", ""),
        "ลงนามครบทุกคน": ("3", "หน่วยงาน", ""),
        "เผยแพร่บนเว็บไซต์": ("2", "ลิงก์ใช้ได้จริง 1 หน่วยงาน", ""),
        "เลยกำหนดมาแล้ว": ("3 วัน", "กำหนดส่ง 7 ก.ค. 2566", MISSING),
    }
    # The printed brief has room for two detail lines a card.
    assert max(len(k.details) for k in views.headline(outcome, verified=None, sample_links=True)) == 2


def test_the_demos_made_up_links_are_not_reported_as_zero_working(outcome):
    cards = {k.label: k.detail for k in views.headline(outcome, verified=0, sample_links=True)}
    assert cards["เผยแพร่บนเว็บไซต์"] == "หน่วยงาน · ลิงก์สมมติของข้อมูลตัวอย่าง"


def test_search_finds_what_the_abbreviations_stand_for(registry):
    agencies = registry.assign(aliases=registry["aliases"])
    found = agencies[views.search_mask(agencies, "สนง.สาธารณสุข")]
    assert len(found) == 27 and found["name_th"].str.startswith("สำนักงานสาธารณสุข").all()
    assert views.search_mask(agencies, "ขก").sum() == agencies["name_th"].str.contains("ขอนแก่น").sum()


@pytest.mark.parametrize(("days", "card"), [
    (2, ("เหลือเวลา", "2 วัน")), (0, ("ครบกำหนด", "วันนี้")), (-5, ("เลยกำหนดมาแล้ว", "5 วัน")),
])
def test_deadline_card(outcome, days, card):
    shown = views.deadline_card(days, outcome)
    assert (shown.label, shown.value, shown.status) == (*card, "" if days > 0 else MISSING)


def test_filters_round_trip_through_the_url_and_drop_unknown_values():
    params = {"status": "missing,bogus,late", "district": "4012,province", "kind": "central,x", "q": " พล ",
              "link": "ok,nope"}
    filters = views.filters_from_params(params)
    assert filters == views.AgencyFilters(statuses=("missing", "late"), districts=("4012", "province"),
                                          kinds=("central",), query="พล", links=("ok",))
    assert filters.to_params() == {"status": "missing,late", "district": "4012,province", "kind": "central",
                                   "q": "พล", "link": "ok"}
    assert views.AgencyFilters().to_params() == {}


@pytest.mark.parametrize(("filters", "ids"), [
    (views.AgencyFilters(statuses=("late",)), ["U4012-1"]),
    (views.AgencyFilters(statuses=("not_published",)), ["U4012-1"]),
    (views.AgencyFilters(statuses=("on_time", "late"), districts=("4012",)), ["D4012", "U4012-1"]),
    (views.AgencyFilters(districts=("province",), statuses=("on_time",)), ["P01"]),
    (views.AgencyFilters(query="สาธารณสุข อำเภอพล"), ["U4012-1"]),
    (views.AgencyFilters(kinds=("district_office",), query="พล"), ["D4012"]),
    # The search reads abbreviations as sheet names are read: สนง. สำนักงาน, อ. อำเภอ, ขก ขอนแก่น.
    (views.AgencyFilters(query="สนง.สาธารณสุข อ.พล"), ["U4012-1"]),
    (views.AgencyFilters(query="สนง.จ.ขก", kinds=("provincial",)), ["P01"]),
])
def test_apply_filters(outcome, filters, ids):
    assert sorted(views.apply_filters(outcome.agencies, filters)["agency_id"]) == ids


def test_agencies_to_call_come_first(outcome):
    ordered = views.by_follow_up_priority(outcome.agencies)["agency_id"].tolist()
    assert ordered[151:] == ["U4012-1", "P01", "D4012"]  # late first; then by district, province first
    assert outcome.agencies.set_index("agency_id").loc[ordered[:151], "status"].eq("missing").all()


@pytest.mark.parametrize(("phone", "link"), [
    ("0812345678", "tel:0812345678"), ("043-123 456", "tel:043123456"), ("ต่อ 12", None), (None, None),
])
def test_tel_link(phone, link):
    assert views.tel_link(phone) == link


def test_followup_table_leaves_unreported_agencies_blank(outcome):
    table = views.followup_table(outcome.agencies, include_personal=True).set_index("agency_id")
    # Nobody reported for P02: no figures, and whom to call comes from the registry.
    assert table.loc["P02", ["status", "signed", "published_url", "link_status", "call_phone", "call_source"]].tolist(
    ) == ["🔴 ยังไม่ส่ง (เลยกำหนด)", "-", "", "", "tel:043072172", "ทะเบียน"]
    assert pd.isna(table.loc["P02", "signing_rate"]) and table.loc["P02", "fully_signed"] is None
    assert table.loc["D4012", ["status", "signed", "signing_rate", "call_phone", "call_source"]].tolist() == [
        "🟢 ส่งตรงเวลา", "10/10", 100.0, "tel:0812345678", "ผู้รายงาน"]
    assert not {"call_phone", "call_name", "call_source"} & set(
        views.followup_table(outcome.agencies, include_personal=False).columns)


def test_the_follow_up_table_dials_the_first_of_several_registry_numbers(outcome):
    agencies = outcome.agencies.assign(call_phone=outcome.agencies["call_phone"].where(
        outcome.agencies["agency_id"].ne("P02"), "043060552, 043089367"))
    table = views.followup_table(agencies, include_personal=True).set_index("agency_id")
    assert table.loc["P02", "call_phone"] == "tel:043060552"


def test_submission_history_says_which_row_counts_and_why(outcome):
    history = views.submission_history(outcome, "D4012")
    assert history[["row_number", "fate", "personnel"]].values.tolist() == [
        [3, "ถูกแทนที่ด้วยรายงานที่ส่งภายหลัง", "9/10"], [4, "ใช้เป็นข้อมูลล่าสุด", "10/10"]]
    assert history["why"].tolist()[0] == "มีรายงานที่ส่งภายหลังแทนที่แล้ว"


def test_superseded_rows_name_the_row_that_replaced_them(outcome):
    assert views.superseded_rows(outcome)[["row_number", "replaced_by_row"]].values.tolist() == [[3, 4]]


def test_row_arithmetic(outcome):
    assert views.row_arithmetic(outcome.counts) == "แถวทั้งหมด 4 = ใช้ 3 + ถูกแทนที่ 1 + ถูกปฏิเสธ 0"


def test_verified_count_is_none_until_a_link_was_checked(outcome):
    unchecked = views.with_link_status(outcome.agencies, pd.DataFrame({"url": [], "status": []}))
    assert views.verified_count(unchecked) is None
    checked = views.with_link_status(outcome.agencies,
                                     pd.DataFrame({"url": ["https://a.example/x"], "status": ["ok"]}))
    assert views.verified_count(checked) == 2
    cards = {k.label: k.detail for k in views.headline(outcome, verified=None)}
    assert cards["เผยแพร่บนเว็บไซต์"] == "หน่วยงาน · ยังไม่ตรวจลิงก์"


# --- for viewers, typed text that looks personal is masked in the quotes of rejected rows and warnings --------


@pytest.fixture
def personal_outcome(registry, districts):
    rows = [HEADER,
            report("1/7/2566, 09:00:00", "นายสมชาย ใจดี 081-234-5678"),            # a person typed as the agency
            report("2/7/2566, 09:00:00", "ที่ว่าการอำเภอพล", url="ติดต่อ somchai@khonkaen.go.th"),
            report("3/7/2566, 09:00:00", "ที่ว่าการอำเภอพล")]
    return pipeline.run(sheet_from_rows(rows), registry, districts,
                        as_of=datetime(2023, 7, 10, 12, 0, tzinfo=BANGKOK), deadline=date(2023, 7, 7))


def test_a_viewer_sees_typed_names_phones_and_emails_masked(personal_outcome):
    rejected = views.rejected_rows(personal_outcome, include_personal=False)
    assert rejected.loc[0, "typed_name"] == "[ชื่อบุคคล] [เบอร์โทร]"
    assert rejected.loc[0, "reason"].startswith("ไม่พบชื่อหน่วยงาน '[ชื่อบุคคล] [เบอร์โทร]' ในทะเบียน — ชื่อที่ใกล้เคียง: ")
    warnings = views.warning_rows(personal_outcome, include_personal=False)
    assert warnings.loc[warnings["warning"].str.startswith("ลิงก์"), "warning"].tolist() == [
        "ลิงก์ประกาศ 'ติดต่อ [อีเมล]' ใช้ไม่ได้ (ต้องเป็นที่อยู่เว็บไซต์ http/https) — นับว่ายังไม่เผยแพร่"]
    history = views.submission_history(personal_outcome, "D4012", include_personal=False)
    assert "somchai@" not in " ".join(history["why"])


def test_hr_sees_the_typed_text_as_typed(personal_outcome):
    assert views.rejected_rows(personal_outcome).loc[0, "typed_name"] == "นายสมชาย ใจดี 081-234-5678"
    assert "somchai@khonkaen.go.th" in " ".join(views.warning_rows(personal_outcome)["warning"])


@pytest.mark.parametrize(("typed", "shown"), [
    ("นางสาวสมหญิง รักดี", "[ชื่อบุคคล]"), ("น.ส. สมหญิง", "[ชื่อบุคคล]"), ("ร.ต.อ.สมศักดิ์ มั่นคง", "[ชื่อบุคคล]"),
    ("นพ.วิชัย", "[ชื่อบุคคล]"), ("Mr. John Smith", "[ชื่อบุคคล]"), ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "โทร [เบอร์โทร]"),
    ("+66 81 234 5678", "[เบอร์โทร]"), ("043-414123", "[เบอร์โทร]"),
    # Not personal: offices, the campaign's own words, times, counts, agency names.
    ("นายอำเภอพล", "นายอำเภอพล"), ("สำนักงานนายอำเภอพล", "สำนักงานนายอำเภอพล"), ("นายกเทศมนตรีตำบล", "นายกเทศมนตรีตำบล"),
    ("จังหวัดคุณธรรม", "จังหวัดคุณธรรม"), ("26/6/2566, 9:15:02", "26/6/2566, 9:15:02"),
    ("2023-07-01 09:00:00", "2023-07-01 09:00:00"), ("1,234", "1,234"), ("สำนักงานจังหวัดขอนแก่น", "สำนักงานจังหวัดขอนแก่น"),
])
def test_what_is_masked(typed, shown):
    assert mask_personal(typed) == shown


def test_masking_leaves_the_demo_campaigns_messages_alone(registry, districts):
    outcome = pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), registry, districts,
                           as_of=datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK))
    for view in (views.rejected_rows, views.warning_rows, views.superseded_rows):
        pd.testing.assert_frame_equal(view(outcome, include_personal=False), view(outcome))


def test_a_viewer_sees_the_needs_correction_note_masked_and_hr_as_typed(registry, districts):
    typed = "โทรถาม นายสมชาย ใจดี 0812345678"
    rows = [HEADER, ["4/7/2566, 09:00:00", "สำนักงานสาธารณสุขอำเภอพล", "10", typed, "0", "0", "0", "0", "0", "0",
                     "https://a.example/x", "081-234-5678"]]
    outcome = pipeline.run(sheet_from_rows(rows), registry, districts,
                           as_of=datetime(2023, 7, 10, 12, 0, tzinfo=BANGKOK), deadline=date(2023, 7, 7))
    picked = outcome.agencies[outcome.agencies["needs_correction"]]
    viewer = views.followup_table(picked, include_personal=False)["rejected"].iloc[0]
    hr = views.followup_table(picked, include_personal=True)["rejected"].iloc[0]
    assert viewer.endswith("อ่านไม่ได้ (ต้องเป็นจำนวนเต็มไม่ติดลบ): 'โทรถาม [ชื่อบุคคล] [เบอร์โทร]'")
    assert hr.endswith(f"อ่านไม่ได้ (ต้องเป็นจำนวนเต็มไม่ติดลบ): '{typed}'")
