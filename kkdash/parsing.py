"""Thai text as people type it into a Google Form -> typed values.

Every scalar parser returns ``None`` for a value it cannot read rather than raising:
the classifier turns that into a reason a person can act on. The ``*_series``
functions parse whole columns, each distinct value once, because real sheets repeat
the same text (counts, names, yes/no) thousands of times.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kkdash.dates import BANGKOK, BE_OFFSET, BE_THRESHOLD, FIRST_YEAR, LAST_YEAR, ce_year
from kkdash.text import BIDI_CODES, CONTROL_CODES, char_class

TWO_DIGIT_BE_FROM = 40
# Google Sheets counts days from 1899-12-30 (Lotus 1-2-3's leap-year bug, kept).
SHEETS_EPOCH = datetime(1899, 12, 30)

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Zero-width characters and the invisible direction marks that pasting from web pages brings along:
# dropped without a word, as nothing of what was meant is lost.
ZERO_WIDTH = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *BIDI_CODES], None)
# Control characters (kkdash.text.CONTROL_CODES) are dropped with a warning, as the text around them may
# be damaged. The separators among them (vertical tab, form feed, the information separators, next
# line) stood between words, so they become a space.
CONTROL_CHARACTERS = char_class(CONTROL_CODES)
CONTROL_SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
CONTROLS = {code: (" " if chr(code) in CONTROL_SEPARATORS else None) for code in CONTROL_CODES}
# One pass instead of three: the tables share no character.
CLEAN = {**ZERO_WIDTH, **THAI_DIGITS, **CONTROLS}

THAI_MONTHS = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11, "ธันวาคม": 12,
    "มค": 1, "กพ": 2, "มีค": 3, "เมย": 4, "พค": 5, "มิย": 6,
    "กค": 7, "สค": 8, "กย": 9, "ตค": 10, "พย": 11, "ธค": 12,
}

_NUMERIC_DT = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})"
    r"(?:,?\s*(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
_ISO_DT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_SERIAL = re.compile(r"^\d{4,6}(?:\.\d+)?$")
_THAI_MONTH_DT = re.compile(
    r"^(\d{1,2})\s*([ก-๛.]+?)\s*(?:พ\.?ศ\.?)?\s*(\d{2}|\d{4})"
    r"(?:,?\s*(?:เวลา)?\s*(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*(?:น\.?)?)?$"
)
_COUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$")
_COUNT_UNIT = re.compile(r"\s*(?:คน|ราย|ท่าน|persons?|people)$", re.IGNORECASE)
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_FLOAT_TAIL = re.compile(r"(?<=\d)\.0+$")
_LABEL = r"[a-z0-9\u0e00-\u0e7f](?:[a-z0-9\u0e00-\u0e7f-]*[a-z0-9\u0e00-\u0e7f])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$", re.IGNORECASE)
_SPACE = re.compile(r"\s")  # the same characters as str.isspace, searched in C rather than per character

YES_WORDS = frozenset({"ใช่", "ลงนาม", "ลงนามแล้ว", "yes", "y", "true", "1", "✓", "✔"})
NO_WORDS = frozenset({"ไม่ใช่", "ไม่", "ไม่ได้ลงนาม", "ยังไม่ลงนาม", "no", "n", "false", "0"})


def clean_text(value: object) -> str:
    """Any cell -> text without zero-width characters, Thai digits as ASCII, trimmed."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).translate(CLEAN).strip()


def strip_controls(text: str) -> str:
    """Typed text -> the same text without control characters (a separator among them becomes a space)."""
    return text.translate(CONTROLS)


def has_controls(series: pd.Series) -> pd.Series:
    """Which cells of a text column hold a control character.

    Almost no column has one, so the column's UTF-8 bytes are scanned first in bulk for a byte that
    can start one (a C0 byte, DEL, the 0xC2 that leads C1, the 0xEF that leads U+FFFE/U+FFFF);
    only a column with such a byte is searched cell by cell (by Arrow's regex, in C).
    """
    text = pa.array(series.array, type=pa.large_string(), from_pandas=True)
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    if not any(_may_hold_controls(chunk) for chunk in chunks):
        return pd.Series(False, index=series.index)
    found = pc.fill_null(pc.match_substring_regex(text, f"[{CONTROL_CHARACTERS}]"), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index)


