"""Tables -> files people open in Excel: CSV (UTF-8 with BOM) and .xlsx, safe from formula injection."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from kkdash import views
from kkdash.dates import BANGKOK, be_year, format_thai_date
from kkdash.formats import phone_for_people
from kkdash.labels import (
    ACTIONS_TH,
    AGENCY_HEADERS_TH,
    CALL_SOURCE_TH,
    CHASE_FILTER_TH,
    COLUMN_HEADERS_TH,
    FILTER_STATUS_TH,
    KINDS_TH,
    LINK_EXPORT_COLUMNS,
    LINK_STATUS_TH,
    MISSING,
    NO_TH,
    STATUS_TH,
    YES_TH,
    district_label,
)
from kkdash.text import BIDI_CODES, CONTROL_CODES, LINE_SEPARATOR_CODES, char_class, spacing_characters

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AGENCY_COLUMNS = list(AGENCY_HEADERS_TH)
# Fields (not headers): the personal-data rule is decided before the columns get their Thai names.
# Whom to call and the chase log (its author and what was promised) are for the hr role only.
PERSONAL_COLUMNS = ("call_name", "call_position", "call_phone", "call_email", "call_source",
                    "last_action", "last_at", "last_by", "promised_on")
# A CSV has no types: Excel guesses each cell. `2023-07-01 09:00:00` (Bangkok wall-clock time) is
# read as a date-time whatever the regional settings, and shown in the officer's own date style (in
# Buddhist Era on a Thai-calendar Windows); the column then sorts and filters by time, and day and
# month cannot be swapped. BE text (`1 ก.ค. 2566 09:00`) reads nicely but stays text: it sorts
# `10 มิ.ย.` before `2 ก.ค.`; `1/7/2566` becomes 7 January or 1 July of CE 2566 on a Gregorian setting.
CSV_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# In the .xlsx dates are real date cells (Bangkok time); this only chooses how they are shown:
# Thai locale (041E), Buddhist calendar (07), Western digits (01) -> `1 ก.ค. 2566 09:00`.
XLSX_DATE_FORMAT = "[$-107041E]d mmm yyyy hh:mm"
DATA_SHEET, ABOUT_SHEET = "ข้อมูล", "เกี่ยวกับไฟล์นี้"
AGENCY_SHEET, LINK_SHEET = "สถานะหน่วยงาน", "ผลตรวจลิงก์"
# Excel measures a column in widths of its font's "0"; a Thai letter is about a fifth wider, and
# the marks above and below a letter take no width of their own.
THAI_LETTER_WIDTH = 1.2
MAX_COLUMN_WIDTH = 60
# Path and shell characters, white space, and the characters nobody types (kkdash.text): a direction
# override in a typed search must not make `abc\u202eslx.exe` of a file name.
_UNSAFE_IN_FILE_NAMES = re.compile(
    r'[\\/:*?"<>|\s' + char_class([*CONTROL_CODES, *BIDI_CODES, *LINE_SEPARATOR_CODES]) + "]+")


# What a cell of an .xlsx (XML 1.0) may hold: tab, line feed, carriage return and the printable
# characters; a control character, a lone surrogate or U+FFFE/U+FFFF makes openpyxl refuse the
# file, or Excel refuse to open it. The C1 controls are allowed by XML but are never typed text.
_NOT_FOR_EXCEL = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def excel_text(value: object) -> object:
    """A text cell -> the same without the characters a spreadsheet cannot hold; other values unchanged."""
    return _NOT_FOR_EXCEL.sub("", value) if isinstance(value, str) else value


def neutralize(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula -> the same text, quoted with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column (and header) without characters a spreadsheet cannot hold, and neutralised;
    numbers and booleans stay as they are."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            safe[column] = series.dt.tz_convert(BANGKOK).dt.tz_localize(None)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            safe[column] = series.map(lambda value: neutralize(excel_text(value)))
    return safe.rename(columns=lambda name: neutralize(excel_text(name)))


def agency_export(agencies: pd.DataFrame, *, include_personal: bool = True) -> pd.DataFrame:
    """Agency statuses -> the export HR opens in Excel: Thai headers and words, rate in percent.

    One row per agency, columns in AGENCY_HEADERS_TH order (contacts dropped when not allowed).
    Counts and the rate stay numbers, blank for an agency that has not reported (no report, no
    figures); dates stay date-times; codes and phones stay text.
    """
    agencies = agencies.assign(rejected=views.rejected_note(agencies, include_personal=include_personal),
                               status_words=views.status_words(agencies),
                               call_source=agencies["call_source"].map(CALL_SOURCE_TH).fillna(""))
    columns = [c for c in AGENCY_COLUMNS if (include_personal or c not in PERSONAL_COLUMNS) and c in agencies]
    table = agencies[columns].reset_index(drop=True)
    reported = table["status"].ne(MISSING)
    table["kind"] = table["kind"].map(KINDS_TH).fillna(table["kind"])
    table["status"] = agencies["status_words"].to_numpy()
    table["signing_rate"] = (table["signing_rate"].astype("float64") * 100).round(1).where(reported)
    # Not reported: unknown, not "no" (the follow-up page leaves it blank too).
    table["fully_signed"] = pd.Series([(YES_TH if full else NO_TH) if was else None
                                       for full, was in zip(table["fully_signed"], reported, strict=True)],
                                      index=table.index, dtype="object")
    if "last_action" in table:
        table["last_action"] = table["last_action"].map(ACTIONS_TH).fillna("")
    if "call_phone" in table:
        table["call_phone"] = table["call_phone"].map(lambda phones: ", ".join(
            str(phone_for_people(p.strip())) for p in phones.split(",")) if phones else "")
    return table.rename(columns=AGENCY_HEADERS_TH)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table -> CSV bytes that Excel opens with Thai intact (UTF-8 with BOM), formula-safe."""
    # CRLF, as Excel writes it; it also makes the writer quote a cell holding a lone CR, which
    # would otherwise split that row in two when the file is opened.
    text = safe_frame(frame).to_csv(index=False, date_format=CSV_DATE_FORMAT, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = DATA_SHEET,
               about: Sequence[tuple[str, str]] = ()) -> bytes:
    """A table -> .xlsx bytes; text stays text (phones keep their leading zero), formula-safe.

    The header row is frozen and carries an autofilter; columns fit their Thai text. ``about``
    (label, value) rows, when given, go on a second sheet saying what the file holds.
    """
    buffer = io.BytesIO()
    safe = safe_frame(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name)
        sheet = writer.sheets[sheet_name]
        _mark_text_cells(sheet, safe)
        _mark_date_cells(sheet, safe)
        _fit_columns(sheet, safe)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        if about:
            notes = safe_frame(pd.DataFrame(list(about), columns=["หัวข้อ", "รายละเอียด"]))
            notes.to_excel(writer, index=False, sheet_name=ABOUT_SHEET)
            _mark_text_cells(writer.sheets[ABOUT_SHEET], notes)
            _fit_columns(writer.sheets[ABOUT_SHEET], notes)
    return buffer.getvalue()


