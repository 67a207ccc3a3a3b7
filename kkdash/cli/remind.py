"""`python -m kkdash remind`: the morning's reminders, written for every agency that still owes something,
and e-mailed with --send (a dry run by default); each sent message is written into the chase log."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kkdash import intake
from kkdash.dates import BANGKOK
from kkdash.errors import InputError
from kkdash.labels import DELIVERY_TH, NO_ADDRESS, REFUSED, WILL_RETRY
from kkdash.text import one_line

if TYPE_CHECKING:
    from kkdash import reminders

EXIT_OK, EXIT_FAILED = 0, 1


def add_parser(commands, add_inputs) -> None:
    """The `remind` command."""
    remind = commands.add_parser("remind", help="เขียนข้อความเตือนหน่วยงานที่ยังค้าง และส่งทางอีเมล (--send)")
    add_inputs(remind)
    remind.add_argument("--status", default="missing",
                        help="ใคร: missing, needs_correction, late, on_time, not_fully_signed, not_published"
                             " (คั่นด้วยจุลภาค; ค่าเริ่มต้น missing)")
    remind.add_argument("--district", help="รหัสอำเภอ เช่น 4009, หรือ province")
    remind.add_argument("--link", help="สถานะลิงก์: unreachable, no_declaration, no_link (เมื่อตรวจลิงก์แล้ว)")
    mode = remind.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="แสดงข้อความที่จะส่งโดยไม่ส่ง (ค่าเริ่มต้น)")
    mode.add_argument("--send", action="store_true", help="ส่งทางอีเมลผ่านเซิร์ฟเวอร์ [smtp]")
    remind.add_argument("--again", action="store_true", help="ส่งซ้ำแม้หน่วยงานได้รับอีเมลเตือนภายใน 24 ชั่วโมง")
    remind.add_argument("--out", help="บันทึกข้อความทั้งหมด: .csv (mail merge) หรือ .txt (วางใน LINE)")
    remind.add_argument("--by", help="ผู้ส่งที่บันทึกในบันทึกการติดตาม (ค่าเริ่มต้น: ฝ่ายบุคคล (อีเมลเตือน))")
    remind.add_argument("--database", help="ฐานข้อมูลบันทึกการติดตาม (ค่าเริ่มต้น: KKDASH_DATABASE_URL หรือไฟล์ SQLite)")


def run(args: argparse.Namespace, *, settings_from, compute, choose) -> int:
    """Write the messages; with --send e-mail those not held back; exit 1 when some could not be sent."""
    # Templates, SMTP and the outbox load only for this command: every other run starts faster.
    from kkdash import mail, outbox, reminders
    from kkdash.store import StoreError

    settings = settings_from(args)
    if settings.mail_problem:
        raise InputError(f"การตั้งค่าอีเมลใช้ไม่ได้: {settings.mail_problem}")
    outcome, agencies = compute(args, settings)
    chosen = choose(agencies, statuses=args.status, district=args.district, links=args.link)
    wording = settings.reminders
    messages = reminders.compose_messages(chosen, outcome.rows, deadline=outcome.deadline, form_url=wording.form_url,
                                          hr_contact=wording.hr_contact, templates=wording.templates)
    if args.out:
        _write(messages, args.out)
    try:
        with intake.open_chase_log(settings) as log:
            entries = log.entries(campaign=outcome.deadline)
            recent = outbox.recently_emailed(entries, hours=settings.reminders.resend_hours, now=datetime.now(BANGKOK))
            to_send, held = outbox.held_back(messages, recent, again=args.again)
            for message in held:
                print(f"{message.agency_id}\t{one_line(message.agency_name)}\tเว้นไว้: ได้รับอีเมลเตือนภายใน"
                      f" {settings.reminders.resend_hours:g} ชั่วโมงที่ผ่านมา", file=sys.stderr)
            if not args.send:
                return _dry_run(to_send, held)
            if settings.smtp is None:
                raise InputError("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล: ใส่ตาราง [smtp] ใน .streamlit/secrets.toml"
                                 " หรือตั้ง KKDASH_SMTP_HOST (ดู docs/reminders.md)")
            try:
                deliveries = outbox.send_and_log(to_send, settings.smtp, log, campaign=outcome.deadline,
                                                 by=args.by or "ฝ่ายบุคคล (อีเมลเตือน)",
                                                 known=frozenset(agencies["agency_id"]),
                                                 pace_seconds=settings.reminders.pace_seconds,
                                                 progress=_print_progress)
            except mail.MailError as exc:
                print(f"kkdash: ส่งไม่ได้ ยังไม่ได้ส่งฉบับใด: {exc}", file=sys.stderr)
                return EXIT_FAILED
    except StoreError as exc:
        raise InputError(str(exc)) from exc
    return _report(deliveries, held)


def _write(messages: list[reminders.Message], path: str) -> None:
    """--out: a mail-merge CSV, or one text file of every message."""
    from kkdash import reminders

    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".txt"):
        raise InputError(f"--out ต้องเป็นไฟล์ .csv หรือ .txt (ได้รับ '{suffix or path}')")
    data = reminders.mail_merge_csv(messages) if suffix == ".csv" else reminders.paste_text(messages).encode()
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise InputError(f"เขียนไฟล์ {path} ไม่ได้: {exc.strerror}") from exc
    print(f"เขียนข้อความ {len(messages):,} ฉบับไปที่ {path}", file=sys.stderr)


def _dry_run(to_send: list[reminders.Message], held: list[reminders.Message]) -> int:
    """One line per message that --send would send, and a count on stderr."""
    for message in to_send:
        to = ", ".join(message.recipients) or "ไม่มีอีเมล"
        print(f"{message.agency_id}\t{one_line(message.agency_name)}\tถึง: {to}\tเรื่อง: {message.subject}")
    no_address = sum(not m.recipients for m in to_send)
    print(f"ยังไม่ได้ส่ง (ทดลอง): จะส่ง {len(to_send) - no_address:,} ฉบับ, ไม่มีอีเมล {no_address:,},"
          f" เว้นไว้ {len(held):,} — ใช้ --send เพื่อส่งจริง", file=sys.stderr)
    return EXIT_OK


def _print_progress(done: int, total: int, delivery) -> None:
    print(f"\rส่งอีเมล {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)


def _report(deliveries, held) -> int:
    """One line per message on stdout; the failures again on stderr; exit 1 when any failed."""
    for delivery in deliveries:
        print(f"{delivery.agency_id}\t{DELIVERY_TH[delivery.status]}\t{', '.join(delivery.recipients)}"
              f"\t{one_line(delivery.reason)}".rstrip())
    failed = [d for d in deliveries if d.status in (REFUSED, WILL_RETRY)]
    for delivery in failed:
        print(f"kkdash: {delivery.agency_id} {DELIVERY_TH[delivery.status]}: {one_line(delivery.reason)}",
              file=sys.stderr)
    sent = len(deliveries) - len(failed) - sum(d.status == NO_ADDRESS for d in deliveries)
    print(f"ส่งแล้ว {sent:,} ฉบับ, ไม่สำเร็จ {len(failed):,}, ไม่มีอีเมล"
          f" {sum(d.status == NO_ADDRESS for d in deliveries):,}, เว้นไว้ {len(held):,}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK
