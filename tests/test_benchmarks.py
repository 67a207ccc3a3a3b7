"""`python -m benchmarks` at a tiny size, so the benchmark never rots: structure and exact counts, no timings."""

import pandas as pd
import pytest

from benchmarks import bench, brief_bench, chaselog_bench
from kkdash.matching import Matcher
from kkdash.names import normalize_name
from kkdash.registry import REGISTRY_COLUMNS, load_districts, load_registry, validate_registry
from tools import national
from tools.postgres import pg_bin

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def results():
    """One quick run: a 300-row sheet (one province), one repeat, no browser."""
    return bench.run_all([300], repeat=1, browser=False, log=lambda message: None, hr_work=False)


def test_a_province_keeps_khon_kaen_as_it_is_and_adds_four_offices_a_district():
    registry, districts = national.national_reference(1)
    home = load_registry()
    assert len(districts) == 26
    assert len(registry) == len(home) + 4 * 26
    assert registry.head(len(home)).equals(home[list(REGISTRY_COLUMNS)])


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
    # The sheet's 300 rows cost what its distinct fuzzy names cost alone.
    sheet = national.synthetic_sheet(300)
    alone = Matcher(sheet.registry)
    keys = {normalize_name(normalize_name(row[2])) for row in sheet.rows[1:]} - {""}
    alone.match_series(pd.Series(sorted(key for key in keys if key not in alone.choices)))
    assert size["fuzzy_comparisons"] == alone.fuzzy_comparisons > 0
    assert (size["distinct_fuzzy"], size["choices"]) == (14, 433)
    assert 0 < size["distinct_fuzzy"] < size["distinct_keys"] <= size["distinct_typed"]
    assert size["floor_s"] > 0 and size["pipeline_s"] > 0 and size["refresh_s"] > 0 and size["peak_rss_mb"] > 0


def test_pages_run_without_exceptions(results):
    (province,) = results["pages"]
    assert province["exceptions"] == []
    assert set(bench.warm_pages(province)) == {"overview", "followup", "quality", "wall"}
    assert set(province) >= {"cold_s", "overview_first_s", "followup_first_s", "quality_first_s"}


def test_the_cli_is_timed_as_a_whole_process_beside_what_only_starting_and_importing_costs(results):
    cli = results["cli"]
    assert cli["command"] == "python -m kkdash summary --demo" and cli["process_s"] > 0
    assert [label for label, _ in cli["floors"]] == [label for label, _ in bench.CLI_STEPS]
    assert all(seconds > 0 for _, seconds in cli["floors"])
    lines = bench._cli_lines(cli)
    assert lines[-4].startswith("| Python starts | ") and lines[-1].startswith("| `python -m kkdash summary --demo` | ")
    assert f"(Python and pandas alone: {cli['floors'][1][1]:.2f} s)" in "\n".join(bench._targets(results))


def test_twenty_viewers_cause_one_sheet_read_per_interval(results):
    feed = results["feed"]
    assert feed["sheet_reads"] == feed["intervals"] == 2
    assert feed["token_requests"] == 1
    assert feed["loads_with_data"] == feed["feed_calls"] > feed["viewers"]


def test_the_report_has_every_table_and_keeps_hand_written_notes(results, tmp_path):
    notes = bench.NOTES_HEADING + "\n\nwritten by a person\n"
    saved = tmp_path / "bench" / "RESULTS.md"
    saved.parent.mkdir()
    saved.write_text("# an old report\n\n" + notes, encoding="utf-8")
    report = bench.write_report(results, saved)
    assert f"on {results['machine']['cores']} cores" in report
    for heading in ("## Parse + match", "## Page script time", "## Google Sheets reads", "## Cold start",
                    "## The command line", "## Targets"):
        assert heading in report
    assert "| 300 | 1 | 258 |" in report
    assert report.endswith(notes) and saved.read_text(encoding="utf-8") == report
    assert bench.kept_notes(saved) == notes


def test_the_command_line_chooses_sizes_runs_and_where_to_write():
    quick, full = bench.parse_options(["--quick"]), bench.parse_options(["--sizes", "1_000,100000", "--no-browser"])
    assert (quick.sizes, quick.repeat, quick.browser, quick.out) == ([300], 1, False, None)
    assert (full.sizes, full.repeat, full.browser, full.out) == ([1_000, 100_000], 3, False,
                                                               bench.ROOT / "benchmarks" / "RESULTS.md")


def test_the_districts_it_invents_are_new_and_distinct():
    import random

    home = set(load_districts()["name_th"])
    names = national.district_names(500, taken=home, rng=random.Random(1))
    assert len(set(names)) == 500 and not home & set(names)


def test_the_chase_log_and_brief_sections_measure_what_they_say(monkeypatch, tmp_path):
    monkeypatch.setattr(chaselog_bench, "TOTAL", 1_000)
    monkeypatch.setattr(chaselog_bench, "ADDS", 4)
    monkeypatch.setattr(chaselog_bench, "READS", 2)
    monkeypatch.setenv("KKDASH_CACHE_DIR", str(tmp_path))  # the page measurement points it at its own folder
    results = {"chaselog": chaselog_bench.measure_chaselog(),
               "followup_log": chaselog_bench.measure_followup_page(reruns=2),
               "brief": brief_bench.measure_brief(repeat=1)}
    rows = results["chaselog"]["rows"]
    assert [(row["layout"], row["entries"], row["in_campaign"]) for row in rows[:2]] == [
        ("100 campaigns", 1_006, 16), ("1 campaign", 1_006, 1_006)]
    # PostgreSQL too wherever its binaries are installed (CI installs them).
    expected = ["SQLite"] * 2 + ([f"PostgreSQL {pg_bin().parent.name}"] * 2 if pg_bin() else [])
    assert [row["backend"] for row in rows] == expected
    assert (results["followup_log"]["entries"], results["followup_log"]["exceptions"]) == (1_002, [])
    assert (results["brief"]["province"]["pages"], results["brief"]["large"]["agencies"]) == (1, 2_000)
    report = "\n".join(bench._hr_work_lines(results))
    assert report.startswith("## The chase log (1,000 entries)")
    assert "## The governor's brief (PDF)" in report
    assert [label.split(" (")[0] for label, _, _ in bench._hr_work_targets(results)] == [
        "chase log: add an entry ≤ 50 ms", "follow-up page warm rerun ≤ 0.3 s with 1,002 chase-log entries",
        "governor's brief ≤ 2 s"]
