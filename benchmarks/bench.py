"""What kkdash costs, from one province to the largest sheet Google allows: ``python -m benchmarks``.

The data is the demo generator scaled up (tools/national.py): Thai names with typos, BE timestamps,
corrections, rejected rows and blank rows, against a registry of about 250 agencies a province.

Each size is measured in a fresh subprocess, so one size's peak memory does not hide in
another's. Timing thresholds live in benchmarks/RESULTS.md, never in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from benchmarks import brief_bench, chaselog_bench
from kkdash.dates import BANGKOK
from tools import browsing, fakesheets
from tools.national import PROVINCE_ROWS, Files, synthetic_sheet, write_dataset

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1_000, 10_000, 100_000, 580_000)
QUICK_SIZES = (300,)
AS_OF = datetime(2023, 8, 1, tzinfo=BANGKOK)
FUZZY_METHODS = ("fuzzy", "unmatched", "ambiguous")

# --- measurements --------------------------------------------------------------------------------


def timed(action) -> tuple[float, object]:
    """Run ``action()`` -> (wall seconds, its result)."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB.

    Linux's VmHWM first: ru_maxrss survives exec, so a child forked from a parent that had just
    written a 580 000-row sheet (~1 GB) would report the parent's size, whatever it used itself.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_pipeline(files: Files, *, repeat: int) -> dict:
    """The floor (plain read_csv) and the full pipeline on one file, ``repeat`` times each, interleaved."""
    from kkdash import pipeline
    from kkdash.matching import Matcher
    from kkdash.names import normalize_name
    from kkdash.registry import load_districts, load_registry
    from kkdash.sources import read_responses_csv

    districts = load_districts(files.districts)
    registry = load_registry(files.registry, districts=districts)
    floors, runs, refreshes, rss = [], [], [], 0.0
    for _ in range(repeat):
        # Cold: a new Matcher, so the registry is indexed and every name matched in the time.
        seconds, outcome = timed(lambda: pipeline.run(read_responses_csv(files.responses), registry, districts,
                                                      as_of=AS_OF))
        runs.append(seconds)
        # The pipeline's own peak: taken before the first floor read, whose buffers would count too.
        rss = rss or peak_rss_mb()
        floors.append(timed(lambda: pd.read_csv(files.responses, dtype=str))[0])
    # A refresh: the app keeps one Matcher per registry (kkdash/app/data.py), so reading the sheet again
    # matches only names it has not seen; here none are new (filled by one untimed run first).
    kept = Matcher(registry)
    pipeline.prepare(read_responses_csv(files.responses), registry, districts, matcher=kept)
    for _ in range(repeat):
        refreshes.append(timed(lambda: pipeline.run(read_responses_csv(files.responses), registry, districts,
                                                    as_of=AS_OF, matcher=kept))[0])
    typed = outcome.rows["agency_name"]
    keys = typed.map(normalize_name)
    return {
        **asdict(files), "repeat": repeat, "floor_s": statistics.median(floors),
        "pipeline_s": statistics.median(runs), "refresh_s": statistics.median(refreshes), "peak_rss_mb": rss,
        "choices": len(Matcher(registry).choice_keys), "fuzzy_comparisons": outcome.fuzzy_comparisons,
        "distinct_typed": int(typed.nunique()), "distinct_keys": int(keys.nunique()),
        "distinct_fuzzy": int(keys[outcome.rows["match_method"].isin(FUZZY_METHODS)].nunique()),
        "blank_rows": outcome.blank_rows, **outcome.counts,
    }


def app_env(files: Files, cache_dir: str) -> dict[str, str]:
    """Environment that points the app at a generated dataset (a responses file, its registry and districts)."""
    return {"KKDASH_RESPONSES_PATH": files.responses, "KKDASH_REGISTRY_PATH": files.registry,
            "KKDASH_DISTRICTS_PATH": files.districts, "KKDASH_CACHE_DIR": cache_dir,
            "KKDASH_SHEET_URL": "", "KKDASH_PUBLISHED_CSV_URL": "", "GOOGLE_APPLICATION_CREDENTIALS": ""}


