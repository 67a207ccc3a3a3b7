"""One way in for the data: settings -> a source -> one Dataset, for the app and the CLI alike.

The source is, in this order: a responses CSV file (the CLI's --responses, KKDASH_RESPONSES_PATH),
the embedded demo when asked for or when no sheet is configured, else the Google Sheet (through a
service account or its published CSV link) with the last good read as the fallback. The app wraps
these steps in its caches (kkdash/app/data.py); it never decides anything here itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kkdash.dates import BANGKOK
from kkdash.errors import InputError
from kkdash.feed import FeedState, read_once
from kkdash.files import path_kind
from kkdash.matching import DEFAULT_THRESHOLD
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry, validate_registry
from kkdash.schema import map_headers
from kkdash.settings import Settings
from kkdash.sheet import RawSheet, sheet_from_rows
from kkdash.sheets.tables import SheetTables
from kkdash.sources import read_responses_csv

# The demo campaign opens at this moment: two days before the deadline, most agencies in, some not.
DEMO_AS_OF = datetime(2023, 7, 5, 16, 0, tzinfo=BANGKOK)
DEMO, CSV_FILE, UNUSABLE = "demo", "csv", "unusable"
SOURCE_TH = {DEMO: "ข้อมูลตัวอย่าง", CSV_FILE: "ไฟล์ CSV", "service_account": "Google Sheet",
             "published_csv": "Google Sheet (ลิงก์เผยแพร่)", UNUSABLE: "ใช้ไม่ได้"}


@dataclass(frozen=True)
class Dataset:
    """The rows and registry in use, where they came from and how fresh they are."""

    sheet: RawSheet | None
    registry: pd.DataFrame
    districts: pd.DataFrame
    mode: str  # demo / csv / service_account / published_csv / unusable
    version: str  # changes whenever the rows or the registry do: the app's cache key
    fetched_at: datetime | None = None
    error: str | None = None  # the latest sheet read failed: the rows are the last good ones (or none)
    # The data cannot be used (bad settings, header row or registry); with rows, it is the latest
    # sheet read that could not be used, and the rows are the last good ones.
    problem: str | None = None
    from_snapshot: bool = False  # the rows were read from disk, not from the sheet, in this process
    deadline: date | None = None
    header_extra: tuple[tuple[str, str], ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    label: str = field(default="")
    held: str | None = None  # the latest read lost most answers at once: what changed (shown until HR confirms)
    held_at: datetime | None = None  # when that read was made: what a confirmation names
    reading: bool = False  # a sheet read is under way in the background
    note: str | None = None  # something the reader of the rows should know (e.g. the file's encoding)

    @property
    def is_demo(self) -> bool:
        """True when showing the embedded demo data."""
        return self.mode == DEMO

    def with_problem(self, problem: str) -> Dataset:
        """The same dataset, marked unusable for ``problem``."""
        return replace(self, problem=problem)


@dataclass(frozen=True)
class Readers:
    """How the intake reads each kind of source; the app passes cached versions of these."""

    reference: Callable[[Path, Path], tuple[pd.DataFrame, pd.DataFrame]]
    responses_file: Callable[[Path], RawSheet]
    sheet_state: Callable[[Settings, Callable[[SheetTables], object]], FeedState]
    checked_tables: Callable[[SheetTables, Settings, pd.DataFrame], tuple[RawSheet, pd.DataFrame | None]]


def read_reference(registry_path: Path, districts_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry file and the district list -> (registry, districts); raises InputError."""
    for path, what in ((districts_path, "รายชื่ออำเภอ"), (registry_path, "ทะเบียนหน่วยงาน")):
        # A folder, a device or a pipe is no list (and /dev/zero would be read for ever).
        if path_kind(path) in ("other", "unusable"):
            raise InputError(f"อ่านไฟล์{what}ไม่ได้ ({path}): ไม่ใช่ไฟล์ CSV ที่เปิดได้")
    try:
        districts = load_districts(districts_path)
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"อ่านไฟล์รายชื่ออำเภอ {districts_path} ไม่ได้ ({type(exc).__name__})") from exc
    return load_registry(registry_path, districts=districts), districts


def check_tables(tables: SheetTables, settings: Settings,
                 districts: pd.DataFrame) -> tuple[RawSheet, pd.DataFrame | None]:
    """A sheet read -> (its responses, the registry worksheet or None), once they pass what the pages need.

    Raises InputError when the header row lacks a required question or the registry worksheet is
    unusable: such a read must not replace the last good one.
    """
    sheet = sheet_from_rows(tables.responses)
    map_headers(sheet.headers, extra=dict(settings.header_extra))
    if tables.registry is None:
        return sheet, None
    return sheet, validate_registry(registry_table(tables.registry), districts=districts)


