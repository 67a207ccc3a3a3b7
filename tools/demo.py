"""A deterministic, realistic Google-Forms export of the campaign, for the demo and benchmarks.

Run ``python -m tools.demo`` to rewrite ``data/demo_responses.csv``. The same seed always
gives the same file. Every person's name and phone number in it is invented.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from kkdash.dates import BANGKOK, THAI_MONTH_ABBR, THAI_MONTH_NAMES, be_year
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry
from kkdash.schema import HEADERS_TH, PERSONNEL_TYPES

HEADERS = [HEADERS_TH["submitted_at"], HEADERS_TH["reporter_email"],
           *[h for f, h in HEADERS_TH.items() if f not in ("submitted_at", "reporter_email")]]
FIRST_NAMES = ["สมชาย", "สมหญิง", "วิไลวรรณ", "ประเสริฐ", "กาญจนา", "ธนพล", "อรุณี", "สุรชัย",
               "พรทิพย์", "ณัฐวุฒิ", "จิราพร", "อนุชา", "ศิริพร", "วีระพงษ์", "มาลัย", "ปิยะนุช"]
LAST_NAMES = ["ใจดี", "ศรีสุข", "บุญมา", "แก้วมณี", "พรหมวงศ์", "ทองคำ", "ชัยมงคล", "สุขประเสริฐ",
              "วงศ์ใหญ่", "ภูมิใจ", "นามวงศ์", "แสนสุข"]
POSITIONS = ["นักทรัพยากรบุคคลชำนาญการ", "เจ้าพนักงานธุรการ", "นักวิเคราะห์นโยบายและแผน",
             "เจ้าหน้าที่บริหารงานทั่วไป", "ปลัดอำเภอ", "นักจัดการงานทั่วไปชำนาญการ"]
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
LETTER_DAY = date(2023, 6, 26)
DEADLINE = date(2023, 7, 7)

# Rows that must be rejected, one or more of each kind, with the name they are filed under.
BAD_ROWS = [
    ("unknown", "โรงเรียนบ้านโนนสวรรค์"),
    ("unknown", "ศูนย์อนามัยที่ 7"),
    ("ambiguous", "ที่ว่าการอำเภอ"),
    ("ambiguous", "สำนักงานเกษตรอำเภอ"),
    ("blank_name", ""),
    ("bad_time", None),
    ("bad_count", None),
    ("negative", None),
    ("fraction", None),
    ("signed_over", None),
    ("zero_total", None),
]


@dataclass
class Agency:
    """What the generator knows about one agency: its names and headcounts."""

    agency_id: str
    name: str
    aliases: list[str]
    kind: str
    district_name: str
    totals: dict


def headcounts(kind: str, name: str, rng: random.Random) -> dict:
    """A plausible staff size per personnel type for an agency of this kind."""
    scale = {"provincial": 1.0, "central": 1.4, "district_office": 0.6, "district_unit": 0.5, "other": 3.0}[kind]
    if "โรงพยาบาล" in name:
        scale = 25.0
    base = {"civil": 30, "govemp": 8, "permanent": 4, "staff": 12}
    return {t: max(0, int(rng.gauss(base[t] * scale, base[t] * scale * 0.3))) for t in PERSONNEL_TYPES}


def typed_name(agency: Agency, rng: random.Random) -> str:
    """How a person might type this agency's name: as registered, spaced, abbreviated, or misspelt."""
    roll = rng.random()
    name = agency.name
    if roll < 0.45:
        return name
    if roll < 0.6 and agency.aliases:
        return rng.choice(agency.aliases)
    if roll < 0.75:
        return name.replace("สำนักงาน", "สนง. ").replace("จังหวัดขอนแก่น", " จ.ขอนแก่น")
    if roll < 0.85:
        return name.replace("จังหวัด", "จังหวัด ").replace("อำเภอ", " อำเภอ").replace("ขอนแก่น", "ขก.")
    if roll < 0.93 and len(name) > 20:
        cut = rng.randrange(len(name) // 2, len(name) - 1)
        return name[:cut] + name[cut + 1:]  # one letter dropped: a fuzzy match
    return " " + name + "\u200b "  # stray spaces and a zero-width space pasted from a web page


def stamp(moment: datetime, rng: random.Random) -> str:
    """A submission time in one of the forms real sheets hold (mostly Thai-locale Forms text)."""
    roll = rng.random()
    be = be_year(moment.year)
    if roll < 0.80:
        return f"{moment.day}/{moment.month}/{be}, {moment:%-H:%M:%S}"
    if roll < 0.88:
        return f"{moment.day}/{moment.month}/{be} {moment:%-H:%M:%S}"
    if roll < 0.94:
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    if roll < 0.97:
        serial = (moment.replace(tzinfo=None) - datetime(1899, 12, 30)).total_seconds() / 86400
        return f"{serial:.6f}"
    return f"{moment.day}/{moment.month}/{be}, {moment:%-H:%M:%S}".translate(THAI_DIGITS)


def declared(day: date, rng: random.Random) -> str:
    """The declaration date as typed: Thai month names, BE years, sometimes blank."""
    roll = rng.random()
    if roll < 0.35:
        return f"{day.day}/{day.month}/{be_year(day.year)}"
    if roll < 0.6:
        return f"{day.day} {THAI_MONTH_NAMES[day.month]} {be_year(day.year)}"
    if roll < 0.85:
        return f"{day.day} {THAI_MONTH_ABBR[day.month]} {(be_year(day.year)) % 100}"
    if roll < 0.93:
        return f"{day.day} {THAI_MONTH_ABBR[day.month]} {be_year(day.year)}".translate(THAI_DIGITS)
    return ""


def declared_day(when: datetime, rng: random.Random) -> date:
    """Signed on or after the letter, before the report; now and then a typo puts it after."""
    if rng.random() < 0.03:
        return when.date() + timedelta(days=rng.randrange(1, 30))
    return max(LETTER_DAY, (when - timedelta(days=rng.randrange(0, 4))).date())


def count_text(value: int, rng: random.Random) -> str:
    """A headcount as typed: plain, with คน, in Thai digits, with a thousands comma, or '-' for 0."""
    if value == 0:
        return rng.choice(["0", "-", ""])
    roll = rng.random()
    if value >= 1000:
        return f"{value:,}"
    if roll < 0.7:
        return str(value)
    if roll < 0.82:
        return f"{value} คน"
    if roll < 0.92:
        return str(value).translate(THAI_DIGITS)
    return f"{value}.0"


def link(agency: Agency, rng: random.Random) -> str:
    """The declaration's web address as typed; some missing or unusable.

    Hosts are under the reserved `.example` top-level domain: the demo must never send the link
    checker to a real government server.
    """
    roll = rng.random()
    slug = agency.agency_id.lower().replace("-", "")
    if roll < 0.65:
        return f"https://www.{slug}.khonkaen.example/moral-declaration"
    if roll < 0.8:
        return f"www.{slug}.khonkaen.example/news/{rng.randrange(100, 999)}"
    if roll < 0.9:
        return ""
    return rng.choice(["อยู่ระหว่างดำเนินการ", "facebook เพจหน่วยงาน", "-"])


def phone(rng: random.Random) -> str:
    """A contact number as typed: mobile or landline, with dashes, or with its zero dropped."""
    mobile = f"0{rng.choice('689')}{rng.randrange(10_000_000, 99_999_999)}"
    roll = rng.random()
    if roll < 0.5:
        return mobile
    if roll < 0.7:
        return f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}"
    if roll < 0.85:
        return mobile[1:]  # a spreadsheet ate the leading zero
    return f"043-{rng.randrange(200_000, 399_999)}"


