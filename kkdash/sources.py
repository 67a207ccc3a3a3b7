"""Response files on disk -> RawSheet: a Google Forms CSV export, read fast when it is well formed.

A narrow UTF-8 file (what Forms exports) goes through Arrow on every core; anything else — ragged
rows, a sheet thousands of columns wide, a file Thai Windows Excel saved as TIS-620/Windows-874 —
through the csv module, whose cost is the cells'. Only a file that is neither UTF-8 nor Thai
Windows text is refused.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
from pyarrow import csv as arrow_csv

from kkdash.files import NOT_THAI_TEXT, decode_thai_text, path_kind
from kkdash.sheet import RawSheet, SourceError, sheet_from_rows, text_frame
from kkdash.text import one_line

# Past this many columns Arrow's work per column outweighs its speed on rows: 18 278 columns (a
# Google Sheet's widest) take 0.6 s through Arrow, 0.4 s through the csv module.
WIDE_COLUMNS = 1_000


def read_responses_csv(path: Path | str) -> RawSheet:
    """A Google Forms CSV export (UTF-8, or Thai Windows) -> RawSheet; raises SourceError with a Thai reason."""
    _require_file(Path(path))
    fast = _read_even_csv(path)
    if fast is not None:
        return fast
    text, note = _decoded(Path(path))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SourceError(f"อ่านไฟล์คำตอบไม่ได้ ({path}): รูปแบบ CSV ไม่ถูกต้อง — {one_line(str(exc))}") from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        # A blank first line: the header is not one line down, the file is not a form export.
        raise SourceError(f"ไฟล์คำตอบว่างเปล่า: {path} (แถวแรกต้องเป็นหัวคอลัมน์)")
    sheet = sheet_from_rows(rows)
    return replace(sheet, note=note) if note else sheet


def _require_file(path: Path) -> None:
    """A regular file, or SourceError: a folder, a device or a pipe is not a responses file (and may never end)."""
    kind = path_kind(path)
    if kind == "missing":
        raise SourceError(f"ไม่พบไฟล์คำตอบ: {path}")
    if kind != "file":
        raise SourceError(f"อ่านไฟล์คำตอบไม่ได้ ({path}): ไม่ใช่ไฟล์ CSV ที่เปิดได้ (เป็นโฟลเดอร์ อุปกรณ์ หรือชื่อยาวเกินไป)")


def _decoded(path: Path) -> tuple[str, str]:
    """The file's text and a note on its encoding ('' for UTF-8); SourceError when neither UTF-8 nor Thai Windows."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"อ่านไฟล์คำตอบไม่ได้ ({path}): {exc.strerror or type(exc).__name__}") from exc
    try:
        text, thai_windows = decode_thai_text(data)
    except UnicodeError:
        raise SourceError(f"อ่านไฟล์คำตอบไม่ได้ ({path}): {NOT_THAI_TEXT}") from None
    if not thai_windows:
        return text, ""
    note = (f"ไฟล์ {path.name} บันทึกเป็นภาษาไทยแบบ Windows (TIS-620/Windows-874) จึงอ่านด้วยรหัสนั้น"
            " — ถ้าตัวอักษรเพี้ยน ให้เปิดใน Excel แล้วบันทึกใหม่เป็นชนิด 'CSV UTF-8'")
    return text, note


def _read_even_csv(path: Path | str) -> RawSheet | None:
    """A well-formed CSV (every row as wide as the header) -> RawSheet, read by Arrow on every core;
    None for anything else (missing, empty, not UTF-8, ragged), which the pandas reader then reads
    or explains. A 580 000-row export takes 0.7 s this way, 1.2-2.1 s through pandas.
    Large strings, as pandas keeps them, so the columns go over without a copy."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            width = len(next(csv.reader(handle)))
        if not width or width > WIDE_COLUMNS:  # a blank first line: Arrow would take the next line for the header
            return None
        names = [str(column) for column in range(width)]
        # A few big blocks: both cores still parse, and joining each column into one buffer (see
        # contiguous) costs 0.09 s at 580 000 rows instead of 0.5 s for 1 MB blocks.
        blocks = max(1 << 20, os.path.getsize(path) // 4 + 1)
        table = arrow_csv.read_csv(
            path, read_options=arrow_csv.ReadOptions(column_names=names, block_size=blocks),
            # An empty line is still a sheet row (Arrow reads it as blanks), as in pandas' reader.
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (OSError, UnicodeError, StopIteration, csv.Error, pa.ArrowException):
        return None
    rows, columns = table.num_rows, table.columns
    del table
    for number, chunked in enumerate(columns):
        # One column joined at a time, its chunks let go at once: the sheet is never held twice.
        columns[number] = chunked.combine_chunks()
    headers = [column[0].as_py() for column in columns]
    cells = text_frame([column[1:] for column in columns], rows=rows - 1)
    del columns
    # The reader's blocks go back to the system: Arrow's allocator would keep them while numpy and
    # pandas allocate elsewhere (580 000 rows: peak 1.38 GB instead of 1.45 GB).
    pa.default_memory_pool().release_unused()
    return RawSheet(headers, cells)


