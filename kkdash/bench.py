"""What kkdash costs, from one province to the largest sheet Google allows: ``python -m kkdash.bench``.

The data is the demo generator scaled up: Thai names with typos, BE timestamps, corrections,
rejected rows and blank rows, against a registry of about 250 agencies a province made by
cloning Khon Kaen's name patterns with other provinces' names (77 provinces: ~19 000 agencies).
A Google Sheet holds at most 10 million cells: 580 000 rows of the form's 17 answer columns (the
generated sheets also carry the e-mail column Forms records, so the largest is a little over).

Each size is measured in a fresh subprocess, so one size's peak memory does not hide in
another's. Timing thresholds live in benchmarks/RESULTS.md, never in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from kkdash import demo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1_000, 10_000, 100_000, 580_000)
QUICK_SIZES = (300,)
PROVINCE_ROWS = 300  # one province's sheet: ~250 agencies, a few corrections and rejects
MAX_PROVINCES = 77
# Every submission is counted: the campaign, late reports and corrections are all over by then.
AS_OF = datetime(2023, 8, 1, tzinfo=demo.BANGKOK)
FUZZY_METHODS = ("fuzzy", "unmatched", "ambiguous")

# Thailand's 77 provinces (DOPA code, Thai name); Khon Kaen first, as the real registry.
PROVINCES = [
    ("40", "ขอนแก่น"), ("10", "กรุงเทพมหานคร"), ("11", "สมุทรปราการ"), ("12", "นนทบุรี"), ("13", "ปทุมธานี"),
    ("14", "พระนครศรีอยุธยา"), ("15", "อ่างทอง"), ("16", "ลพบุรี"), ("17", "สิงห์บุรี"), ("18", "ชัยนาท"),
    ("19", "สระบุรี"), ("20", "ชลบุรี"), ("21", "ระยอง"), ("22", "จันทบุรี"), ("23", "ตราด"),
    ("24", "ฉะเชิงเทรา"), ("25", "ปราจีนบุรี"), ("26", "นครนายก"), ("27", "สระแก้ว"), ("30", "นครราชสีมา"),
    ("31", "บุรีรัมย์"), ("32", "สุรินทร์"), ("33", "ศรีสะเกษ"), ("34", "อุบลราชธานี"), ("35", "ยโสธร"),
    ("36", "ชัยภูมิ"), ("37", "อำนาจเจริญ"), ("38", "บึงกาฬ"), ("39", "หนองบัวลำภู"), ("41", "อุดรธานี"),
    ("42", "เลย"), ("43", "หนองคาย"), ("44", "มหาสารคาม"), ("45", "ร้อยเอ็ด"), ("46", "กาฬสินธุ์"),
    ("47", "สกลนคร"), ("48", "นครพนม"), ("49", "มุกดาหาร"), ("50", "เชียงใหม่"), ("51", "ลำพูน"),
    ("52", "ลำปาง"), ("53", "อุตรดิตถ์"), ("54", "แพร่"), ("55", "น่าน"), ("56", "พะเยา"),
    ("57", "เชียงราย"), ("58", "แม่ฮ่องสอน"), ("60", "นครสวรรค์"), ("61", "อุทัยธานี"), ("62", "กำแพงเพชร"),
    ("63", "ตาก"), ("64", "สุโขทัย"), ("65", "พิษณุโลก"), ("66", "พิจิตร"), ("67", "เพชรบูรณ์"),
    ("70", "ราชบุรี"), ("71", "กาญจนบุรี"), ("72", "สุพรรณบุรี"), ("73", "นครปฐม"), ("74", "สมุทรสาคร"),
    ("75", "สมุทรสงคราม"), ("76", "เพชรบุรี"), ("77", "ประจวบคีรีขันธ์"), ("80", "นครศรีธรรมราช"), ("81", "กระบี่"),
    ("82", "พังงา"), ("83", "ภูเก็ต"), ("84", "สุราษฎร์ธานี"), ("85", "ระนอง"), ("86", "ชุมพร"),
    ("90", "สงขลา"), ("91", "สตูล"), ("92", "ตรัง"), ("93", "พัทลุง"), ("94", "ปัตตานี"),
    ("95", "ยะลา"), ("96", "นราธิวาส"),
]
# Invented district names for the cloned provinces: a place-word and a quality, as Thai names go.
PLACE_WORDS = ["บ้าน", "หนอง", "โนน", "นา", "ดอน", "โคก", "ห้วย", "ท่า", "วัง", "ศรี", "ภู", "เชียง", "ลำ", "สระ",
               "บึง", "พระ", "ทุ่ง", "คลอง", "บาง", "เวียง", "ด่าน", "เขา", "แม่", "ปาก", "สาม", "นิคม", "กุด",
               "ชุม", "เกาะ", "โพธิ์", "ไชย", "ทับ", "หาด", "ละ", "แสน", "กระ", "จอม", "เนิน", "ม่วง", "ตาล"]
QUALITY_WORDS = ["ใหญ่", "น้อย", "แดง", "ทอง", "คำ", "ไผ่", "สูง", "งาม", "ยาง", "กลาง", "หิน", "ไทร", "สวรรค์",
                 "เจริญ", "แก้ว", "ชัย", "บุญ", "ศิลา", "สะอาด", "พัฒนา", "นคร", "ขาม", "เตย", "แวง", "บัว",
                 "สองห้อง", "ทราย", "หลวง", "เหนือ", "ใต้", "ตะวันออก", "มะนาว", "สีดา", "จันทร์", "เพชร",
                 "เงิน", "ดี", "โพนทอง", "กว้าง", "ยาว", "ราษฎร์", "สามัคคี", "ไพร", "ป่า", "น้ำใส", "แสง",
                 "คูเมือง", "สำราญ", "สุข", "ลาด"]
# Four more offices in every district, so a province has ~250 agencies like a real one.
EXTRA_UNITS = [
    ("สำนักงานพัฒนาชุมชนอำเภอ{d}", "พช.อำเภอ{d}"),
    ("สถานีตำรวจภูธร{d}", "สภ.{d}"),
    ("โรงพยาบาล{d}", "รพ.{d}"),
    ("ศูนย์ส่งเสริมการเรียนรู้อำเภอ{d}", "กศน.อำเภอ{d}"),
]
HOME = "ขอนแก่น"


@dataclass(frozen=True)
class Template:
    """One Khon Kaen registry row with `{p}` for the province's name and `{d}` for the district's."""

    key: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    district: int | None  # the district's position in the province (Khon Kaen's 4001 -> 1), None: province
    home: tuple[str, ...] | None = None  # Khon Kaen's own row, kept exactly (aliases like "อำเภอเมือง" too)


def registry_templates(registry: pd.DataFrame, districts: pd.DataFrame) -> list[Template]:
    """Khon Kaen's registry -> name patterns any province can be given, plus EXTRA_UNITS per district."""
    numbers = {code: int(code[2:]) for code in districts["district_code"]}
    names = dict(zip(districts["district_code"], districts["name_th"], strict=True))
    templates = []
    for row in registry.itertuples(index=False):
        if row.kind in ("district_office", "district_unit"):
            place = names[row.district_code]
            name, aliases = _district_pattern(row.name_th, place), [
                _district_pattern(a, place) for a in row.aliases.split("|") if a.endswith(place)]
        elif HOME in row.name_th:
            name = row.name_th.replace(HOME, "{p}")
            aliases = [a.replace(HOME, "{p}") for a in row.aliases.split("|") if HOME in a]
        else:
            name, aliases = row.name_th, []  # "ตำรวจภูธรภาค 4" names a region: only Khon Kaen has it
        district = numbers[row.district_code] if row.district_code else None
        templates.append(Template(row.agency_id, name, tuple(aliases), row.kind, district, tuple(row)))
    for code, number in numbers.items():
        for index, (name, alias) in enumerate(EXTRA_UNITS, start=3):
            templates.append(Template(f"U{code}-{index}", name, (alias,), "district_unit", number))
    return templates


