"""Every sheet row -> parsed values and one fate: used, superseded, rejected or after the as-of time.

Contract section 4. Reasons and warnings are Thai sentences an HR officer can act on;
the ``notes`` table holds one line per reason or warning for the ``check`` command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kkdash import parsing
from kkdash.formats import int_texts
from kkdash.labels import AFTER_AS_OF, PERSONNEL_TH, REJECTED, SUPERSEDED, USED, WARNING
from kkdash.matching import Matcher, format_candidates
from kkdash.names import normalize_name
from kkdash.schema import COUNT_FIELDS, FIELDS, HEADERS_TH, PERSONNEL_TYPES, HeaderMap
from kkdash.sheet import RawSheet

NOTE_COLUMNS = ["row_number", "agency_name", "severity", "code", "message"]


@dataclass(frozen=True)
class ClassifiedRows:
    """All non-blank rows with parsed values and fate, plus one note per reason/warning."""

    rows: pd.DataFrame
    notes: pd.DataFrame
    blank_rows: int


def extract_fields(sheet: RawSheet, header_map: HeaderMap) -> pd.DataFrame:
    """RawSheet -> DataFrame with one text column per form field ('' when the sheet lacks it)."""
    columns = {}
    for field in FIELDS:
        position = header_map.column(field)
        columns[field] = sheet.cells[position] if position is not None else ""
    frame = pd.DataFrame(columns, index=sheet.cells.index).astype("str")
    frame.insert(0, "row_number", sheet.row_numbers)
    return frame


def drop_blank(frame: pd.DataFrame, sheet: RawSheet) -> tuple[pd.DataFrame, int]:
    """Rows whose every cell is blank are skipped and counted nowhere."""
    # A pasted zero-width space is as invisible in the sheet as an empty cell.
    blank = np.ones(len(sheet.cells), dtype=bool)
    rest = np.flatnonzero(blank)
    for _, column in sheet.cells.items():
        # Almost every row has a timestamp: later columns are read only where all before were blank,
        # and not at all once no row is left in doubt.
        if not rest.size:
            break
        if rest.size <= FEW_ROWS:
            # A blank row or two in a sheet thousands of columns wide: a look at each of their cells
            # costs less than one call into Arrow per column.
            values = column.array
            blank[rest] = [not _shows(values[int(row)]) for row in rest]
        else:
            picked = pa.array(column.array, type=pa.large_string(), from_pandas=True).take(rest)
            # A letter or digit settles a cell in bulk; only the others need the exact (per-cell) test.
            shown = pc.fill_null(pc.match_substring_regex(picked, "[0-9A-Za-zก-๛]"), False).to_numpy(
                zero_copy_only=False)
            blank[rest] = False
            unsure = rest[~shown]
            blank[unsure] = [not _shows(text) for text in picked.filter(pa.array(~shown)).to_pylist()]
        rest = rest[blank[rest]]
    return frame[~blank], int(blank.sum())


FEW_ROWS = 32


def _shows(text: object) -> bool:
    """A cell shows something once zero-width characters and white space are gone (NaN and None show nothing)."""
    return isinstance(text, str) and bool(text.translate(parsing.ZERO_WIDTH).strip())


def strip_control_characters(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Text fields -> the same without control characters, and per row the Thai names of the fields that had any.

    A vertical tab pasted into a name or a stray byte in a link would otherwise travel on to Excel
    (which refuses the file) and to terminals (which obey it); the row keeps a warning saying so.
    """
    where = pd.Series("", index=frame.index, dtype="str")
    for field in FIELDS:
        found = parsing.has_controls(frame[field])
        if not found.any():
            continue
        frame = frame.assign(**{field: frame[field].mask(found, frame.loc[found, field].map(parsing.strip_controls))})
        before = where.loc[found]
        where.loc[found] = (before + ", ").where(before.ne(""), "") + HEADERS_TH[field]
    return frame, where