def answer(agency: Agency, when: datetime, rng: random.Random, *, complete: float) -> list[str]:
    """One form submission for this agency at ``when``, as the sheet's cells."""
    signed = {t: n if rng.random() < complete else max(0, n - rng.randrange(1, 4))
              for t, n in agency.totals.items()}
    counts = []
    for t in PERSONNEL_TYPES:
        counts += [count_text(agency.totals[t], rng), count_text(signed[t], rng)]
    district = agency.district_name if rng.random() < 0.9 else ""
    if district and rng.random() < 0.04:
        district = rng.choice(["พล", "ชุมแพ", "น้ำพอง"])  # the neighbouring district, by mistake
    if district and rng.random() < 0.3:
        district = "อ." + district
    person = f"{rng.choice(['นาย', 'นาง', 'นางสาว'])}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return [
        stamp(when, rng), f"hr.{agency.agency_id.lower()}@khonkaen.example", typed_name(agency, rng),
        district, declared(declared_day(when, rng), rng),
        "ใช่" if rng.random() < 0.93 else "ไม่ใช่", *counts, link(agency, rng), person,
        rng.choice(POSITIONS), phone(rng),
    ]


def submission_time(day: date, rng: random.Random) -> datetime:
    """A working-hours moment on ``day`` in Bangkok."""
    seconds = rng.randrange(8 * 3600, 17 * 3600)
    return datetime(day.year, day.month, day.day, tzinfo=BANGKOK) + timedelta(seconds=seconds)


