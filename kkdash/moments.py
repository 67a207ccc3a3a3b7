"""The moment to show, as people type and read it: Buddhist-Era text in, a Bangkok time out, and back.

The sidebar's typed moment and the CLI's `--as-of` read the same way: `5/7/2566 16:00`,
`5 ก.ค. 66`, `2023-07-05T16:00` (any form kkdash.parsing reads). A moment typed without a time of
day means the end of that day, so `7/7/2566` is "at the deadline".
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from kkdash.dates import BANGKOK, be_year, end_of_day, in_bangkok
from kkdash.metrics import TIMELINE_AFTER_DEADLINE, campaign_start
from kkdash.parsing import clean_text, parse_datetime

# A typed moment names a time of day when it ends in one (`17:00`, `16.30 น.`) or is ISO with `T`.
_TIME_OF_DAY = re.compile(r"\d[:.]\d{2}(?:[:.]\d{2})?(?:\s*น\.?)?\s*$|T\d")
EXAMPLES = "5/7/2566 16:00 หรือ 5 ก.ค. 66"


def read_moment(text: object) -> datetime | None:
    """A typed moment -> Bangkok time (a bare date: the last second of that day); None when unreadable."""
    moment = parse_datetime(text)
    if moment is None:
        return None
    return in_bangkok(moment) if _TIME_OF_DAY.search(clean_text(text)) else end_of_day(moment.date())


def moment_text(moment: datetime) -> str:
    """A moment -> `5/7/2566 16:00`: what the typed box shows, and reads back as the same minute."""
    local = moment.astimezone(BANGKOK)
    return f"{local.day}/{local.month}/{be_year(local.year)} {local:%H:%M}"


def campaign_days(deadline: date, *, including: date | None = None) -> list[date]:
    """The days a person picks from: the letter's day to a month after the deadline (and ``including``)."""
    first, last = campaign_start(deadline), deadline + TIMELINE_AFTER_DEADLINE
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if including is not None and including not in days:
        days = sorted([*days, including])
    return days