def parse_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """Text fields -> typed columns beside them (``*_raw`` keeps what was typed)."""
    parsed = pd.DataFrame(index=frame.index)
    parsed["row_number"] = frame["row_number"]
    parsed["agency_name"] = frame["agency_name"].str.strip()
    parsed["district_raw"] = frame["district"].str.strip()
    parsed["submitted_at_raw"] = frame["submitted_at"]
    parsed["submitted_at"] = parsing.parse_datetime_series(frame["submitted_at"])
    parsed["declared_on_raw"] = frame["declared_on"]
    parsed["declared_on"] = parsing.map_unique(frame["declared_on"], parsing.parse_date)
    parsed["head_signed"] = parsing.map_unique(frame["head_signed"], parsing.parse_yes_no)
    for field in COUNT_FIELDS:
        parsed[f"{field}_raw"] = frame[field]
        parsed[field] = parsing.map_unique(frame[field], parsing.parse_count).astype("Float64")
    parsed["url_raw"] = frame["published_url"].str.strip()
    parsed["published_url"] = parsing.parse_url_series(frame["published_url"])
    parsed["reporter_name"] = parsing.map_unique(frame["reporter_name"], parsing.clean_text)
    parsed["reporter_position"] = parsing.map_unique(frame["reporter_position"], parsing.clean_text)
    parsed["reporter_phone"] = parsing.parse_phone_series(frame["reporter_phone"])
    # Checked only where a reminder is written to it (kkdash/reminders.py): most sheets never need it.
    parsed["reporter_email"] = parsing.map_unique(frame["reporter_email"], parsing.clean_text)
    return parsed


class NoteBook:
    """Collects reasons and warnings for masks of rows, then renders them per row and as notes."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self.rows = rows
        self.parts: list[pd.DataFrame] = []
        self._folded = False  # parts is one table already in order

    def add(self, mask: pd.Series, severity: str, code: str, message) -> None:
        """Record ``message`` for rows where mask holds.

        ``message`` is a string, a Series aligned to rows, or a function of the picked rows' index
        returning such a Series: a message quoting cells is then built only for the rows that get it.
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        picked = mask.index[mask.to_numpy()]
        if callable(message):
            message = message(picked)
        text = message.loc[picked] if isinstance(message, pd.Series) else pd.Series(message, index=picked)
        self.parts.append(pd.DataFrame({
            "row_number": self.rows.loc[mask, "row_number"],
            "agency_name": self.rows.loc[mask, "agency_name"],
            "severity": severity, "code": code, "message": text.astype("str"),
        }))
        self._folded = False

    def table(self) -> pd.DataFrame:
        """All notes, in sheet order, reasons before warnings within a row."""
        if not self.parts:
            return pd.DataFrame(columns=NOTE_COLUMNS)
        if not self._folded:
            # Fold the parts into one table in order, kept as the only part: joined() asks three times,
            # and a national sheet's notes are held once. A stable sort of (that table + later parts)
            # orders ties as sorting all the parts would.
            notes = pd.concat(self.parts)
            order = notes["severity"].map({REJECTED: 0, WARNING: 1})
            self.parts = [notes.assign(_o=order).sort_values(["row_number", "_o"], kind="stable").drop(columns="_o")]
            self._folded = True
        return self.parts[0]

    def joined(self, severity: str) -> pd.Series:
        """Per row: its messages of one severity joined with '; ' ('' when none)."""
        notes = self.table()
        messages = notes.loc[(notes["severity"] == severity).to_numpy(), "message"]
        return _join_runs(messages, "; ").reindex(self.rows.index, fill_value="")


def _join_runs(messages: pd.Series, separator: str) -> pd.Series:
    """Text with repeated index labels in runs (the notes are in row order) -> one joined text per label.

    Arrow joins each run in C: a national sheet has 100 000 rows with several notes.
    """
    if messages.empty:
        return messages
    labels = messages.index
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    text = pa.array(messages.to_numpy(dtype=object), type=pa.string())
    runs = pa.ListArray.from_arrays(pa.array(np.r_[starts, len(messages)], type=pa.int32()), text)
    return pd.Series(pd.array(pc.binary_join(runs, separator), dtype=messages.dtype), index=labels[starts])


def add_rejections(book: NoteBook, rows: pd.DataFrame) -> None:
    """Reasons a row cannot count: unreadable time, unknown agency, invalid counts."""
    raw_time = rows["submitted_at_raw"].str.strip()
    book.add(raw_time.eq(""), REJECTED, "no_timestamp", "ไม่มีเวลาประทับ (ประทับเวลา)")
    book.add(rows["submitted_at"].isna() & raw_time.ne(""), REJECTED, "bad_timestamp",
             lambda at: "อ่านเวลาประทับไม่ได้: '" + raw_time.loc[at] + "'")
    _add_match_rejections(book, rows)
    _add_count_rejections(book, rows)


