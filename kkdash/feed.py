"""The live sheet as every viewer shares it: one read per interval, last good data kept on faults.

A single Feed serves all sessions of the app. ``current()`` returns at once with what it has;
when the data is older than the interval, exactly one caller fetches while the others keep
seeing the previous data (stale-while-revalidate). A read counts only once it passed ``check``
(the checks the pages need): a failed or unusable read leaves the last good tables in place and
records why. Only good tables are written to disk, so a restart during an outage still has data
to show. ``read_once`` is the same rule for one CLI run.
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
from kkdash.errors import InputError
from kkdash.settings import SheetSettings

log = logging.getLogger(__name__)
MANUAL_REFRESH_GAP = 10.0  # seconds: the refresh button cannot make more reads than this allows


@dataclass(frozen=True)
class FeedState:
    """What the feed has now: the last good tables (or None), and the last failure, if any."""

    tables: sheets.SheetTables | None
    error: str | None = None  # the latest read failed (network, Google) or could not be used
    unusable: bool = False  # the latest read arrived but the pages cannot use it: a person must fix the sheet
    from_snapshot: bool = False
    checked: object = None  # what ``check`` made of the tables (None for tables read from disk)

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
        self._completed = 0  # fetch attempts finished, so a waiting caller can tell one happened
        saved = snapshot.load_snapshot(self.snapshot_path) if self.snapshot_path else None
        self._state = FeedState(tables=saved, from_snapshot=saved is not None)

    @property
    def state(self) -> FeedState:
        """The current state, without fetching."""
        return self._state

    def current(self, check: Callable[[sheets.SheetTables], object] | None = None) -> FeedState:
        """The state, after a fetch when the data is older than the refresh interval (``check``: see attempt_read)."""
        if check is not None:
            self._check = check
        if self._state.tables is None or self._due():
            # With nothing to show yet, wait for the read under way; otherwise show the old data.
            self._refresh(wait=self._state.tables is None)
        return self._state

    def refresh_now(self) -> bool:
        """A person asked for fresh data: fetch unless someone did within MANUAL_REFRESH_GAP."""
        now = self._clock()
        if self._last_manual is not None and now - self._last_manual < MANUAL_REFRESH_GAP:
            return False
        self._last_manual = now
        return self._refresh(wait=True, force=True)

    def _due(self) -> bool:
        last = self._last_attempt
        return last is None or self._clock() - last >= self.settings.refresh_seconds

    def _refresh(self, *, wait: bool, force: bool = False) -> bool:
        """Fetch once; callers arriving meanwhile return (or wait, if they have nothing to show)."""
        seen = self._completed
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            if self._completed != seen or not (force or self._due()):
                return True  # someone else read the sheet while we waited, or it is not time yet
            self._last_attempt = self._clock()
            self._fetch_once()
            self._completed += 1
            return True
        finally:
            self._lock.release()

    def _fetch_once(self) -> None:
        state = attempt_read(self.settings, fetch=self._fetch, check=self._check, snapshot_path=self.snapshot_path)
        # A failure keeps what was shown, saying why; a good read replaces it.
        self._state = state if state.error is None else replace(self._state, error=state.error,
                                                                                unusable=state.unusable)


def attempt_read(settings: SheetSettings, *, fetch: Callable[..., sheets.SheetTables],
                 check: Callable[[sheets.SheetTables], object] | None, snapshot_path: Path | None) -> FeedState:
    """One read: fetch, check, and keep on disk only what passed; a failure is a state with no tables."""
    try:
        tables = fetch(settings)
        checked = check(tables) if check else None
    except sheets.SheetError as exc:
        log.warning("sheet read failed: %s", exc.kind)
        return FeedState(tables=None, error=str(exc))
    except InputError as exc:  # read fine, but the pages could not use it (a renamed header, a bad registry)
        log.warning("sheet read unusable")
        return FeedState(tables=None, error=str(exc), unusable=True)
    if snapshot_path:
        try:
            snapshot.save_snapshot(snapshot_path, tables)
        except OSError as exc:  # a read-only disk only costs the fallback next time
            log.warning("could not save the snapshot: %s", exc.strerror)
    return FeedState(tables=tables, checked=checked)


def read_once(settings: SheetSettings, *, snapshot_path: Path | None,
              fetch: Callable[..., sheets.SheetTables] = sheets.fetch_tables,
              check: Callable[[sheets.SheetTables], object] | None = None) -> FeedState:
    """One CLI run's read: the sheet now, or on a fault the last good read from disk with the reason."""
    state = attempt_read(settings, fetch=fetch, check=check, snapshot_path=snapshot_path)
    if state.error is None:
        return state
    saved = snapshot.load_snapshot(snapshot_path) if snapshot_path else None
    return FeedState(tables=saved, error=state.error, unusable=state.unusable, from_snapshot=saved is not None)
