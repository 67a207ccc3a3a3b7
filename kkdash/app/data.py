"""The app's data layer: the only module that touches ``st.cache_*`` and ``st.secrets``.

It wraps the one intake path (kkdash/intake.py) in caches: one shared Feed per sheet (one read per
interval for every viewer), the reference files per modification time, a sheet read's checked
rows per fetch, one Matcher per registry, and the pipeline per data version, as-of minute and
deadline — so a widget change never re-reads or re-classifies the sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from kkdash import export, intake, pipeline
from kkdash.dates import BANGKOK
from kkdash.feed import Feed, FeedState
from kkdash.matching import Matcher
from kkdash.registry import registry_fingerprint
from kkdash.settings import Settings, SettingsError, load_settings, read_secrets_file
from kkdash.sheet import RawSheet
from kkdash.sheets.tables import SheetTables
from kkdash.sources import read_responses_csv


def secrets_problem() -> str | None:
    """A Thai line naming the secrets file Streamlit reads and the line it cannot parse; None when all read.

    Streamlit reports an unparsable secrets.toml as a missing one (FileNotFoundError): taken as "no
    secrets", a typo would switch sign-in off or show the demo. Each file is parsed here instead.
    """
    for path in st.get_option("secrets.files"):
        if str(path).endswith(".toml"):
            try:
                read_secrets_file(path)
            except SettingsError as exc:
                return str(exc)
    return None


def secrets() -> dict:
    """`.streamlit/secrets.toml` as a plain dict ({} when there is none); SettingsError when one cannot be read."""
    problem = secrets_problem()
    if problem:
        raise SettingsError(problem)
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file: the demo, or the environment's settings
        return {}


def app_settings() -> Settings:
    """Settings from the secrets and the environment; a bad value becomes the dataset's problem."""
    return load_settings(secrets())


@st.cache_resource(show_spinner=False)
def _feed(settings: Settings) -> Feed:
    """One Feed for every session of this app: one sheet read per interval for all viewers."""
    return Feed(settings.sheet, snapshot_path=settings.snapshot_path)


def _sheet_state(settings: Settings, check: Callable[[SheetTables], object]) -> FeedState:
    return _feed(settings).current(check)


