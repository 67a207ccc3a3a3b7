"""The moment to show as people type it (Buddhist era, Thai months, ISO) and as the typed box shows it."""

from datetime import UTC, date, datetime

import pytest

from kkdash.dates import BANGKOK
from kkdash.moments import campaign_days, moment_text, read_moment


@pytest.mark.parametrize(("typed", "moment"), [
    ("5/7/2566 16:00", datetime(2023, 7, 5, 16, 0)),
    ("2023-07-05T16:00", datetime(2023, 7, 5, 16, 0)),
    ("2566-07-05T16:00", datetime(2023, 7, 5, 16, 0)),
    ("5 ก.ค. 66", datetime(2023, 7, 5, 23, 59, 59)),  # no time of day: the end of that day
    ("๕ กรกฎาคม ๒๕๖๖", datetime(2023, 7, 5, 23, 59, 59)),
    ("7/7/2566", datetime(2023, 7, 7, 23, 59, 59)),  # the deadline day: "at the deadline"
])
def test_read_moment(typed, moment):
    assert read_moment(typed) == moment.replace(tzinfo=BANGKOK)


@pytest.mark.parametrize("typed", ["", "เมื่อวาน", "32/7/2566", "7/13/2566 10:00", None])
def test_an_unreadable_moment_is_none(typed):
    assert read_moment(typed) is None


def test_moment_text_reads_back_as_the_same_minute():
    moment = datetime(2023, 7, 5, 16, 7, 42, tzinfo=BANGKOK)
    assert moment_text(moment) == "5/7/2566 16:07"
    assert read_moment(moment_text(moment)) == moment.replace(second=0)
    assert moment_text(datetime(2023, 7, 5, 2, 0, tzinfo=UTC)) == "5/7/2566 09:00"  # shown in Bangkok time


def test_campaign_days_run_from_the_letter_to_a_month_after_the_deadline():
    days = campaign_days(date(2023, 7, 7))
    assert (days[0], days[11], days[-1], len(days)) == (date(2023, 6, 26), date(2023, 7, 7), date(2023, 8, 6), 42)
    assert campaign_days(date(2023, 7, 7), including=date(2024, 1, 2))[-1] == date(2024, 1, 2)
    assert campaign_days(date(2023, 7, 7), including=date(2023, 7, 1)) == days
