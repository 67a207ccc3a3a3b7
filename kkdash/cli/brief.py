"""`python -m kkdash brief`: the governor's one-page A4 PDF for the moment asked for."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kkdash import views
from kkdash.dates import format_thai_date, now
from kkdash.errors import InputError


def add_parser(commands, add_inputs) -> None:
    """The `brief` command."""
    command = commands.add_parser("brief", help="สรุปสำหรับผู้บริหาร: PDF หน้า A4 หนึ่งหน้า")
    add_inputs(command)
    command.add_argument("--out", required=True, help="ไฟล์ PDF ปลายทาง เช่น brief.pdf")


def run(args: argparse.Namespace, *, compute_with_links) -> int:
    """Write the brief to --out."""
    from kkdash import brief  # the PDF library and its fonts: a third of a second no other command needs

    outcome, agencies, dataset = compute_with_links(args)
    pdf = brief.brief_pdf(outcome, source_label=dataset.label, demo=dataset.is_demo, generated_at=now(),
                          links_verified=views.verified_count(agencies))
    try:
        Path(args.out).write_bytes(pdf)
    except OSError as exc:
        raise InputError(f"เขียนไฟล์ {args.out} ไม่ได้: {exc.strerror}") from exc
    print(f"เขียนสรุปสำหรับผู้บริหาร สถานะ ณ {format_thai_date(outcome.as_of, with_time=True)} ไปที่ {args.out}",
          file=sys.stderr)
    return 0
