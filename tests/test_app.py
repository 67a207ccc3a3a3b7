"""The pages in AppTest: they run, show the pipeline's numbers, and their filters and as-of control work."""

from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kkdash import pipeline, views
from kkdash.app import data, rowcards, tables
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.labels import LATE, MISSING
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry
from kkdash.sources import read_responses_csv
from kkdash.text import literal
from tools.fakesheets import FakeSheets

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("app_env")]
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["pages/overview.py", "pages/followup.py", "pages/quality.py"]
SHEET_HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "อำเภอ", "วันที่ประกาศเจตนารมณ์", "หัวหน้าหน่วยงานร่วมลงนาม",
                "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)", "พนักงานราชการ (ลงนาม)",
                "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)", "เจ้าหน้าที่อื่น (ลงนาม)",
                "ลิงก์ประกาศบนเว็บไซต์", "ชื่อผู้รายงาน", "ตำแหน่ง", "เบอร์โทรศัพท์"]


def demo_outcome(as_of: datetime = DEMO_AS_OF) -> pipeline.Outcome:
    """The pipeline on the demo data, as the app computes it (to the end of the as-of minute)."""
    districts = load_districts()
    return pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), load_registry(districts=districts), districts,
                        as_of=as_of.replace(second=59))


def app(page: str | None = None, **params) -> AppTest:
    """The app, run once, on ``page`` with query parameters."""
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    at.query_params.update(params)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest) -> pd.DataFrame:
    return at.dataframe(key="followup_table").value


def expected_kpis(outcome: pipeline.Outcome) -> dict[str, str]:
    return {k.label: k.value for k in views.headline(outcome)}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_without_exception(page):
    at = app(page)
    assert not at.exception
    assert at.title[0].value in {"ภาพรวมการประกาศเจตนารมณ์", "ติดตามหน่วยงาน", "คุณภาพข้อมูล"}


def test_wall_mode_runs_and_hides_the_sidebar():
    at = app(view="wall")
    assert not at.exception
    assert len(at.metric) == 8
    assert not at.sidebar.toggle


def test_overview_kpis_equal_the_pipeline():
    outcome = demo_outcome()
    shown = metrics(app())
    assert shown == expected_kpis(outcome)
    p = outcome.province
    assert shown["ส่งรายงานแล้ว"] == f"{p['agencies_reported']}/{p['agencies_expected']}"
    assert shown["ยังไม่ส่ง"] == str(p["agencies_missing"])


def test_the_as_of_control_changes_the_figures():
    at = app()
    at.selectbox(key="sidebar_as_of_date").set_value(date(2023, 7, 8)).run()
    at.time_input(key="sidebar_as_of_time").set_value(time(9, 0)).run()
    later = demo_outcome(datetime(2023, 7, 8, 9, 0, tzinfo=BANGKOK))
    assert metrics(at) == expected_kpis(later)
    assert metrics(at)["ส่งรายงานแล้ว"] != expected_kpis(demo_outcome())["ส่งรายงานแล้ว"]
    assert metrics(at)["เลยกำหนดมาแล้ว"] == "1 วัน"


def test_the_days_to_pick_are_the_campaigns_in_the_buddhist_era():
    day = app().selectbox(key="sidebar_as_of_date")
    assert (day.options[0], day.options[11], day.options[-1], day.value) == (
        "26 มิ.ย. 2566", "7 ก.ค. 2566", "6 ส.ค. 2566", date(2023, 7, 5))


@pytest.mark.parametrize(("typed", "moment", "shown"), [
    ("8/7/2566 09:00", datetime(2023, 7, 8, 9, 0), "8/7/2566 09:00"),
    ("6 ก.ค. 66", datetime(2023, 7, 6, 23, 59), "6/7/2566 23:59"),  # a bare date: the end of that day
    ("2023-07-20T12:00", datetime(2023, 7, 20, 12, 0), "20/7/2566 12:00"),
])
def test_a_moment_typed_in_the_buddhist_era_moves_the_page_there(typed, moment, shown):
    at = app()
    assert at.text_input(key="sidebar_as_of_text").value == "5/7/2566 16:00"
    at.text_input(key="sidebar_as_of_text").input(typed).run()
    assert metrics(at) == expected_kpis(demo_outcome(moment.replace(tzinfo=BANGKOK)))
    assert at.text_input(key="sidebar_as_of_text").value == shown
    assert at.query_params["as_of"] == moment.strftime("%Y-%m-%dT%H:%M")


