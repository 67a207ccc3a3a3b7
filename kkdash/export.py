"""Tables -> files people open in Excel: CSV (UTF-8 with BOM) and .xlsx, safe from formula injection."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from kkdash.parsing import BANGKOK

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AGENCY_COLUMNS = ["agency_id", "name_th", "kind", "district_code", "district_name_th", "status",
                  "first_submitted_at", "last_submitted_at", "personnel_total", "personnel_signed",
                  "signing_rate", "fully_signed", "published_url", "reporter_name",
                  "reporter_position", "reporter_phone"]
PERSONAL_COLUMNS = ("reporter_name", "reporter_position", "reporter_phone")


def neutralize(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula -> the same text, quoted with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise every text column; numbers and booleans stay as they are."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            safe[column] = series.dt.tz_convert(BANGKOK).dt.tz_localize(None)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            safe[column] = series.map(neutralize)
    return safe


def agency_export(agencies: pd.DataFrame, *, include_personal: bool = True) -> pd.DataFrame:
    """Agency statuses -> the export's columns (contacts dropped when not allowed)."""
    columns = [c for c in AGENCY_COLUMNS if include_personal or c not in PERSONAL_COLUMNS]
    return agencies[columns].reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table -> CSV bytes that Excel opens with Thai intact (UTF-8 with BOM), formula-safe."""
    # CRLF, as Excel writes it; it also makes the writer quote a cell holding a lone CR, which
    # would otherwise split that row in two when the file is opened.
    text = safe_frame(frame).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = "kkdash") -> bytes:
    """A table -> .xlsx bytes; text stays text (phones keep their leading zero), formula-safe."""
    buffer = io.BytesIO()
    safe = safe_frame(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        _mark_text_cells(sheet, safe)
        _fit_columns(sheet, safe)
    return buffer.getvalue()


def _mark_text_cells(sheet, frame: pd.DataFrame) -> None:
    """Give text columns the '@' (Text) format so Excel does not turn '0812…' into a number."""
    for index, column in enumerate(frame.columns, start=1):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"


def _fit_columns(sheet, frame: pd.DataFrame) -> None:
    """Widen each column to its longest value, capped so a 10 000-character name stays usable."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(500))])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, longest + 2)


def write_table(frame: pd.DataFrame, path: Path | str) -> None:
    """A table -> a .csv or .xlsx file, chosen by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        data = csv_bytes(frame)
    elif suffix == ".xlsx":
        data = xlsx_bytes(frame)
    else:
        raise ValueError(f"ส่งออกได้เฉพาะไฟล์ .csv หรือ .xlsx (ได้รับ '{suffix or path}')")
    Path(path).write_bytes(data)
