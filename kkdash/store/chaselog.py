"""The chase log in a SQL database: append entries, read a campaign's entries as a DataFrame."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, String, func, insert, select, type_coerce

from kkdash.chase import ENTRY_COLUMNS, Entry, NewEntry, check_correction, empty_entries
from kkdash.dates import BANGKOK
from kkdash.store import migration
from kkdash.store.engine import build_engine, parse_url, where
from kkdash.store.errors import VERSION, store_error, translated
from kkdash.store.schema import chase_log

DEFAULT_TIMEOUT = 5.0
_T = chase_log.c
# The log's columns in ENTRY_COLUMNS order (the author is `by` outside the database).
_COLUMNS = [_T.id, _T.campaign, _T.agency_id, _T.action, _T.note, _T.promised_on, _T.author, _T.at, _T.corrects,
            _T.subject, _T.recipients]
# Reading many entries: the campaign is known, and dates and times skip SQLAlchemy's per-row conversion
# (pandas converts whole columns); the frame is sorted by pandas too, faster than the database's ORDER BY.
_READ_NAMES = ("id", "agency_id", "action", "note", "promised_on", "by", "at", "corrects", "subject", "recipients")
_READ = select(_T.id, _T.agency_id, _T.action, _T.note, type_coerce(_T.promised_on, String), _T.author,
               type_coerce(_T.at, String), _T.corrects, _T.subject, _T.recipients)


class ChaseLog:
    """The chase log at a database URL; opening it creates the file or brings its schema forward.

    Entries are only ever added: there is no way here to change or remove one, and the database's
    triggers refuse it from anywhere else. Every fault leaves as a StoreError with a Thai message.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT):
        """A SQLite or PostgreSQL URL and the seconds to wait for a busy database -> the open log."""
        self._url = parse_url(url)
        self.where = where(self._url)
        with self._guard("open"):
            self._engine = build_engine(self._url, timeout=timeout)
        try:
            self._migrate()
        except BaseException:
            self._engine.dispose()
            raise

    def __repr__(self) -> str:
        """Show where the log is, never the password."""
        return f"ChaseLog({self.where!r})"

    def __enter__(self) -> ChaseLog:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for health checks and tests; entries go through add)."""
        return self._engine

    def _guard(self, operation: str):
        """What is being done -> a context turning database faults into StoreError."""
        return translated(operation, self.where, password=self._url.password)

    def _migrate(self) -> None:
        """Create the log or bring its schema to the newest revision; refuse a schema newer than the code."""
        with self._guard("open"):
            found = migration.current(self._engine)
        if found is not None and found not in migration.revisions():
            raise store_error(VERSION, "open", f"{self.where} รุ่น {found}")
        if found != migration.head():
            with self._guard("open"):
                migration.upgrade(self._engine)

    def add(self, entry: NewEntry, *, at: datetime | None = None) -> Entry:
        """A checked entry (kkdash.chase.new_entry) and when it happened (now when None) -> the stored Entry."""
        moment = datetime.now(UTC) if at is None else at
        if moment.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        with self._guard("write"), self._engine.connect() as connection:
            connection.execution_options(writes=True)
            with connection.begin():
                check_correction(entry, self._entry(connection, entry.corrects))
                row = _row(entry, moment)
                entry_id = connection.execute(insert(chase_log).values(row).returning(_T.id)).scalar_one()
        return Entry(**vars(entry), id=entry_id, at=moment.astimezone(BANGKOK))

    def _entry(self, connection: Connection, entry_id: int | None) -> Entry | None:
        """An entry's number -> the stored Entry, or None when there is none (or no number)."""
        if entry_id is None:
            return None
        row = connection.execute(select(*_COLUMNS).where(_T.id == entry_id)).first()
        if row is None:
            return None
        values = dict(zip(ENTRY_COLUMNS, row, strict=True))
        values["recipients"] = tuple(json.loads(values["recipients"]))
        values["at"] = values["at"].astimezone(BANGKOK)
        return Entry(**values)

    def entries(self, *, campaign: date, agency_id: str | None = None, until: datetime | None = None) -> pd.DataFrame:
        """A campaign (its deadline), optionally one agency and a moment -> its entries, oldest first.

        Columns ENTRY_COLUMNS: at in Asia/Bangkok, campaign and promised_on as dates (None when no
        promise), corrects nullable Int64, recipients tuples. Entries made after `until` are left out.
        """
        query = _READ.where(_T.campaign == campaign)
        if agency_id is not None:
            query = query.where(_T.agency_id == agency_id)
        if until is not None:
            query = query.where(_T.at <= until)
        with self._guard("read"), self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return _frame(rows, campaign)

    def refresh(self, entries: pd.DataFrame, *, campaign: date) -> pd.DataFrame:
        """A campaign's entries read earlier (entries() or refresh()) -> its entries now, reading only new ones.

        The log only grows, so what was read stays true; the entries with numbers up to the highest read
        are counted to make sure none committed late (PostgreSQL hands out numbers before commit). When
        they do not add up, everything is read again.
        """
        seen = int(entries["id"].max()) if len(entries) else 0
        counted = select(func.count()).where(_T.campaign == campaign, _T.id <= seen)
        with self._guard("read"), self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")  # one snapshot for both reads
            with connection.begin():
                whole = connection.execute(counted).scalar_one() != len(entries)
                query = _READ.where(_T.campaign == campaign)
                rows = connection.execute(query if whole else query.where(_T.id > seen)).all()
        if whole:
            return _frame(rows, campaign)
        if not rows:
            return entries
        return _sorted(pd.concat([entries, _frame(rows, campaign)], ignore_index=True))

    def campaigns(self) -> list[date]:
        """The campaigns (deadlines) that have entries, newest first."""
        query = select(_T.campaign).distinct().order_by(_T.campaign.desc())
        with self._guard("read"), self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def close(self) -> None:
        """Close every pooled connection (the log can be opened again with a new ChaseLog)."""
        self._engine.dispose()


