"""What the CLI prints: Outcome and link results -> plain text for a terminal or a scheduled e-mail.

Typed text never reaches the terminal raw: control characters (ESC and the rest of C0 and C1,
the bidi overrides) are shown as ``\u001b``-style escapes, by ``cell`` inside a tab-separated line
and by ``safe_output`` on everything the CLI writes.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator

import pandas as pd

from kkdash.dates import format_thai_date
from kkdash.labels import ACTIONS_TH, ENTRY_HEADERS_TH, LINK_STATUS_TH, NO_LINK, REJECTED, WARNING
from kkdash.linkreport import found_sentence, only_sample_links
from kkdash.pipeline import Outcome
from kkdash.text import BIDI_CODES, CONTROL_CODES, LINE_SEPARATOR_CODES, char_class, display_width
from kkdash.views import row_arithmetic

# Control and direction characters and the line separators (kkdash.text), and carriage return, which
# would let typed text overwrite a line; inside a cell tab and line feed too.
_UNSAFE = char_class([*CONTROL_CODES, *BIDI_CODES, *LINE_SEPARATOR_CODES, 0x0D])
_CONTROLS = re.compile(f"[{_UNSAFE}]")
_CELL_CONTROLS = re.compile(f"[{_UNSAFE}\t\n]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_controls(text: str) -> str:
    """Text for a terminal: every control character but tab and newline as a visible ``\\uXXXX``."""
    return _CONTROLS.sub(_escape, text)


def cell(text: object) -> str:
    """One field of a tab-separated line: tabs and newlines escaped too, so typed text cannot add a column or a line."""
    return _CELL_CONTROLS.sub(_escape, str(text))


class _SafeStream:
    """A text stream that escapes control characters in what is written to it."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        # A write that starts with CR is the progress line redrawing itself; anywhere else CR is typed text.
        lead = "\r" if text.startswith("\r") else ""
        self._stream.write(lead + escape_controls(text[len(lead):]))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_output() -> Iterator[None]:
    """Within this block, stdout and stderr escape control characters (see escape_controls)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def stale_data_lines(dataset) -> list[str]:
    """Why this run's figures are not a fresh read of the sheet (one stderr line each); [] when they are."""
    when = format_thai_date(dataset.fetched_at, with_time=True)
    lines = [f"kkdash: {dataset.note}"] if dataset.note else []
    if dataset.problem:
        lines.append(f"kkdash: การอ่านชีตล่าสุดใช้ไม่ได้: {dataset.problem} — ใช้ข้อมูลล่าสุดที่ใช้ได้ ณ {when}")
    if dataset.error:
        lines.append(f"kkdash: อ่าน Google Sheet ไม่ได้ ({dataset.error}) — ใช้ข้อมูลล่าสุดที่ดึงได้ ณ {when}")
    if dataset.held:
        lines.append(f"kkdash: {dataset.held} (ฝ่ายบุคคลยืนยันได้ในหน้าเว็บ หรือรันคำสั่งนี้อีกครั้งพร้อม --accept-drop)")
    return lines


def format_summary(outcome: Outcome) -> str:
    """Outcome -> the province's figures and one line per district."""
    p = outcome.province
    lines = [
        f"ณ {format_thai_date(outcome.as_of, with_time=True)} (กำหนดส่ง {format_thai_date(outcome.deadline)})",
        f"ส่งแล้ว {p['agencies_reported']:,}/{p['agencies_expected']:,} หน่วยงาน"
        f" (ตรงเวลา {p['agencies_on_time']:,}, ล่าช้า {p['agencies_late']:,}, ยังไม่ส่ง {p['agencies_missing']:,})",
        f"ลงนาม {p['personnel_signed']:,}/{p['personnel_total']:,} คน ({p['signing_rate']:.1%})"
        f" ของหน่วยงานที่ส่งแล้ว {p['agencies_reported']:,} แห่ง;"
        f" ลงนามครบ {p['agencies_fully_signed']:,} หน่วยงาน; เผยแพร่แล้ว {p['agencies_published']:,} หน่วยงาน",
        row_arithmetic(outcome.counts),
        "",
        _pad("รหัส", 6) + _pad("อำเภอ", 16) + _right("ส่ง/ทั้งหมด", 12) + _right("ล่าช้า", 8)
        + _right("ยังไม่ส่ง", 10) + _right("ลงนาม", 9),
    ]
    for d in outcome.districts.itertuples():
        lines.append(_pad(d.district_code or "-", 6) + _pad(d.name_th, 16) + _right(f"{d.reported}/{d.expected}", 12)
                     + _right(str(d.late), 8) + _right(str(d.missing), 10) + _right(f"{d.signing_rate:.1%}", 9))
    return "\n".join(lines)


