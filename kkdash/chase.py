"""The chase log's rules: what HR may record against an agency, and what the log says per agency.

Pure: entries come in and go out as dataclasses and pandas frames; storing them is kkdash.store's job.
Text is stored as typed but inert: control characters and invisible direction controls are removed,
so a note can neither break a table nor turn itself around; the pages escape HTML when they show it
and the exports neutralise formulas (kkdash.export), so `<b>` and `=1+1` stay words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from kkdash.dates import BANGKOK, format_thai_date
from kkdash.errors import InputError
from kkdash.labels import ACTIONS_TH
from kkdash.text import BIDI_CODES, CONTROL_CODES, char_class

ACTIONS = ACTIONS_TH  # code -> Thai label, in the order the form offers them
# Two pages of A4 in Thai: room for a whole phone call, not for a pasted document.
NOTE_LIMIT = 2_000
BY_LIMIT = 200
SUBJECT_LIMIT = 300
RECIPIENT_LIMIT = 254  # the longest e-mail address SMTP carries
RECIPIENTS_LIMIT = 100
# A promise a year or more ahead is a slip of the calendar (a BE year read as CE), not a promise.
PROMISE_HORIZON = timedelta(days=366)

# The log as kkdash.store reads it, one row per entry, in this column order.
ENTRY_COLUMNS = ("id", "campaign", "agency_id", "action", "note", "promised_on", "by", "at", "corrects",
                 "subject", "recipients")
TEXT_COLUMNS = ("agency_id", "action", "note", "by", "subject")
# Control and direction characters (kkdash.text) are dropped; line breaks are made `\n` first.
_CONTROLS = re.compile(f"[{char_class([*CONTROL_CODES, *BIDI_CODES])}]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
_SPACES = re.compile(r"[\t\n ]+")
_QUOTE_LIMIT = 40


class EntryError(InputError):
    """A chase-log entry that cannot be recorded as given; the message says why, in Thai."""


@dataclass(frozen=True)
class NewEntry:
    """An action HR took about one agency in one campaign (keyed by its deadline), not yet stored."""

    campaign: date
    agency_id: str
    action: str
    note: str
    promised_on: date | None
    by: str
    corrects: int | None = None
    subject: str = ""
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Entry(NewEntry):
    """A stored entry: its number in the log and when it was recorded (Asia/Bangkok)."""

    id: int
    at: datetime


def scrub(value: object, *, multiline: bool = False) -> str:
    """Typed text -> the same text without control or direction characters, trimmed.

    Line breaks become `\\n` and are kept when `multiline`; otherwise runs of white space become one space.
    """
    text = "" if value is None else str(value)
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    if not multiline:
        text = _SPACES.sub(" ", text)
    return text.strip()


def new_entry(*, campaign: date, agency_id: str, action: str, note: str, promised_on: date | None, by: str,
              today: date, known_agencies: Collection[str], corrects: int | None = None, subject: str = "",
              recipients: Iterable[str] = ()) -> NewEntry:
    """What a person typed -> a NewEntry with inert text; raises EntryError with a Thai reason."""
    return NewEntry(
        campaign=_as_date(campaign),
        agency_id=_agency(agency_id, known_agencies),
        action=_action(action),
        note=_limited(scrub(note, multiline=True), NOTE_LIMIT, "บันทึก"),
        promised_on=_promise(promised_on, today=_as_date(today)),
        by=_by(by),
        corrects=_corrects(corrects),
        subject=_limited(scrub(subject), SUBJECT_LIMIT, "หัวเรื่อง"),
        recipients=_recipients(recipients),
    )


def action_choices() -> str:
    """The actions a person may pick, as `called (โทรแล้ว), no_answer (โทรไม่ติด), ...`."""
    return ", ".join(f"{code} ({label})" for code, label in ACTIONS.items())


def _quote(text: str) -> str:
    """Typed text -> itself in quotes for a message, shortened when long."""
    short = text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "…"
    return f"'{short}'"


def _as_date(value: date) -> date:
    """A date (a datetime counts as its Bangkok day) -> the date."""
    if isinstance(value, datetime):
        return value.astimezone(BANGKOK).date() if value.tzinfo else value.date()
    if not isinstance(value, date):
        raise EntryError(f"ต้องเป็นวันที่ (ได้รับ {_quote(scrub(value))})")
    return value


def _agency(agency_id: str, known_agencies: Collection[str]) -> str:
    """A typed agency code -> the code when the registry has it."""
    code = scrub(agency_id)
    if not code:
        raise EntryError("ต้องระบุรหัสหน่วยงาน")
    if code not in known_agencies:
        raise EntryError(f"ไม่พบหน่วยงานรหัส {_quote(code)} ในทะเบียนหน่วยงาน")
    return code


def _action(action: str) -> str:
    """A typed action, as its code or its Thai label -> the code."""
    typed = scrub(action)
    if not typed:
        raise EntryError(f"ต้องระบุการติดตาม: เลือกได้ {action_choices()}")
    by_label = {label: code for code, label in ACTIONS.items()}
    code = typed if typed in ACTIONS else by_label.get(typed)
    if code is None:
        raise EntryError(f"ไม่รู้จักการติดตาม {_quote(typed)}: เลือกได้ {action_choices()}")
    return code


def _limited(text: str, limit: int, what: str) -> str:
    """Text -> itself when at most `limit` characters long."""
    if len(text) > limit:
        raise EntryError(f"{what}ยาว {len(text):,} ตัวอักษร เกินที่รับได้ {limit:,} ตัวอักษร: ย่อให้สั้นลงแล้วบันทึกใหม่")
    return text


def _promise(promised_on: date | None, *, today: date) -> date | None:
    """The promised date -> itself when it is today or later, within a year."""
    if promised_on is None:
        return None
    promised = _as_date(promised_on)
    if promised < today:
        raise EntryError(f"วันที่รับปากจะส่ง ({format_thai_date(promised)}) ผ่านมาแล้ว: "
                         f"ต้องเป็นวันนี้ ({format_thai_date(today)}) หรือหลังจากนี้")
    if promised - today >= PROMISE_HORIZON:
        raise EntryError(f"วันที่รับปากจะส่ง ({format_thai_date(promised)}) ไกลเกิน 1 ปี: ตรวจปี พ.ศ. และ ค.ศ. อีกครั้ง")
    return promised


def _by(by: str) -> str:
    """Who records -> the name or e-mail, present and not too long."""
    name = scrub(by)
    if not name:
        raise EntryError("ต้องระบุผู้บันทึก (อีเมลที่ลงชื่อเข้าใช้ หรือชื่อที่พิมพ์)")
    return _limited(name, BY_LIMIT, "ชื่อผู้บันทึก")


def _corrects(corrects: int | None) -> int | None:
    """The number of the entry being corrected -> itself when a positive whole number."""
    if corrects is None:
        return None
    if isinstance(corrects, bool) or not isinstance(corrects, int) or corrects < 1:
        raise EntryError(f"ลำดับบันทึกที่จะแก้ไขต้องเป็นจำนวนเต็มบวก (ได้รับ {_quote(scrub(corrects))})")
    return corrects


def _recipients(recipients: Iterable[str]) -> tuple[str, ...]:
    """Typed recipients -> each scrubbed, blanks dropped, order kept."""
    if isinstance(recipients, str):
        recipients = [recipients]
    kept = tuple(text for text in (scrub(r) for r in recipients) if text)
    if len(kept) > RECIPIENTS_LIMIT:
        raise EntryError(f"ผู้รับมี {len(kept):,} ราย เกินที่รับได้ {RECIPIENTS_LIMIT:,} ราย")
    for recipient in kept:
        _limited(recipient, RECIPIENT_LIMIT, f"ผู้รับ {_quote(recipient)} ")
    return kept


def check_correction(entry: NewEntry, corrected: Entry | None) -> None:
    """A correction and the entry it names (None when there is none) -> EntryError unless it may correct it."""
    if entry.corrects is None:
        return
    if corrected is None:
        raise EntryError(f"ไม่พบบันทึกลำดับที่ {entry.corrects} ที่จะแก้ไข")
    if (corrected.agency_id, corrected.campaign) != (entry.agency_id, entry.campaign):
        raise EntryError(f"บันทึกลำดับที่ {entry.corrects} เป็นของหน่วยงาน {corrected.agency_id} "
                         f"รอบ {format_thai_date(corrected.campaign)}: แก้ไขได้เฉพาะบันทึกของหน่วยงานและรอบเดียวกัน")


def empty_entries() -> pd.DataFrame:
    """No entries, with the columns and types the store gives."""
    types = dict.fromkeys(ENTRY_COLUMNS, "object") | dict.fromkeys(TEXT_COLUMNS, "str")
    types |= {"id": "int64", "at": pd.DatetimeTZDtype("us", BANGKOK), "corrects": "Int64"}
    return pd.DataFrame({column: pd.Series(dtype=types[column]) for column in ENTRY_COLUMNS})


def entries_frame(entries: Iterable[Entry]) -> pd.DataFrame:
    """Entries -> the frame the store gives for them (ENTRY_COLUMNS, typed as empty_entries())."""
    rows = [{column: getattr(entry, column) for column in ENTRY_COLUMNS} for entry in entries]
    if not rows:
        return empty_entries()
    frame = pd.DataFrame(rows, columns=list(ENTRY_COLUMNS))
    return frame.astype(empty_entries().dtypes.to_dict()).assign(
        at=pd.to_datetime(frame["at"], utc=True).dt.tz_convert(BANGKOK).astype(pd.DatetimeTZDtype("us", BANGKOK)))


def visible(entries: pd.DataFrame, *, as_of: datetime | None) -> pd.DataFrame:
    """Entries -> those made at or before `as_of` (all when None; a naive time is Bangkok time)."""
    if as_of is None:
        return entries
    moment = pd.Timestamp(as_of)
    if moment.tzinfo is None:
        moment = moment.tz_localize(BANGKOK)
    return entries[entries["at"] <= moment]


def apply_corrections(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries -> one row per action taken: a corrected entry shows its latest correction's content.

    The row keeps the place and time (`at`) of the action first recorded, so correcting an old call
    does not make it the latest action; `corrected_at` is when it was last corrected (NaT if never).
    Rows in order of `at`, then id.
    """
    ordered = entries.sort_values(["at", "id"], kind="stable")
    root = _roots(ordered)
    winner = ordered.assign(root=root.to_numpy()).drop_duplicates("root", keep="last").set_index("root")
    first = ordered.set_index("id").loc[winner.index]
    result = winner.assign(
        corrected_at=winner["at"].where(winner["id"].to_numpy() != winner.index.to_numpy()),
        at=first["at"],
    )
    return result.sort_values(["at", "root"], kind="stable").reset_index(drop=True)