def _district_pattern(text: str, place: str) -> str:
    return text.removesuffix(place) + "{d}"


def district_names(count: int, *, taken: set[str], rng: random.Random) -> list[str]:
    """``count`` invented district names, none already ``taken``, in a seeded order."""
    pool = [p + q for p in PLACE_WORDS for q in QUALITY_WORDS if p + q not in taken]
    if count > len(pool):
        raise ValueError(f"only {len(pool)} invented district names; {count} asked")
    rng.shuffle(pool)
    return pool[:count]


def national_reference(provinces: int, *, seed: int = 2566) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``provinces`` provinces -> (registry, districts), Khon Kaen's names as they are."""
    from kkdash.registry import load_districts, load_registry

    home_districts = load_districts()
    templates = registry_templates(load_registry(districts=home_districts), home_districts)
    numbers = [int(code[2:]) for code in home_districts["district_code"]]
    home_names = dict(zip(numbers, home_districts["name_th"], strict=True))
    taken = {*home_names.values(), *(name for _, name in PROVINCES)}
    invented = iter(district_names((provinces - 1) * (len(numbers) - 1), taken=taken, rng=random.Random(seed)))
    agencies, districts = [], []
    for code, province in PROVINCES[:provinces]:
        if province == HOME:
            places = home_names
        else:
            places = {n: ("เมือง" + province if n == 1 else next(invented)) for n in numbers}
        districts += [(f"{code}{n:02d}", place, "") for n, place in places.items()]
        agencies += [_agency(t, code, province, places) for t in templates
                     if province == HOME or "{" in t.name]
    registry = pd.DataFrame(agencies, columns=["agency_id", "name_th", "aliases", "kind", "district_code"])
    return registry, pd.DataFrame(districts, columns=["district_code", "name_th", "name_en"])