_CONTROL_LEAD_BYTES = (0x7F, 0xC2, 0xEF)  # DEL; the lead bytes of U+0080-U+00BF and of U+F000-U+FFFF


def _may_hold_controls(chunk: pa.Array) -> bool:
    """True when a string array's bytes include one that can begin a control character."""
    data = chunk.buffers()[2] if len(chunk) else None
    if data is None:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    low = raw[raw < 0x20]  # tabs and line breaks, if anything
    if ((low != 0x09) & (low != 0x0A) & (low != 0x0D)).any():
        return True
    return any((raw == lead).any() for lead in _CONTROL_LEAD_BYTES)


# clean_text's table as two scans, for text that loses its white space anyway: str.translate
# looks every Thai letter up in a dict (~40 ns each), a regex scan skips them in C.
_INVISIBLE = re.compile(r"[\s" + re.escape("".join(map(chr, ZERO_WIDTH))) + "]+")
_THAI_DIGIT = re.compile("[๐-๙]")


def squeeze_text(text: str) -> str:
    """Text -> clean_text(text) with every white space removed too (names compare that way)."""
    return _THAI_DIGIT.sub(lambda m: m.group(0).translate(THAI_DIGITS), _INVISIBLE.sub("", text))


def expand_year(year: int) -> int | None:
    """A typed year (2- or 4-digit, BE or CE) -> CE year, or None when implausible."""
    if year < 100:
        # Two-digit years are Buddhist Era in Thai offices ("มิ.ย. 66" is 2566); below 40 they can
        # only be CE ("23" for 2023), since BE 2523 is 1980, decades before any campaign here.
        year += 2500 if year >= TWO_DIGIT_BE_FROM else 2000
    year = ce_year(year)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def _build(year: int, month: int, day: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime | None:
    """Parts as typed -> Bangkok datetime, or None when the parts make no date."""
    year_ce = expand_year(year)
    if year_ce is None:
        return None
    try:
        return datetime(year_ce, month, day, hh, mm, ss, tzinfo=BANGKOK)
    except ValueError:
        return None


def _int_or_zero(text: str | None) -> int:
    return int(text) if text else 0


def _from_numeric(text: str) -> datetime | None:
    """`26/6/2566, 9:15:02` and its variants (day/month/year, BE or CE)."""
    m = _NUMERIC_DT.match(text)
    if not m:
        return None
    d, mo, y, hh, mi, ss = m.groups()
    return _build(int(y), int(mo), int(d), _int_or_zero(hh), _int_or_zero(mi), _int_or_zero(ss))


def _from_iso(text: str) -> datetime | None:
    """`2023-06-26 09:15:02`, with an optional offset; a naive time is Bangkok time."""
    m = _ISO_DT.match(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss, tz = m.groups()
    local = _build(int(y), int(mo), int(d), _int_or_zero(hh), _int_or_zero(mi), _int_or_zero(ss))
    if local is None or not tz:
        return local
    offset = timedelta(0) if tz == "Z" else _offset(tz)
    naive = local.replace(tzinfo=None) - offset
    return naive.replace(tzinfo=ZoneInfo("UTC")).astimezone(BANGKOK)


def _offset(tz: str) -> timedelta:
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _from_serial(text: str) -> datetime | None:
    """A Sheets serial number (days since 1899-12-30) -> Bangkok datetime."""
    if not _SERIAL.match(text):
        return None
    days = float(text)
    # 20 000 is 1954 and 80 000 is 2119: outside that it is not a date of this campaign.
    if not 20_000 <= days <= 80_000:
        return None
    moment = SHEETS_EPOCH + timedelta(days=days)
    return moment.replace(microsecond=0, tzinfo=BANGKOK) + _round_half_second(moment)


def _round_half_second(moment: datetime) -> timedelta:
    """Serials are floats; round to the nearest second rather than truncating 9:15:01.9999."""
    return timedelta(seconds=1) if moment.microsecond >= 500_000 else timedelta(0)


def month_from_thai(word: str) -> int | None:
    """`มิถุนายน`, `มิ.ย.`, `มิย` -> 6."""
    return THAI_MONTHS.get(word.replace(".", "").replace(" ", ""))


def _from_thai_month(text: str) -> datetime | None:
    """`26 มิถุนายน 2566`, `26 มิ.ย. 66`, with an optional time."""
    m = _THAI_MONTH_DT.match(text.removeprefix("วันที่").strip())
    if not m:
        return None
    d, month_word, y, hh, mi, ss = m.groups()
    month = month_from_thai(month_word)
    if month is None:
        return None
    return _build(int(y), month, int(d), _int_or_zero(hh), _int_or_zero(mi), _int_or_zero(ss))


_DATETIME_READERS = (_from_numeric, _from_iso, _from_serial, _from_thai_month)


def parse_datetime(value: object) -> datetime | None:
    """Any timestamp or date form of the contract -> tz-aware Bangkok datetime, or None."""
    text = clean_text(value)
    if not text:
        return None
    for reader in _DATETIME_READERS:
        parsed = reader(text)
        if parsed is not None:
            return parsed
    return None


def parse_date(value: object) -> date | None:
    """A typed date (any datetime form, Thai month names too) -> date, or None."""
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def parse_count(value: object) -> int | None:
    """`12`, `๑๒`, `12 คน`, `1,234`, `12.0`, blank, `-` -> int; anything else -> None."""
    text = _COUNT_UNIT.sub("", clean_text(value)).strip()
    if text in ("", "-", "–", "—"):
        return 0
    m = _COUNT.match(text)
    return int(m.group(1).replace(",", "")) if m else None


def parse_yes_no(value: object) -> bool | None:
    """`ใช่` / `ไม่ใช่` (and English yes/no) -> bool; blank or other -> None."""
    text = clean_text(value).casefold()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return None


def parse_phone(value: object) -> str:
    """A phone as typed -> digits with the leading zero a spreadsheet dropped put back."""
    text = clean_text(value)
    # A number cell read as a float ("812345678.0"): drop ".0" before dots are taken as separators.
    digits = _PHONE_SEPARATORS.sub("", _FLOAT_TAIL.sub("", text))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    if not digits.isdigit():
        # Extensions and notes ("ต่อ 12") are kept as typed: a person can still dial them.
        return text
    if not digits.startswith("0") and len(digits) in (8, 9):
        digits = "0" + digits
    return digits


def parse_phone_series(series: pd.Series) -> pd.Series:
    """A column of typed phones -> parse_phone of each; cells of only digits and dashes in bulk."""
    # Most phones are typed plainly; for those parse_phone only drops dashes and restores the zero.
    series = series.astype("str")
    plain = series.str.fullmatch(r"[0-9][0-9-]*", na=False)
    digits = series[plain].str.replace("-", "", regex=False)
    dropped_zero = ~digits.str.startswith("0") & digits.str.len().isin([8, 9])
    bulk = digits.where(~dropped_zero, "0" + digits)
    return pd.concat([bulk, map_unique(series[~plain], parse_phone)]).reindex(series.index)


def parse_url(value: object) -> str | None:
    """A typed link -> an http(s) URL, or None when it is not a web address we may link to."""
    text = clean_text(value)
    if not text or _SPACE.search(text):
        return None
    if "://" not in text:
        if ":" in text.split("/")[0]:
            return None  # javascript:alert(1), mailto:x — a scheme, not a bare host
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None  # "[ลิงก์]" reads as a broken IPv6 address: urlsplit raises
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = parts.hostname or ""
    return text if _HOST.match(host) else None


_ASCII_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# Links whose reading is plain: ASCII, no spaces, a host of two or more labels and no port or user.
# parse_url would return them as typed (with https:// added when there is no scheme), so a whole
# column's worth are settled by one regex in C; everything else goes through parse_url.
_PLAIN_URL = (rf"(?i)^(?:https?://{_ASCII_LABEL}(?:\.{_ASCII_LABEL})+(?:[/?#][!-~]*)?"
              rf"|{_ASCII_LABEL}(?:\.{_ASCII_LABEL})+(?:/[!-~]*)?)$")


def parse_url_series(series: pd.Series) -> pd.Series:
    """A column of typed links -> what parse_url gives for each, the plain ones read in bulk."""
    def read(values: pd.Series) -> list[str | None]:
        text = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_URL), False).to_numpy(zero_copy_only=False)
        schemed = pc.fill_null(pc.match_substring_regex(text, "://"), False).to_numpy(zero_copy_only=False)
        return [(value if schemed[i] else "https://" + value) if plain[i] else parse_url(value)
                for i, value in enumerate(values)]

    return map_unique_bulk(series, read)