def _add_match_rejections(book: NoteBook, rows: pd.DataFrame) -> None:
    method = rows["match_method"]
    book.add(method.eq("blank"), REJECTED, "no_agency", "ไม่ได้กรอกชื่อหน่วยงาน")
    name = rows["agency_name"]

    def candidates(at: pd.Index) -> pd.Series:
        return rows["candidates"].loc[at].map(format_candidates)

    book.add(method.eq("unmatched"), REJECTED, "unknown_agency",
             lambda at: "ไม่พบชื่อหน่วยงาน '" + name.loc[at] + "' ในทะเบียน — ชื่อที่ใกล้เคียง: " + candidates(at))
    book.add(method.eq("ambiguous"), REJECTED, "ambiguous_agency",
             lambda at: "ชื่อหน่วยงาน '" + name.loc[at] + "' ใกล้เคียงหลายหน่วยงาน ระบบไม่เดา — โปรดเลือก: "
             + candidates(at))


def _add_count_rejections(book: NoteBook, rows: pd.DataFrame) -> None:
    for field in COUNT_FIELDS:
        raw = rows[f"{field}_raw"]
        book.add(rows[field].isna(), REJECTED, "bad_count",
                 lambda at, field=field, raw=raw: f"จำนวน '{HEADERS_TH[field]}' อ่านไม่ได้ (ต้องเป็นจำนวนเต็มไม่ติดลบ): '"
                 + raw.loc[at].str.strip() + "'")
    for kind in PERSONNEL_TYPES:
        total, signed = rows[f"{kind}_total"], rows[f"{kind}_signed"]
        book.add(signed > total, REJECTED, "signed_over_total",
                 lambda at, kind=kind, total=total, signed=signed: f"{PERSONNEL_TH[kind]}: ลงนาม "
                 + int_texts(signed.loc[at], missing="?") + " คน มากกว่าจำนวนทั้งหมด "
                 + int_texts(total.loc[at], missing="?") + " คน")
    totals = rows[[f"{kind}_total" for kind in PERSONNEL_TYPES]]
    book.add(totals.notna().all(axis=1) & totals.sum(axis=1).eq(0), REJECTED, "zero_total",
             "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท")


def add_warnings(book: NoteBook, rows: pd.DataFrame, usable: pd.Series, district_names: pd.Series) -> None:
    """Things HR should know about a row that still counts."""
    def warn(mask, code, message):
        book.add(usable & mask, WARNING, code, message)

    url_raw = rows["url_raw"]
    warn(rows["controls_in"].ne(""), "control_characters",
         lambda at: "ตัดอักขระควบคุมที่มองไม่เห็น (เช่น จากการคัดลอกมาวาง) ออกจากช่อง " + rows["controls_in"].loc[at]
         + " แล้ว — ตรวจว่าข้อความที่เหลือถูกต้อง")
    warn(url_raw.eq(""), "no_url", "ไม่มีลิงก์ประกาศบนเว็บไซต์")
    warn(url_raw.ne("") & rows["published_url"].isna(), "bad_url",
         lambda at: "ลิงก์ประกาศ '" + url_raw.loc[at] + "' ใช้ไม่ได้ (ต้องเป็นที่อยู่เว็บไซต์ http/https) — นับว่ายังไม่เผยแพร่")
    warn(rows["head_signed"].eq(False), "head_not_signed", "หัวหน้าหน่วยงานไม่ได้ร่วมลงนาม")
    warn(rows["head_signed"].isna(), "head_unknown", "ไม่ได้ระบุว่าหัวหน้าหน่วยงานร่วมลงนามหรือไม่")
    warn(_district_differs(rows, district_names), "district_mismatch",
         lambda at: "อำเภอที่กรอก '" + rows["district_raw"].loc[at] + "' ไม่ตรงกับทะเบียน (" + district_names.loc[at] + ")")
    _add_declared_warnings(warn, rows)
    warn(rows["match_method"].eq("fuzzy"), "fuzzy_match",
         lambda at: "ชื่อที่กรอกสะกดต่างจากทะเบียน จับคู่กับ '" + rows["agency_name_registry"].loc[at] + "' (คะแนน "
         + rows["match_score"].loc[at].round(0).astype("Int64").astype("str") + ") — ตรวจสอบว่าถูกต้อง")


def _add_declared_warnings(warn, rows: pd.DataFrame) -> None:
    declared_raw = rows["declared_on_raw"].str.strip()
    warn(declared_raw.eq(""), "no_declared_on", "ไม่ได้ระบุวันที่ประกาศเจตนารมณ์")
    warn(declared_raw.ne("") & rows["declared_on"].isna(), "bad_declared_on",
         lambda at: "อ่านวันที่ประกาศเจตนารมณ์ไม่ได้: '" + declared_raw.loc[at] + "'")
    declared = pd.to_datetime(rows["declared_on"])
    submitted_day = rows["submitted_at"].dt.tz_localize(None).dt.normalize()
    warn(declared > submitted_day, "declared_after_submit", "วันที่ประกาศเจตนารมณ์อยู่หลังวันที่ส่งแบบรายงาน")


