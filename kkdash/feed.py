"""The live sheet as every viewer shares it: reads in the background, last good data kept on faults.

A single Feed serves all sessions of the app. ``current()`` returns at once with what it has;
when the data is older than the interval it starts one read in a background thread (only a
visitor with nothing to show yet waits for it, and never past the read's deadline). A read counts
only once it passed ``check`` (the checks the pages need): a failed or unusable read leaves the
last good tables in place and records why. A read that lost every answer, or more than half of
them, at once is held back (``held``) until the HR role confirms it. Only good tables are written
to disk, so a restart during an outage still has data to show. ``read_once`` is the same rule for
one CLI run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from kkdash import sheets, snapshot
from kkdash.dates import format_thai_date
from kkdash.errors import InputError
from kkdash.settings import SheetSettings
from kkdash.sheets.tables import answer_rows, lost_most_rows

log = logging.getLogger(__name__)
MANUAL_REFRESH_GAP = 10.0  # seconds: the refresh button cannot make more reads than this allows
WAIT_SLACK = 5.0  # seconds past the read's deadline a visitor with nothing to show may wait


@dataclass(frozen=True)
class Held:
    """A read kept back because it lost most of the answers at once; shown only once HR confirms it."""

    tables: sheets.SheetTables
    before: int  # answer rows in the data shown
    after: int  # answer rows in the read held back
    checked: object = None

    @property
    def fetched_at(self) -> datetime:
        """When the held read was made (what a confirmation names)."""
        return self.tables.fetched_at

    def message(self, shown_at: datetime | None) -> str:
        """What changed, in Thai, for the banner and the CLI's stderr line."""
        when = f" (ข้อมูล ณ {format_thai_date(shown_at, with_time=True)})" if shown_at else ""
        change = ("ไม่มีคำตอบเหลือเลย มีแต่แถวหัวคอลัมน์" if self.after == 0
                  else f"เหลือคำตอบ {self.after:,} แถว")
        return (f"ชีตที่อ่านล่าสุด ({format_thai_date(self.fetched_at, with_time=True)}) {change}"
                f" จากเดิม {self.before:,} แถว — คำตอบหายไปเกินครึ่งในครั้งเดียว (แท็บถูกล้าง เรียงผิด หรือเปลี่ยนแท็บ?)"
                f" จึงยังแสดงข้อมูลชุดเดิม{when} จนกว่าฝ่ายบุคคลจะยืนยันว่าข้อมูลใหม่ถูกต้อง")


@dataclass(frozen=True)
class FeedState:
    """What the feed has now: the last good tables (or None), and the last failure, if any."""

    tables: sheets.SheetTables | None
    error: str | None = None  # the latest read failed (network, Google) or could not be used
    unusable: bool = False  # the latest read arrived but the pages cannot use it: a person must fix the sheet
    from_snapshot: bool = False
    checked: object = None  # what ``check`` made of the tables (None for tables read from disk)
    held: Held | None = None  # the latest read lost most answers: kept back until confirmed
    reading: bool = False  # a read is under way in the background

    @property
    def fetched_at(self) -> datetime | None:
        """When the shown tables were read from the sheet."""
        return self.tables.fetched_at if self.tables else None