PAGES = {"overview": "pages/overview.py", "followup": "pages/followup.py", "quality": "pages/quality.py"}


def measure_pages(files: Files, *, repeat: int) -> dict:
    """Every page's script time in AppTest: the first run (cold cache), each page's first visit, then warm reruns
    (the same page again: what a widget change or the wall's refresh costs); the wall screen too."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as cache:
        os.environ.update(app_env(files, cache))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        cold, _ = timed(app.run)
        result = {"rows": files.rows, "agencies": files.agencies, "cold_s": cold}
        for name, path in PAGES.items():
            app.switch_page(path)
            result[f"{name}_first_s"], _ = timed(app.run)
            result[f"{name}_warm_s"] = statistics.median(timed(app.run)[0] for _ in range(repeat))
        app.switch_page(PAGES["overview"])
        app.query_params["view"] = "wall"
        app.run()
        result["wall_warm_s"] = statistics.median(timed(app.run)[0] for _ in range(repeat))
        result["exceptions"] = [str(e.value) for e in app.exception]
    return {**result, "peak_rss_mb": peak_rss_mb()}


def warm_pages(page: dict) -> dict[str, float]:
    """A page measurement -> {page: warm rerun seconds} for every page and the wall."""
    return {name: page[f"{name}_warm_s"] for name in (*PAGES, "wall") if f"{name}_warm_s" in page}


CLI_REPEAT = 7  # processes are cheap and noisy here: the median of seven
CLI_TARGET_S = 0.8
CLI_STEPS = (("Python starts", ["-c", "pass"]), ("… and imports pandas", ["-c", "import pandas"]),
             ("… and imports kkdash's command line", ["-c", "import kkdash.cli"]))


def measure_cli(*, repeat: int) -> dict:
    """`python -m kkdash summary` on the demo data, the whole process as a scheduled run starts it: the second
    and later runs of a deployment, whose first run left Python's compiled bytecode beside the sources.

    ``floors``: processes that only start Python and import, timed the same way (what no change to kkdash's
    own work can take away)."""
    command = [sys.executable, "-m", "kkdash", "summary", "--demo", "--as-of", "2023-07-07T17:00"]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "KKDASH_CACHE_DIR": cache}
        # The first run warms the OS file cache and writes the bytecode, even where PYTHONDONTWRITEBYTECODE
        # is set (a container's habit): otherwise every run measured would recompile kkdash's sources.
        first = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(command, cwd=ROOT, env=first, capture_output=True, check=True)

        def process_s(arguments: list[str]) -> float:
            runs = [timed(lambda: subprocess.run(arguments, cwd=ROOT, env=env, capture_output=True, check=True))[0]
                    for _ in range(repeat)]
            return statistics.median(runs)

        floors = [(label, process_s([sys.executable, *arguments])) for label, arguments in CLI_STEPS]
        whole = process_s(command)
    return {"command": "python -m kkdash summary --demo", "process_s": whole, "floors": floors}


def measure_sheet_rebuild(files: Files) -> dict:
    """What sheet mode adds to every sheet read: the fetched rows -> RawSheet (sheet_from_rows)."""
    from kkdash.sheet import sheet_from_rows

    with open(files.responses, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    seconds, _ = timed(lambda: sheet_from_rows(rows))
    return {"rows": files.rows, "sheet_from_rows_s": seconds}


def measure_feed(*, viewers: int = 20, intervals: int = 2, interval: int = 1) -> dict:
    """``viewers`` threads calling Feed.current() for ``intervals`` refresh intervals, counted by FakeSheets."""
    from kkdash import sheets
    from kkdash.feed import Feed
    from kkdash.settings import SheetSettings

    with fakesheets.FakeSheets({"Form Responses 1": synthetic_sheet(PROVINCE_ROWS).rows}) as fake:
        session = fake.session()
        # Built directly: load_settings refuses intervals under 10 s, which would make this take 20 s.
        settings = SheetSettings(sheet_key=fake.key, service_account_info=fakesheets.make_service_account_info(),
                                 refresh_seconds=interval)
        feed = Feed(settings, snapshot_path=None, fetch=lambda s: sheets.fetch_tables(s, session=session))
        # Stop a quarter interval short of the last boundary, so a read due exactly then is not counted.
        until = time.monotonic() + interval * (intervals - 0.25)
        seen = []

        def viewer() -> None:
            while time.monotonic() < until:
                seen.append(feed.current().tables is not None)
                time.sleep(0.005)

        threads = [threading.Thread(target=viewer) for _ in range(viewers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {"viewers": viewers, "intervals": intervals, "interval_s": interval,
                "sheet_reads": fake.count(fake.batch_get_path), "token_requests": fake.count("/token"),
                "all_requests": fake.count(), "feed_calls": len(seen), "loads_with_data": sum(seen)}


def measure_browser(files: Files, *, limit: float = 300.0) -> dict:
    """Seconds from `streamlit run` to a complete overview (script idle, a plotly SVG drawn) in Chromium, and a
    person's first visit once the server is up: opening the page to the overview complete, in a new tab,
    with where that visit's time went (medians of three)."""
    with tempfile.TemporaryDirectory() as cache, browsing.chromium() as browser:
        start = time.perf_counter()
        with browsing.streamlit_server(app_env(files, cache), Path(cache) / "streamlit.log") as url:
            healthy = time.perf_counter() - start
            complete = _open_overview(browser, url, limit)["visit_s"] + healthy
            visits = [_open_overview(browser, url, limit) for _ in range(3)]
    steps = {name: statistics.median(visit[name] for visit in visits) for name in VISIT_STEPS}
    return {"rows": files.rows, "healthy_s": healthy, "overview_s": complete,
            "first_visit_s": statistics.median(visit["visit_s"] for visit in visits), **steps}


