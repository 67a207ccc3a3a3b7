"""kkdash.pipeline on a hand-written sheet whose every row's fate is written down beside it.

tests/data/hand_sheet.csv is a Thai-header response sheet against the real data/agencies.csv;
tests/data/hand_sheet_expected.csv gives, per sheet row, the fate as of two times (FINAL, after
the deadline, and EARLY, two days before it), the rejection and warning codes, and why. The
figures asserted below were counted by hand from those two files.
"""

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from kkdash import pipeline
from kkdash.dates import BANGKOK
from kkdash.matching import Matcher
from kkdash.schema import HEADERS_TH, SchemaError
from kkdash.sheet import SourceError, sheet_from_rows
from kkdash.sources import read_responses_csv

DATA = Path(__file__).parent / "data"
FINAL = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
EARLY = datetime(2023, 7, 5, 12, 0, tzinfo=BANGKOK)
SUMMARY_KEYS = [
    "as_of", "deadline", "agencies_expected", "agencies_reported", "agencies_on_time", "agencies_late",
    "agencies_missing", "agencies_needing_correction", "agencies_fully_signed", "agencies_published",
    "personnel_total", "personnel_signed",
    "signing_rate", "rows_total", "rows_used", "rows_superseded", "rows_rejected", "districts",
]


@pytest.fixture(scope="module")
def hand_sheet():
    """tests/data/hand_sheet.csv read like a Forms CSV export: 39 answer rows, sheet rows 2-40."""
    return read_responses_csv(DATA / "hand_sheet.csv")


