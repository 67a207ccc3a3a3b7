"""The chase log on the follow-up page (AppTest): hr adds and reads entries, viewers get counts only,
a storage fault keeps what was typed, and the chase filters find whom nobody has called yet."""

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kkdash import chase
from kkdash.dates import BANGKOK
from kkdash.registry import load_registry
from kkdash.store import ChaseLog, default_database_url
from tools.fakesheets import FakeSheets

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("app_env")]
APP = str(Path(__file__).resolve().parent.parent / "app.py")
NOTE = "คุยกับนางมาลัยแล้ว จะแก้แถว 28 <b>พรุ่งนี้</b> =1+1"
DEADLINE = date(2023, 7, 7)


def followup(**params) -> AppTest:
    """The follow-up page on the demo data, live (now), with query parameters."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/followup.py")
    at.query_params.update(params)
    at.run()
    at.toggle(key="sidebar_live").set_value(True).run()
    return at


def write_entry(at: AppTest, agency_id: str, *, action: str = "called", note: str = NOTE, by: str = "สมศรี",
                promise: date | None = None) -> AppTest:
    at.selectbox(key=f"chase_action_{agency_id}").set_value(action)
    at.text_area(key=f"chase_note_{agency_id}").input(note)
    at.text_input(key=f"chase_by_{agency_id}").input(by)
    if promise is not None:
        at.selectbox(key=f"chase_promise_{agency_id}").set_value(promise)
    next(button for button in at.button if button.label == "บันทึก").click()
    return at.run()


def log_tables(at: AppTest) -> list:
    """The chase-log tables on the page (the agency panel's, found by their columns), as typed (unescaped)."""
    return [table.value.map(unescaped) for table in at.table if {"การติดตาม", "ผู้บันทึก"} <= set(table.value.columns)]


def unescaped(cell: str) -> str:
    """A cell shown through text.literal -> the text a person reads (backslash escapes and word joiners gone)."""
    return re.sub(r"\\(.)", r"\1", cell).replace("\u2060", "")


def log_table(at: AppTest, agency_id: str):
    (table,) = log_tables(at)
    return table


def test_hr_adds_an_entry_from_the_agency_panel_and_it_outlives_a_restart(app_env):
    at = write_entry(followup(agency="D4009"), "D4009", promise=datetime.now(BANGKOK).date() + timedelta(days=3))
    assert not at.exception
    assert at.success[0].value.startswith("บันทึกแล้ว: โทรแล้ว เมื่อ ")
    assert at.text_area(key="chase_note_D4009").value == ""  # stored, so the form is cleared
    shown = log_table(at, "D4009")
    assert shown[["การติดตาม", "บันทึก", "ผู้บันทึก"]].values.tolist() == [["โทรแล้ว", NOTE, "สมศรี"]]
    row = at.dataframe(key="followup_table").value.set_index("agency_id").loc["D4009"]
    assert (row["last_action"], row["last_by"]) == ("โทรแล้ว", "สมศรี")
    # A new app process (caches gone) reads the same database.
    AppTest.from_file(APP).run()  # warm the framework, then drop every cache as a restart would
    import streamlit as st

    st.cache_resource.clear()
    again = followup(agency="D4009")
    assert log_table(again, "D4009")["บันทึก"].tolist() == [NOTE]
    with ChaseLog(default_database_url(app_env)) as log:
        assert log.entries(campaign=DEADLINE)[["agency_id", "action", "note", "by"]].values.tolist() == [
            ["D4009", "called", NOTE, "สมศรี"]]


def test_entries_made_after_the_moment_shown_are_not_there_yet():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/followup.py")
    at.query_params.update(agency="D4009")
    at.run()  # the demo opens on 5 ก.ค. 2566 16:00
    at = write_entry(at, "D4009")
    assert "หน้านี้แสดงสถานะ ณ 5 ก.ค. 2566 16:00 น. จึงยังไม่เห็นบันทึกนี้" in at.success[0].value
    assert log_tables(at) == []


def test_a_bad_entry_is_refused_in_thai_and_the_typed_text_stays():
    at = write_entry(followup(agency="D4009"), "D4009", by="   ")
    assert at.error[0].value == ("ยังไม่ได้บันทึก — ข้อความที่พิมพ์ยังอยู่ในช่องด้านบน:"
                                 " ต้องระบุผู้บันทึก \\(อีเมลที่ลงชื่อเข้าใช้ หรือชื่อที่พิมพ์\\)")  # shown through text.literal
    assert at.text_area(key="chase_note_D4009").value == NOTE


def test_a_promise_is_picked_among_days_in_the_buddhist_era():
    choices = followup(agency="D4009").selectbox(key="chase_promise_D4009").options
    assert (len(choices), choices[0]) == (182, "ไม่ได้รับปาก")  # or today and the next 180 days
    assert [choice.split(" · ")[0] for choice in choices[1:4]] == ["วันนี้", "พรุ่งนี้", "มะรืนนี้"]
    assert not [choice for choice in choices if str(datetime.now(BANGKOK).year) in choice]  # no CE year anywhere


def test_a_database_that_cannot_be_written_keeps_the_text_and_the_dashboard_working(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KKDASH_DATABASE_URL", f"sqlite:///{blocker}/chase.sqlite3")
    at = followup(agency="D4009")
    assert not at.exception and len(at.dataframe(key="followup_table").value) == 154
    assert at.warning[0].value.startswith("บันทึกการติดตามใช้ไม่ได้ชั่วคราว: ")
    at = write_entry(at, "D4009")
    assert at.error[0].value.startswith("ยังไม่ได้บันทึก — ข้อความที่พิมพ์ยังอยู่ในช่องด้านบน: ")
    assert at.text_area(key="chase_note_D4009").value == NOTE
    assert at.text_input(key="chase_by_D4009").value == "สมศรี"


def test_the_chase_filters_find_the_agencies_nobody_called_and_the_broken_promises(app_env):
    now = datetime.now(BANGKOK)
    with ChaseLog(default_database_url(app_env)) as log:
        known = frozenset(load_registry()["agency_id"])
        # Ten days ago P02 promised to send within five days (now past); D4009 promised for next week.
        for agency_id, promise in (("P02", now.date() - timedelta(days=5)), ("D4009", now.date() + timedelta(days=7))):
            log.add(chase.new_entry(campaign=DEADLINE, agency_id=agency_id, action="called", note="", by="hr",
                                    promised_on=promise, today=now.date() - timedelta(days=10), known_agencies=known),
                    at=now - timedelta(days=10))
    at = followup()
    at.multiselect(key="followup_chase").select("not_chased").run()
    not_chased = set(at.dataframe(key="followup_table").value["agency_id"])
    assert {"D4009", "P02"}.isdisjoint(not_chased) and len(not_chased) > 10
    assert at.query_params["chase"] == "not_chased"
    at.multiselect(key="followup_chase").unselect("not_chased").select("promise_passed").run()
    assert at.dataframe(key="followup_table").value["agency_id"].tolist() == ["P02"]


def test_a_viewer_sees_how_many_were_chased_and_not_a_word_of_the_log(app_env):
    with ChaseLog(default_database_url(app_env)) as log:
        log.add(chase.new_entry(campaign=DEADLINE, agency_id="P02", action="called", note=NOTE, by="hr@khonkaen.go.th",
                                promised_on=None, today=datetime.now(BANGKOK).date(),
                                known_agencies=frozenset(load_registry()["agency_id"])),
                at=datetime(2023, 7, 3, 10, 0, tzinfo=BANGKOK))
    rows = [["ประทับเวลา", "ชื่อหน่วยงาน", "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)",
             "พนักงานราชการ (ลงนาม)", "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)",
             "เจ้าหน้าที่อื่น (ลงนาม)"], ["1/7/2566, 10:00:00", "สำนักงานจังหวัดขอนแก่น", *["5"] * 8]]
    with FakeSheets({"Form Responses 1": rows}) as fake:
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["sheet"] = {"published_csv_url": fake.published_csv_url(), "deadline": "2023-07-07"}
        at.switch_page("pages/followup.py")
        at.query_params.update(agency="P02", as_of="2023-07-05T16:00")
        at.run()
        assert not at.exception
        page = " ".join(str(element.value) for element in at.markdown) + " ".join(c.value for c in at.caption)
        assert "ติดตามแล้ว 1 จาก 153 หน่วยงานที่ยังไม่ส่งหรือส่งล่าช้า" in page
        table = at.dataframe(key="followup_table").value
        assert not {"last_action", "last_by", "promised_on", "call_name"} & set(table.columns)
        assert log_tables(at) == []
        assert not [area for area in at.text_area if area.key == "chase_note_P02"]
        assert "คุยกับนางมาลัย" not in repr(at._tree) and "hr@khonkaen.go.th" not in repr(at._tree)


def test_the_excel_download_carries_an_entry_added_a_moment_ago(downloads):
    at = followup(agency="D4009")
    downloads.clear()
    write_entry(at, "D4009", note="ส่งภายในบ่ายนี้")
    (book,) = [blob for blob in downloads if blob.startswith(b"PK")][-1:]
    rows = list(openpyxl.load_workbook(io.BytesIO(book)).worksheets[0].iter_rows(values_only=True))
    d4009 = dict(zip(rows[0], next(row for row in rows if row[0] == "D4009"), strict=True))
    assert (d4009["ติดตามล่าสุด"], d4009["ผู้ติดตาม"]) == ("โทรแล้ว", "สมศรี")
