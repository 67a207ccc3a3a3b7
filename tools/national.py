"""The demo generator scaled up to the whole country, for the benchmarks: a registry of ~250
agencies a province (Khon Kaen's name patterns with other provinces' names; 77 provinces: ~19 000
agencies) and a response sheet of any size written the way people fill the form.

A Google Sheet holds at most 10 million cells: 580 000 rows of the form's 17 answer columns (the
generated sheets also carry the e-mail column Forms records, so the largest is a little over).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from kkdash.registry import REGISTRY_COLUMNS
from tools import demo

PROVINCE_ROWS = 300  # one province's sheet: ~250 agencies, a few corrections and rejects
MAX_PROVINCES = 77
# Every submission is counted: the campaign, late reports and corrections are all over by then.

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
        templates.append(Template(row.agency_id, name, tuple(aliases), row.kind, district,
                                   tuple(getattr(row, column) for column in REGISTRY_COLUMNS)))
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
        demo.spoil(kind, row)
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