@pytest.fixture(scope="module")
def written_fates():
    """tests/data/hand_sheet_expected.csv: one dict per sheet row."""
    with open(DATA / "hand_sheet_expected.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def outcome_final(hand_sheet, registry, districts):
    """The hand sheet as of 20 July 2023 12:00, after the deadline."""
    return pipeline.run(hand_sheet, registry, districts, as_of=FINAL)


@pytest.fixture(scope="module")
def outcome_early(hand_sheet, registry, districts):
    """The hand sheet as of 5 July 2023 12:00, two days before the deadline."""
    return pipeline.run(hand_sheet, registry, districts, as_of=EARLY)


def fate_per_row(outcome, sheet):
    """Every sheet row -> its fate; rows the pipeline skipped as blank -> 'blank'."""
    fates = dict(zip(outcome.rows["row_number"], outcome.rows["fate"], strict=True))
    return {int(n): fates.get(n, "blank") for n in sheet.row_numbers}


def codes_per_row(outcome, severity):
    """Row number -> its note codes of one severity, sorted and joined with '|'."""
    notes = outcome.notes[outcome.notes["severity"] == severity]
    return {int(n): "|".join(sorted(group["code"])) for n, group in notes.groupby("row_number")}


def test_the_written_sheet_covers_every_row(hand_sheet, written_fates):
    assert [int(w["row_number"]) for w in written_fates] == hand_sheet.row_numbers.tolist() == list(range(2, 41))


@pytest.mark.parametrize(("outcome_name", "column"), [("outcome_final", "fate_final"), ("outcome_early", "fate_early")])
def test_every_row_has_its_written_fate(request, hand_sheet, written_fates, outcome_name, column):
    outcome = request.getfixturevalue(outcome_name)
    assert fate_per_row(outcome, hand_sheet) == {int(w["row_number"]): w[column] for w in written_fates}


@pytest.mark.parametrize(("outcome_name", "column"), [("outcome_final", "fate_final"), ("outcome_early", "fate_early")])
def test_every_row_has_its_written_reasons_and_warnings(request, written_fates, outcome_name, column):
    outcome = request.getfixturevalue(outcome_name)
    listed = [w for w in written_fates if w[column] in ("used", "superseded", "rejected")]
    assert (codes_per_row(outcome, "rejected"), codes_per_row(outcome, "warning")) == (
        {int(w["row_number"]): w["reasons"] for w in listed if w["reasons"]},
        {int(w["row_number"]): w["warnings"] for w in listed if w["warnings"]},
    )


def test_every_matched_row_has_its_written_agency(outcome_final, written_fates):
    matched = outcome_final.rows.dropna(subset=["agency_id"])
    assert dict(zip(matched["row_number"], matched["agency_id"], strict=True)) == {
        int(w["row_number"]): w["agency_id"] for w in written_fates if w["agency_id"]}


def test_the_sheet_exercises_every_rejection_and_warning_kind(outcome_final):
    assert (sorted(set(outcome_final.notes.loc[outcome_final.notes["severity"] == "rejected", "code"])),
            sorted(set(outcome_final.notes.loc[outcome_final.notes["severity"] == "warning", "code"]))) == (
        ["ambiguous_agency", "bad_count", "bad_timestamp", "no_agency", "no_timestamp", "signed_over_total",
         "unknown_agency", "zero_total"],
        ["bad_declared_on", "bad_url", "declared_after_submit", "district_mismatch", "fuzzy_match",
         "head_not_signed", "head_unknown", "no_declared_on", "no_url"])


def test_summary_after_the_deadline(outcome_final):
    summary = outcome_final.summary()
    assert {k: v for k, v in summary.items() if k != "districts"} == {
        "as_of": "2023-07-20T12:00:00+07:00",
        "deadline": "2023-07-07",
        "agencies_expected": 154,
        "agencies_reported": 21,
        "agencies_on_time": 17,
        "agencies_late": 4,  # U4012-1, U4012-2 (its on-time row was rejected), P23, P26 (one second late)
        "agencies_missing": 133,
        "agencies_needing_correction": 6,  # P05-P10: each sent only rows 14-19, all rejected
        "agencies_fully_signed": 16,
        "agencies_published": 19,  # all but P11 (no link) and P12 (javascript:)
        "personnel_total": 1745,
        "personnel_signed": 1707,
        "signing_rate": pytest.approx(1707 / 1745),
        "rows_total": 35,
        "rows_used": 21,
        "rows_superseded": 3,
        "rows_rejected": 11,
    }


def test_district_figures_after_the_deadline(outcome_final):
    entries = {d["district_code"]: d for d in outcome_final.summary()["districts"]}
    assert (entries["4012"], entries["4001"], entries[None]) == (
        {"district_code": "4012", "name_th": "พล", "expected": 3, "reported": 3, "on_time": 1, "late": 2,
         "missing": 0, "needing_correction": 0, "personnel_total": 80, "personnel_signed": 79,
         "signing_rate": pytest.approx(79 / 80)},
        {"district_code": "4001", "name_th": "เมืองขอนแก่น", "expected": 4, "reported": 4, "on_time": 4,
         "late": 0, "missing": 0, "needing_correction": 0, "personnel_total": 173, "personnel_signed": 171,
         "signing_rate": pytest.approx(171 / 173)},
        {"district_code": None, "name_th": "ระดับจังหวัด", "expected": 75, "reported": 14, "on_time": 12,
         "late": 2, "missing": 61, "needing_correction": 6, "personnel_total": 1492, "personnel_signed": 1457,
         "signing_rate": pytest.approx(1457 / 1492)},
    )


def test_summary_before_the_deadline(outcome_early):
    summary = outcome_early.summary()
    assert {k: v for k, v in summary.items() if k != "districts"} == {
        "as_of": "2023-07-05T12:00:00+07:00",
        "deadline": "2023-07-07",
        "agencies_expected": 154,
        "agencies_reported": 14,
        "agencies_on_time": 14,
        "agencies_late": 0,
        "agencies_missing": 140,
        "agencies_needing_correction": 7,  # P05-P10, and U4012-2 (row 9 rejected; its good report comes later)
        "agencies_fully_signed": 10,  # P16's first report (38 of 40 civil servants) is its latest so far
        "agencies_published": 12,
        "personnel_total": 1659,
        "personnel_signed": 1621,
        "signing_rate": pytest.approx(1621 / 1659),
        "rows_total": 26,
        "rows_used": 14,
        "rows_superseded": 2,
        "rows_rejected": 10,
    }


def test_district_figures_before_the_deadline(outcome_early):
    entries = {d["district_code"]: d for d in outcome_early.summary()["districts"]}
    assert (entries["4012"], entries["4001"], entries[None]) == (
        {"district_code": "4012", "name_th": "พล", "expected": 3, "reported": 1, "on_time": 1, "late": 0,
         "missing": 2, "needing_correction": 1, "personnel_total": 50, "personnel_signed": 50, "signing_rate": 1.0},
        {"district_code": "4001", "name_th": "เมืองขอนแก่น", "expected": 4, "reported": 3, "on_time": 3,
         "late": 0, "missing": 1, "needing_correction": 0, "personnel_total": 159, "personnel_signed": 158,
         "signing_rate": pytest.approx(158 / 159)},
        {"district_code": None, "name_th": "ระดับจังหวัด", "expected": 75, "reported": 10, "on_time": 10,
         "late": 0, "missing": 65, "needing_correction": 6, "personnel_total": 1450, "personnel_signed": 1413,
         "signing_rate": pytest.approx(1413 / 1450)},
    )


def test_summary_has_the_contract_keys_and_is_plain_json(outcome_final, districts):
    summary = outcome_final.summary()
    round_trip = json.loads(json.dumps(summary))
    assert (list(summary), len(summary["districts"]), [d["district_code"] for d in summary["districts"]],
            round_trip["districts"][-1]["district_code"]) == (
        SUMMARY_KEYS, 27, [*districts["district_code"], None], None)


def test_rows_are_conserved_and_blank_rows_count_nowhere(outcome_final, outcome_early):
    for outcome in (outcome_final, outcome_early):
        counts = outcome.counts
        assert (counts["rows_total"], outcome.blank_rows) == (
            counts["rows_used"] + counts["rows_superseded"] + counts["rows_rejected"], 2)


def test_a_correction_after_the_deadline_keeps_an_agency_on_time(outcome_final):
    p16 = outcome_final.agencies.set_index("agency_id").loc["P16"]
    assert (p16["status"], p16["first_submitted_at"].isoformat(), p16["last_submitted_at"].isoformat(),
            p16["published_url"], int(p16["personnel_signed"])) == (
        "on_time", "2023-06-28T10:00:00+07:00", "2023-07-10T11:00:00+07:00", "https://www.p16.example.go.th/b", 75)


def test_figures_and_contact_come_from_the_latest_row(outcome_final, outcome_early):
    final = outcome_final.agencies.set_index("agency_id")
    early = outcome_early.agencies.set_index("agency_id")
    assert (final.loc["P01", ["published_url", "civil_signed", "reporter_phone"]].tolist(),
            final.loc["P18", ["reporter_phone", "staff_total", "personnel_total"]].tolist(),
            final.loc["P19", "first_submitted_at"].isoformat(),
            early.loc["P16", ["published_url", "reporter_phone", "personnel_signed"]].tolist()) == (
        ["https://www.p01.example.go.th/moral", 20, "0812345678"],
        ["0812345678", 1234, 1249],
        "2023-07-03T12:00:00+07:00",
        ["https://www.p16.example.go.th/a", "0812345678", 73])


def test_each_distinct_unregistered_name_is_fuzzy_matched_once(outcome_final, registry):
    # Three names need fuzzy matching: สำนักงานพาณิชย์จังหวัดขอนแก่, โรงเรียนบ้านโนนสวรรค์ and ที่ว่าการอำเภอ;
    # the sheet's rows cost what those three names cost alone, whatever rows repeat them.
    alone = Matcher(registry)
    alone.match_series(pd.Series(["สำนักงานพาณิชย์จังหวัดขอนแก่", "โรงเรียนบ้านโนนสวรรค์", "ที่ว่าการอำเภอ"]))
    assert outcome_final.fuzzy_comparisons == alone.fuzzy_comparisons > 0


def test_a_kept_matcher_gives_the_same_outcome_and_matches_nothing_twice(hand_sheet, registry, districts,
                                                                        outcome_final):
    kept = Matcher(registry)
    first = pipeline.prepare(hand_sheet, registry, districts, matcher=kept)
    again = pipeline.evaluate(pipeline.prepare(hand_sheet, registry, districts, matcher=kept), as_of=FINAL)
    assert (first.fuzzy_comparisons, again.fuzzy_comparisons) == (outcome_final.fuzzy_comparisons, 0)
    assert again.summary() == outcome_final.summary()
    assert again.rows.drop(columns="candidates").equals(outcome_final.rows.drop(columns="candidates"))
    assert again.rows["candidates"].tolist() == outcome_final.rows["candidates"].tolist()


def test_threshold_reaches_the_matcher(hand_sheet, registry, districts):
    strict = pipeline.run(hand_sheet, registry, districts, as_of=FINAL, threshold=99.0)
    row = strict.rows.set_index("row_number").loc[26]
    assert (row["fate"], row["match_method"], strict.counts["rows_rejected"]) == ("rejected", "unmatched", 12)


def test_deadline_moves_on_time_and_late(hand_sheet, registry, districts):
    later = pipeline.run(hand_sheet, registry, districts, as_of=FINAL, deadline=date(2023, 7, 10))
    assert (later.summary()["deadline"], later.province["agencies_on_time"], later.province["agencies_late"]) == (
        "2023-07-10", 20, 1)  # only P23 (15 July) is still late


def test_config_header_map_reaches_the_schema(registry, districts):
    headers = ["Timestamp", "หน่วยงาน", *list(HEADERS_TH.values())[2:]]
    row = ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่",
           "10", "10", "0", "0", "0", "0", "0", "0", "https://www.example.go.th", "", "", ""]
    outcome = pipeline.run(sheet_from_rows([headers, row]), registry, districts, as_of=FINAL,
                           header_extra={"Timestamp": "submitted_at", "หน่วยงาน": "agency_name"})
    assert (outcome.counts["rows_used"], outcome.province["personnel_total"]) == (1, 10)