def _district_differs(rows: pd.DataFrame, district_names: pd.Series) -> pd.Series:
    """The typed district names another district than the registry's (blank answers pass)."""
    typed = parsing.map_unique(rows["district_raw"], _district_key)
    expected = parsing.map_unique(district_names, _district_key)
    codes = parsing.map_unique(rows["district_raw"], parsing.clean_text)
    return typed.ne("") & expected.ne("") & typed.ne(expected) & codes.ne(rows["district_code"])


def _district_key(text: object) -> str:
    """`อ. เมืองขอนแก่น`, `อำเภอเมืองขอนแก่น`, `เมืองขอนแก่น` -> the same key."""
    key = normalize_name(text)
    return key.removeprefix("อำเภอ")


@dataclass(frozen=True)
class PreparedRows:
    """Rows parsed, matched and checked: everything that does not depend on the as-of time.

    Parsing and matching are most of the cost, so the app keeps this per data version and only
    re-runs ``classify`` when someone moves the as-of control.
    """

    rows: pd.DataFrame
    notes: pd.DataFrame
    rejected: pd.Series
    reasons: pd.Series
    warnings: pd.Series
    blank_rows: int


def prepare_rows(sheet: RawSheet, header_map: HeaderMap, *, matcher: Matcher,
                 registry: pd.DataFrame, districts: pd.DataFrame) -> PreparedRows:
    """A raw sheet -> PreparedRows: every non-blank row parsed and matched, with its reasons and warnings."""
    fields, blank_rows = drop_blank(extract_fields(sheet, header_map), sheet)
    fields, controls = strip_control_characters(fields)
    rows = parse_fields(fields).assign(controls_in=controls)
    del fields  # the typed text that rows does not keep: ~150 MB at 580 000 rows
    rows = rows.join(matcher.match_series(rows["agency_name"]))
    rows = _attach_registry(rows, registry, districts)
    book = NoteBook(rows)
    add_rejections(book, rows)
    reasons = book.joined(REJECTED)
    rejected = reasons.ne("")
    # Warnings for every row that is not rejected; rows after T lose theirs in classify.
    add_warnings(book, rows, ~rejected, rows["district_name_registry"])
    return PreparedRows(rows=rows, notes=book.table(), rejected=rejected, reasons=reasons,
                        warnings=book.joined(WARNING), blank_rows=blank_rows)


def classify(prepared: PreparedRows, *, as_of: datetime) -> ClassifiedRows:
    """PreparedRows -> ClassifiedRows as of T: each row used, superseded, rejected or after T."""
    rows = prepared.rows
    # A readable time after T is not yet in the sheet, whatever else is wrong with the row;
    # an unreadable time (NaT compares False) is rejected whatever T is.
    after = rows["submitted_at"] > pd.Timestamp(as_of)
    rejected = prepared.rejected & ~after
    usable = ~rejected & ~after
    notes = prepared.notes[~prepared.notes["row_number"].isin(rows.loc[after, "row_number"])]
    classified = rows.assign(fate=_fates(rows, usable, rejected, after),
                             reason=prepared.reasons.where(rejected, ""),
                             warnings=prepared.warnings.where(~after, ""))
    return ClassifiedRows(rows=classified, notes=notes.reset_index(drop=True), blank_rows=prepared.blank_rows)


def _attach_registry(rows: pd.DataFrame, registry: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Add the matched agency's official name, district code and district name."""
    names = dict(zip(districts["district_code"], districts["name_th"], strict=True))
    lookup = registry.set_index("agency_id")
    rows["agency_name_registry"] = rows["agency_id"].map(lookup["name_th"]).fillna("")
    rows["district_code"] = rows["agency_id"].map(lookup["district_code"]).fillna("")
    rows["district_name_registry"] = rows["district_code"].map(names).fillna("")
    return rows


def _fates(rows: pd.DataFrame, usable: pd.Series, rejected: pd.Series, after: pd.Series) -> pd.Series:
    """Latest usable row per agency (ties: the lower sheet row) is used; earlier ones superseded."""
    fate = pd.Series(np.where(rejected, REJECTED, np.where(after, AFTER_AS_OF, SUPERSEDED)),
                     index=rows.index, dtype="str")
    candidates = rows.loc[usable, ["agency_id", "submitted_at", "row_number"]]
    latest = candidates.sort_values(["agency_id", "submitted_at", "row_number"]).drop_duplicates(
        "agency_id", keep="last").index
    fate.loc[latest] = USED
    return fate