def map_unique(series: pd.Series, func) -> pd.Series:
    """Apply ``func`` once per distinct value of ``series`` and spread the results back."""
    # tolist(): iterating an Arrow-backed Series goes through pandas one value at a time.
    return map_unique_bulk(series, lambda values: [func(value) for value in values.tolist()])


def map_unique_bulk(series: pd.Series, func) -> pd.Series:
    """Like map_unique, but ``func`` takes all the distinct values at once and returns a list."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if not len(uniques):
        return series.map({})
    # Spread by code rather than Series.map(dict), which hashes every row again; a Series built from
    # the results infers its dtype as map would from the same values.
    results = pd.Series(func(pd.Series(uniques)))
    return pd.Series(results.array.take(codes), index=series.index, name=series.name)


def to_bangkok_series(values: list[datetime | None], index: pd.Index) -> pd.Series:
    """Parsed datetimes (or None) -> a tz-aware Bangkok datetime64 series."""
    return pd.Series(pd.to_datetime(values, utc=True), index=index).dt.tz_convert(BANGKOK)


def parse_datetime_series(series: pd.Series) -> pd.Series:
    """A column of typed timestamps -> Bangkok datetimes (NaT where unreadable)."""
    fast = _fast_numeric_datetimes(series)
    missing = fast.isna() & series.str.strip().ne("")
    if missing.any():
        slow = map_unique(series[missing], parse_datetime)
        fast.loc[missing] = to_bangkok_series(slow.tolist(), slow.index)
    return fast


# The Forms layout `d/m/yyyy, h:mm:ss`, and ISO `yyyy-mm-dd hh:mm:ss` without an offset (what a sheet
# formatted as dates exports). Seconds 60 and 61 are left out: the scalar parser refuses them.
_FORMS_DT = r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}),?\s+(?P<H>\d{1,2}):(?P<M>[0-5]\d):(?P<S>[0-5]\d)$"
_PLAIN_ISO_DT = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[T\s]+(?P<H>\d{1,2}):(?P<M>[0-5]\d):(?P<S>[0-5]\d)$"


def _fast_numeric_datetimes(series: pd.Series) -> pd.Series:
    """Vectorised path for the Forms layout `d/m/yyyy, h:mm:ss` that almost every row has, and plain ISO.

    Arrow's regex splits the parts in C (str.extract would make six Python strings a row) and the
    date is built from them with numpy, so a BE year is made CE before the calendar is consulted:
    29/2/2567 is a date (2024 CE), 29/2/2566 is not. Whatever this path leaves unread (Thai digits,
    other layouts, impossible dates) falls to the scalar parser.
    """
    text = pc.utf8_trim_whitespace(pa.array(series.array, type=pa.large_string(), from_pandas=True))
    forms, iso = pc.extract_regex(text, _FORMS_DT), pc.extract_regex(text, _PLAIN_ISO_DT)
    fields = {name: pc.fill_null(pc.cast(pc.coalesce(pc.struct_field(forms, name), pc.struct_field(iso, name)),
                                         pa.int64()), 0).to_numpy(zero_copy_only=False)
              for name in ("d", "m", "y", "H", "M", "S")}
    year = np.where(fields["y"] >= BE_THRESHOLD, fields["y"] - BE_OFFSET, fields["y"])
    month, day = fields["m"], fields["d"]
    matched = pc.or_(pc.is_valid(forms), pc.is_valid(iso)).to_numpy(zero_copy_only=False)
    valid = (matched & (year >= FIRST_YEAR) & (year <= LAST_YEAR)
             & (month >= 1) & (month <= 12) & (day >= 1) & (fields["H"] <= 23))
    months = np.where(valid, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    valid &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    seconds = (first.astype("datetime64[s]") + ((day - 1) * 86_400 + fields["H"] * 3_600
                                                 + fields["M"] * 60 + fields["S"]).astype("timedelta64[s]"))
    stamps = np.where(valid, seconds, np.datetime64("NaT", "s")).astype("datetime64[ns]")
    return pd.Series(stamps, index=series.index).dt.tz_localize(BANGKOK)