@st.cache_resource(show_spinner=False, max_entries=4)
def _reference(registry_path: Path, districts_path: Path, versions: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry and district list (read again when either file changes)."""
    return intake.read_reference(registry_path, districts_path)


def _cached_reference(registry_path: Path, districts_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _reference(registry_path, districts_path, (_mtime(registry_path), _mtime(districts_path)))


@st.cache_resource(show_spinner=False, max_entries=2)
def _responses_file(path: Path, mtime: float) -> RawSheet:
    """A responses file (the demo's), read again only when it changes."""
    return read_responses_csv(path)


@st.cache_resource(show_spinner=False, max_entries=2)
def _checked_tables(fetched_at: datetime, rows: int, settings: Settings, _tables: SheetTables,
                    _districts: pd.DataFrame) -> tuple[RawSheet, pd.DataFrame | None]:
    """One fetch's rows, checked, once per fetch: every script run of every viewer asks for this, and
    building a 500 000-row sheet takes seconds."""
    return intake.check_tables(_tables, settings, _districts)


def _cached_checked_tables(tables: SheetTables, settings: Settings, districts: pd.DataFrame):
    return _checked_tables(tables.fetched_at, len(tables.responses), settings, tables, districts)


READERS = intake.Readers(
    reference=_cached_reference,
    responses_file=lambda path: _responses_file(path, _mtime(path)),
    sheet_state=_sheet_state,
    checked_tables=_cached_checked_tables,
)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def current_dataset() -> intake.Dataset:
    """The data every page shows now; never raises for a source fault (it is reported instead)."""
    try:
        settings = app_settings()
    except SettingsError as exc:
        return intake.Dataset(sheet=None, registry=pd.DataFrame(), districts=pd.DataFrame(), mode=intake.UNUSABLE,
                              version="none", problem=str(exc))
    return intake.open_dataset(settings, READERS)


def sheet_feed() -> Feed | None:
    """The shared Feed of the configured sheet; None for the demo, a file, or unusable settings."""
    try:
        settings = app_settings()
    except SettingsError:
        return None
    if settings.sheet.mode == intake.DEMO or settings.sheet_problem or settings.responses_path:
        return None
    return _feed(settings)


def refresh_now() -> bool:
    """The refresh button: one background read for everyone, at most once per 10 s."""
    feed = sheet_feed()
    return feed is not None and feed.refresh_now()


def confirm_held(fetched_at: datetime) -> bool:
    """HR confirms the held read made at ``fetched_at``: every viewer sees it from now on."""
    feed = sheet_feed()
    return feed is not None and feed.confirm(fetched_at)


def reading_now() -> bool:
    """A sheet read is under way in the background."""
    feed = sheet_feed()
    return feed is not None and feed.state.reading


@st.cache_resource(show_spinner=False, max_entries=2)
def _matcher(fingerprint: str, threshold: float, _registry: pd.DataFrame) -> Matcher:
    """One Matcher per registry content: its index is built once, and a name typed in one sheet read
    is not matched again in the next (a national sheet's refresh then matches only new names)."""
    return Matcher(_registry, threshold=threshold)


@st.cache_resource(show_spinner="กำลังอ่านและจับคู่ชื่อหน่วยงาน…", max_entries=4)
def _prepared(version: str, _dataset: intake.Dataset) -> pipeline.Prepared:
    """Parse and match once per data version; moving the as-of control never repeats this."""
    matcher = _matcher(registry_fingerprint(_dataset.registry), _dataset.threshold, _dataset.registry)
    return pipeline.prepare(_dataset.sheet, _dataset.registry, _dataset.districts, matcher=matcher,
                            header_extra=dict(_dataset.header_extra), threshold=_dataset.threshold)


@st.cache_resource(show_spinner="กำลังคำนวณ…", max_entries=64)
def _outcome(version: str, as_of: datetime, deadline: date, _dataset: intake.Dataset) -> pipeline.Outcome:
    """Cached by data version, as-of minute and deadline; the dataset itself is not hashed."""
    return pipeline.evaluate(_prepared(version, _dataset), as_of=as_of, deadline=deadline)


def compute_outcome(dataset: intake.Dataset, *, as_of: datetime, deadline: date) -> pipeline.Outcome:
    """The campaign as of ``as_of``, taken to the end of its minute so reruns hit the cache."""
    minute = as_of.astimezone(BANGKOK).replace(second=59, microsecond=0)
    return _outcome(dataset.version, minute, deadline, dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def _export_bytes(kind: str, key: tuple, sheet_name: str, _table: Callable[[], pd.DataFrame], _about: list) -> bytes:
    """Export files by what they hold: a rerun or a second click that changes nothing does not rebuild them."""
    if kind == "csv":
        return export.csv_bytes(_table())
    return export.xlsx_bytes(_table(), sheet_name=sheet_name, about=_about)


def export_bytes(kind: str, table: Callable[[], pd.DataFrame], *, key: tuple, sheet_name: str = export.DATA_SHEET,
                 about: list | None = None) -> bytes:
    """`csv` or `xlsx` bytes of the table ``table()`` builds, called only when the file is not built yet; ``key``
    names its content (data version, moment, filters, role); an .xlsx gets ``about`` as its second sheet (built
    with the first, so it says when the file was made)."""
    return _export_bytes(kind, key, sheet_name, table, about or [])


# Few entries: in live mode every minute is new content, and a national quality list is large.
@st.cache_resource(show_spinner=False, max_entries=24)
def _built(name: str, key: tuple, _build: Callable[[], object]) -> object:
    return _build()


def built_once(name: str, key: tuple, build: Callable[[], object]) -> object:
    """``build()`` once per ``name`` and ``key``, the content it depends on (data version, moment, deadline …):
    a rerun that changes nothing (a widget elsewhere, the wall's refresh) reuses the figure or table built."""
    return _built(name, key, build)