# Marks a visit leaves in the page (performance.now(), ms from navigation): the WebSocket to the server open,
# the first plotly chart drawn, and every long task (the main thread busy for over 50 ms).
VISIT_MARKS = """
window.__kkdash = {tasks: []};
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__kkdash.tasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
const Socket = window.WebSocket;
window.WebSocket = class extends Socket {
  constructor(...args) {
    super(...args);
    this.addEventListener('open', () => { window.__kkdash.socket ??= performance.now(); });
  }
};
new MutationObserver(() => { if (!window.__kkdash.chart && document.querySelector('.js-plotly-plot .main-svg'))
  window.__kkdash.chart = performance.now(); }).observe(document, {subtree: true, childList: true});
"""
VISIT_READ = """() => {
  const code = performance.getEntriesByType('resource').find(e => e.name.includes('/PlotlyChart.'));
  return {socket: window.__kkdash.socket, chart: window.__kkdash.chart, code_start: code && code.startTime,
          code_end: code && code.responseEnd, longest: Math.max(0, ...window.__kkdash.tasks.map(t => t[1]))};
}"""
VISIT_STEPS = ("socket_s", "code_requested_s", "code_loaded_s", "longest_task_s", "chart_s")


def _open_overview(browser, url: str, limit: float) -> dict:
    """A new tab at the overview -> seconds until the script is idle and a chart is drawn (``visit_s``), and when
    its steps happened (VISIT_STEPS, seconds from navigation)."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.add_init_script(VISIT_MARKS)
    try:
        seconds, _ = timed(lambda: (page.goto(f"{url}/", timeout=limit * 1000),
                                    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=limit * 1000),
                                    page.wait_for_selector(browsing.IDLE, timeout=limit * 1000)))
        marks = page.evaluate(VISIT_READ)
    finally:
        page.close()
    ms = (marks["socket"], marks["code_start"], marks["code_end"], marks["longest"], marks["chart"])
    return {"visit_s": seconds, **{name: value / 1000 for name, value in zip(VISIT_STEPS, ms, strict=True)}}


# --- running each measurement in its own process -----------------------------------------------------

def measure_followup_log(files: Files | None = None, **options) -> dict:
    """The follow-up page over a 100 000-entry chase log (the demo's data: ``files`` is not used)."""
    return chaselog_bench.measure_followup_page(**options)


CHILD_TASKS = {"pipeline": measure_pipeline, "pages": measure_pages, "sheet": measure_sheet_rebuild,
               "followup_log": measure_followup_log}


def in_child(task: str, files: Files | None, **options) -> dict:
    """Run one measurement in a fresh interpreter (its own peak RSS, its own caches) -> its JSON result."""
    spec = json.dumps({"task": task, "files": asdict(files) if files else None, "options": options})
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--child", spec], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        size = f" on {files.rows:,} rows" if files else ""
        raise RuntimeError(f"{task}{size} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(spec: str) -> None:
    """The child side of in_child: measure, then print the result as the last line of stdout."""
    order = json.loads(spec)
    files = Files(**order["files"]) if order["files"] else None
    print(json.dumps(CHILD_TASKS[order["task"]](files, **order["options"])))


# --- the whole run and its report --------------------------------------------------------------------


def machine() -> dict:
    """What the numbers were measured on."""
    import platform

    import rapidfuzz
    import streamlit

    return {"cores": os.cpu_count(), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "pandas": pd.__version__, "rapidfuzz": rapidfuzz.__version__,
            "streamlit": streamlit.__version__, "load": [round(x, 1) for x in os.getloadavg()]}


def run_all(sizes: list[int], *, repeat: int, browser: bool, seed: int = 2566, log=None, hr_work: bool = True) -> dict:
    """Generate every dataset, measure each in its own process -> all results (plain, JSON-ready).

    ``hr_work``: the chase log at 100 000 entries (SQLite, and PostgreSQL when installed) and the
    governor's brief too — a few minutes more.
    """
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    results = {"machine": machine(), "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="kkdash-bench-") as folder:
        datasets = {}
        for rows in sorted({PROVINCE_ROWS, *sizes}):
            log(f"writing {rows:,} rows")
            datasets[rows] = write_dataset(Path(folder), rows, seed=seed)
        results["pipeline"] = []
        for rows in sizes:
            log(f"pipeline on {rows:,} rows")
            results["pipeline"].append(in_child("pipeline", datasets[rows], repeat=repeat))
        shown = [datasets[PROVINCE_ROWS]] + ([datasets[max(sizes)]] if max(sizes) != PROVINCE_ROWS else [])
        log("pages in AppTest")
        results["pages"] = [in_child("pages", files, repeat=repeat) for files in shown]
        results["sheet"] = in_child("sheet", shown[-1])
        log("20 viewers on one feed")
        results["feed"] = measure_feed()
        log("the CLI on the demo data")
        results["cli"] = measure_cli(repeat=max(repeat, CLI_REPEAT))
        results["browser"] = [measure_browser(files) for files in shown] if browser else []
    if hr_work:
        log("the chase log with 100 000 entries")
        results["chaselog"] = chaselog_bench.measure_chaselog()
        results["followup_log"] = in_child("followup_log", None)
        log("the governor's brief")
        results["brief"] = brief_bench.measure_brief(repeat=max(repeat, 3))
    return results


def render(results: dict, *, notes: str = "") -> str:
    """Results -> the Markdown report: machine, one table per question, targets, then ``notes``."""
    m = results["machine"]
    lines = [
        "# What kkdash costs", "",
        f"Measured {m['date']} on {m['cores']} cores (load average {'/'.join(map(str, m['load']))} at the start), "
        f"Python {m['python']}, pandas {m['pandas']}, rapidfuzz {m['rapidfuzz']}, Streamlit {m['streamlit']}. "
        f"Written by `python -m benchmarks`; times are medians of {results['repeat']} run(s), "
        "each size in a fresh process.", "",
        *_pipeline_table(results["pipeline"]), "",
        *_pages_table(results["pages"], results["sheet"]), "",
        *_feed_lines(results["feed"]), "",
        *_browser_table(results["browser"]), "",
        *_cli_lines(results.get("cli")), "",
        *_hr_work_lines(results), "",
        *_targets(results), "",
    ]
    report = "\n".join(lines)  # ends with a newline: the last line is empty
    if not notes:
        return report
    return report + "\n" + (notes if notes.endswith("\n") else notes + "\n")  # a blank line before the notes


def _pipeline_table(sizes: list[dict]) -> list[str]:
    lines = [
        "## Parse + match + classify + roll up (`read_responses_csv` + `pipeline.run`)", "",
        "| rows | provinces | agencies | names + aliases | distinct typed names | distinct names"
        " | fuzzy names | fuzzy comparisons | of all pairs | `read_csv` (floor) s | pipeline s | pipeline / floor"
        " | refresh s | refresh / floor | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sizes:
        lines.append(
            f"| {r['rows']:,} | {r['provinces']} | {r['agencies']:,} | {r['choices']:,} | {r['distinct_typed']:,}"
            f" | {r['distinct_keys']:,} | {r['distinct_fuzzy']:,} | {r['fuzzy_comparisons']:,}"
            f" | {r['fuzzy_comparisons'] / max(1, r['distinct_fuzzy'] * r['choices']):.0%}"
            f" | {r['floor_s']:.2f} | {r['pipeline_s']:.2f} | {r['pipeline_s'] / r['floor_s']:.1f}×"
            f" | {r['refresh_s']:.2f} | {r['refresh_s'] / r['floor_s']:.1f}× | {r['peak_rss_mb']:,.0f} |")
    lines += ["", "*Distinct names* are typed names after normalisation (spaces, zero-width characters,"
              " abbreviations); *fuzzy names* are those with no exact or alias hit. Each is scored once against"
              " the names and aliases whose length lets them reach its best or its rivals (kkdash/similarity.py),"
              " so the comparisons follow distinct names, not rows; *of all pairs* is their share of fuzzy names ×"
              " names + aliases.", "",
              "*pipeline s* is a cold run: a new Matcher indexes the registry and matches every name."
              " *refresh s* is the same sheet read again through the Matcher the app keeps for its registry"
              " (kkdash/app/data.py), which has matched these names before: what each later sheet read costs."]
    return lines


def _pages_table(pages: list[dict], sheet: dict) -> list[str]:
    lines = [
        "## Page script time in AppTest (demo mode pointed at the generated files)", "",
        "*first* is a page's first run in a session (its tables and charts built); *warm* is the same page"
        " run again, as a widget change or the wall's refresh runs it.", "",
        "| rows | agencies | first run, cold cache s | overview first / warm s | follow-up first / warm s"
        " | quality first / warm s | wall warm s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in pages:
        lines.append(f"| {p['rows']:,} | {p['agencies']:,} | {p['cold_s']:.2f}"
                     + "".join(f" | {p[f'{name}_first_s']:.2f} / {p[f'{name}_warm_s']:.2f}" for name in PAGES)
                     + f" | {p['wall_warm_s']:.2f} |")
    lines += ["", f"In sheet mode each sheet read (once per refresh interval for all viewers: `_checked_tables` in"
              f" `kkdash/app/data.py`) also builds the sheet from the fetched rows (`sheet_from_rows`):"
              f" {sheet['sheet_from_rows_s']:.2f} s at {sheet['rows']:,} rows."]
    return lines


def _cli_lines(cli: dict | None) -> list[str]:
    if not cli:
        return []
    lines = ["## The command line", "", f"`{cli['command']}`, the whole process (start Python, import, read, compute,"
             f" print), median of runs: {cli['process_s']:.2f} s. Processes that only start and import, timed"
             " the same way in the same run, show what is left for kkdash's own work:", "",
             f"| process | s | of the {CLI_TARGET_S:g} s target |", "|---|---:|---:|"]
    steps = [*cli.get("floors", []), (f"`{cli['command']}`", cli["process_s"])]
    return lines + [f"| {label} | {seconds:.2f} | {seconds / CLI_TARGET_S:.0%} |" for label, seconds in steps]


def _feed_lines(feed: dict) -> list[str]:
    return [
        "## Google Sheets reads while people watch", "",
        f"{feed['viewers']} threads call the shared `Feed.current()` (what every session's script run does) for"
        f" {feed['intervals']} refresh intervals of {feed['interval_s']} s, against the fake Sheets API"
        " (tools/fakesheets.py) on loopback, which counts the requests.", "",
        "| viewers | intervals | `Feed.current()` calls | sheet reads (values:batchGet) | token requests"
        " | all requests |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {feed['viewers']} | {feed['intervals']} | {feed['feed_calls']:,} | {feed['sheet_reads']}"
        f" | {feed['token_requests']} | {feed['all_requests']} |",
    ]


def _browser_table(browser: list[dict]) -> list[str]:
    if not browser:
        return ["## Cold start in Chromium", "", "Not measured in this run (`--quick` or `--no-browser`)."]
    lines = [
        "## Cold start in headless Chromium", "",
        "From `streamlit run` to `/_stcore/health`, and to a complete overview: script idle"
        " (`data-test-script-state='notRunning'`) with a plotly SVG drawn.", "",
        "*first visit* is a person opening the overview in a new tab once the server is up (median of three).", "",
        "| rows | server healthy s | first complete overview s | first visit s |", "|---:|---:|---:|---:|",
    ]
    lines += [f"| {b['rows']:,} | {b['healthy_s']:.1f} | {b['overview_s']:.1f} | {b['first_visit_s']:.1f} |"
              for b in browser]
    lines += ["", "Where a first visit goes, seconds from navigation (medians of the same three visits): Streamlit's"
              " own page code has started and opened its WebSocket to the server; Streamlit's Plotly code (one"
              " file, fetched when the first chart arrives) requested and loaded; the longest task that held the"
              " page's only thread (at province size, evaluating that file); the first chart drawn.", "",
              "| rows | WebSocket open | chart code requested | chart code loaded | longest task | first chart drawn"
              " |", "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {b['rows']:,} | " + " | ".join(f"{b[name]:.2f}" for name in VISIT_STEPS) + " |"
              for b in browser if "chart_s" in b]
    return lines


def _hr_work_lines(results: dict) -> list[str]:
    """The chase log and the brief, when measured."""
    if "chaselog" not in results:
        return []
    page = results["followup_log"]
    return [f"## The chase log ({chaselog_bench.TOTAL:,} entries)", "",
            chaselog_bench.markdown(results["chaselog"]), "",
            f"The follow-up page as hr over a SQLite log of {page['entries']:,} entries, all in the current campaign"
            f" (AppTest, one entry added before each rerun): first run {page['first_s']:.2f} s, warm rerun"
            f" {page['warm_s']:.2f} s (median).", "",
            "## The governor's brief (PDF)", "", brief_bench.render(results["brief"])]


def _hr_work_targets(results: dict) -> list[tuple[str, str, bool]]:
    if "chaselog" not in results:
        return []
    slowest = max(results["chaselog"]["rows"], key=lambda row: row["add_ms"])
    warm = results["followup_log"]["warm_s"]
    brief = results["brief"]["province"]["first_s"]
    return [(f"chase log: add an entry ≤ 50 ms (slowest: {slowest['backend']}, {slowest['layout']})",
             f"{slowest['add_ms']:.1f} ms", slowest["add_ms"] <= 50),
            (f"follow-up page warm rerun ≤ 0.3 s with {results['followup_log']['entries']:,} chase-log entries",
             f"{warm:.2f} s", warm <= 0.3),
            (f"governor's brief ≤ {brief_bench.PROVINCE_TARGET_S:g} s (province, first click)", f"{brief:.2f} s",
             brief <= brief_bench.PROVINCE_TARGET_S)]


def _targets(results: dict) -> list[str]:
    """The issue's targets, each with the measured value and whether this run met it."""
    by_rows = {r["rows"]: r for r in results["pipeline"]}
    checks = []
    if 100_000 in by_rows:
        r = by_rows[100_000]
        checks.append(("pipeline ≤ 3× plain read_csv at 100 000 rows", f"{r['pipeline_s'] / r['floor_s']:.1f}×",
                       r["pipeline_s"] <= 3 * r["floor_s"]))
        checks.append(("… a refresh (names matched before) ≤ 3× plain read_csv at 100 000 rows",
                       f"{r['refresh_s'] / r['floor_s']:.1f}×", r["refresh_s"] <= 3 * r["floor_s"]))
    if 100_000 in by_rows and 580_000 in by_rows:
        ratio = by_rows[580_000]["pipeline_s"] / by_rows[100_000]["pipeline_s"]
        checks.append(("linear: 580 000 rows ≤ 7× the time of 100 000", f"{ratio:.1f}×", ratio <= 7))
    if 580_000 in by_rows:
        r = by_rows[580_000]
        checks.append(("580 000 rows under 10 s", f"{r['pipeline_s']:.1f} s", r["pipeline_s"] < 10))
        checks.append(("580 000 rows under 1.5 GB peak RSS", f"{r['peak_rss_mb']:,.0f} MB", r["peak_rss_mb"] < 1536))
    for page, limit, label in zip(results["pages"], (0.3, 1.0), ("province", "national"), strict=False):
        name, worst = max(warm_pages(page).items(), key=lambda item: item[1])
        checks.append((f"warm rerun of every page, quality and the wall too, ≤ {limit} s ({label},"
                       f" {page['rows']:,} rows; slowest: {name})", f"{worst:.2f} s", worst <= limit))
    for visit in results["browser"][:1]:
        floor = (f" (Streamlit's WebSocket open at {visit['socket_s']:.1f} s, then a {visit['longest_task_s']:.1f} s"
                 " task evaluating its Plotly code)" if "socket_s" in visit else "")
        checks.append((f"first visit in Chromium ≤ 3 s (province, {visit['rows']:,} rows)",
                       f"{visit['first_visit_s']:.1f} s{floor}", visit["first_visit_s"] <= 3))
    if results.get("cli"):
        seconds, floors = results["cli"]["process_s"], dict(results["cli"].get("floors", []))
        floor = f" (Python and pandas alone: {floors[CLI_STEPS[1][0]]:.2f} s)" if floors else ""
        checks.append((f"the CLI on the demo ≤ {CLI_TARGET_S:g} s, the whole process", f"{seconds:.2f} s{floor}",
                       seconds <= CLI_TARGET_S))
    feed = results["feed"]
    checks.append(("one Sheets read per refresh interval", f"{feed['sheet_reads']} in {feed['intervals']}",
                   feed["sheet_reads"] == feed["intervals"]))
    checks += _hr_work_targets(results)
    lines = ["## Targets (2-core machine)", "", "| target | measured | met |", "|---|---:|:-:|"]
    return lines + [f"| {label} | {value} | {'yes' if ok else '**no**'} |" for label, value, ok in checks]


NOTES_HEADING = "## What the profile showed"
DEFAULT_OUT = "benchmarks/RESULTS.md"


def kept_notes(path: Path) -> str:
    """The hand-written part of an existing report (from NOTES_HEADING on), kept across runs."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    return text[text.index(NOTES_HEADING):] if NOTES_HEADING in text else ""


def parse_options(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line -> options, with ``sizes`` as a list of row counts and ``out`` as a Path or None."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="sheet rows, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--out", help=f"where to write the report (default {DEFAULT_OUT}; --quick only prints)")
    parser.add_argument("--quick", action="store_true", help="one 300-row sheet, one run, no browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium cold start")
    parser.add_argument("--no-hr-work", action="store_true", help="skip the chase log and the brief")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.sizes = list(QUICK_SIZES) if options.quick else [int(s.replace("_", "")) for s in options.sizes.split(",")]
    options.repeat = 1 if options.quick else options.repeat
    options.browser = not (options.quick or options.no_browser)
    options.hr_work = not (options.quick or options.no_hr_work)
    options.out = Path(options.out) if options.out else (None if options.quick else ROOT / DEFAULT_OUT)
    return options


def write_report(results: dict, out: Path | None) -> str:
    """Results -> the report, written to ``out`` (keeping its hand-written notes) when given; returns the report."""
    report = render(results, notes=kept_notes(out) if out else "")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    """Measure, print the report, and write it to --out."""
    options = parse_options(argv)
    if options.child:
        run_child(options.child)
        return 0
    results = run_all(options.sizes, repeat=options.repeat, browser=options.browser, seed=options.seed,
                      hr_work=options.hr_work)
    print(write_report(results, options.out))
    return 0
