"""What the governor's brief costs: the PDF at province size (the demo) and for a registry of 2 000 agencies.

Run ``python -m benchmarks.brief_bench`` from the repository root for a Markdown table. Targets: the
province brief in at most 2 s; 2 000 agencies without error, on at most two pages.
"""

from __future__ import annotations

import io
import platform
import random
import statistics
import time
from datetime import datetime, timedelta

import pandas as pd
from pypdf import PdfReader

from kkdash import brief, pipeline
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry, validate_registry
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows
from kkdash.sources import read_responses_csv

PROVINCE_TARGET_S = 2.0
GENERATED_AT = datetime(2023, 7, 5, 16, 5, tzinfo=BANGKOK)
SYNTHETIC_AS_OF = datetime(2023, 7, 8, 12, 0, tzinfo=BANGKOK)
FIRST_DAY = datetime(2023, 6, 27)  # reports run from here to 8 July, the last ones after the deadline
# Kinds of agency found in every district, to name synthetic ones as HR would.
UNITS = ["สำนักงานเกษตรอำเภอ", "สำนักงานสาธารณสุขอำเภอ", "ที่ว่าการอำเภอ", "โรงเรียนบ้าน", "โรงพยาบาลส่งเสริมสุขภาพตำบล",
         "สถานีตำรวจภูธร", "สำนักงานที่ดินจังหวัดขอนแก่น สาขา", "องค์การบริหารส่วนตำบล", "เทศบาลตำบล"]


def demo_outcome() -> pipeline.Outcome:
    """The demo campaign (154 agencies) as the app shows it first: 5 ก.ค. 2566 16:00."""
    return pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), load_registry(), load_districts(),
                        as_of=DEMO_AS_OF.replace(second=59))


def synthetic_outcome(agencies: int, *, seed: int = 2566) -> pipeline.Outcome:
    """A registry of ``agencies`` over Khon Kaen's 26 districts and the province group, about half of them
    reported (some late), as of 8 July 2566: the missing list is far too long for two pages."""
    rng = random.Random(seed)
    districts = load_districts()
    codes = ["", *districts["district_code"]]
    places = dict(zip(districts["district_code"], districts["name_th"], strict=True))
    records, answers = [], [list(HEADERS_TH.values())]
    for number in range(agencies):
        code = codes[number % len(codes)]
        place = places.get(code, "ขอนแก่น")
        name = f"{UNITS[number % len(UNITS)]}{place} หน่วยที่ {number + 1}"
        records.append({"agency_id": f"S{number:05d}", "name_th": name, "aliases": "",
                        "kind": "district_unit" if code else "provincial", "district_code": code})
        if rng.random() < 0.5:
            sent = FIRST_DAY + timedelta(days=rng.randint(0, 11), minutes=rng.randint(480, 1020))  # a few late
            day = f"{sent.day}/{sent.month}/{sent.year + 543}"
            total = rng.randint(5, 60)
            answers.append([f"{day}, {sent:%H:%M:%S}", name, place, day, "ใช่", str(total),
                            str(total - rng.randint(0, 2)), "0", "0", "0", "0", "0", "0", "https://x.example/m",
                            "", "", ""])
    registry = validate_registry(pd.DataFrame(records), districts=districts)
    return pipeline.run(sheet_from_rows(answers), registry, districts, as_of=SYNTHETIC_AS_OF)


def time_brief(outcome: pipeline.Outcome, *, repeat: int) -> dict:
    """Seconds to make the brief (median of ``repeat`` runs after a first, font-loading one), pages, bytes."""
    first = time.perf_counter()
    data = brief.brief_pdf(outcome, source_label="benchmark", demo=False, generated_at=GENERATED_AT)
    cold = time.perf_counter() - first
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        brief.brief_pdf(outcome, source_label="benchmark", demo=False, generated_at=GENERATED_AT)
        times.append(time.perf_counter() - start)
    return {"agencies": int(outcome.province["agencies_expected"]),
            "missing": int(outcome.province["agencies_missing"]),
            "first_s": cold, "median_s": statistics.median(times),
            "pages": len(PdfReader(io.BytesIO(data)).pages), "bytes": len(data)}


def measure_brief(*, repeat: int = 5) -> dict:
    """Time the brief at province size (the demo) and at 2 000 agencies -> {"province": …, "large": …, "machine": …}."""
    return {"province": time_brief(demo_outcome(), repeat=repeat),
            "large": time_brief(synthetic_outcome(2000), repeat=repeat),
            "machine": f"Python {platform.python_version()}, {platform.machine()}"}


def render(results: dict) -> str:
    """Results -> a Markdown table with the targets."""
    lines = [f"Governor's brief ({results['machine']}); first run loads the fonts.", "",
             "| registry | agencies | missing | first run s | median s | pages | PDF KB | target |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for label, key, target in (("demo (province)", "province", f"≤ {PROVINCE_TARGET_S:g} s"),
                               ("synthetic", "large", "no error, ≤ 2 pages")):
        r = results[key]
        met = (r["first_s"] <= PROVINCE_TARGET_S) if key == "province" else r["pages"] <= 2
        lines.append(f"| {label} | {r['agencies']:,} | {r['missing']:,} | {r['first_s']:.2f} | {r['median_s']:.2f} "
                     f"| {r['pages']} | {r['bytes'] / 1024:,.0f} | {target}: {'met' if met else 'MISSED'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(measure_brief()))