def _roots(entries: pd.DataFrame) -> pd.Series:
    """Entries -> for each, the id of the first entry in its chain of corrections (itself if none)."""
    ids = entries["id"]
    parent = pd.Series(entries["corrects"].to_numpy(), index=ids.to_numpy()).astype("Int64")
    parent = parent.where(parent.isin(ids))  # a correction of an entry not in view stands on its own
    root = pd.Series(ids.to_numpy(), index=ids.to_numpy(), dtype="int64")
    step = parent.copy()
    for _ in range(len(ids)):  # one hop per round; a chain is never longer than the log
        if step.isna().all():
            break
        root = step.fillna(root).astype("int64")
        step = parent.reindex(root.to_numpy()).set_axis(root.index)
    return pd.Series(root.to_numpy(), index=entries.index)


def visible_until(as_of: datetime) -> datetime:
    """A moment shown to the minute -> the last instant it covers (an entry at 16:00:59.5 is there at ณ 16:00 น.)."""
    return as_of.astimezone(BANGKOK).replace(second=59, microsecond=999_999)


def summarize(entries: pd.DataFrame, *, as_of: datetime | None = None) -> pd.DataFrame:
    """Entries -> one row per agency chased by `as_of`: the last action, when, by whom, the last promise.

    Index agency_id (sorted); columns last_action (a code of ACTIONS), last_at, last_by, last_note,
    promised_on (of the last action that gave one, or None) and entries (actions taken; a correction
    replaces what it corrects and adds none).
    """
    actions = apply_corrections(visible(entries, as_of=as_of))
    grouped = actions.groupby("agency_id", sort=True)
    last = grouped.tail(1).set_index("agency_id").sort_index()
    summary = pd.DataFrame({
        "last_action": last["action"],
        "last_at": last["at"],
        "last_by": last["by"],
        "last_note": last["note"],
        "promised_on": grouped["promised_on"].last().reindex(last.index).astype(object),
        "entries": grouped.size().reindex(last.index).astype("int64"),
    }, index=last.index)
    summary["promised_on"] = summary["promised_on"].where(summary["promised_on"].notna(), None)
    return summary


def chased_agencies(entries: pd.DataFrame, *, as_of: datetime | None = None) -> frozenset[str]:
    """Entries -> the agencies with at least one entry by `as_of`."""
    return frozenset(visible(entries, as_of=as_of)["agency_id"].unique())


def promise_passed(summary: pd.DataFrame, *, today: date) -> pd.Series:
    """A summary -> per agency, whether the promised date is before `today` (False without a promise)."""
    return summary["promised_on"].map(lambda promised: promised is not None and promised < today).astype(bool)
