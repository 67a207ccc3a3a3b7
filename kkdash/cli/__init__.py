"""`python -m kkdash`: summary, check, export and links for scheduled runs (a thin layer over intake and pipeline)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime, timedelta

from kkdash import chase, export, intake, pipeline, views
from kkdash.cli import brief, log, remind
from kkdash.cli.text import format_check, format_links_table, format_summary, safe_output, stale_data_lines
from kkdash.dates import now as bangkok_now
from kkdash.errors import InputError
from kkdash.labels import FILTER_STATUS_TH, LINK_STATUS_TH, PROVINCE_GROUP_TH
from kkdash.metrics import DEFAULT_DEADLINE
from kkdash.moments import read_moment
from kkdash.names import normalize_name
from kkdash.registry import registry_warnings
from kkdash.settings import SECRETS_PATH, Settings, SettingsError, load_settings, read_secrets_file

EXIT_OK, EXIT_REJECTED, EXIT_BAD_INPUT = 0, 1, 2
MAX_WORKERS = 64
MAX_AGE_LIMIT = timedelta(days=3650)


class CliError(Exception):
    """Bad input from the command line: one line on stderr and exit 2."""


def parse_as_of(text: str | None) -> datetime:
    """`2023-07-07T17:00`, `7/7/2566 17:00`, `5 ก.ค. 66` … (Bangkok time; a bare date = the end of that day)."""
    if not text:
        return bangkok_now()
    moment = read_moment(text)
    if moment is None:
        raise CliError(f"--as-of ต้องเป็นวันเวลา เช่น 2023-07-07T17:00 หรือ 7/7/2566 17:00 (ได้รับ '{text}')")
    return moment


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one Thai line on stderr and exit 2 (not a usage block)."""

    def error(self, message: str) -> None:
        self.exit(EXIT_BAD_INPUT, f"kkdash: คำสั่งไม่ถูกต้อง: {message} (ดูวิธีใช้: python -m kkdash --help)\n")


def _number(text: str) -> float:
    """--threshold: a finite number (the range is checked with the other settings)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ต้องเป็นตัวเลข (ได้รับ '{text}')") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"ต้องเป็นตัวเลขจำกัด (ได้รับ '{text}')")
    return value


def _workers(text: str) -> int:
    """--workers: links checked at once, 1 to MAX_WORKERS."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"ต้องเป็นจำนวนเต็ม 1 ถึง {MAX_WORKERS} (ได้รับ '{text}')")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(prog="python -m kkdash", description="kkdash: ติดตามการประกาศเจตนารมณ์จังหวัดคุณธรรม ขอนแก่น")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="ตัวเลขสรุประดับจังหวัดและรายอำเภอ")
    _add_inputs(summary)
    summary.add_argument("--format", choices=("json", "table"), default="table")
    check = commands.add_parser("check", help="แถวที่ถูกปฏิเสธและคำเตือน (exit 1 เมื่อมีแถวถูกปฏิเสธ)")
    _add_inputs(check)
    out = commands.add_parser("export", help="สถานะรายหน่วยงานเป็นไฟล์ .csv หรือ .xlsx")
    _add_inputs(out)
    out.add_argument("--status", help="เช่น missing,late (on_time, late, missing)")
    out.add_argument("--district", help="รหัสหรือชื่ออำเภอ เช่น 4012, กระนวน หรือ อ.กระนวน; province สำหรับระดับจังหวัด")
    out.add_argument("--no-contacts", action="store_true",
                     help="ไม่ใส่ผู้ที่ต้องติดต่อ (ชื่อ ตำแหน่ง เบอร์โทร อีเมล) และบันทึกการติดตาม")
    out.add_argument("--database", help="ฐานข้อมูลบันทึกการติดตาม (ค่าเริ่มต้น: KKDASH_DATABASE_URL หรือไฟล์ SQLite)")
    out.add_argument("--out", required=True, help="ไฟล์ปลายทาง .csv หรือ .xlsx")
    links = commands.add_parser("links", help="ตรวจว่าลิงก์ประกาศของแต่ละหน่วยงานเปิดได้และมีเนื้อหาประกาศ")
    _add_inputs(links)
    links.add_argument("--max-age", dest="max_age", default="24h",
                       help="ตรวจซ้ำเมื่อผลเก่ากว่านี้ เช่น 30m, 24h, 7d (ค่าเริ่มต้น 24h)")
    links.add_argument("--workers", type=_workers, default=8, help=f"ตรวจพร้อมกันได้กี่ลิงก์ 1–{MAX_WORKERS} (ค่าเริ่มต้น 8)")
    links.add_argument("--out", help="บันทึกผลรายหน่วยงานเป็น .csv หรือ .xlsx")
    log.add_parser(commands, _add_inputs)
    remind.add_parser(commands, _add_inputs)
    brief.add_parser(commands, _add_inputs)
    return parser


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--responses", help="ไฟล์ CSV คำตอบ (ค่าเริ่มต้น: Google Sheet ที่ตั้งค่าไว้ หรือข้อมูลตัวอย่าง)")
    parser.add_argument("--registry", help="ไฟล์ทะเบียนหน่วยงาน (ค่าเริ่มต้น: data/agencies.csv)")
    parser.add_argument("--districts", help="ไฟล์รายชื่ออำเภอ (ค่าเริ่มต้น: data/districts.csv)")
    parser.add_argument("--deadline", help="วันกำหนดส่ง YYYY-MM-DD (ค่าเริ่มต้น 2023-07-07)")
    parser.add_argument("--as-of", dest="as_of", help="ดูสถานะ ณ เวลา เช่น 2023-07-07T17:00 (ค่าเริ่มต้น: ตอนนี้)")
    parser.add_argument("--header-map", dest="header_map", help="ไฟล์ TOML/JSON จับคู่หัวคอลัมน์อื่นกับช่องของแบบฟอร์ม")
    parser.add_argument("--threshold", type=_number, help="คะแนนขั้นต่ำของการจับคู่ชื่อแบบใกล้เคียง (0–100)")
    parser.add_argument("--demo", action="store_true", help="ใช้ข้อมูลตัวอย่าง แม้จะตั้งค่า Google Sheet ไว้")
    parser.add_argument("--secrets", help="ไฟล์ตั้งค่า (ค่าเริ่มต้น: .streamlit/secrets.toml)")
    parser.add_argument("--verbose", action="store_true", help="แสดงรายละเอียดการเชื่อมต่อ เช่น การลองใหม่")
    parser.add_argument("--accept-drop", dest="accept_drop", action="store_true",
                        help="ยอมรับการอ่านชีตที่คำตอบหายไปเกินครึ่งในครั้งเดียว ให้ใช้แทนข้อมูลชุดเดิม")