def _mark_text_cells(sheet, frame: pd.DataFrame) -> None:
    """Give text columns the '@' (Text) format so Excel does not turn '0812…' into a number."""
    for index, column in enumerate(frame.columns, start=1):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"


def _mark_date_cells(sheet, frame: pd.DataFrame) -> None:
    """Show date-time columns as `1 ก.ค. 2566 09:00`; the cells stay dates Excel sorts and filters."""
    for index, column in enumerate(frame.columns, start=1):
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = XLSX_DATE_FORMAT


def _fit_columns(sheet, frame: pd.DataFrame) -> None:
    """Widen each column to its widest value as Excel draws Thai, capped so a 10 000-character name stays usable."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(frame.columns, start=1):
        widest = max([cell_width(str(column)), *(cell_width(str(v)) for v in frame[column].head(500))])
        sheet.column_dimensions[get_column_letter(index)].width = round(min(MAX_COLUMN_WIDTH, widest + 2), 1)


def cell_width(text: str) -> float:
    """How many widths of "0" ``text`` takes in a spreadsheet cell: Thai letters a little more, marks none."""
    return sum((THAI_LETTER_WIDTH if "\u0e00" <= char <= "\u0e7f" else 1.0 for char in spacing_characters(text)), 0.0)


def write_table(frame: pd.DataFrame, path: Path | str, *, sheet_name: str = DATA_SHEET,
                about: Sequence[tuple[str, str]] = ()) -> None:
    """A table -> a .csv or .xlsx file, chosen by the file's suffix (an .xlsx gets ``about`` as its second sheet)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        data = csv_bytes(frame)
    elif suffix == ".xlsx":
        data = xlsx_bytes(frame, sheet_name=sheet_name, about=about)
    else:
        raise ValueError(f"ส่งออกได้เฉพาะไฟล์ .csv หรือ .xlsx (ได้รับ '{suffix or path}')")
    Path(path).write_bytes(data)


