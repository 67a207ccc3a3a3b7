"""The chase log's rules (kkdash/chase.py): what may be recorded, and what the log says per agency."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from kkdash.chase import (
    ACTIONS,
    Entry,
    EntryError,
    NewEntry,
    action_choices,
    apply_corrections,
    chased_agencies,
    check_correction,
    empty_entries,
    entries_frame,
    new_entry,
    promise_passed,
    scrub,
    summarize,
)
from kkdash.dates import BANGKOK
from kkdash.errors import InputError
from kkdash.export import neutralize

CAMPAIGN = date(2023, 7, 7)
TODAY = date(2023, 7, 5)
KNOWN = frozenset({"KK001", "KK002", "KK003"})
CHOICES = ("called (โทรแล้ว), no_answer (โทรไม่ติด), email (ส่งอีเมล), letter (ส่งหนังสือ), "
           "line (ส่งข้อความ LINE), other (อื่น ๆ)")


def typed(**changes) -> NewEntry:
    """What a person typed, with sensible defaults, through new_entry."""
    values = {"campaign": CAMPAIGN, "agency_id": "KK001", "action": "called", "note": "", "promised_on": None,
              "by": "hr@khonkaen.example", "today": TODAY, "known_agencies": KNOWN} | changes
    return new_entry(**values)


def entry(entry_id: int, hour: float, agency: str = "KK001", action: str = "called", *, note: str = "",
          promised_on: date | None = None, by: str = "สมศรี", corrects: int | None = None) -> Entry:
    """A stored entry made on 5 July 2566 at `hour` Bangkok time."""
    at = datetime(2023, 7, 5, tzinfo=BANGKOK) + timedelta(hours=hour)
    return Entry(campaign=CAMPAIGN, agency_id=agency, action=action, note=note, promised_on=promised_on, by=by,
                 corrects=corrects, id=entry_id, at=at)


def at(hour: float) -> pd.Timestamp:
    return pd.Timestamp(datetime(2023, 7, 5, tzinfo=BANGKOK) + timedelta(hours=hour)).as_unit("us")


# --- new_entry: what may be recorded ---------------------------------------------------------------

def test_a_typed_entry_is_kept_as_typed():
    made = typed(agency_id=" KK002 ", action="no_answer", note="โทรสองครั้ง\nไม่มีผู้รับสาย", promised_on=date(2023, 7, 7),
                 by=" สมศรี ใจดี ")
    assert made == NewEntry(campaign=CAMPAIGN, agency_id="KK002", action="no_answer",
                            note="โทรสองครั้ง\nไม่มีผู้รับสาย", promised_on=date(2023, 7, 7), by="สมศรี ใจดี")


def test_the_thai_label_of_an_action_is_its_code():
    assert typed(action="ส่งข้อความ LINE").action == "line"
    assert typed(action="โทรแล้ว").action == "called"


def test_every_action_has_a_thai_label_and_they_are_listed_in_order():
    assert list(ACTIONS) == ["called", "no_answer", "email", "letter", "line", "other"]
    assert action_choices() == CHOICES


@pytest.mark.parametrize(("changes", "message"), [
    ({"agency_id": "KK999"}, "ไม่พบหน่วยงานรหัส 'KK999' ในทะเบียนหน่วยงาน"),
    ({"agency_id": "  "}, "ต้องระบุรหัสหน่วยงาน"),
    ({"action": ""}, f"ต้องระบุการติดตาม: เลือกได้ {CHOICES}"),
    ({"action": " \t"}, f"ต้องระบุการติดตาม: เลือกได้ {CHOICES}"),
    ({"action": "visit"}, f"ไม่รู้จักการติดตาม 'visit': เลือกได้ {CHOICES}"),
    ({"action": "x" * 50}, f"ไม่รู้จักการติดตาม '{'x' * 40}…': เลือกได้ {CHOICES}"),
    ({"promised_on": date(2023, 7, 4)},
     "วันที่รับปากจะส่ง (4 ก.ค. 2566) ผ่านมาแล้ว: ต้องเป็นวันนี้ (5 ก.ค. 2566) หรือหลังจากนี้"),
    ({"promised_on": date(2566, 7, 10)}, "วันที่รับปากจะส่ง (10 ก.ค. 3109) ไกลเกิน 1 ปี: ตรวจปี พ.ศ. และ ค.ศ. อีกครั้ง"),
    ({"note": "ก" * 10_000}, "บันทึกยาว 10,000 ตัวอักษร เกินที่รับได้ 2,000 ตัวอักษร: ย่อให้สั้นลงแล้วบันทึกใหม่"),
    ({"by": ""}, "ต้องระบุผู้บันทึก (อีเมลที่ลงชื่อเข้าใช้ หรือชื่อที่พิมพ์)"),
    ({"by": "\u202e\u200f "}, "ต้องระบุผู้บันทึก (อีเมลที่ลงชื่อเข้าใช้ หรือชื่อที่พิมพ์)"),
    ({"by": "ส" * 201}, "ชื่อผู้บันทึกยาว 201 ตัวอักษร เกินที่รับได้ 200 ตัวอักษร: ย่อให้สั้นลงแล้วบันทึกใหม่"),
    ({"corrects": 0}, "ลำดับบันทึกที่จะแก้ไขต้องเป็นจำนวนเต็มบวก (ได้รับ '0')"),
    ({"corrects": "3"}, "ลำดับบันทึกที่จะแก้ไขต้องเป็นจำนวนเต็มบวก (ได้รับ '3')"),
    ({"corrects": True}, "ลำดับบันทึกที่จะแก้ไขต้องเป็นจำนวนเต็มบวก (ได้รับ 'True')"),
    ({"subject": "ห" * 301}, "หัวเรื่องยาว 301 ตัวอักษร เกินที่รับได้ 300 ตัวอักษร: ย่อให้สั้นลงแล้วบันทึกใหม่"),
])
def test_bad_input_is_refused_with_a_thai_reason(changes, message):
    with pytest.raises(EntryError) as caught:
        typed(**changes)
    assert str(caught.value) == message
    assert isinstance(caught.value, InputError)


def test_a_promise_for_today_and_a_note_at_the_limit_are_accepted():
    made = typed(promised_on=TODAY, note="ก" * 2_000)
    assert (made.promised_on, len(made.note)) == (TODAY, 2_000)


def test_a_promise_typed_as_a_datetime_counts_as_its_bangkok_day():
    half_past_midnight_in_bangkok = datetime(2023, 7, 5, 17, 30, tzinfo=UTC)
    assert typed(promised_on=half_past_midnight_in_bangkok).promised_on == date(2023, 7, 6)


@pytest.mark.parametrize("text", [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","คลิก")',
    "+66 81 234 5678",
    "@SUM(A1:A9)",
    "مرحبا שלום — ภาษาไทย 😀",
])
def test_html_formulas_and_right_to_left_letters_are_stored_as_typed(text):
    assert typed(note=text).note == text


def test_a_stored_formula_is_neutralised_in_exports():
    assert neutralize(typed(note="=1+1").note) == "'=1+1"


@pytest.mark.parametrize(("text", "stored"), [
    ("\u202eexe.txt", "exe.txt"),                       # right-to-left override
    ("ชื่อ\u2066ซ่อน\u2069ท้าย", "ชื่อซ่อนท้าย"),               # isolates
    ("a\u202ab\u202bc\u202cd\u202de\u2067f\u2068g", "abcdefg"),
    ("\u200f\u200e\u061cโทร", "โทร"),                    # direction marks
    ("nul\x00bell\x07esc\x1b[31mred", "nulbellesc[31mred"),
    ("c1\x85\x9bcontrol\x7f", "c1control"),
    ("line one\r\nline two\rline three\u2028four", "line one\nline two\nline three\nfour"),
    ("tab\tkept", "tab\tkept"),
])
def test_control_and_direction_characters_are_removed_from_a_note(text, stored):
    assert typed(note=text).note == stored


def test_one_line_fields_lose_their_line_breaks():
    made = typed(by="สมศรี\n\tใจดี", subject=" แจ้งเตือน\r\nส่งรายงาน ", recipients=["a@x.example\n", "", " b@x.example"])
    assert (made.by, made.subject, made.recipients) == ("สมศรี ใจดี", "แจ้งเตือน ส่งรายงาน", ("a@x.example", "b@x.example"))


def test_scrub_reads_none_as_empty():
    assert scrub(None) == ""


def test_a_correction_must_name_an_entry_of_the_same_agency_and_campaign():
    correction = typed(corrects=1)
    check_correction(correction, entry(1, 9))  # the same agency and campaign: fine
    with pytest.raises(EntryError) as missing:
        check_correction(correction, None)
    assert str(missing.value) == "ไม่พบบันทึกลำดับที่ 1 ที่จะแก้ไข"
    with pytest.raises(EntryError) as other:
        check_correction(correction, entry(1, 9, agency="KK002"))
    assert str(other.value) == ("บันทึกลำดับที่ 1 เป็นของหน่วยงาน KK002 รอบ 7 ก.ค. 2566: "
                                "แก้ไขได้เฉพาะบันทึกของหน่วยงานและรอบเดียวกัน")


# --- summaries: what the log says per agency ---------------------------------------------------------

def summary_of(*rows, **options) -> pd.DataFrame:
    return summarize(entries_frame(rows), **options)


def expected(rows: dict) -> pd.DataFrame:
    """{agency: (last_action, hour, by, note, promised_on, entries)} -> the summary frame."""
    frame = pd.DataFrame(
        [(agency, *values) for agency, values in rows.items()],
        columns=["agency_id", "last_action", "last_at", "last_by", "last_note", "promised_on", "entries"],
    ).set_index("agency_id")
    frame["last_at"] = frame["last_at"].map(at).astype(pd.DatetimeTZDtype("us", BANGKOK))
    frame["promised_on"] = frame["promised_on"].astype(object)
    return frame.astype({"last_action": "str", "last_by": "str", "last_note": "str", "entries": "int64"})


def test_summary_gives_each_agency_its_last_action_and_its_last_promise():
    got = summary_of(
        entry(1, 9, "KK002", "no_answer", by="สมศรี"),
        entry(2, 10, "KK001", "called", note="รับปาก", promised_on=date(2023, 7, 7), by="สมชาย"),
        entry(3, 11, "KK002", "called", note="ผู้อำนวยการรับสาย", promised_on=date(2023, 7, 6), by="สมศรี"),
        entry(4, 13, "KK001", "line", note="ส่งลิงก์แบบฟอร์ม", by="hr@khonkaen.example"),
    )
    pd.testing.assert_frame_equal(got, expected({
        "KK001": ("line", 13, "hr@khonkaen.example", "ส่งลิงก์แบบฟอร์ม", date(2023, 7, 7), 2),
        "KK002": ("called", 11, "สมศรี", "ผู้อำนวยการรับสาย", date(2023, 7, 6), 2),
    }))


def test_a_later_promise_replaces_an_earlier_one():
    got = summary_of(entry(1, 9, promised_on=date(2023, 7, 6)), entry(2, 10, promised_on=date(2023, 7, 10)))
    assert got.loc["KK001", "promised_on"] == date(2023, 7, 10)


def test_an_agency_that_never_promised_has_no_promise():
    assert summary_of(entry(1, 9), entry(2, 10, action="email")).loc["KK001", "promised_on"] is None


def test_a_correction_replaces_what_it_corrects_in_place():
    got = summary_of(
        entry(1, 9, note="รับปาก", promised_on=date(2023, 7, 6)),
        entry(2, 10, action="called", note="ผิดหน่วยงาน", promised_on=date(2023, 7, 10), by="สมชาย"),
        entry(3, 12, action="no_answer", note="ที่จริงไม่มีผู้รับสาย", by="สมชาย", corrects=2),
    )
    # The corrected call's promise is gone, so the earlier one stands; the action keeps its 10:00 place.
    pd.testing.assert_frame_equal(got, expected({
        "KK001": ("no_answer", 10, "สมชาย", "ที่จริงไม่มีผู้รับสาย", date(2023, 7, 6), 2),
    }))


def test_correcting_an_old_entry_does_not_make_it_the_last_action():
    got = summary_of(entry(1, 9, action="called"), entry(2, 10, action="email"),
                     entry(3, 11, action="no_answer", corrects=1))
    assert (got.loc["KK001", "last_action"], got.loc["KK001", "entries"]) == ("email", 2)


def test_a_correction_of_a_correction_wins():
    rows = [entry(1, 9, action="called"), entry(2, 10, action="no_answer", corrects=1),
            entry(3, 11, action="letter", note="ส่งหนังสือแทน", corrects=2)]
    actions = apply_corrections(entries_frame(rows))
    assert actions[["id", "action", "note", "at", "corrected_at"]].to_dict("records") == [
        {"id": 3, "action": "letter", "note": "ส่งหนังสือแทน", "at": at(9), "corrected_at": at(11)},
    ]


def test_apply_corrections_keeps_uncorrected_entries_in_time_order():
    rows = [entry(5, 11, "KK002"), entry(2, 9), entry(3, 9), entry(4, 10, corrects=2)]
    actions = apply_corrections(entries_frame(rows))
    assert actions["id"].tolist() == [4, 3, 5]
    assert actions["corrected_at"].isna().tolist() == [False, True, True]


def test_entries_made_after_the_moment_are_not_there_yet():
    rows = [entry(1, 9, "KK001"), entry(2, 10, "KK002", promised_on=date(2023, 7, 8)),
            entry(3, 11, "KK002", "no_answer", corrects=2)]
    frame = entries_frame(rows)
    before = summarize(frame, as_of=datetime(2023, 7, 5, 10, 30, tzinfo=BANGKOK))
    assert before["last_action"].to_dict() == {"KK001": "called", "KK002": "called"}
    assert before.loc["KK002", "promised_on"] == date(2023, 7, 8)
    assert summarize(frame, as_of=datetime(2023, 7, 5, 9, 0)).index.tolist() == ["KK001"]  # naive = Bangkok
    assert summarize(frame, as_of=datetime(2023, 7, 5, 8, 59, 59, tzinfo=BANGKOK)).empty
    assert summarize(frame).loc["KK002", "last_action"] == "no_answer"


def test_no_entries_make_an_empty_summary_with_its_columns():
    got = summarize(empty_entries())
    assert got.empty
    assert list(got.columns) == ["last_action", "last_at", "last_by", "last_note", "promised_on", "entries"]


def test_chased_agencies_are_those_with_an_entry_by_the_moment_shown():
    frame = entries_frame([entry(1, 9, "KK001"), entry(2, 10, "KK002"), entry(3, 11, "KK003")])
    assert chased_agencies(frame) == {"KK001", "KK002", "KK003"}
    assert chased_agencies(frame, as_of=datetime(2023, 7, 5, 10, tzinfo=BANGKOK)) == {"KK001", "KK002"}


def test_a_promise_has_passed_from_the_day_after_it():
    summary = summary_of(entry(1, 9, "KK001", promised_on=date(2023, 7, 6)), entry(2, 9, "KK002"),
                         entry(3, 9, "KK003", promised_on=date(2023, 7, 7)))
    assert promise_passed(summary, today=date(2023, 7, 6)).to_dict() == {"KK001": False, "KK002": False,
                                                                         "KK003": False}
    assert promise_passed(summary, today=date(2023, 7, 7)).to_dict() == {"KK001": True, "KK002": False,
                                                                         "KK003": False}