def settings_from(args: argparse.Namespace) -> Settings:
    """The command line's flags over the environment and the secrets file -> Settings."""
    secrets = read_secrets_file(args.secrets or SECRETS_PATH)
    return load_settings(secrets, responses=args.responses, registry=args.registry, districts=args.districts,
                         demo=args.demo, deadline=args.deadline, header_map=args.header_map,
                         threshold=args.threshold, database=getattr(args, "database", None),
                         accept_drop=getattr(args, "accept_drop", False))


def load_dataset(settings: Settings, *, need_rows: bool = True) -> intake.Dataset:
    """The data for this run; no usable data -> InputError; the last good read instead of the sheet
    (a failed, unusable or held-back read) -> a line on stderr saying why, and the run goes on.

    ``need_rows=False``: only the registry and the deadline are needed (the chase log), so a sheet that
    cannot be read is no obstacle.
    """
    dataset = intake.open_dataset(settings)
    if not need_rows and len(dataset.registry):
        return dataset
    if dataset.sheet is None:
        raise InputError(dataset.problem or f"อ่าน Google Sheet ไม่ได้: {dataset.error}")
    for line in stale_data_lines(dataset):
        print(line, file=sys.stderr)
    return dataset


def compute(args: argparse.Namespace, settings: Settings | None = None) -> pipeline.Outcome:
    """Command-line inputs -> Outcome."""
    return compute_with_dataset(args, settings)[0]


def compute_with_dataset(args: argparse.Namespace,
                         settings: Settings | None = None) -> tuple[pipeline.Outcome, intake.Dataset]:
    """Command-line inputs (and their settings, when the command has read them already) -> (Outcome, its Dataset)."""
    settings = settings or settings_from(args)
    as_of = parse_as_of(args.as_of)
    dataset = load_dataset(settings)
    outcome = pipeline.run(dataset.sheet, dataset.registry, dataset.districts, as_of=as_of,
                           deadline=dataset.deadline or DEFAULT_DEADLINE, header_extra=dict(dataset.header_extra),
                           threshold=dataset.threshold)
    return outcome, dataset