def test_an_unreadable_typed_moment_is_explained_and_moves_nothing():
    at = app()
    at.text_input(key="sidebar_as_of_text").input("เมื่อวาน").run()
    assert at.sidebar.error[0].value == "อ่านวันเวลา “เมื่อวาน” ไม่ออก — พิมพ์เช่น 5/7/2566 16:00 หรือ 5 ก.ค. 66"
    assert metrics(at) == expected_kpis(demo_outcome())
    assert at.text_input(key="sidebar_as_of_text").value == "5/7/2566 16:00"


def test_an_as_of_link_opens_the_campaign_at_that_moment_and_the_url_follows_the_control():
    at = app(as_of="2023-07-08T09:00")
    assert at.toggle(key="sidebar_live").value is False
    assert metrics(at) == expected_kpis(demo_outcome(datetime(2023, 7, 8, 9, 0, tzinfo=BANGKOK)))
    at.time_input(key="sidebar_as_of_time").set_value(time(16, 30)).run()
    assert at.query_params["as_of"] == "2023-07-08T16:30"
    at.toggle(key="sidebar_live").set_value(True).run()
    assert "as_of" not in at.query_params


def test_the_wall_screen_honours_an_as_of_link():
    at = app(view="wall", as_of="2023-07-07T23:59")
    assert metrics(at) == expected_kpis(demo_outcome(datetime(2023, 7, 7, 23, 59, tzinfo=BANGKOK)))


def test_the_deadline_button_shows_the_campaign_at_the_deadline():
    at = app()
    at.button(key="sidebar_at_deadline").click().run()
    assert metrics(at) == expected_kpis(demo_outcome(datetime(2023, 7, 7, 23, 59, tzinfo=BANGKOK)))
    assert at.query_params["as_of"] == "2023-07-07T23:59"


def test_the_now_toggle_shows_the_campaign_today():
    at = app()
    at.toggle(key="sidebar_live").set_value(True).run()
    today = demo_outcome(datetime.now(BANGKOK))
    assert metrics(at)["ส่งรายงานแล้ว"] == expected_kpis(today)["ส่งรายงานแล้ว"]


@pytest.mark.parametrize("page", ["pages/followup.py", "pages/quality.py"])
def test_the_list_pages_say_which_moment_they_show_under_the_title(page):
    # On a phone the sidebar is folded away: without this line a list from 5 July looks like today's.
    at = app(page, as_of="2023-07-08T09:00")
    assert at.caption[0].value == "จังหวัดคุณธรรม ขอนแก่น · สถานะ ณ 8 ก.ค. 2566 09:00 น."


def test_followup_puts_whom_to_call_beside_the_agency_name():
    assert tables.followup_order(include_personal=True)[:5] == [
        "status", "name_th", "call_phone", "call_name", "call_source"]
    assert tables.followup_order(include_personal=False)[:3] == ["status", "name_th", "district"]


def test_followup_lists_every_agency_missing_first():
    outcome = demo_outcome()
    shown = table(app("pages/followup.py"))
    assert len(shown) == len(outcome.agencies) == 154
    missing = int((outcome.agencies["status"] == MISSING).sum())
    correcting = int(outcome.agencies["needs_correction"].sum())
    # Those that sent a report that must be corrected first (one call may fix it), then the rest of the missing.
    assert shown["status"].head(correcting).tolist() == ["🟠 ส่งแล้วแต่ต้องแก้ไข"] * correcting == [
        "🟠 ส่งแล้วแต่ต้องแก้ไข"]
    assert shown["status"].iloc[correcting:missing].str.endswith("ยังไม่ส่ง").all()
    assert not shown["status"].iloc[missing:].str.contains("ยังไม่ส่ง|แก้ไข").any()
    assert set(shown.columns) >= {"status", "name_th", "call_phone", "call_source", "rejected", "signing_rate"}


def test_status_filter_keeps_only_that_status_and_goes_into_the_url():
    outcome = demo_outcome()
    at = app("pages/followup.py")
    at.multiselect(key="followup_status").select(MISSING).run()
    shown = table(at)
    missing = outcome.agencies[outcome.agencies["status"] == MISSING]
    assert sorted(shown["agency_id"]) == sorted(missing["agency_id"])
    assert at.query_params["status"] == MISSING