def test_missing_required_column_stops_the_run(registry, districts):
    headers = [h for f, h in HEADERS_TH.items() if f != "staff_signed"]
    with pytest.raises(SchemaError, match=r"'เจ้าหน้าที่อื่น \(ลงนาม\)' \(staff_signed\)"):
        pipeline.run(sheet_from_rows([headers]), registry, districts, as_of=FINAL)


def test_a_sheet_with_no_answers_yet_gives_an_all_missing_summary(registry, districts):
    outcome = pipeline.run(sheet_from_rows([list(HEADERS_TH.values())]), registry, districts, as_of=FINAL)
    summary = outcome.summary()
    assert (summary["agencies_missing"], summary["rows_total"], summary["signing_rate"], len(summary["districts"])) \
        == (154, 0, 0.0, 27)


# Reading the CSV export (kkdash.sources) is the pipeline's first step.

def test_csv_rows_keep_the_sheets_row_numbers_through_empty_lines(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text("\ufeffประทับเวลา,ชื่อหน่วยงาน\n1/7/2566,ก\n\n,\n2/7/2566,\"ข, ค\"\n", encoding="utf-8")
    sheet = read_responses_csv(path)
    assert (sheet.headers, sheet.cells.values.tolist(), sheet.row_numbers.tolist()) == (
        ["ประทับเวลา", "ชื่อหน่วยงาน"],
        [["1/7/2566", "ก"], ["", ""], ["", ""], ["2/7/2566", "ข, ค"]],
        [2, 3, 4, 5])


def test_csv_cells_stay_text(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text("เบอร์โทรศัพท์,จำนวน\n0812345678,NA\n", encoding="utf-8")
    assert read_responses_csv(path).cells.values.tolist() == [["0812345678", "NA"]]


def test_sheet_rows_are_padded_to_the_widest_row():
    sheet = sheet_from_rows([["a", "b"], ["1"], ["1", "2", "3"], [None, 5]])
    assert (sheet.headers, sheet.cells.values.tolist()) == (
        ["a", "b", ""], [["1", "", ""], ["1", "2", "3"], ["", "5", ""]])


@pytest.mark.parametrize(("content", "message"), [
    (None, "ไม่พบไฟล์คำตอบ"),
    (b"", "ไฟล์คำตอบว่างเปล่า"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary\xff", "อ่านไฟล์คำตอบไม่ได้"),
    ("ประทับเวลา,café\n1,2\n".encode("latin-1", errors="replace"), "อ่านไฟล์คำตอบไม่ได้"),
])
def test_unreadable_csv_is_a_one_line_source_error(tmp_path, content, message):
    path = tmp_path / "responses.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as caught:
        read_responses_csv(path)
    assert "\n" not in str(caught.value)


def test_a_directory_is_not_a_responses_file(tmp_path):
    with pytest.raises(SourceError, match="อ่านไฟล์คำตอบไม่ได้"):
        read_responses_csv(tmp_path)


@pytest.mark.parametrize("content", ["\n", "\ufeff\n", "\n\n", "\nประทับเวลา,ชื่อหน่วยงาน\n1/7/2566,ก\n"])
def test_a_blank_first_line_is_an_empty_file_not_a_header_one_line_down(tmp_path, content):
    path = tmp_path / "responses.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match="ไฟล์คำตอบว่างเปล่า"):
        read_responses_csv(path)


def test_a_row_longer_than_the_header_is_kept_and_padded(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("ประทับเวลา,ชื่อหน่วยงาน\n1/7/2566 10:00:00,a,b,c\n\n2/7/2566 10:00:00,x\n", encoding="utf-8")
    sheet = read_responses_csv(path)
    assert sheet.headers == ["ประทับเวลา", "ชื่อหน่วยงาน", "", ""]
    assert sheet.cells.values.tolist() == [["1/7/2566 10:00:00", "a", "b", "c"], ["", "", "", ""],
                                           ["2/7/2566 10:00:00", "x", "", ""]]
    assert sheet.row_numbers.tolist() == [2, 3, 4]


def test_one_preparation_serves_every_as_of_time(hand_sheet, registry, districts, outcome_final, outcome_early):
    prepared = pipeline.prepare(hand_sheet, registry, districts)
    before = prepared.rows.rows.copy()
    early = pipeline.evaluate(prepared, as_of=EARLY)
    final = pipeline.evaluate(prepared, as_of=FINAL)
    assert (early.summary(), final.summary()) == (outcome_early.summary(), outcome_final.summary())
    pd.testing.assert_frame_equal(final.rows, outcome_final.rows)
    pd.testing.assert_frame_equal(early.notes, outcome_early.notes)
    pd.testing.assert_frame_equal(prepared.rows.rows, before)  # evaluating never changes the prepared rows
