"""What a sheet read brings, the ways it can fail, and the checks every worksheet's rows pass.

No network here: the Google and published-CSV readers both hand their rows to ``normalise``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class SheetError(Exception):
    """A failure to read the sheet, with a Thai message for the dashboard."""

    default_kind = "error"

    def __init__(self, message_th: str, kind: str | None = None) -> None:
        super().__init__(message_th)
        self.message_th = message_th
        self.kind = kind or self.default_kind


class SheetUnavailable(SheetError):
    """Google kept failing (429, 5xx, time-outs, network) after every retry."""

    default_kind = "unavailable"


class SheetForbidden(SheetError):
    """The sheet is not shared with the service account, or not published."""

    default_kind = "forbidden"


class SheetNotFound(SheetError):
    """The spreadsheet key or a worksheet name is wrong."""

    default_kind = "not_found"


class SheetMalformed(SheetError):
    """The answer was not the JSON or CSV we asked for."""

    default_kind = "malformed"


class SheetEmpty(SheetError):
    """A worksheet has no header row at all."""

    default_kind = "empty"


class SheetHeaderError(SheetError):
    """The header row has duplicate names or blanks above data."""

    default_kind = "header"


class SheetCredentialsError(SheetError):
    """The service-account key cannot be read or is rejected by Google."""

    default_kind = "credentials"


@dataclass(frozen=True)
class SheetTables:
    """Raw worksheet rows: header first, every row padded to the header width."""

    responses: list[list[str]]
    registry: list[list[str]] | None
    fetched_at: datetime


def answer_rows(table: list[list[str]]) -> int:
    """How many rows under the header hold any text."""
    return sum(1 for row in table[1:] if any(row))


def lost_most_rows(before: int, after: int) -> bool:
    """True when a read has no answers left, or fewer than half, of the ``before`` rows shown now.

    Answers are only ever added to a form's sheet: a read that lost most of them at once is a
    cleared tab, a bad sort or a wrong tab, until a person says otherwise.
    """
    return before > 0 and after * 2 < before


def normalise(rows: list[list[Any]], *, source: str) -> list[list[str]]:
    """Pad rows to the header width after checking the header row."""
    table = [[_cell_text(cell) for cell in row] for row in rows]
    _mend_surrogates(table)
    while table and not _has_text(table[-1]):
        table.pop()  # Google omits trailing empty rows; CSV may not.
    if not table:
        raise SheetEmpty(f"แท็บ '{source}' ว่างเปล่า ไม่มีแถวหัวคอลัมน์ (แถวที่ 1)")
    header = _trim(table[0])
    if not header:
        raise SheetHeaderError(f"แท็บ '{source}' แถวที่ 1 ต้องเป็นหัวคอลัมน์ แต่แถวนี้ว่าง")
    _check_header(header, table[1:], source=source)
    # Blank rows inside the data stay, so row i is still sheet row i + 1.
    return [header] + [_pad(row, len(header)) for row in table[1:]]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend_surrogates(table: list[list[str]]) -> None:
    """Replace, in place, lone surrogates (JSON can carry `\\ud800`; no UTF-8 file, Arrow column or Excel
    sheet can hold one) with U+FFFD."""
    for index, row in enumerate(table):
        try:
            "".join(row).encode("utf-8")
        except UnicodeEncodeError:
            table[index] = [_SURROGATE.sub("\ufffd", cell) for cell in row]


def _pad(row: list[str], width: int) -> list[str]:
    """Fit a row to the header width; only blank cells are ever cut."""
    row = _trim(row)[:width]
    return row + [""] * (width - len(row))


def _cell_text(cell: Any) -> str:
    """FORMATTED_VALUE cells are strings already; anything else is stringified."""
    return cell if isinstance(cell, str) else ("" if cell is None else str(cell))


def _has_text(row: list[str]) -> bool:
    """Tell whether any cell in the row holds non-blank text."""
    return any(cell.strip() for cell in row)


def _trim(row: list[str]) -> list[str]:
    """Drop trailing blank cells, as the Sheets API does."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _check_header(header: list[str], data: list[list[str]], *, source: str) -> None:
    """Reject duplicate names and blank headers above non-empty columns."""
    used = {index for row in data for index, cell in enumerate(row) if cell.strip()}
    blank = sorted(index for index in used if index >= len(header) or not header[index].strip())
    names = Counter(name.strip() for name in header if name.strip())
    problems = []
    for name in (name for name, count in names.items() if count > 1):
        columns = ", ".join(_column_letter(i) for i, cell in enumerate(header) if cell.strip() == name)
        problems.append(f"หัวคอลัมน์ '{name}' ซ้ำกัน (คอลัมน์ {columns})")
    if blank:
        problems.append("คอลัมน์ที่มีข้อมูลแต่ไม่มีหัวคอลัมน์: " + ", ".join(_column_letter(i) for i in blank))
    if problems:
        raise SheetHeaderError(f"แท็บ '{source}': " + "; ".join(problems) + " ให้แก้แถวที่ 1 ในชีต")


def _column_letter(index: int) -> str:
    """Return the spreadsheet column letter for a 0-based index (0 → A)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
