"""Reminder e-mails sent and remembered: the 24-hour rule, and every sent message written into the chase log.

Between kkdash.mail (the SMTP edge) and kkdash.store (the chase log): a message goes out only when
its agency was not e-mailed within the last `resend_hours` (unless sent again on purpose), and each
one the server accepts becomes an `email` entry with its subject and recipients the moment it is sent,
so a batch cut short by a crash is still remembered for what it did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import pandas as pd

from kkdash import chase, mail
from kkdash.dates import now as bangkok_now
from kkdash.labels import SENT
from kkdash.reminders import Message
from kkdash.settings import SmtpSettings

EMAIL = "email"


def recently_emailed(entries: pd.DataFrame, *, hours: float, now: datetime) -> frozenset[str]:
    """The chase log -> the agencies a reminder e-mail went to within the last ``hours``."""
    recent = entries[entries["action"].eq(EMAIL) & (entries["at"] >= pd.Timestamp(now - timedelta(hours=hours)))]
    return frozenset(recent["agency_id"])


def held_back(messages: Sequence[Message], recent: frozenset[str], *, again: bool) -> tuple[list, list]:
    """Messages -> (those to send, those held back because their agency was e-mailed recently; none if ``again``)."""
    if again:
        return list(messages), []
    return ([m for m in messages if m.agency_id not in recent], [m for m in messages if m.agency_id in recent])


def send_and_log(messages: Sequence[Message], smtp: SmtpSettings, log, *, campaign: date, by: str,
                 known: frozenset[str], pace_seconds: float,
                 progress: Callable[[int, int, mail.Delivery], None] | None = None,
                 should_stop: Callable[[], bool] | None = None, sleep=None) -> list[mail.Delivery]:
    """Send the messages (kkdash.mail.send_batch) and record each sent one in ``log`` as it goes.

    Raises MailError before anything is sent when the server cannot be used (bad login, no TLS, down).
    """
    def record(done: int, total: int, delivery: mail.Delivery) -> None:
        if delivery.status == SENT:
            log.add(chase.new_entry(campaign=campaign, agency_id=delivery.agency_id, action=EMAIL,
                                    note=delivery.reason, promised_on=None, by=by, today=bangkok_now().date(),
                                    known_agencies=known, subject=delivery.subject,
                                    recipients=delivery.recipients))
        if progress is not None:
            progress(done, total, delivery)

    options = {"sleep": sleep} if sleep is not None else {}
    return mail.send_batch(messages, smtp, pace_seconds=pace_seconds, progress=record, should_stop=should_stop,
                           **options)