def _row(entry: NewEntry, moment: datetime) -> dict:
    """An entry and its time -> the values of its chase_log row."""
    return {
        "campaign": entry.campaign, "agency_id": entry.agency_id, "action": entry.action, "note": entry.note,
        "promised_on": entry.promised_on, "author": entry.by, "at": moment, "corrects": entry.corrects,
        "subject": entry.subject, "recipients": json.dumps(list(entry.recipients), ensure_ascii=False),
    }


def _frame(rows: list, campaign: date) -> pd.DataFrame:
    """Rows of _READ and their campaign -> the entries frame, typed as empty_entries(), oldest first.

    Column by column and each distinct value once: a campaign can hold 100 000 entries.
    """
    if not rows:
        return empty_entries()
    values = dict(zip(_READ_NAMES, zip(*rows, strict=True), strict=True))
    frame = pd.DataFrame({
        "id": pd.Series(values["id"], dtype="int64"),
        "campaign": pd.Series([campaign] * len(rows), dtype=object),
        **{column: pd.Series(values[column], dtype="str") for column in ("agency_id", "action", "note", "by")},
        "promised_on": _each_distinct(values["promised_on"], _date),
        "at": _times(values["at"]),
        "corrects": pd.Series(values["corrects"], dtype="Int64"),
        "subject": pd.Series(values["subject"], dtype="str"),
        "recipients": _each_distinct(values["recipients"], _recipients),
    })
    return _sorted(frame[list(ENTRY_COLUMNS)])


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Entries -> oldest first (then by number), numbered from 0."""
    return frame.sort_values(["at", "id"], kind="stable", ignore_index=True)


def _times(values: tuple) -> pd.Series:
    """UTC text (SQLite) or aware datetimes (PostgreSQL) -> Bangkok times, to the microsecond."""
    utc = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    return utc.dt.tz_convert(BANGKOK).astype(pd.DatetimeTZDtype("us", BANGKOK))


def _each_distinct(values: tuple, convert) -> pd.Series:
    """Stored values -> convert(value) for each, converting each distinct value once."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    converted = np.empty(len(distinct), dtype=object)
    converted[:] = [convert(value) for value in distinct]
    return pd.Series(converted[codes], dtype=object)


def _date(value: date | str | None) -> date | None:
    """A stored date (a date, or ISO text on SQLite) -> the date; None stays None."""
    if value is None or isinstance(value, float):  # factorize turns None into NaN
        return None
    return date.fromisoformat(value) if isinstance(value, str) else value


def _recipients(text: str) -> tuple[str, ...]:
    """The stored JSON list -> a tuple of addresses."""
    return () if text == "[]" else tuple(json.loads(text))