def test_district_kind_and_name_filters_narrow_the_table():
    agencies = demo_outcome().agencies
    at = app("pages/followup.py")
    at.multiselect(key="followup_district").select("4012").run()
    assert sorted(table(at)["agency_id"]) == sorted(agencies.loc[agencies["district_code"] == "4012", "agency_id"])
    at.multiselect(key="followup_district").unselect("4012").run()
    at.multiselect(key="followup_kind").select("district_office").run()
    assert len(table(at)) == 26
    at.multiselect(key="followup_kind").unselect("district_office").run()
    at.text_input(key="followup_q").input("สาธารณสุข").run()
    assert table(at)["name_th"].str.contains("สาธารณสุข").all()
    assert len(table(at)) == 27  # 26 district health offices and the provincial one


def test_on_a_phone_each_agency_is_a_card_with_whom_to_call():
    at = app("pages/followup.py", status="on_time", district="4012")
    cards = next(e.proto.body for e in at.get("html") if "kk-cards" in e.proto.body)
    assert cards == (
        '<div class="kk-cards"><div class="kk-card"><div class="kk-card-name">สำนักงานสาธารณสุขอำเภอพล</div>'
        '<div class="kk-card-status">🟢 ส่งตรงเวลา · อ.พล · ลงนาม 28/28 คน</div><div class="kk-card-call">'
        'โทร นางพรทิพย์ ทองคำ <a href="tel:0844893244">084-489-3244</a></div></div><div class="kk-card">'
        '<div class="kk-card-name">ที่ว่าการอำเภอพล</div><div class="kk-card-status">🟢 ส่งตรงเวลา · อ.พล'
        ' · ลงนาม 22/22 คน</div><div class="kk-card-call">โทร นางสาวศิริพร บุญมา'
        ' <a href="tel:0977718261">097-771-8261</a></div></div></div>')
    assert list(table(at)["name_th"]) == ["สำนักงานสาธารณสุขอำเภอพล", "ที่ว่าการอำเภอพล"]  # the table's order


def test_the_search_box_reads_abbreviations():
    at = app("pages/followup.py", q="สนง.สาธารณสุข")
    assert len(table(at)) == 27


def test_filters_that_match_nothing_say_so():
    at = app("pages/followup.py", q="ไม่มีหน่วยงานชื่อนี้")
    assert not at.exception
    assert at.info[0].value == "ไม่มีหน่วยงานตามเงื่อนไขที่เลือก — ลองเอาตัวกรองบางตัวออก"
    assert not at.dataframe


def test_query_params_restore_the_filters():
    later = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
    agencies = demo_outcome(later).agencies
    at = app("pages/followup.py", status=LATE, district="province", as_of="2023-07-20T12:00")
    assert at.multiselect(key="followup_status").value == [LATE]
    assert at.multiselect(key="followup_district").value == ["province"]
    expected = agencies[(agencies["status"] == LATE) & (agencies["district_code"] == "")]
    assert len(expected) > 0
    assert sorted(table(at)["agency_id"]) == sorted(expected["agency_id"])