def compute_with_links(args: argparse.Namespace,
                       settings: Settings | None = None) -> tuple[pipeline.Outcome, object, intake.Dataset]:
    """Command-line inputs -> (Outcome, its agencies with their stored link-check results, the Dataset)."""
    from kkdash import links

    settings = settings or settings_from(args)
    outcome, dataset = compute_with_dataset(args, settings)
    results = links.load_link_results(settings.link_cache_path, urls=outcome.agencies["published_url"].dropna())
    return outcome, views.with_link_status(outcome.agencies, results), dataset


def run_summary(args: argparse.Namespace) -> int:
    """Print the summary as JSON or a table."""
    outcome = compute(args)
    if args.format == "json":
        print(json.dumps(outcome.summary(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(outcome))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """Print one line per rejected row and per warning; exit 1 when any row was rejected."""
    outcome = compute(args)
    for line in format_check(outcome):
        print(line)
    # The registry's contacts too: a coordinator's phone that cannot be dialled is found before HR needs it.
    for warning in registry_warnings(outcome.agencies).itertuples(index=False):
        print(f"ทะเบียน\t{warning.agency_id}\t{warning.name_th}\tคำเตือน: {warning.warning}")
    print(views.row_arithmetic(outcome.counts), file=sys.stderr)
    return EXIT_REJECTED if outcome.counts["rows_rejected"] else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the filtered agency table to --out (an .xlsx says on a second sheet what it holds)."""
    settings = settings_from(args)
    outcome, dataset = compute_with_dataset(args, settings)
    filters = agency_filters(outcome.agencies, statuses=args.status, district=args.district)
    table = views.follow_up_list(outcome.agencies, filters)
    if not args.no_contacts:
        table = _with_chase_log(table, outcome, settings)
    about = export.about_rows(
        title="สถานะการส่งรายงานรายหน่วยงาน", as_of=outcome.as_of, deadline=outcome.deadline, source=dataset.label,
        count=len(table), personal=not args.no_contacts, made_at=bangkok_now(),
        filters=export.describe_agency_filters(filters, outcome.agencies))
    write(export.agency_export(table, include_personal=not args.no_contacts), args.out, sheet_name=export.AGENCY_SHEET,
          about=about)
    print(f"เขียน {len(table):,} หน่วยงานไปที่ {args.out}", file=sys.stderr)
    return EXIT_OK


def _with_chase_log(table, outcome, settings: Settings):
    """The hr export's last action, by whom and the promise, as the follow-up page shows them at that moment;
    a log that cannot be read -> a line on stderr and the export without them (the figures do not depend on it)."""
    from kkdash.store import StoreError

    try:
        with intake.open_chase_log(settings) as log:
            entries = log.entries(campaign=outcome.deadline)
    except StoreError as exc:
        print(f"kkdash: ไม่มีคอลัมน์บันทึกการติดตามในไฟล์นี้: {exc}", file=sys.stderr)
        return table
    summary = chase.summarize(entries, as_of=chase.visible_until(outcome.as_of))
    return views.with_chase(table, summary, today=outcome.as_of.date())


def write(table, path: str, **options) -> None:
    """A table -> --out (.csv or .xlsx, with export.write_table's ``options``); a bad path or suffix -> CliError."""
    try:
        export.write_table(table, path, **options)
    except (ValueError, OSError) as exc:
        raise CliError(f"เขียนไฟล์ {path} ไม่ได้: {exc}") from exc


def filter_agencies(agencies, *, statuses: str | None, district: str | None, links: str | None = None):
    """--status a,b, --district CODE|name|province and --link a,b -> the matching agency rows, in the
    follow-up page's order."""
    filters = agency_filters(agencies, statuses=statuses, district=district, links=links)
    return views.follow_up_list(agencies, filters)


def agency_filters(agencies, *, statuses: str | None, district: str | None,
                   links: str | None = None) -> views.AgencyFilters:
    """The options as the follow-up page's filters, so a CLI export equals the page's download; unknown
    codes or districts -> CliError."""
    wanted, link_states = _codes(statuses, FILTER_STATUS_TH, "--status"), _codes(links, LINK_STATUS_TH, "--link")
    code = district_code(agencies, district) if district else None
    return views.AgencyFilters(statuses=wanted, districts=(code,) if code else (), links=link_states)


def _codes(text: str | None, known: dict, option: str) -> tuple[str, ...]:
    """`a,b` -> the codes, each one known; CliError naming the unknown ones and what is allowed."""
    wanted = tuple(s.strip() for s in (text or "").split(",") if s.strip())
    unknown = set(wanted) - set(known)
    if unknown:
        raise CliError(f"{option} รู้จักเฉพาะ {', '.join(known)} (ได้รับ {', '.join(sorted(unknown))})")
    return wanted


def district_code(agencies, text: str) -> str:
    """--district as typed -> a district code, or `province`: `4012`, `พล`, `อ.พล`, `อำเภอพล`, `ระดับจังหวัด`.

    Refused with the list of what it accepts, so a mistyped name is fixed from the message alone.
    """
    districts = views.district_names(agencies)
    names = {normalize_name(f"อำเภอ{name}"): code for code, name in districts.items()}
    names[normalize_name(PROVINCE_GROUP_TH)] = views.PROVINCE_FILTER
    if text in names.values():  # a code, or `province`
        return text
    code = names.get(normalize_name(text)) or names.get(normalize_name(f"อำเภอ{text}"))
    if code:
        return code
    listed = ", ".join(f"{code} {name}" for code, name in districts.items())
    raise CliError(f"--district '{text}' ไม่ใช่อำเภอในทะเบียน — ใช้รหัสหรือชื่ออำเภอ: {listed},"
                   f" หรือ province ({PROVINCE_GROUP_TH})")


def parse_max_age(text: str) -> timedelta:
    """`30m`, `24h`, `7d` or plain seconds (0 to ten years) -> timedelta."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    unit = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        seconds = float(number) * unit
    except ValueError:
        seconds = float("nan")
    if not 0 <= seconds <= MAX_AGE_LIMIT.total_seconds():  # also refuses nan and inf
        raise CliError(f"--max-age ต้องเป็นช่วงเวลา 0 ถึง 3650d เช่น 30m, 24h หรือ 7d (ได้รับ '{text}')")
    return timedelta(seconds=seconds)


def run_links(args: argparse.Namespace) -> int:
    """Check every agency's latest published link (re-checking results older than --max-age)."""
    from kkdash import links  # the network client, only for this command

    max_age = parse_max_age(args.max_age)
    settings = settings_from(args)
    outcome = compute(args, settings)
    urls = outcome.agencies["published_url"].dropna()
    results = links.check_links(urls, cache_path=settings.link_cache_path, max_age=max_age, workers=args.workers,
                                progress=_print_progress, allow_loopback=settings.allow_loopback)
    print(format_links_table(results))
    if args.out:
        table = views.with_link_status(outcome.agencies, results)
        write(export.links_export(table), args.out, sheet_name=export.LINK_SHEET)
    return EXIT_OK


def _print_progress(done: int, total: int) -> None:
    print(f"\rตรวจลิงก์ {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def run_remind(args: argparse.Namespace) -> int:
    """`remind` (kkdash/cli/remind.py): the agencies chosen, with their link-check results."""
    def outcome_and_agencies(arguments, settings):
        outcome, agencies, _ = compute_with_links(arguments, settings)
        return outcome, agencies

    return remind.run(args, settings_from=settings_from, compute=outcome_and_agencies, choose=filter_agencies)


def run_brief(args: argparse.Namespace) -> int:
    """`brief` (kkdash/cli/brief.py)."""
    return brief.run(args, compute_with_links=compute_with_links)


def run_log(args: argparse.Namespace) -> int:
    """`log add` / `log list` (kkdash/cli/log.py)."""
    return log.run(args, settings_from=settings_from, load_dataset=load_dataset)


COMMANDS = {"summary": run_summary, "check": run_check, "export": run_export, "links": run_links, "log": run_log,
            "remind": run_remind, "brief": run_brief}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a sub-command; bad input -> one Thai line on stderr and exit 2."""
    # Typed text (a sheet's cells, a bad option's value) reaches the terminal only with its control
    # characters escaped: an ESC sequence in a form answer must not drive the officer's terminal.
    with safe_output():
        args = build_parser().parse_args(argv)
        # Scheduled runs read stdout and one stderr line; retries and other details only when asked.
        logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="kkdash: %(message)s")
        try:
            return COMMANDS[args.command](args)
        except (CliError, InputError, SettingsError) as exc:
            print(f"kkdash: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except BrokenPipeError:
            # `kkdash check | head` closed the pipe: not an error of ours.
            sys.stderr.close()
            return EXIT_OK
