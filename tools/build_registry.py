"""Build data/agencies.csv (the demo registry) from the draft agency list, once.

The ids it assigns are meant to be stable: the committed data/agencies.csv is the source
of truth afterwards, and HR edits that file (or the registry worksheet), not this script.
Run: python scripts/build_registry.py DRAFT_CSV > data/agencies.csv
"""

from __future__ import annotations

import csv
import sys

PREFIX = {"provincial": "P", "central": "C", "other": "O"}
# Short forms that Thai offices really write, so the demo exercises alias matching.
ALIASES = {
    "สำนักงานสาธารณสุขจังหวัดขอนแก่น": "สสจ.ขอนแก่น|สสจ.ขก.",
    "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดขอนแก่น": "สถจ.ขอนแก่น",
    "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดขอนแก่น": "ปภ.ขอนแก่น|ปภ.จ.ขอนแก่น",
    "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดขอนแก่น": "พมจ.ขอนแก่น",
    "ที่ทำการปกครองจังหวัดขอนแก่น": "ปกครองจังหวัดขอนแก่น",
    "องค์การบริหารส่วนจังหวัดขอนแก่น": "อบจ.ขอนแก่น",
    "เทศบาลนครขอนแก่น": "ทน.ขอนแก่น",
    "โรงพยาบาลขอนแก่น": "รพ.ขอนแก่น",
    "ตำรวจภูธรจังหวัดขอนแก่น": "ภ.จว.ขอนแก่น",
    "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาขอนแก่น": "สพม.ขอนแก่น",
}


def agency_id(row: dict, counters: dict) -> str:
    """A draft row -> a readable id: P01, C07, D4005, U4005-2, O01."""
    kind, code = row["kind"], row["district_code"]
    if kind == "district_office":
        return f"D{code}"
    key = (kind, code if kind == "district_unit" else "")
    counters[key] = counters.get(key, 0) + 1
    if kind == "district_unit":
        return f"U{code}-{counters[key]}"
    return f"{PREFIX[kind]}{counters[key]:02d}"


def aliases(name: str) -> str:
    """Official name -> the alias list, `|`-separated."""
    if name in ALIASES:
        return ALIASES[name]
    if name.endswith("อำเภอเมืองขอนแก่น"):
        # People in the capital district write just "อำเภอเมือง".
        short = name.removesuffix("ขอนแก่น")
        return "|".join(filter(None, [short, _district_alias(name, short)]))
    if name.startswith("ที่ว่าการอำเภอ"):
        return name.removeprefix("ที่ว่าการ")
    if name.startswith("สำนักงานสาธารณสุขอำเภอ"):
        return "สสอ." + name.removeprefix("สำนักงานสาธารณสุขอำเภอ")
    if name.startswith("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต "):
        return "สพป.ขอนแก่น เขต " + name.rsplit(" ", 1)[1]
    return ""


def _district_alias(name: str, short: str) -> str:
    """The generic alias rules below, applied to the short form too."""
    if name.startswith("ที่ว่าการอำเภอ"):
        return "อำเภอเมือง"
    if name.startswith("สำนักงานสาธารณสุขอำเภอ"):
        return "สสอ.เมือง"
    return ""


def main(path: str) -> None:
    counters: dict = {}
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["agency_id", "name_th", "aliases", "kind", "district_code"])
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            writer.writerow([agency_id(row, counters), row["name_th"], aliases(row["name_th"]),
                             row["kind"], row["district_code"]])


if __name__ == "__main__":
    main(sys.argv[1])
