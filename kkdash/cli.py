"""`python -m kkdash`: summary, check and export for scheduled runs (a thin layer over the pipeline)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date, datetime, time, timedelta

from kkdash import export, links, pipeline, views
from kkdash.errors import InputError
from kkdash.inputs import link_cache_path, load_inputs
from kkdash.metrics import DEFAULT_DEADLINE, STATUS_TH
from kkdash.parsing import BANGKOK

EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT = 0, 1, 2


class CliError(Exception):
    """Bad input from the command line: one line on stderr and exit 2."""


def parse_deadline(text: str) -> date:
    """`YYYY-MM-DD` (CE, or BE such as 2566-07-07) -> date."""
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--deadline ต้องเป็นวันที่แบบ YYYY-MM-DD (ได้รับ '{text}')") from exc
    return day.replace(year=day.year - 543) if day.year >= 2400 else day


def parse_as_of(text: str | None) -> datetime:
    """ISO-8601 (naive = Bangkok time; a bare date = the end of that day) -> aware datetime."""
    if not text:
        return datetime.now(BANGKOK).replace(microsecond=0)
    try:
        if len(text) == 10:
            return datetime.combine(parse_deadline(text), time(23, 59, 59), tzinfo=BANGKOK)
        moment = datetime.fromisoformat(text)
    except (ValueError, CliError) as exc:
        raise CliError(f"--as-of ต้องเป็นเวลาแบบ ISO-8601 เช่น 2023-07-07T17:00 (ได้รับ '{text}')") from exc
    if moment.year >= 2400:  # a Buddhist-Era year, as in 2566-07-07T17:00
        moment = moment.replace(year=moment.year - 543)
    return moment.replace(tzinfo=BANGKOK) if moment.tzinfo is None else moment.astimezone(BANGKOK)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="python -m kkdash",
                                     description="kkdash: ติดตามการประกาศเจตนารมณ์จังหวัดคุณธรรม ขอนแก่น")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="ตัวเลขสรุประดับจังหวัดและรายอำเภอ")
    _add_inputs(summary)
    summary.add_argument("--format", choices=("json", "table"), default="table")
    check = commands.add_parser("check", help="แถวที่ถูกปฏิเสธและคำเตือน (exit 1 เมื่อมีแถวถูกปฏิเสธ)")
    _add_inputs(check)
    out = commands.add_parser("export", help="สถานะรายหน่วยงานเป็นไฟล์ .csv หรือ .xlsx")
    _add_inputs(out)
    out.add_argument("--status", help="เช่น missing,late (on_time, late, missing)")
    out.add_argument("--district", help="รหัสอำเภอ เช่น 4012, หรือ province สำหรับระดับจังหวัด")
    out.add_argument("--no-contacts", action="store_true", help="ไม่ใส่ชื่อ ตำแหน่ง และเบอร์โทรผู้รายงาน")
    out.add_argument("--out", required=True, help="ไฟล์ปลายทาง .csv หรือ .xlsx")
    links = commands.add_parser("links", help="ตรวจว่าลิงก์ประกาศของแต่ละหน่วยงานเปิดได้และมีเนื้อหาประกาศ")
    _add_inputs(links)
    links.add_argument("--max-age", dest="max_age", default="24h",
                       help="ตรวจซ้ำเมื่อผลเก่ากว่านี้ เช่น 30m, 24h, 7d (ค่าเริ่มต้น 24h)")
    links.add_argument("--workers", type=int, default=8, help="ตรวจพร้อมกันได้กี่ลิงก์ (ค่าเริ่มต้น 8)")
    links.add_argument("--out", help="บันทึกผลรายหน่วยงานเป็น .csv หรือ .xlsx")
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--responses", help="ไฟล์ CSV คำตอบ (ค่าเริ่มต้น: Google Sheet ที่ตั้งค่าไว้ หรือข้อมูลตัวอย่าง)")
    parser.add_argument("--registry", help="ไฟล์ทะเบียนหน่วยงาน (ค่าเริ่มต้น: data/agencies.csv)")
    parser.add_argument("--deadline", help="วันกำหนดส่ง YYYY-MM-DD (ค่าเริ่มต้น 2023-07-07)")
    parser.add_argument("--as-of", dest="as_of", help="ดูสถานะ ณ เวลา ISO-8601 (ค่าเริ่มต้น: ตอนนี้)")
    parser.add_argument("--header-map", dest="header_map", help="ไฟล์ TOML/JSON จับคู่หัวคอลัมน์อื่นกับช่องของแบบฟอร์ม")
    parser.add_argument("--threshold", type=float, help="คะแนนขั้นต่ำของการจับคู่ชื่อแบบใกล้เคียง (0–100)")
    parser.add_argument("--demo", action="store_true", help="ใช้ข้อมูลตัวอย่าง แม้จะตั้งค่า Google Sheet ไว้")
    parser.add_argument("--secrets", help="ไฟล์ตั้งค่า (ค่าเริ่มต้น: .streamlit/secrets.toml)")
    parser.add_argument("--verbose", action="store_true", help="แสดงรายละเอียดการเชื่อมต่อ เช่น การลองใหม่")


def compute(args: argparse.Namespace) -> pipeline.Outcome:
    """Command-line inputs -> Outcome."""
    inputs = load_inputs(responses=args.responses, registry=args.registry, header_map=args.header_map,
                         demo=args.demo, secrets_path=args.secrets)
    deadline = parse_deadline(args.deadline) if args.deadline else inputs.deadline or DEFAULT_DEADLINE
    if args.threshold is not None and not 0 < args.threshold <= 100:
        raise CliError(f"--threshold ต้องอยู่ระหว่าง 0 ถึง 100 (ได้รับ {args.threshold:g})")
    options = {"threshold": args.threshold} if args.threshold is not None else {}
    return pipeline.run(inputs.sheet, inputs.registry, inputs.districts, as_of=parse_as_of(args.as_of),
                        deadline=deadline, header_extra=inputs.header_extra, **options)


def run_summary(args: argparse.Namespace) -> int:
    """Print the summary as JSON or a table."""
    outcome = compute(args)
    if args.format == "json":
        print(json.dumps(outcome.summary(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(outcome))
    return EXIT_OK


def format_summary(outcome: pipeline.Outcome) -> str:
    """Outcome -> a plain-text report for a terminal or a scheduled e-mail."""
    p, c = outcome.province, outcome.counts
    lines = [
        f"ณ {outcome.as_of:%Y-%m-%d %H:%M} น. (กำหนดส่ง {outcome.deadline.isoformat()})",
        f"ส่งแล้ว {p['agencies_reported']:,}/{p['agencies_expected']:,} หน่วยงาน"
        f" (ตรงเวลา {p['agencies_on_time']:,}, ล่าช้า {p['agencies_late']:,}, ยังไม่ส่ง {p['agencies_missing']:,})",
        f"ลงนาม {p['personnel_signed']:,}/{p['personnel_total']:,} คน ({p['signing_rate']:.1%});"
        f" ลงนามครบ {p['agencies_fully_signed']:,} หน่วยงาน; เผยแพร่แล้ว {p['agencies_published']:,} หน่วยงาน",
        f"แถวทั้งหมด {c['rows_total']:,} = ใช้ {c['rows_used']:,} + ถูกแทนที่ {c['rows_superseded']:,}"
        f" + ถูกปฏิเสธ {c['rows_rejected']:,}",
        "",
        f"{'รหัส':<6}{'อำเภอ':<22}{'ส่ง/ทั้งหมด':>12}{'ล่าช้า':>8}{'ยังไม่ส่ง':>10}{'ลงนาม':>9}",
    ]
    for d in outcome.districts.itertuples():
        lines.append(f"{d.district_code or '-':<6}{d.name_th:<22}{f'{d.reported}/{d.expected}':>12}"
                     f"{d.late:>8}{d.missing:>10}{d.signing_rate:>9.1%}")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """Print one line per rejected row and per warning; exit 1 when any row was rejected."""
    outcome = compute(args)
    rows = outcome.rows.set_index("row_number")
    for row_number, group in outcome.notes.groupby("row_number", sort=True):
        name = rows.at[row_number, "agency_name"] or "(ไม่ระบุชื่อ)"
        rejected = group[group["severity"] == "rejected"]
        if len(rejected):
            print(f"แถว {row_number}\t{name}\tปฏิเสธ: {'; '.join(rejected['message'])}")
        for message in group.loc[group["severity"] == "warning", "message"]:
            print(f"แถว {row_number}\t{name}\tคำเตือน: {message}")
    c = outcome.counts
    print(f"รวม {c['rows_total']:,} แถว: ใช้ {c['rows_used']:,}, ถูกแทนที่ {c['rows_superseded']:,},"
          f" ถูกปฏิเสธ {c['rows_rejected']:,}", file=sys.stderr)
    return EXIT_REJECTED if c["rows_rejected"] else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the filtered agency table to --out."""
    outcome = compute(args)
    table = filter_agencies(outcome.agencies, statuses=args.status, district=args.district)
    try:
        export.write_table(export.agency_export(table, include_personal=not args.no_contacts), args.out)
    except (ValueError, OSError) as exc:
        raise CliError(f"เขียนไฟล์ {args.out} ไม่ได้: {exc}") from exc
    print(f"เขียน {len(table):,} หน่วยงานไปที่ {args.out}", file=sys.stderr)
    return EXIT_OK