def _agency(template: Template, code: str, province: str, places: dict[int, str]) -> tuple[str, ...]:
    """A template filled in for one province -> a registry row."""
    place = places.get(template.district, "")

    def fill(text: str) -> str:
        return text.replace("{p}", province).replace("{d}", place)

    if province == HOME and template.home:
        return template.home
    agency_id = template.key if province == HOME else f"{code}-{template.key}"
    district_code = f"{code}{template.district:02d}" if template.district else ""
    return (agency_id, fill(template.name), "|".join(map(fill, template.aliases)), template.kind, district_code)


# --- the response sheet ----------------------------------------------------------------------------

UNKNOWN_PREFIXES = ["โรงเรียนบ้าน", "วัด", "ศูนย์พัฒนาเด็กเล็กบ้าน", "องค์การบริหารส่วนตำบล"]
REJECTED_SHARE = 0.02  # the demo's 11 in 148 is a small sheet's share; a big one is mostly good rows
BLANK_EVERY = 1_000  # someone clears a row by hand now and then


def provinces_for(rows: int) -> int:
    """A sheet of ``rows`` rows -> how many provinces report into it (one per ~300 rows, at most 77)."""
    return max(1, min(MAX_PROVINCES, round(rows / PROVINCE_ROWS)))


@dataclass(frozen=True)
class Synthetic:
    """A generated sheet (header first) with the registry and districts it was written against."""

    rows: list[list[str]]
    registry: pd.DataFrame
    districts: pd.DataFrame


