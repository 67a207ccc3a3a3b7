"""kkdash.demo: a deterministic demo sheet, committed as data/demo_responses.csv, with every rejection kind."""

from datetime import datetime

import pytest

from kkdash import pipeline
from kkdash.dates import BANGKOK
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.sources import read_responses_csv
from tools import demo


@pytest.fixture(scope="module")
def demo_rows(registry):
    """demo.generate() with the default seed."""
    return demo.generate(registry=registry)


@pytest.fixture(scope="module")
def demo_outcome(registry, districts):
    """The committed demo sheet after every row is in (as of 31 July 2023)."""
    return pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), registry, districts,
                        as_of=datetime(2023, 7, 31, tzinfo=BANGKOK))


def test_same_seed_gives_identical_rows(demo_rows, registry):
    assert demo.generate(registry=registry) == demo_rows


def test_another_seed_gives_other_rows(demo_rows, registry):
    assert demo.generate(seed=1, registry=registry)[1:] != demo_rows[1:]


def test_committed_demo_file_is_the_generators_output(tmp_path):
    out = tmp_path / "demo.csv"
    assert demo.main(["--out", str(out)]) == 0
    assert out.read_bytes() == DEMO_RESPONSES_PATH.read_bytes()


def test_demo_sheet_shape(demo_rows):
    assert (demo_rows[0], len(demo_rows), {len(row) for row in demo_rows}) == (
        ["ประทับเวลา", "ที่อยู่อีเมล", "ชื่อหน่วยงาน", "อำเภอ", "วันที่ประกาศเจตนารมณ์", "หัวหน้าหน่วยงานร่วมลงนาม",
         "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)", "พนักงานราชการ (ลงนาม)",
         "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)", "เจ้าหน้าที่อื่น (ลงนาม)",
         "ลิงก์ประกาศบนเว็บไซต์", "ชื่อผู้รายงาน", "ตำแหน่ง", "เบอร์โทรศัพท์"],
        149, {18})


def test_demo_has_a_rejected_row_of_each_kind_in_the_contract(demo_outcome):
    rejected = demo_outcome.notes[demo_outcome.notes["severity"] == "rejected"]
    bad_counts = " ".join(rejected.loc[rejected["code"] == "bad_count", "message"])
    kinds = {
        "name not in the registry": "unknown_agency" in set(rejected["code"]),
        "ambiguous name": "ambiguous_agency" in set(rejected["code"]),
        "blank name": "no_agency" in set(rejected["code"]),
        "unreadable timestamp": "bad_timestamp" in set(rejected["code"]),
        "unparseable count": "'สิบห้า'" in bad_counts,
        "negative count": "'-3'" in bad_counts,
        "fractional count": "'12.5'" in bad_counts,
        "signed over total": "signed_over_total" in set(rejected["code"]),
        "every total 0": "zero_total" in set(rejected["code"]),
    }
    assert kinds == dict.fromkeys(kinds, True)


def test_demo_has_corrections_late_reports_and_a_blank_row(demo_outcome):
    province = demo_outcome.province
    assert (demo_outcome.blank_rows, demo_outcome.counts["rows_superseded"] > 0, province["agencies_late"] > 0,
            province["agencies_missing"] > 0) == (1, True, True, True)


def test_demo_rows_are_in_time_order_like_a_forms_sheet(demo_outcome):
    times = demo_outcome.rows["submitted_at"].dropna()
    assert times.is_monotonic_increasing