def test_selecting_an_agency_shows_its_submission_history():
    outcome = demo_outcome()
    twice = outcome.rows[outcome.rows["fate"] == "superseded"]["agency_id"].iloc[0]
    at = app("pages/followup.py", q=twice)
    assert list(table(at)["agency_id"]) == [twice]
    at.session_state["followup_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    history = at.dataframe[1].value
    assert list(history["row_number"]) == sorted(outcome.rows.loc[outcome.rows["agency_id"] == twice, "row_number"])
    assert "ใช้เป็นข้อมูลล่าสุด" in set(history["fate"])
    assert "ถูกแทนที่ด้วยรายงานที่ส่งภายหลัง" in set(history["fate"])


def test_quality_page_shows_the_row_arithmetic_and_every_rejected_row():
    outcome = demo_outcome()
    at = app("pages/quality.py")
    c = outcome.counts
    assert c["rows_total"] == c["rows_used"] + c["rows_superseded"] + c["rows_rejected"]
    assert any(views.row_arithmetic(outcome.counts) in m.value for m in at.markdown)
    rejected = at.table[0].value
    assert list(rejected.index.astype(int)) == list(outcome.rows.loc[outcome.rows["fate"] == "rejected", "row_number"])
    reasons = outcome.rows.loc[outcome.rows["fate"] == "rejected", "reason"]
    assert list(rejected["เหตุที่ปฏิเสธ"]) == [literal(reason, limit=2000) for reason in reasons]
    # Warnings too are shown whole (a fuzzy match's warning quotes the registry name and runs long).
    warned = views.warning_rows(outcome)
    assert (len(warned), list(at.table[1].value["คำเตือน"])) == (
        49, [literal(text, limit=2000) for text in warned["warning"]])


def quality_cards(at: AppTest) -> list[str]:
    """The quality page's phone cards, one HTML block per list, in page order."""
    start = '<div class="kk-cards"><div class="kk-card">'
    return [e.proto.body for e in at.get("html") if e.proto.body.startswith(start)]


def test_on_a_phone_each_quality_row_is_a_card_with_its_row_name_and_reason():
    at = app("pages/quality.py")
    rejected, warnings, superseded, registry = quality_cards(at)
    assert rejected.count('class="kk-card"') == 6 and warnings.count('class="kk-card"') == 49
    assert ('<div class="kk-card"><div class="kk-card-status">แถว 28 · 1/7/2566, 11:48:11</div>'
            '<div class="kk-card-name">ที่ว่าการอำเภอกระนวน</div><div>จำนวน &#x27;พนักงานราชการ (ทั้งหมด)&#x27;'
            ' อ่านไม่ได้ (ต้องเป็นจำนวนเต็มไม่ติดลบ): &#x27;12.5&#x27;</div></div>') in rejected
    # A warned row is named as the registry has it, with what was typed when that differs.
    assert ('<div class="kk-card"><div class="kk-card-status">แถว 4</div>'
            '<div class="kk-card-name">สำนักงานสาธารณสุขอำเภอหนองนาคำ</div>'
            '<div class="kk-card-status">กรอกว่า สำนักงานสาธารณสุข อำเภอหนองนาคำ</div>'
            '<div>ไม่มีลิงก์ประกาศบนเว็บไซต์</div></div>') in warnings
    assert ('<div class="kk-card"><div class="kk-card-status">แถว 73 · 4 ก.ค. 2566 14:39 น.</div>'
            '<div class="kk-card-name">ที่ว่าการอำเภอสีชมพู</div><div class="kk-card-status">แทนที่ด้วยแถว: 76</div>'
            '</div></div>') in superseded
    assert registry == ('<div class="kk-cards"><div class="kk-card"><div class="kk-card-status">รหัส O02</div>'
                        '<div class="kk-card-name">เทศบาลนครขอนแก่น</div>'
                        '<div>อีเมล &#x27;saraban.o02@khonkaen-demo&#x27; ไม่ถูกต้อง</div></div></div>')


def test_a_long_quality_list_shows_its_first_rows_and_says_the_csv_has_them_all(monkeypatch):
    monkeypatch.setattr(tables, "GRID_ROWS", 3)
    monkeypatch.setattr(rowcards, "CARD_LIMIT", 5)
    at = app("pages/quality.py")
    assert len(at.table[1].value) == 3
    assert quality_cards(at)[1].count('class="kk-card"') == 5
    captions = [c.value for c in at.caption]
    assert "แสดง 3 แถวแรกจาก 49 แถว — ดาวน์โหลด CSV ด้านล่างเพื่อดูทั้งหมด" in captions
    assert "แสดง 5 แถวแรกจาก 49 แถว — ดาวน์โหลด CSV ด้านล่างเพื่อดูทั้งหมด" in captions


def sheet_rows(registry: pd.DataFrame, *, count: int | None = None) -> list[list[str]]:
    """A clean response sheet: one on-time report for the first ``count`` agencies (all by default)."""
    rows = [SHEET_HEADER]
    for i, name in enumerate(registry["name_th"][:count]):
        rows.append([f"{1 + i % 6}/7/2566, 10:{i % 60:02d}:00", name, "", "1/7/2566", "ใช่",
                     "10", "10", "2", "2", "1", "1", "3", "3", "https://example.go.th/x", "นายทดสอบ ระบบ",
                     "นักทรัพยากรบุคคล", "0812345678"])
    return rows


def sheet_app(monkeypatch, fake: FakeSheets, page: str | None = None) -> AppTest:
    monkeypatch.setenv("KKDASH_PUBLISHED_CSV_URL", fake.published_csv_url())
    return app(page)


def test_a_sheet_with_only_a_header_says_no_reports_yet(monkeypatch):
    with FakeSheets({"Form Responses 1": [SHEET_HEADER]}) as fake:
        at = sheet_app(monkeypatch, fake)
    assert not at.exception
    assert at.info[0].value.startswith("ยังไม่มีหน่วยงานใดส่งแบบรายงาน")
    assert metrics(at)["ส่งรายงานแล้ว"] == "0/154"


def test_every_agency_reported_is_celebrated(monkeypatch):
    with FakeSheets({"Form Responses 1": sheet_rows(load_registry())}) as fake:
        at = sheet_app(monkeypatch, fake)
    assert not at.exception
    assert at.success[0].value == "ทุกหน่วยงานในทะเบียนส่งแบบรายงานแล้ว"
    assert metrics(at)["ส่งรายงานแล้ว"] == "154/154"


def test_a_district_with_no_agencies_still_renders(monkeypatch, tmp_path):
    registry = load_registry()
    smaller = registry[registry["district_code"] != "4029"]
    path = tmp_path / "agencies.csv"
    smaller.to_csv(path, index=False)
    monkeypatch.setenv("KKDASH_REGISTRY_PATH", str(path))
    at = app()
    assert not at.exception
    assert metrics(at)["ส่งรายงานแล้ว"].endswith(f"/{len(smaller)}")


def test_after_a_refresh_the_sidebar_says_what_the_page_shows(monkeypatch):
    registry = load_registry()
    with FakeSheets({"Form Responses 1": sheet_rows(registry, count=20)}) as fake:
        at = sheet_app(monkeypatch, fake)
        assert any(m.value.endswith("· 20 แถวคำตอบ") for m in at.sidebar.markdown)
        fake.set_worksheet("Form Responses 1", sheet_rows(registry, count=30))
        at.button(key="sidebar_refresh").click().run()
        assert data.sheet_feed().wait(timeout=60)  # the read runs in the background: wait for its signal
        at.run()
    assert metrics(at)["ส่งรายงานแล้ว"] == "30/154"
    freshness = [m.value for m in at.sidebar.markdown if m.value.startswith("ข้อมูล ณ ")]
    assert len(freshness) == 1 and freshness[0].endswith("· 30 แถวคำตอบ")


def test_a_failing_sheet_keeps_the_last_good_data_with_its_age(monkeypatch):
    with FakeSheets({"Form Responses 1": sheet_rows(load_registry(), count=20)}) as fake:
        at = sheet_app(monkeypatch, fake)
        assert metrics(at)["ส่งรายงานแล้ว"] == "20/154"
        fake.fail_next("500", times=10)
        at.button(key="sidebar_refresh").click().run()
        assert data.sheet_feed().wait(timeout=60)  # the read runs in the background: wait for its signal
        at.run()
    assert not at.exception
    assert metrics(at)["ส่งรายงานแล้ว"] == "20/154"
    banner = at.warning[0].value
    reason = "ติดต่อ ลิงก์ CSV ที่เผยแพร่ ไม่ได้ หลังลองแล้ว 4 ครั้ง (HTTP 500) จะลองใหม่ในรอบรีเฟรชถัดไป"
    assert banner.startswith(f"ดึงข้อมูลจาก Google Sheet ไม่สำเร็จ: {literal(reason, limit=600)}"
                             " — กำลังแสดงข้อมูลล่าสุดที่ดึงได้ เมื่อไม่ถึงนาทีที่แล้ว (ณ ")


def test_a_sheet_never_read_says_so_without_a_traceback(monkeypatch):
    with FakeSheets({"Form Responses 1": [SHEET_HEADER]}) as fake:
        fake.fail_next("403", times=10)
        at = sheet_app(monkeypatch, fake, "pages/followup.py")
    assert not at.exception
    assert "ดึงข้อมูลจาก Google Sheet ไม่สำเร็จ" in at.warning[0].value
    assert at.info[0].value.startswith("ยังไม่มีข้อมูลให้แสดง")


def test_a_bad_header_row_is_explained(monkeypatch):
    with FakeSheets({"Form Responses 1": [["ประทับเวลา", "ชื่อ"], ["1/7/2566, 10:00:00", "x"]]}) as fake:
        at = sheet_app(monkeypatch, fake)
    assert not at.exception
    assert at.error[0].value.startswith("ข้อมูลจากแหล่งข้อมูลใช้ไม่ได้: ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ")