def synthetic_sheet(rows: int, *, seed: int = 2566) -> Synthetic:
    """``rows`` answer rows the way people fill the form: first reports, corrections, rejects, blanks."""
    registry, districts = national_reference(provinces_for(rows), seed=seed)
    rng = random.Random(seed)
    names = dict(zip(districts["district_code"], districts["name_th"], strict=True))
    agencies = [demo.Agency(r.agency_id, r.name_th, [a for a in r.aliases.split("|") if a], r.kind,
                            names.get(r.district_code, ""), demo.headcounts(r.kind, r.name_th, rng))
                for r in registry.itertuples()]
    bad = max(len(demo.BAD_ROWS), round(rows * REJECTED_SHARE))
    blank = max(1, rows // BLANK_EVERY)
    firsts = _first_reports(agencies, rng)
    good = rows - bad - blank
    if len(firsts) > good:
        firsts = rng.sample(firsts, good)
    timed = [(when, demo.answer(agency, when, rng, complete=0.9)) for when, agency in firsts]
    timed += _corrections(firsts, good - len(firsts), rng)
    timed += _rejected_rows(agencies, list(names.values()), bad, rng)
    timed.sort(key=lambda item: item[0])
    answers = [row for _, row in timed]
    for _ in range(blank):
        answers.insert(rng.randrange(len(answers) + 1), [""] * len(demo.HEADERS))
    return Synthetic([demo.HEADERS, *answers], registry, districts)


def _first_reports(agencies: list[demo.Agency], rng: random.Random) -> list[tuple[datetime, demo.Agency]]:
    """Each agency's first report, as the demo draws it (68% on time, 14% late, the rest missing)."""
    firsts = []
    for agency in agencies:
        roll = rng.random()
        if roll < 0.82:
            firsts.append((demo.submission_time(demo.campaign_day(rng, late=roll >= 0.68), rng), agency))
    return firsts


def _corrections(firsts: list[tuple[datetime, demo.Agency]], count: int,
                 rng: random.Random) -> list[tuple[datetime, list[str]]]:
    """``count`` later reports from agencies that already sent one (the demo's 12%, scaled up)."""
    out = []
    for _ in range(count):
        when, agency = rng.choice(firsts)
        again = when + timedelta(days=rng.randrange(0, 9), hours=rng.randrange(1, 6), seconds=rng.randrange(3600))
        out.append((again, demo.answer(agency, again, rng, complete=0.97)))
    return out


def _rejected_rows(agencies: list[demo.Agency], places: list[str], count: int,
                   rng: random.Random) -> list[tuple[datetime, list[str]]]:
    """``count`` rows of the demo's rejected kinds, unknown names drawn from many places."""
    out = []
    for index in range(count):
        kind, name = demo.BAD_ROWS[index % len(demo.BAD_ROWS)]
        agency = rng.choice(agencies)
        when = demo.submission_time(demo.campaign_day(rng, late=False), rng)
        row = demo.answer(agency, when, rng, complete=1.0)
        if kind == "unknown":
            name = rng.choice(UNKNOWN_PREFIXES) + rng.choice(places)
        row[2] = name if name is not None else agency.name
        demo._spoil(kind, row)
        out.append((when, row))
    return out


@dataclass(frozen=True)
class Files:
    """One generated dataset on disk, as the app and the CLI read it."""

    responses: str
    registry: str
    districts: str
    rows: int
    provinces: int
    agencies: int


def write_dataset(directory: Path, rows: int, *, seed: int = 2566) -> Files:
    """Generate a sheet of ``rows`` rows and write it, its registry and districts as CSV files."""
    directory.mkdir(parents=True, exist_ok=True)
    sheet = synthetic_sheet(rows, seed=seed)
    files = Files(str(directory / f"responses-{rows}.csv"), str(directory / f"agencies-{rows}.csv"),
                  str(directory / f"districts-{rows}.csv"), rows, provinces_for(rows), len(sheet.registry))
    demo.write_csv(sheet.rows, files.responses)
    sheet.registry.to_csv(files.registry, index=False)
    sheet.districts.to_csv(files.districts, index=False)
    return files


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
    from kkdash.registry import Matcher, load_districts, load_registry, normalize_name
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
    # A refresh: the app keeps one Matcher per registry (kkdash/data.py), so reading the sheet again
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
    """Environment that points the app's demo mode at a generated dataset (see kkdash/data.py)."""
    return {"KKDASH_DEMO_RESPONSES": files.responses, "KKDASH_REGISTRY_PATH": files.registry,
            "KKDASH_DISTRICTS_PATH": files.districts, "KKDASH_CACHE_DIR": cache_dir,
            "KKDASH_SHEET_URL": "", "KKDASH_PUBLISHED_CSV_URL": "", "GOOGLE_APPLICATION_CREDENTIALS": ""}


def measure_pages(files: Files, *, repeat: int) -> dict:
    """Overview and follow-up script time in AppTest: the first run (cold cache), then warm reruns."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as cache:
        os.environ.update(app_env(files, cache))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        cold, _ = timed(app.run)
        overview = [timed(app.run)[0] for _ in range(repeat)]
        app.switch_page("pages/followup.py")
        first_followup, _ = timed(app.run)
        followup = [timed(app.run)[0] for _ in range(repeat)]
        problems = [str(e.value) for e in app.exception]
    return {"rows": files.rows, "agencies": files.agencies, "cold_s": cold,
            "overview_warm_s": statistics.median(overview), "followup_first_s": first_followup,
            "followup_warm_s": statistics.median(followup), "exceptions": problems, "peak_rss_mb": peak_rss_mb()}


def measure_sheet_rebuild(files: Files) -> dict:
    """What sheet mode adds to every sheet read: the fetched rows -> RawSheet (sheet_from_rows)."""
    from kkdash.sources import sheet_from_rows

    with open(files.responses, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    seconds, _ = timed(lambda: sheet_from_rows(rows))
    return {"rows": files.rows, "sheet_from_rows_s": seconds}


def fakesheets():
    """tests/fakesheets.py, the loopback Google Sheets fake (benchmarks run from a checkout)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import fakesheets as module

    return module


def measure_feed(*, viewers: int = 20, intervals: int = 2, interval: int = 1) -> dict:
    """``viewers`` threads calling Feed.current() for ``intervals`` refresh intervals, counted by FakeSheets."""
    from kkdash import sheets
    from kkdash.feed import Feed
    from kkdash.settings import SheetSettings

    fake_api = fakesheets()
    with fake_api.FakeSheets({"Form Responses 1": synthetic_sheet(PROVINCE_ROWS).rows}) as fake:
        session = fake.session()
        # Built directly: load_settings refuses intervals under 10 s, which would make this take 20 s.
        settings = SheetSettings(sheet_key=fake.key, service_account_info=fake_api.make_service_account_info(),
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


CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def measure_browser(files: Files, *, limit: float = 300.0) -> dict:
    """Seconds from `streamlit run` to a complete overview (script idle, a plotly SVG drawn) in Chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as cache, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        port = free_port()
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true",
                   "--browser.gatherUsageStats", "false"]
        start = time.perf_counter()
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **app_env(files, cache)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(port, server, limit=limit)
            healthy = time.perf_counter() - start
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://127.0.0.1:{port}/", timeout=limit * 1000)
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=limit * 1000)
            page.wait_for_selector(IDLE, timeout=limit * 1000)
            complete = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()
    return {"rows": files.rows, "healthy_s": healthy, "overview_s": complete}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, server: subprocess.Popen, *, limit: float) -> None:
    """Poll Streamlit's /_stcore/health until it answers ok; fail fast if the server died."""
    import requests

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {server.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).text == "ok":
                return
        time.sleep(0.05)
    raise TimeoutError(f"streamlit was not healthy within {limit:.0f} s")


# --- running each measurement in its own process -----------------------------------------------------

CHILD_TASKS = {"pipeline": measure_pipeline, "pages": measure_pages, "sheet": measure_sheet_rebuild}


def in_child(task: str, files: Files, **options) -> dict:
    """Run one measurement in a fresh interpreter (its own peak RSS, its own caches) -> its JSON result."""
    spec = json.dumps({"task": task, "files": asdict(files), "options": options})
    done = subprocess.run([sys.executable, "-m", "kkdash.bench", "--child", spec], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{task} on {files.rows:,} rows failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(spec: str) -> None:
    """The child side of in_child: measure, then print the result as the last line of stdout."""
    order = json.loads(spec)
    result = CHILD_TASKS[order["task"]](Files(**order["files"]), **order["options"])
    print(json.dumps(result))


# --- the whole run and its report --------------------------------------------------------------------


def machine() -> dict:
    """What the numbers were measured on."""
    import platform

    import rapidfuzz
    import streamlit

    return {"cores": os.cpu_count(), "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "pandas": pd.__version__, "rapidfuzz": rapidfuzz.__version__,
            "streamlit": streamlit.__version__, "load": [round(x, 1) for x in os.getloadavg()]}


def run_all(sizes: list[int], *, repeat: int, browser: bool, seed: int = 2566, log=None) -> dict:
    """Generate every dataset, measure each in its own process -> all results (plain, JSON-ready)."""
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
        results["browser"] = [measure_browser(files) for files in shown] if browser else []
    return results


def render(results: dict, *, notes: str = "") -> str:
    """Results -> the Markdown report: machine, one table per question, targets, then ``notes``."""
    m = results["machine"]
    lines = [
        "# What kkdash costs", "",
        f"Measured {m['date']} on {m['cores']} cores (load average {'/'.join(map(str, m['load']))} at the start), "
        f"Python {m['python']}, pandas {m['pandas']}, rapidfuzz {m['rapidfuzz']}, Streamlit {m['streamlit']}. "
        f"Written by `python -m kkdash.bench`; times are medians of {results['repeat']} run(s), "
        "each size in a fresh process.", "",
        *_pipeline_table(results["pipeline"]), "",
        *_pages_table(results["pages"], results["sheet"]), "",
        *_feed_lines(results["feed"]), "",
        *_browser_table(results["browser"]), "",
        *_targets(results), "",
    ]
    return "\n".join(lines) + (notes if notes.endswith("\n") or not notes else notes + "\n")


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
              " (kkdash/data.py), which has matched these names before: what each later sheet read costs."]
    return lines


def _pages_table(pages: list[dict], sheet: dict) -> list[str]:
    lines = [
        "## Page script time in AppTest (demo mode pointed at the generated files)", "",
        "| rows | agencies | first run, cold cache s | overview, warm s | follow-up, first s | follow-up, warm s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for p in pages:
        lines.append(f"| {p['rows']:,} | {p['agencies']:,} | {p['cold_s']:.2f} | {p['overview_warm_s']:.2f}"
                     f" | {p['followup_first_s']:.2f} | {p['followup_warm_s']:.2f} |")
    lines += ["", f"In sheet mode each sheet read (once per refresh interval for all viewers: `_read_tables` in"
              f" `kkdash/data.py`) also builds the sheet from the fetched rows (`sheet_from_rows`):"
              f" {sheet['sheet_from_rows_s']:.2f} s at {sheet['rows']:,} rows."]
    return lines


def _feed_lines(feed: dict) -> list[str]:
    return [
        "## Google Sheets reads while people watch", "",
        f"{feed['viewers']} threads call the shared `Feed.current()` (what every session's script run does) for"
        f" {feed['intervals']} refresh intervals of {feed['interval_s']} s, against the fake Sheets API"
        " (tests/fakesheets.py) on loopback, which counts the requests.", "",
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
        "| rows | server healthy s | first complete overview s |", "|---:|---:|---:|",
    ]
    lines += [f"| {b['rows']:,} | {b['healthy_s']:.1f} | {b['overview_s']:.1f} |" for b in browser]
    return lines


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
    for page, limit, label in zip(results["pages"], (0.3, 1.5), ("province", "national"), strict=False):
        worst = max(page["overview_warm_s"], page["followup_warm_s"])
        checks.append((f"warm page script ≤ {limit} s ({label}, {page['rows']:,} rows)", f"{worst:.2f} s",
                       worst <= limit))
    feed = results["feed"]
    checks.append(("one Sheets read per refresh interval", f"{feed['sheet_reads']} in {feed['intervals']}",
                   feed["sheet_reads"] == feed["intervals"]))
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


def main(argv: list[str] | None = None) -> int:
    """Measure, print the report, and write it to --out."""
    parser = argparse.ArgumentParser(prog="python -m kkdash.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="sheet rows, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--out", help=f"where to write the report (default {DEFAULT_OUT}; --quick only prints)")
    parser.add_argument("--quick", action="store_true", help="one 300-row sheet, one run, no browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium cold start")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0
    sizes = list(QUICK_SIZES) if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",")]
    results = run_all(sizes, repeat=1 if args.quick else args.repeat, browser=not (args.quick or args.no_browser),
                      seed=args.seed)
    out = Path(args.out) if args.out else (None if args.quick else ROOT / DEFAULT_OUT)
    report = render(results, notes=kept_notes(out) if out else "")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