def registry_table(rows: list[list[str]]) -> pd.DataFrame:
    """The registry worksheet's rows (header first) -> a DataFrame named by its header row."""
    raw = sheet_from_rows(rows)
    return raw.cells.set_axis(raw.headers, axis=1)


def read_sheet_once(settings: Settings, check: Callable[[SheetTables], object]) -> FeedState:
    """The CLI's sheet read: now, or the last good read from disk on a fault (or a read that lost most answers)."""
    return read_once(settings.sheet, snapshot_path=settings.snapshot_path, check=check,
                     accept_drop=settings.accept_drop)


DIRECT = Readers(reference=read_reference, responses_file=read_responses_csv, sheet_state=read_sheet_once,
                 checked_tables=check_tables)


def open_dataset(settings: Settings, readers: Readers = DIRECT) -> Dataset:
    """Settings -> the Dataset to show; never raises for a source fault (``problem``/``error`` say why)."""
    try:
        registry, districts = readers.reference(settings.registry_path, settings.districts_path)
    except InputError as exc:
        return _unusable(settings, str(exc))
    common = {"registry": registry, "districts": districts, "deadline": settings.deadline,
              "header_extra": settings.header_extra, "threshold": settings.threshold}
    reference_version = _file_version(settings.registry_path), _file_version(settings.districts_path)
    if settings.responses_path or settings.demo or (settings.sheet.mode == DEMO and not settings.sheet_problem):
        return _file_dataset(settings, readers, reference_version, **common)
    if settings.sheet_problem:
        return _unusable(settings, settings.sheet_problem, **common)
    return _sheet_dataset(settings, readers, reference_version, **common)


def _file_dataset(settings: Settings, readers: Readers, reference_version: tuple, **common) -> Dataset:
    """The responses CSV file, or the embedded demo."""
    mode = CSV_FILE if settings.responses_path else DEMO
    path = settings.responses_path or DEMO_RESPONSES_PATH
    version = _digest(mode, str(path), _file_version(path), reference_version, settings.header_extra)
    try:
        sheet = readers.responses_file(path)
    except InputError as exc:
        return Dataset(sheet=None, mode=mode, version=version, problem=str(exc), label=str(path), **common)
    label = SOURCE_TH[DEMO] if mode == DEMO else str(path)
    return Dataset(sheet=sheet, mode=mode, version=version, label=label, note=sheet.note or None, **common)


def _sheet_dataset(settings: Settings, readers: Readers, reference_version: tuple, **common) -> Dataset:
    """The Google Sheet's last good read, with the registry worksheet when it has one."""
    districts = common["districts"]
    # The feed checks each read where it makes it (a background thread in the app): with the plain
    # check, not the app's cache; the result travels with the read.
    state = readers.sheet_state(settings, lambda tables: check_tables(tables, settings, districts))
    mode, label = settings.sheet.mode, SOURCE_TH[settings.sheet.mode]
    # A read the pages cannot use is a problem for a person to fix in the sheet; a failed one is only stale data.
    fault = {"problem": state.error} if state.unusable else {"error": state.error}
    if state.tables is None:
        return Dataset(sheet=None, mode=mode, version="none", label=label, **fault, **common)
    tables = state.tables
    version = _digest(mode, tables.fetched_at.isoformat(), len(tables.responses), reference_version,
                      settings.header_extra)
    held = {"held": state.held.message(tables.fetched_at), "held_at": state.held.fetched_at} if state.held else {}
    base = {"mode": mode, "version": version, "fetched_at": tables.fetched_at, "reading": state.reading,
            "from_snapshot": state.from_snapshot, "label": label, **fault, **held}
    try:
        sheet, sheet_registry = state.checked or readers.checked_tables(tables, settings, districts)
    except InputError as exc:  # last good tables saved under other settings (a header map, the registry)
        return Dataset(sheet=None, **{**base, "problem": str(exc)}, **common)
    if sheet_registry is not None and not settings.registry_given:
        common = {**common, "registry": sheet_registry}
    return Dataset(sheet=sheet, **base, **common)


def open_chase_log(settings: Settings):
    """The chase log these settings name (KKDASH_DATABASE_URL, [database] url, or SQLite in the cache folder).

    Raises kkdash.store.StoreError with a Thai reason; the storage library loads only when the log is used.
    """
    from kkdash.store import ChaseLog, default_database_url

    return ChaseLog(settings.database_url or default_database_url(settings.cache_dir))


def _unusable(settings: Settings, problem: str, **common) -> Dataset:
    empty = {"registry": pd.DataFrame(), "districts": pd.DataFrame(), "deadline": settings.deadline}
    return Dataset(sheet=None, mode=UNUSABLE, version="none", problem=problem, label=SOURCE_TH[UNUSABLE],
                   **{**empty, **common})


def _file_version(path: Path) -> float:
    """A file's modification time, 0 when it is missing (so an edit gives a new dataset version)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _digest(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()
