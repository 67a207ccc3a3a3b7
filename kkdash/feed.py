"""The live sheet as every viewer shares it: one read per interval, last good data kept on faults.

A single Feed serves all sessions of the app. ``current()`` returns at once with what it has;
when the data is older than the interval, exactly one caller fetches while the others keep
seeing the previous data (stale-while-revalidate). A failed fetch leaves the last good tables
in place and records why, and the last good tables are written to disk so a restart during
an outage still has data to show.
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
from kkdash.settings import SheetSettings

log = logging.getLogger(__name__)
MANUAL_REFRESH_GAP = 10.0  # seconds: the refresh button cannot make more reads than this allows


@dataclass(frozen=True)
class FeedState:
    """What the feed has now: the last good tables (or None), and the last failure, if any."""

    tables: sheets.SheetTables | None
    error: str | None = None
    from_snapshot: bool = False

    @property
    def fetched_at(self) -> datetime | None:
        """When the shown tables were read from the sheet."""
        return self.tables.fetched_at if self.tables else None


class Feed:
    """One shared reader of the configured sheet."""

    def __init__(self, settings: SheetSettings, *, snapshot_path: Path | str | None,
                 fetch: Callable[..., sheets.SheetTables] = sheets.fetch_tables,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.snapshot_path = Path(snapshot_path) if snapshot_path else None
        self._fetch = fetch
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

    def current(self) -> FeedState:
        """The state, after a fetch when the data is older than the refresh interval."""
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
        try:
            tables = self._fetch(self.settings)
        except sheets.SheetError as exc:
            log.warning("sheet read failed: %s", exc.kind)
            self._state = replace(self._state, error=str(exc))
            return
        self._state = FeedState(tables=tables)
        if self.snapshot_path:
            try:
                snapshot.save_snapshot(self.snapshot_path, tables)
            except OSError as exc:
                log.warning("could not save the snapshot: %s", exc.strerror)