def links_export(agencies: pd.DataFrame) -> pd.DataFrame:
    """Agencies with their link-check status (views.with_link_status) -> the link export: the agency
    export's Thai headers for the fields they share, and the check's result in Thai words."""
    table = agencies[list(LINK_EXPORT_COLUMNS)].reset_index(drop=True)
    table["link_status"] = table["link_status"].map(LINK_STATUS_TH).fillna(table["link_status"])
    return table.rename(columns=COLUMN_HEADERS_TH)


def describe_filters(*, statuses: Sequence[str] = (), districts: Sequence[str] = (), kinds: Sequence[str] = (),
                     links: Sequence[str] = (), query: str = "", chase: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Chosen filters -> (what is filtered, the chosen values in Thai words); ``districts`` come as words
    already (`อ.พล`, `ระดับจังหวัด`); filters left empty are left out."""
    chosen = [("สถานะ", [FILTER_STATUS_TH.get(s, STATUS_TH.get(s, s)) for s in statuses]),
              ("อำเภอ", list(districts)), ("ประเภทหน่วยงาน", [KINDS_TH.get(k, k) for k in kinds]),
              ("ลิงก์ประกาศ", [LINK_STATUS_TH.get(s, s) for s in links]), ("ค้นหา", [query] if query else []),
              ("การติดตาม", [CHASE_FILTER_TH.get(c, c) for c in chase])]
    return [(name, ", ".join(values)) for name, values in chosen if values]


def describe_agency_filters(filters: views.AgencyFilters, agencies: pd.DataFrame) -> list[tuple[str, str]]:
    """The follow-up filters in Thai words, for a file name and an about sheet: districts as `อ.พล` or
    `ระดับจังหวัด`, named from all ``agencies`` (so a filter that matches nothing is still named)."""
    names = views.district_names(agencies)
    districts = [district_label("" if code == views.PROVINCE_FILTER else names.get(code, code))
                 for code in filters.districts]
    return describe_filters(statuses=filters.statuses, districts=districts, kinds=filters.kinds,
                            links=filters.links, query=filters.query, chase=filters.chase)


def export_file_name(as_of: datetime, filters: Sequence[tuple[str, str]], suffix: str, *,
                     prefix: str = "kkdash") -> str:
    """`kkdash-ยังไม่ส่ง-อ.พล-2566-07-07-1700.xlsx`: the filters' words and the moment (BE), safe in any folder."""
    local = as_of.astimezone(BANGKOK)
    parts = [prefix, *(_file_word(words) for _, words in filters),
             f"{be_year(local.year)}-{local:%m-%d-%H%M}"]
    return "-".join(part for part in parts if part) + suffix


def _file_word(words: str) -> str:
    """Filter words -> a file-name part: `ยังไม่ส่ง, ส่งล่าช้า` -> `ยังไม่ส่ง+ส่งล่าช้า` (at most 40 letters)."""
    joined = "+".join(_UNSAFE_IN_FILE_NAMES.sub("_", w.strip()).strip("_.") for w in words.split(", "))
    return joined[:40]


def about_rows(*, title: str, as_of: datetime, deadline, source: str, count: int,
               filters: Sequence[tuple[str, str]] = (), personal: bool | None = None,
               made_at: datetime | None = None) -> list[tuple[str, str]]:
    """What an export holds, for its second sheet: what, as of when, which filters, from where, how many."""
    rows = [("ไฟล์นี้คือ", title), ("สถานะ ณ", format_thai_date(as_of, with_time=True)),
            ("กำหนดส่ง", format_thai_date(deadline))]
    rows += [(f"ตัวกรอง: {name}", words) for name, words in filters] or [("ตัวกรอง", "ไม่ได้กรอง (ทุกหน่วยงาน)")]
    rows += [("จำนวนหน่วยงาน", f"{count:,}"), ("แหล่งข้อมูล", source)]
    if personal is not None:
        rows.append(("ข้อมูลติดต่อผู้รายงาน", "มี (ข้อมูลส่วนบุคคล ใช้เพื่อการติดตามเท่านั้น)" if personal else "ไม่มี"))
    if made_at is not None:
        rows.append(("สร้างไฟล์เมื่อ", format_thai_date(made_at, with_time=True)))
    return rows
