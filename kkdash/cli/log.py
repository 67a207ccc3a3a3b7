"""`python -m kkdash log add|list`: the chase log from a terminal or a scheduled script."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

import pandas as pd

from kkdash import chase, export, intake
from kkdash.cli.text import format_log
from kkdash.errors import InputError
from kkdash.labels import ACTIONS_TH, ENTRY_HEADERS_TH
from kkdash.metrics import DEFAULT_DEADLINE
from kkdash.parsing import parse_date

LIST_COLUMNS = ["id", "agency_id", "action", "note", "promised_on", "by", "at", "corrects"]


def add_parser(commands, add_inputs) -> None:
    """The `log` command with its `add` and `list` sub-commands."""
    log = commands.add_parser("log", help="บันทึกการติดตาม: เพิ่ม (add) หรือดูรายการ (list)")
    actions = log.add_subparsers(dest="log_command", required=True)
    add = actions.add_parser("add", help="เพิ่มบันทึกการติดตามหนึ่งรายการ")
    add_inputs(add)
    _add_database(add)
    add.add_argument("--agency", required=True, help="รหัสหน่วยงาน เช่น D4009")
    add.add_argument("--action", required=True, help=f"การติดตาม: {', '.join(ACTIONS_TH)}")
    add.add_argument("--note", default="", help="บันทึก (ไม่เกิน 2,000 ตัวอักษร)")
    add.add_argument("--promise", help="รับปากจะส่งภายในวันที่ เช่น 2023-07-12 หรือ 12/7/2566")
    add.add_argument("--by", help="ผู้บันทึก (ค่าเริ่มต้น: ชื่อผู้ใช้ของเครื่อง)")
    listing = actions.add_parser("list", help="รายการบันทึกการติดตามของรอบนี้")
    add_inputs(listing)
    _add_database(listing)
    listing.add_argument("--agency", help="เฉพาะหน่วยงานนี้")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="ฐานข้อมูลบันทึกการติดตาม (ค่าเริ่มต้น: KKDASH_DATABASE_URL หรือไฟล์ SQLite)")


def run(args: argparse.Namespace, *, settings_from, load_dataset) -> int:
    """Add an entry or list the campaign's entries; bad input or a storage fault -> InputError (exit 2)."""
    from kkdash.store import StoreError

    settings = settings_from(args)
    dataset = load_dataset(settings, need_rows=False)
    campaign = dataset.deadline or DEFAULT_DEADLINE
    try:
        with intake.open_chase_log(settings) as log:
            if args.log_command == "add":
                return _add(args, log, campaign, frozenset(dataset.registry["agency_id"]))
            return _list(args, log, campaign)
    except StoreError as exc:
        raise InputError(str(exc)) from exc


def _add(args: argparse.Namespace, log, campaign, known: frozenset[str]) -> int:
    promise = None
    if args.promise:
        promise = parse_date(args.promise)
        if promise is None:
            raise InputError(f"--promise ต้องเป็นวันที่ เช่น 2023-07-12 หรือ 12/7/2566 (ได้รับ '{args.promise}')")
    entry = chase.new_entry(campaign=campaign, agency_id=args.agency, action=args.action, note=args.note,
                            promised_on=promise, by=args.by or getpass.getuser(), today=_today(),
                            known_agencies=known)
    stored = log.add(entry)
    print(f"บันทึกแล้ว ลำดับที่ {stored.id}: {stored.agency_id} {ACTIONS_TH[stored.action]}", file=sys.stderr)
    return 0


def _today():
    from kkdash.dates import now

    return now().date()


def _list(args: argparse.Namespace, log, campaign) -> int:
    entries = log.entries(campaign=campaign, agency_id=args.agency)
    table = entries[LIST_COLUMNS]
    if args.format == "json":
        print(json.dumps([_plain(record) for record in table.to_dict("records")], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        thai = table.assign(action=table["action"].map(ACTIONS_TH)).rename(columns=ENTRY_HEADERS_TH)
        sys.stdout.buffer.write(export.csv_bytes(thai))
    else:
        print(format_log(table))
    return 0


def _plain(record: dict) -> dict:
    """One entry -> JSON-ready values (ISO dates and times, None for blanks)."""
    out = {}
    for key, value in record.items():
        if value is None or (not isinstance(value, str | tuple) and pd.isna(value)):
            out[key] = None
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value.item() if hasattr(value, "item") else value
    return out