class Feed:
    """One shared reader of the configured sheet."""

    def __init__(self, settings: SheetSettings, *, snapshot_path: Path | str | None,
                 fetch: Callable[..., sheets.SheetTables] = sheets.fetch_tables,
                 check: Callable[[sheets.SheetTables], object] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.snapshot_path = Path(snapshot_path) if snapshot_path else None
        self._fetch = fetch
        self._check = check
        self._clock = clock
        self._lock = threading.Lock()
        self._last_attempt: float | None = None
        self._last_manual: float | None = None
        self._reading: threading.Event | None = None  # set when the read under way ends
        self._read_number = 0  # a read started later wins over a stuck earlier one
        saved = snapshot.load_snapshot(self.snapshot_path) if self.snapshot_path else None
        self._state = FeedState(tables=saved, from_snapshot=saved is not None)

    @property
    def state(self) -> FeedState:
        """The current state, without fetching."""
        with self._lock:
            return replace(self._state, reading=self._reading is not None)

    def current(self, check: Callable[[sheets.SheetTables], object] | None = None) -> FeedState:
        """The state now; starts a background read when the data is older than the refresh interval.

        Only a caller with nothing to show waits for the read (``check``: see attempt_read).
        """
        if check is not None:
            self._check = check
        reading = self._start()
        if reading is not None and self._state.tables is None:
            reading.wait(self.settings.read_deadline_seconds + WAIT_SLACK)
        return self.state

    def refresh_now(self) -> bool:
        """A person asked for fresh data: start a read unless someone did within MANUAL_REFRESH_GAP."""
        with self._lock:
            now = self._clock()
            if self._last_manual is not None and now - self._last_manual < MANUAL_REFRESH_GAP:
                return False
            self._last_manual = now
        return self._start(force=True) is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no read is under way (for tests and for the first visitor); True when none is."""
        with self._lock:
            reading = self._reading
        return reading is None or reading.wait(timeout)

    def confirm(self, fetched_at: datetime) -> bool:
        """HR confirms the held read made at ``fetched_at``: it becomes the data shown (and saved). False if gone."""
        with self._lock:
            held = self._state.held
            if held is None or held.fetched_at != fetched_at:
                return False
            _save(self.snapshot_path, held.tables)
            self._state = FeedState(tables=held.tables, checked=held.checked)
            return True

    def _due(self) -> bool:
        last = self._last_attempt
        return last is None or self._clock() - last >= self.settings.refresh_seconds

    def _stuck(self) -> bool:
        """The read under way has run far past its deadline (a resolver that never answers): start anew."""
        limit = 2 * self.settings.read_deadline_seconds + WAIT_SLACK
        return self._last_attempt is not None and self._clock() - self._last_attempt > limit

    def _start(self, *, force: bool = False) -> threading.Event | None:
        """Start a background read when due (or forced); the read under way, the new one, or None."""
        with self._lock:
            if self._reading is not None and not self._stuck():
                return self._reading
            if not (force or self._due()):
                return None
            self._last_attempt = self._clock()
            self._read_number += 1
            self._reading = threading.Event()
            reading, number, baseline = self._reading, self._read_number, self._state.tables
        threading.Thread(target=self._read, args=(number, reading, baseline), name="kkdash-feed", daemon=True).start()
        return reading

    def _read(self, number: int, reading: threading.Event, baseline: sheets.SheetTables | None) -> None:
        try:
            state = attempt_read(self.settings, fetch=self._fetch, check=self._check,
                                 snapshot_path=self.snapshot_path, baseline=baseline)
        except Exception as exc:  # a background thread has nobody to raise to: record it instead
            log.warning("sheet read failed: %s", type(exc).__name__)
            state = FeedState(tables=None, error=f"อ่านชีตไม่สำเร็จ เพราะข้อผิดพลาดที่ไม่คาดคิด ({type(exc).__name__})")
        with self._lock:
            if number == self._read_number:  # a stuck read replaced by a newer one is ignored
                self._apply(state)
                self._reading = None
        reading.set()

    def _apply(self, state: FeedState) -> None:
        """A good read replaces what is shown; a held one waits beside it; a failure keeps it, saying why."""
        if state.tables is not None:
            self._state = state
        elif state.held is not None:
            self._state = replace(self._state, held=state.held, error=None, unusable=False)
        else:
            self._state = replace(self._state, error=state.error, unusable=state.unusable)


def attempt_read(settings: SheetSettings, *, fetch: Callable[..., sheets.SheetTables],
                 check: Callable[[sheets.SheetTables], object] | None, snapshot_path: Path | None,
                 baseline: sheets.SheetTables | None = None, accept_drop: bool = False) -> FeedState:
    """One read: fetch, check, hold back a read that lost most of ``baseline``'s answers (unless
    ``accept_drop``), and keep on disk only what passed; a failure or a held read is a state with no tables."""
    try:
        tables = fetch(settings)
        checked = check(tables) if check else None
    except sheets.SheetError as exc:
        log.warning("sheet read failed: %s", exc.kind)
        return FeedState(tables=None, error=str(exc))
    except InputError as exc:  # read fine, but the pages could not use it (a renamed header, a bad registry)
        log.warning("sheet read unusable")
        return FeedState(tables=None, error=str(exc), unusable=True)
    if baseline is not None and not accept_drop:
        before, after = answer_rows(baseline.responses), answer_rows(tables.responses)
        if lost_most_rows(before, after):
            log.warning("sheet read held back: %d answer rows, %d before", after, before)
            return FeedState(tables=None, held=Held(tables, before=before, after=after, checked=checked))
    _save(snapshot_path, tables)
    return FeedState(tables=tables, checked=checked)


def _save(snapshot_path: Path | None, tables: sheets.SheetTables) -> None:
    if not snapshot_path:
        return
    try:
        snapshot.save_snapshot(snapshot_path, tables)
    except OSError as exc:  # a read-only disk only costs the fallback next time
        log.warning("could not save the snapshot: %s", exc.strerror)


def read_once(settings: SheetSettings, *, snapshot_path: Path | None,
              fetch: Callable[..., sheets.SheetTables] = sheets.fetch_tables,
              check: Callable[[sheets.SheetTables], object] | None = None,
              accept_drop: bool = False) -> FeedState:
    """One CLI run's read: the sheet now, or on a fault (or a read that lost most answers) the last
    good read from disk with the reason."""
    saved = snapshot.load_snapshot(snapshot_path) if snapshot_path else None
    state = attempt_read(settings, fetch=fetch, check=check, snapshot_path=snapshot_path, baseline=saved,
                         accept_drop=accept_drop)
    if state.tables is not None:
        return state
    return replace(state, tables=saved, from_snapshot=saved is not None)
