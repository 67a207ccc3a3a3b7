"""What the chase log costs with 100 000 entries: adding one, and reading a campaign and summarising it.

``python -m benchmarks.chaselog_bench`` prints a Markdown table (``python -m benchmarks`` includes it).
SQLite always; PostgreSQL too when its binaries are installed (a throwaway server with durable
settings, as tools/postgres.py starts it for the tests). Two layouts of the same 100 000 entries: a
year of campaigns (100 campaigns, 1 000 entries in the current one) and the worst case, all of them
in the current campaign (650 per agency). Targets: adding an entry ≤ 50 ms; reading + summarising
feeds a follow-up page whose warm rerun stays within 0.3 s.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy
from sqlalchemy import insert

from kkdash.chase import ACTIONS, new_entry, summarize
from kkdash.store import ChaseLog
from kkdash.store.schema import chase_log
from tools.postgres import PostgresServer, pg_bin

ROOT = Path(__file__).resolve().parent.parent

TOTAL = 100_000
AGENCIES = 154
CURRENT = date(2023, 7, 7)
LAYOUTS = {"100 campaigns": 100, "1 campaign": 1}
ADDS = 200
READS = 7
BATCH = 5_000
NOTES = ["โทรแจ้งแล้ว ผู้รับสายรับปากจะส่งภายในสัปดาห์นี้", "ไม่มีผู้รับสาย", "ส่งหนังสือเวียนแจ้งเตือนครั้งที่ 2",
         "ฝากข้อความไว้กับเจ้าหน้าที่ธุรการ", ""]


def agency_ids() -> list[str]:
    return [f"KK{number:03d}" for number in range(1, AGENCIES + 1)]


def fill(log: ChaseLog, *, campaigns: int, seed: int = 14, agencies: list[str] | None = None) -> int:
    """Write TOTAL entries spread evenly over `campaigns` deadlines ending at CURRENT -> entries in CURRENT."""
    pick = random.Random(seed)
    agencies = agencies or agency_ids()
    deadlines = [CURRENT - timedelta(days=7 * k) for k in range(campaigns)]
    start = datetime(2023, 6, 26, 1, tzinfo=UTC)
    rows = []
    for number in range(TOTAL):
        campaign = deadlines[number % campaigns]
        rows.append({
            "campaign": campaign, "agency_id": pick.choice(agencies), "action": pick.choice(list(ACTIONS)),
            "note": pick.choice(NOTES), "promised_on": campaign if pick.random() < 0.3 else None,
            "author": pick.choice(["hr1@khonkaen.example", "hr2@khonkaen.example", "สมศรี"]),
            "at": start + timedelta(seconds=number), "corrects": None, "subject": "", "recipients": "[]",
        })
    with log.engine.begin() as connection:
        for first in range(0, TOTAL, BATCH):
            connection.execute(insert(chase_log), rows[first:first + BATCH])
    return TOTAL // campaigns


def median_seconds(action: Callable[[], object], *, times: int) -> tuple[float, float]:
    """Run `action` `times` times -> (median, 95th percentile) in seconds."""
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        action()
        spent.append(time.perf_counter() - began)
    spent.sort()
    return statistics.median(spent), spent[min(len(spent) - 1, int(len(spent) * 0.95))]


def measure_log(url: str, *, backend: str, layout: str, campaigns: int) -> dict:
    """One empty database -> its figures after filling it with TOTAL entries in this layout."""
    with ChaseLog(url) as log:
        in_campaign = fill(log, campaigns=campaigns)
        known = frozenset(agency_ids())
        pick = random.Random(7)

        def add_one() -> None:
            log.add(new_entry(campaign=CURRENT, agency_id=pick.choice(agency_ids()), action="called",
                              note="โทรแล้ว รับปากส่งพรุ่งนี้", promised_on=None, by="hr1@khonkaen.example",
                              today=CURRENT, known_agencies=known))

        add_median, add_p95 = median_seconds(add_one, times=ADDS)
        read, _ = median_seconds(lambda: log.entries(campaign=CURRENT), times=READS)
        entries = log.entries(campaign=CURRENT)
        summary_time, _ = median_seconds(lambda: summarize(entries), times=READS)
        cold, _ = median_seconds(lambda: summarize(log.entries(campaign=CURRENT)), times=READS)
        warm = []
        for _ in range(READS):  # a rerun after another officer added an entry: refresh what was read, summarise
            add_one()
            began = time.perf_counter()
            entries = log.refresh(entries, campaign=CURRENT)
            chased = len(summarize(entries))
            warm.append(time.perf_counter() - began)
    return {"backend": backend, "layout": layout, "entries": TOTAL + ADDS + READS,
            "in_campaign": in_campaign + ADDS + READS, "chased_agencies": chased, "add_ms": add_median * 1000,
            "add_p95_ms": add_p95 * 1000, "read_s": read, "summary_s": summary_time, "cold_s": cold,
            "warm_s": statistics.median(warm)}


def measure_chaselog() -> dict:
    """Both backends and both layouts -> {"rows": [figures per database], "meta": where and with what}."""
    rows = []
    for opened in (_sqlite_databases, _postgres_databases):
        with opened() as (backend, fresh):
            if backend is None:
                continue
            for number, (layout, campaigns) in enumerate(LAYOUTS.items()):
                rows.append(measure_log(fresh(f"bench{number}"), backend=backend, layout=layout,
                                        campaigns=campaigns))
    return {"rows": rows, "meta": _meta()}


@contextmanager
def _sqlite_databases() -> Iterator[tuple[str, Callable[[str], str]]]:
    with tempfile.TemporaryDirectory(prefix="kkdash-bench-") as folder:
        yield "SQLite", lambda name: f"sqlite:///{Path(folder) / name}.sqlite3"


@contextmanager
def _postgres_databases() -> Iterator[tuple[str | None, Callable[[str], str] | None]]:
    if pg_bin() is None:
        yield None, None
        return
    with PostgresServer(durable=True) as server:
        yield f"PostgreSQL {pg_bin().parent.name}", server.create_database


def measure_followup_page(*, reruns: int = 7) -> dict:
    """The follow-up page in AppTest, as hr on the demo (province size), over a SQLite log of TOTAL entries all in
    the current campaign (the worst case): its first run and its warm reruns, one entry added before each."""
    import os

    from streamlit.testing.v1 import AppTest

    from kkdash.registry import load_registry
    from kkdash.store import default_database_url

    agencies = load_registry()["agency_id"].tolist()
    with tempfile.TemporaryDirectory(prefix="kkdash-bench-") as folder:
        os.environ["KKDASH_CACHE_DIR"] = folder
        with ChaseLog(default_database_url(Path(folder))) as log:
            fill(log, campaigns=1, agencies=agencies)
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            app.switch_page("pages/followup.py")
            app.query_params.update(as_of="2023-07-20T12:00")
            first, _ = median_seconds(app.run, times=1)
            warm = []
            for number in range(reruns):
                log.add(new_entry(campaign=CURRENT, agency_id=agencies[number], action="called", note="", by="hr",
                                  promised_on=None, today=CURRENT, known_agencies=frozenset(agencies)))
                warm.append(median_seconds(app.run, times=1)[0])
            problems = [str(e.value) for e in app.exception]
    return {"entries": TOTAL + reruns, "first_s": first, "warm_s": statistics.median(warm), "exceptions": problems}


def _meta() -> dict:
    import pandas as pd

    return {"measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(),
            "load": "/".join(f"{value:.1f}" for value in os.getloadavg()), "python": platform.python_version(),
            "pandas": pd.__version__, "sqlalchemy": sqlalchemy.__version__, "adds": ADDS, "reads": READS}


def markdown(result: dict) -> str:
    """measure_chaselog()'s result -> a Markdown table with a line saying what was measured."""
    meta = result["meta"]
    lines = [
        f"Measured {meta['measured_at']} on {meta['cores']} cores (load {meta['load']}), Python {meta['python']}, "
        f"pandas {meta['pandas']}, SQLAlchemy {meta['sqlalchemy']}. Add: median and 95th percentile of "
        f"{meta['adds']} single adds (a transaction each, committed to disk); read and summary: medians of "
        f"{meta['reads']}.",
        "",
        "| database | layout | entries | in the current campaign | agencies chased | add ms (median) | add ms (p95) "
        "| read s | summary s | read + summary s | refresh + summary s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['backend']} | {row['layout']} | {row['entries']:,} | {row['in_campaign']:,} | "
            f"{row['chased_agencies']} | {row['add_ms']:.1f} | {row['add_p95_ms']:.1f} | {row['read_s']:.3f} | "
            f"{row['summary_s']:.3f} | {row['cold_s']:.3f} | {row['warm_s']:.3f} |")
    lines += [
        "",
        "*read + summary*: `summarize(log.entries(campaign=...))`, what a first page run does. *refresh + summary*: "
        "`summarize(log.refresh(entries, campaign=...))` after another officer added an entry, what a warm rerun "
        "does when it keeps the entries it read. Targets: add ≤ 50 ms; the warm rerun within 0.3 s.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(measure_chaselog()))
