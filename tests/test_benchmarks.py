"""`python -m kkdash.bench` at a tiny size, so the benchmark never rots: structure and exact counts, no timings."""

import pytest

from benchmarks import bench
from kkdash.matching import Matcher
from kkdash.names import normalize_name
from kkdash.registry import load_districts, load_registry, validate_registry
from tools import national

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def results():
    """One quick run: a 300-row sheet (one province), one repeat, no browser."""
    return bench.run_all([300], repeat=1, browser=False, log=lambda message: None)


def test_a_province_keeps_khon_kaen_as_it_is_and_adds_four_offices_a_district():
    registry, districts = national.national_reference(1)
    home = load_registry()
    assert len(districts) == 26
    assert len(registry) == len(home) + 4 * 26
    assert registry.head(len(home)).equals(home)


def test_the_national_registry_is_valid_with_unique_names():
    registry, districts = national.national_reference(national.MAX_PROVINCES)
    assert len(districts) == 77 * 26
    assert len(validate_registry(registry, districts=districts)) == len(registry) > 19_000
    assert registry["agency_id"].is_unique and registry["name_th"].is_unique


def test_a_sheet_has_the_rows_asked_for_and_is_the_same_every_time():
    sheet = national.synthetic_sheet(300)
    assert len(sheet.rows) == 301
    assert sheet.rows[0][0] == "ประทับเวลา"
    assert sheet.rows == national.synthetic_sheet(300).rows
    assert sum(1 for row in sheet.rows[1:] if not any(row)) == 1


def test_sizes_choose_provinces_up_to_the_whole_country():
    assert [national.provinces_for(rows) for rows in (300, 1_000, 10_000, 100_000, 580_000)] == [1, 3, 33, 77, 77]


def test_every_row_has_one_fate_and_fuzzy_work_follows_distinct_names(results):
    (size,) = results["pipeline"]
    assert size["rows"] == 300 and size["provinces"] == 1 and size["agencies"] == 258
    assert size["rows_total"] + size["blank_rows"] == 300
    assert size["rows_total"] == size["rows_used"] + size["rows_superseded"] + size["rows_rejected"]
    # Khon Kaen's names and aliases, and a name and an alias for each of the 4 × 26 added offices.
    assert size["choices"] == len(Matcher(load_registry()).choice_keys) + 2 * 4 * 26
    # The sheet's 300 rows cost what its distinct fuzzy names cost alone, less than every pair.
    sheet = national.synthetic_sheet(300)
    alone = Matcher(sheet.registry)
    keys = {normalize_name(normalize_name(row[2])) for row in sheet.rows[1:]} - {""}
    alone._match_fuzzy(sorted(key for key in keys if alone._match_known(key) is None))
    assert size["fuzzy_comparisons"] == alone.fuzzy_comparisons == 2_347
    assert (size["distinct_fuzzy"], size["choices"]) == (14, 433)  # 2 347 of 6 062 pairs
    assert 0 < size["distinct_fuzzy"] < size["distinct_keys"] <= size["distinct_typed"]
    assert size["floor_s"] > 0 and size["pipeline_s"] > 0 and size["refresh_s"] > 0 and size["peak_rss_mb"] > 0


def test_pages_run_without_exceptions(results):
    (province,) = results["pages"]
    assert province["exceptions"] == []
    assert set(province) >= {"cold_s", "overview_warm_s", "followup_first_s", "followup_warm_s"}


def test_twenty_viewers_cause_one_sheet_read_per_interval(results):
    feed = results["feed"]
    assert feed["sheet_reads"] == feed["intervals"] == 2
    assert feed["token_requests"] == 1
    assert feed["loads_with_data"] == feed["feed_calls"] > feed["viewers"]


def test_the_report_has_every_table_and_keeps_hand_written_notes(results, tmp_path):
    notes = bench.NOTES_HEADING + "\n\nwritten by a person\n"
    report = bench.render(results, notes=notes)
    assert f"on {results['machine']['cores']} cores" in report
    for heading in ("## Parse + match", "## Page script time", "## Google Sheets reads", "## Cold start",
                    "## Targets"):
        assert heading in report
    assert "| 300 | 1 | 258 |" in report
    assert report.endswith(notes)
    saved = tmp_path / "RESULTS.md"
    saved.write_text(report, encoding="utf-8")
    assert bench.kept_notes(saved) == notes


def test_the_command_writes_its_report(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "run_all", lambda sizes, **options: {"sizes": sizes, **options})
    monkeypatch.setattr(bench, "render", lambda results, notes: f"{results}\n")
    out = tmp_path / "bench" / "RESULTS.md"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "{'sizes': [300], 'repeat': 1, 'browser': False, 'seed': 2566}\n"


def test_the_districts_it_invents_are_new_and_distinct():
    import random

    home = set(load_districts()["name_th"])
    names = national.district_names(500, taken=home, rng=random.Random(1))
    assert len(set(names)) == 500 and not home & set(names)
