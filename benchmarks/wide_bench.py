"""What very wide sheets cost: ten answers under 1 000 to 100 000 columns, as a file and as the Sheets API sends them.

Run ``python -m benchmarks.wide_bench`` from the repository root for a Markdown table. Target: the widest
sheet Google allows (18 278 columns, ZZZ) read and computed in at most 2 s; the cost linear in cells. The
worst case has a blank row among the answers, so finding blank rows must look at every column.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from kkdash import pipeline
from kkdash.dates import BANGKOK
from kkdash.registry import load_districts, load_registry
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows
from kkdash.sheets.tables import normalise
from kkdash.sources import read_responses_csv

WIDTHS = (1_000, 18_278, 100_000)
TARGET_S = 2.0
TARGET_WIDTH = 18_278
ROWS = 10
AS_OF = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)
ANSWER = ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่", "10", "10", "2", "2", "0", "0", "3", "3",
          "https://www.p01.example.go.th", "นายสมชาย ใจดี", "เจ้าพนักงานธุรการ", "0812345678"]


def wide_rows(width: int, *, blank_row: bool) -> list[list[str]]:
    """The form's questions and more up to ``width``; ROWS answers, one of them blank when asked."""
    extra = width - len(HEADERS_TH)
    rows = [[*HEADERS_TH.values(), *(f"คำถามที่ {n}" for n in range(extra))]]
    form = [*ANSWER, *[""] * (len(HEADERS_TH) - len(ANSWER))]
    rows += [[*form, *(f"{i}:{n}" for n in range(extra))] for i in range(ROWS)]
    if blank_row:
        rows[ROWS // 2] = [""] * width
    return rows


def median_seconds(action, repeat: int) -> float:
    """The median wall time of ``repeat`` runs of ``action()``."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(width: int, *, blank_row: bool, repeat: int, folder: Path) -> dict:
    """Seconds to read and compute one wide sheet, from a CSV file and from the Sheets API's rows."""
    registry_districts = load_districts()
    registry = load_registry(districts=registry_districts)
    rows = wide_rows(width, blank_row=blank_row)
    path = folder / f"wide-{width}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)

    def from_file() -> None:
        pipeline.run(read_responses_csv(path), registry, registry_districts, as_of=AS_OF)

    def from_api() -> None:
        pipeline.run(sheet_from_rows(normalise(rows, source="wide")), registry, registry_districts, as_of=AS_OF)

    cells = width * (ROWS + 1)
    file_s, api_s = median_seconds(from_file, repeat), median_seconds(from_api, repeat)
    return {"width": width, "blank_row": blank_row, "cells": cells, "file_s": file_s, "api_s": api_s,
            "file_us_per_cell": file_s / cells * 1e6, "api_us_per_cell": api_s / cells * 1e6}


def render(results: list[dict], *, repeat: int) -> str:
    """The results as Markdown, with the target checked."""
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [f"Measured {datetime.now(BANGKOK):%Y-%m-%d %H:%M} (Bangkok) on {os.cpu_count()} cores, load {load},"
             f" Python {platform.python_version()}; medians of {repeat} runs. Ten answers each.", "",
             "| columns | a blank row | cells | file: read + pipeline s | µs / cell | API rows: normalise + sheet"
             " + pipeline s | µs / cell |", "|---:|:---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['width']:,} | {'yes' if r['blank_row'] else 'no'} | {r['cells']:,} | {r['file_s']:.2f}"
                     f" | {r['file_us_per_cell']:.1f} | {r['api_s']:.2f} | {r['api_us_per_cell']:.1f} |")
    widest = [r for r in results if r["width"] == TARGET_WIDTH]
    if widest:
        worst = max(max(r["file_s"], r["api_s"]) for r in widest)
        verdict = "met" if worst <= TARGET_S else "MISSED"
        lines += ["", f"Target: {TARGET_WIDTH:,} columns in at most {TARGET_S:g} s — worst {worst:.2f} s: {verdict}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every width (with and without a blank row) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--widths", type=lambda text: [int(w) for w in text.split(",")], default=list(WIDTHS))
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = [measure(width, blank_row=blank, repeat=options.repeat, folder=Path(folder))
                   for width in options.widths for blank in (False, True)]
    print(render(results, repeat=options.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