def campaign_day(rng: random.Random, *, late: bool) -> date:
    """Most reports bunch up near the deadline; late ones trickle in over two weeks."""
    if late:
        return DEADLINE + timedelta(days=rng.randrange(1, 15))
    return LETTER_DAY + timedelta(days=min(11, int(rng.triangular(1, 12, 10))))


def load_agencies(rng: random.Random, registry: pd.DataFrame | None = None) -> list[Agency]:
    """Registry rows -> Agency records with invented headcounts."""
    registry = load_registry() if registry is None else registry
    names = dict(zip(*load_districts()[["district_code", "name_th"]].T.values, strict=True))
    return [
        Agency(r.agency_id, r.name_th, [a for a in r.aliases.split("|") if a], r.kind,
               names.get(r.district_code, ""), headcounts(r.kind, r.name_th, rng))
        for r in registry.itertuples()
    ]


def generate(*, seed: int = 2566, registry: pd.DataFrame | None = None,
             on_time_share: float = 0.68, late_share: float = 0.14) -> list[list[str]]:
    """The demo sheet as rows of cells, header first, sorted by submission time like a real sheet."""
    rng = random.Random(seed)
    agencies = load_agencies(rng, registry)
    timed: list[tuple[datetime, list[str]]] = []
    for agency in agencies:
        roll = rng.random()
        if roll >= on_time_share + late_share:
            continue  # still missing
        when = submission_time(campaign_day(rng, late=roll >= on_time_share), rng)
        timed.append((when, answer(agency, when, rng, complete=0.9)))
        if rng.random() < 0.12:  # a correction a few days later
            again = when + timedelta(days=rng.randrange(0, 9), hours=rng.randrange(1, 6))
            timed.append((again, answer(agency, again, rng, complete=0.97)))
    timed += _bad_rows(agencies, rng)
    timed.sort(key=lambda item: item[0])
    rows = [row for _, row in timed]
    rows.insert(len(rows) // 2, [""] * len(HEADERS))  # someone cleared a row by hand
    return [HEADERS, *rows]


def _bad_rows(agencies: list[Agency], rng: random.Random) -> list[tuple[datetime, list[str]]]:
    """One or more rows of each kind that must be rejected, each with a fixable reason."""
    out = []
    for kind, name in BAD_ROWS:
        agency = rng.choice(agencies)
        when = submission_time(campaign_day(rng, late=False), rng)
        row = answer(agency, when, rng, complete=1.0)
        row[2] = name if name is not None else agency.name
        spoil(kind, row)
        out.append((when, row))
    return out


def spoil(kind: str, row: list[str]) -> None:
    """Make a good row bad in one specific way (column 6 is the first count)."""
    if kind == "bad_time":
        row[0] = "เมื่อวานตอนบ่าย"
    elif kind == "bad_count":
        row[6] = "สิบห้า"
    elif kind == "negative":
        row[7] = "-3"
    elif kind == "fraction":
        row[8] = "12.5"
    elif kind == "signed_over":
        row[6], row[7] = "10", "12"
    elif kind == "zero_total":
        for column in range(6, 14):
            row[column] = "0"


def write_csv(rows: list[list[str]], path: Path | str) -> None:
    """Rows -> a UTF-8 CSV like Google Sheets' "Download as CSV"."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Write the demo responses file."""
    parser = argparse.ArgumentParser(prog="python -m kkdash.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEMO_RESPONSES_PATH))
    parser.add_argument("--seed", type=int, default=2566)
    args = parser.parse_args(argv)
    rows = generate(seed=args.seed)
    write_csv(rows, args.out)
    print(f"wrote {len(rows) - 1} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
