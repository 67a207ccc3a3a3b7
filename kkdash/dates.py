"""The Thai calendar as kkdash uses it: Bangkok time, Buddhist-Era years and Thai month names.

Every conversion between BE and CE, and every Thai date text kkdash writes, goes through here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
# A year this large can only be Buddhist Era: CE 2400 is far in the future.
BE_THRESHOLD = 2400
# The years a date of this campaign can fall in (CE): outside them a typed date is a typo, and the
# calendar arithmetic on either side (pandas stops at 2262) is not asked.
FIRST_YEAR, LAST_YEAR = 1900, 2200
THAI_MONTH_ABBR = ["", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                   "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
THAI_MONTH_NAMES = ["", "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
                    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
THAI_WEEKDAY_ABBR = ["จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา."]  # Monday first, as date.weekday() counts
_NEAR_DAYS = {0: "วันนี้", 1: "พรุ่งนี้", 2: "มะรืนนี้"}
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def ce_year(year: int) -> int:
    """A four-digit year as typed -> CE (2566 -> 2023; 2023 stays)."""
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def be_year(year: int) -> int:
    """A CE year -> Buddhist Era (2023 -> 2566)."""
    return year + BE_OFFSET


def parse_iso_day(text: str) -> date | None:
    """`YYYY-MM-DD` with a CE or BE year -> date; None when it names no day.

    The year is made CE before the calendar is asked, so 2567-02-29 (29 Feb 2024) is a day; a year
    outside FIRST_YEAR..LAST_YEAR (CE) names none.
    """
    match = _ISO_DAY.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    year = ce_year(year)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def end_of_day(day: date) -> datetime:
    """A day -> its last second in Bangkok (a deadline day ends then)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BANGKOK)


def in_bangkok(moment: datetime) -> datetime:
    """Any datetime -> the same moment in Bangkok (a naive one is taken as Bangkok time)."""
    return moment.replace(tzinfo=BANGKOK) if moment.tzinfo is None else moment.astimezone(BANGKOK)


def now() -> datetime:
    """This second in Bangkok."""
    return datetime.now(BANGKOK).replace(microsecond=0)


def format_thai_date(moment: date | datetime | None, *, with_time: bool = False) -> str:
    """A date -> `7 ก.ค. 2566` (with `14:05 น.` when asked); None -> ``-``."""
    if moment is None or pd.isna(moment):
        return "-"
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(BANGKOK)
    text = f"{moment.day} {THAI_MONTH_ABBR[moment.month]} {be_year(moment.year)}"
    if with_time and isinstance(moment, datetime):
        text += f" {moment:%H:%M} น."
    return text


def format_day_ahead(day: date, today: date) -> str:
    """A day someone promises for, as they say it: `พรุ่งนี้ · ศ. 4 ธ.ค. 2569`, `พฤ. 10 ธ.ค. 2569`."""
    words = f"{THAI_WEEKDAY_ABBR[day.weekday()]} {format_thai_date(day)}"
    near = _NEAR_DAYS.get((day - today).days)
    return f"{near} · {words}" if near else words


def thai_times(moments: pd.Series) -> pd.Series:
    """format_thai_date(t, with_time=True) for a whole column, built column-wise ('-' where missing)."""
    if moments.empty:  # text even with no rows: an empty list of agencies is still joined with other text
        return pd.Series([], index=moments.index, dtype="str")
    if not isinstance(moments.dtype, pd.DatetimeTZDtype):
        return moments.map(lambda t: format_thai_date(t, with_time=True))
    # A national registry has ~19 000 agencies: two columns of per-row formatting cost more than the page.
    local = moments.dropna().dt.tz_convert(BANGKOK)
    text = (local.dt.day.astype("str") + " " + local.dt.month.map(dict(enumerate(THAI_MONTH_ABBR))) + " "
            + (local.dt.year + BE_OFFSET).astype("str") + " " + local.dt.strftime("%H:%M") + " น.")
    return text.astype("str").reindex(moments.index, fill_value="-")