def filter_agencies(agencies, *, statuses: str | None, district: str | None):
    """--status a,b and --district CODE|province -> the matching agency rows."""
    wanted = tuple(s.strip() for s in (statuses or "").split(",") if s.strip())
    unknown = set(wanted) - set(STATUS_TH)
    if unknown:
        raise CliError(f"--status รู้จักเฉพาะ on_time, late, missing (ได้รับ {', '.join(sorted(unknown))})")
    if district and district != views.PROVINCE_FILTER and district not in set(agencies["district_code"]):
        raise CliError(f"--district '{district}' ไม่ใช่รหัสอำเภอในทะเบียน")
    # The same filter the follow-up page applies, so a CLI export equals the page's download.
    filters = views.AgencyFilters(statuses=wanted, districts=(district,) if district else ())
    return views.apply_filters(agencies, filters)


def parse_max_age(text: str) -> timedelta:
    """`30m`, `24h`, `7d` or plain seconds -> timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if text[-1:] in units:
            return timedelta(seconds=float(text[:-1]) * units[text[-1]])
        return timedelta(seconds=float(text))
    except ValueError as exc:
        raise CliError(f"--max-age ต้องเป็นเช่น 30m, 24h หรือ 7d (ได้รับ '{text}')") from exc


def run_links(args: argparse.Namespace) -> int:
    """Check every agency's latest published link (re-checking results older than --max-age)."""
    max_age = parse_max_age(args.max_age)
    outcome = compute(args)
    urls = outcome.agencies["published_url"].dropna()
    # Test-only switch: the test suite serves pages on 127.0.0.1; in production loopback is refused.
    loopback = os.environ.get("KKDASH_LINKS_ALLOW_LOOPBACK") == "1"
    results = links.check_links(urls, cache_path=link_cache_path(), max_age=max_age, workers=args.workers,
                                progress=_print_progress, allow_loopback=loopback)
    print(links.format_links_table(results))
    if args.out:
        table = views.with_link_status(outcome.agencies, results)
        columns = ["agency_id", "name_th", "district_name_th", "published_url", "link_status"]
        try:
            export.write_table(table[columns].reset_index(drop=True), args.out)
        except (ValueError, OSError) as exc:
            raise CliError(f"เขียนไฟล์ {args.out} ไม่ได้: {exc}") from exc
    return EXIT_OK


def _print_progress(done: int, total: int) -> None:
    print(f"\rตรวจลิงก์ {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


COMMANDS = {"summary": run_summary, "check": run_check, "export": run_export, "links": run_links}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a sub-command; bad input -> one Thai line on stderr and exit 2."""
    args = build_parser().parse_args(argv)
    # Scheduled runs read stdout and one stderr line; retries and other details only when asked.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="kkdash: %(message)s")
    try:
        return COMMANDS[args.command](args)
    except (CliError, InputError) as exc:
        print(f"kkdash: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `kkdash check | head` closed the pipe: not an error of ours.
        sys.stderr.close()
        return EXIT_OK