def format_check(outcome: Outcome) -> list[str]:
    """Outcome -> one line per rejected row (its reasons joined) and one per warning, in sheet order."""
    rows = outcome.rows.set_index("row_number")
    lines = []
    for row_number, group in outcome.notes.groupby("row_number", sort=True):
        name = cell(rows.at[row_number, "agency_name"] or "(ไม่ระบุชื่อ)")
        rejected = group[group["severity"] == REJECTED]
        if len(rejected):
            lines.append(f"แถว {row_number}\t{name}\tปฏิเสธ: {cell('; '.join(rejected['message']))}")
        for message in group.loc[group["severity"] == WARNING, "message"]:
            lines.append(f"แถว {row_number}\t{name}\tคำเตือน: {cell(message)}")
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns (Thai marks take none)."""
    return " " * max(width - display_width(text), 0) + text


def format_links_table(df: pd.DataFrame) -> str:
    """Link results -> a plain-text table with a Thai summary line."""
    if df.empty:
        return "ยังไม่มีผลการตรวจลิงก์"
    headers = ["สถานะ", "HTTP", "ตรวจเมื่อ", "ลิงก์", "หมายเหตุ"]
    rows = []
    for row in df.itertuples(index=False):
        checked = "" if pd.isna(row.checked_at) else format_thai_date(row.checked_at, with_time=True)
        rows.append([
            LINK_STATUS_TH.get(row.status, row.status),
            "" if pd.isna(row.http_status) else str(row.http_status),
            checked,
            cell(row.url),
            "" if pd.isna(row.error) or row.error is None else cell(row.error),
        ])
    widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers) - 1)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
             for r in [headers, *rows]]
    counts = df["status"].value_counts()
    checked_statuses = {code: label for code, label in LINK_STATUS_TH.items() if code != NO_LINK}
    summary = ", ".join(f"{label} {counts.get(code, 0)}" for code, label in checked_statuses.items())
    lines.append(f"รวม {len(df)} ลิงก์: {summary}")
    if only_sample_links(df["url"]):
        lines.append(found_sentence(zip(df["url"], df["status"], strict=True)))
    return "\n".join(line.rstrip() for line in lines)



def format_log(entries: pd.DataFrame) -> str:
    """Chase-log entries -> one line each: number, agency, when, action, promise, who, note."""
    if entries.empty:
        return "ยังไม่มีบันทึกการติดตามในรอบนี้"
    lines = ["\t".join(ENTRY_HEADERS_TH[c] for c in ("id", "agency_id", "at", "action", "promised_on", "by", "note"))]
    for entry in entries.itertuples(index=False):
        promise = format_thai_date(entry.promised_on) if entry.promised_on else ""
        corrects = f" (แก้ไขลำดับที่ {entry.corrects})" if pd.notna(entry.corrects) else ""
        lines.append("\t".join([str(entry.id), entry.agency_id, format_thai_date(entry.at, with_time=True),
                                ACTIONS_TH.get(entry.action, entry.action) + corrects, promise, entry.by,
                                " ".join(entry.note.split())]))
    return "\n".join(lines)
