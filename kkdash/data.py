"""The app's data layer: the only module that touches ``st.cache_*`` and ``st.secrets``.

Data comes from the configured Google Sheet (through one shared Feed) or, with nothing
configured, from the embedded demo file. The pipeline's Outcome is cached per data version,
as-of minute and deadline, so a widget change never re-reads or re-classifies the sheet.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from kkdash import export, pipeline
from kkdash.errors import InputError
from kkdash.feed import Feed, FeedState
from kkdash.inputs import registry_path, registry_table, snapshot_path
from kkdash.parsing import BANGKOK
from kkdash.registry import (
    DISTRICTS_PATH,
    Matcher,
    load_districts,
    load_registry,
    registry_fingerprint,
    validate_registry,
)
from kkdash.settings import SettingsError, SheetSettings, load_settings
from kkdash.sources import DEMO_RESPONSES_PATH, RawSheet, read_responses_csv, sheet_from_rows


@dataclass(frozen=True)
class Dataset:
    """The rows and registry now in use, where they came from and how fresh they are."""

    sheet: RawSheet | None
    registry: pd.DataFrame
    districts: pd.DataFrame
    mode: str  # demo / service_account / published_csv
    version: str
    fetched_at: datetime | None
    error: str | None = None
    problem: str | None = None  # the data cannot be used at all (bad header row, bad registry)

    @property
    def is_demo(self) -> bool:
        """True when showing the embedded demo data."""
        return self.mode == "demo"


def app_settings() -> SheetSettings:
    """Settings from `.streamlit/secrets.toml` and the environment (empty secrets are fine)."""
    try:
        secrets = st.secrets.to_dict()
    except (FileNotFoundError, OSError, ValueError):
        secrets = {}
    return load_settings(secrets, os.environ)


@st.cache_resource(show_spinner=False)
def _feed(settings: SheetSettings) -> Feed:
    """One Feed for every session of this app: one sheet read per interval for all viewers."""
    return Feed(settings, snapshot_path=snapshot_path())


@st.cache_resource(show_spinner=False)
def _reference(path: Path, mtime: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The district list and the file registry (re-read when the registry file changes)."""
    # KKDASH_DISTRICTS_PATH: `python -m kkdash.bench` runs the app on a national registry.
    districts = load_districts(os.environ.get("KKDASH_DISTRICTS_PATH") or DISTRICTS_PATH)
    return load_registry(path, districts=districts), districts


def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry and district list in force."""
    path = registry_path()
    return _reference(path, path.stat().st_mtime if path.exists() else 0.0)


def demo_responses_path() -> Path:
    """The demo responses: KKDASH_DEMO_RESPONSES if set (`python -m kkdash.bench`), else the demo file."""
    return Path(os.environ.get("KKDASH_DEMO_RESPONSES") or DEMO_RESPONSES_PATH)


@st.cache_resource(show_spinner=False)
def _demo_sheet(path: Path, mtime: float) -> RawSheet:
    """The demo responses file (re-read only when the file changes)."""
    return read_responses_csv(path)


def current_dataset() -> Dataset:
    """The data every page shows now; never raises for a source fault (it is reported instead)."""
    try:
        settings = app_settings()
        registry, districts = reference()
    except (SettingsError, InputError) as exc:
        return Dataset(sheet=None, registry=pd.DataFrame(), districts=pd.DataFrame(), mode="unusable",
                       version="none", fetched_at=None, problem=str(exc))
    registry_version = f"registry-{registry_path().stat().st_mtime}"
    if settings.mode == "demo":
        return _demo_dataset(registry, districts, registry_version)
    return _sheet_dataset(settings, _feed(settings).current(), registry, districts, registry_version)


def refresh_now() -> bool:
    """The refresh button: one fetch for everyone, at most once per 10 s."""
    try:
        settings = app_settings()
    except SettingsError:
        return False
    if settings.mode == "demo":
        return False
    return _feed(settings).refresh_now()


def _demo_dataset(registry: pd.DataFrame, districts: pd.DataFrame, registry_version: str) -> Dataset:
    path = demo_responses_path()
    mtime = path.stat().st_mtime
    return Dataset(sheet=_demo_sheet(path, mtime), registry=registry, districts=districts, mode="demo",
                   version=f"demo-{mtime}-{registry_version}", fetched_at=None)


def _sheet_dataset(settings: SheetSettings, state: FeedState, registry: pd.DataFrame,
                   districts: pd.DataFrame, registry_version: str) -> Dataset:
    base = {"districts": districts, "mode": settings.mode, "error": state.error}
    if state.tables is None:
        return Dataset(sheet=None, registry=registry, version="none", fetched_at=None, **base)
    tables = state.tables
    sheet, sheet_registry, problem = _read_tables(tables.fetched_at, len(tables.responses), tables, districts)
    registry = registry if sheet_registry is None else sheet_registry
    fingerprint = repr((tables.fetched_at, len(tables.responses), registry_version))
    return Dataset(sheet=sheet, registry=registry, version=hashlib.sha1(fingerprint.encode()).hexdigest(),
                   fetched_at=tables.fetched_at, problem=problem, **base)


@st.cache_resource(show_spinner=False, max_entries=2)
def _read_tables(fetched_at: datetime, rows: int, _tables, _districts: pd.DataFrame):
    """One fetch's rows -> (RawSheet, registry from the sheet or None, Thai problem or None), once per fetch.

    Every script run of every viewer asks for this; building a 500 000-row sheet takes seconds.
    """
    try:
        sheet = sheet_from_rows(_tables.responses)
        if _tables.registry is None:
            return sheet, None, None
        return sheet, validate_registry(registry_table(_tables.registry), districts=_districts), None
    except InputError as exc:
        return None, None, str(exc)


@st.cache_resource(show_spinner=False, max_entries=2)
def _matcher(fingerprint: str, _registry: pd.DataFrame) -> Matcher:
    """One Matcher per registry content: its index is built once, and a name typed in one sheet read
    is not matched again in the next (a national sheet's refresh then matches only new names)."""
    return Matcher(_registry)


@st.cache_resource(show_spinner="กำลังอ่านและจับคู่ชื่อหน่วยงาน…", max_entries=4)
def _prepared(version: str, _dataset: Dataset) -> pipeline.Prepared:
    """Parse and match once per data version; moving the as-of control never repeats this."""
    matcher = _matcher(registry_fingerprint(_dataset.registry), _dataset.registry)
    return pipeline.prepare(_dataset.sheet, _dataset.registry, _dataset.districts, matcher=matcher)


@st.cache_resource(show_spinner="กำลังคำนวณ…", max_entries=64)
def _outcome(version: str, as_of: datetime, deadline: date, _dataset: Dataset) -> pipeline.Outcome:
    """Cached by data version, as-of minute and deadline; the dataset itself is not hashed."""
    return pipeline.evaluate(_prepared(version, _dataset), as_of=as_of, deadline=deadline)


def compute_outcome(dataset: Dataset, *, as_of: datetime, deadline: date) -> pipeline.Outcome:
    """The campaign as of ``as_of``, taken to the end of its minute so reruns hit the cache."""
    minute = as_of.astimezone(BANGKOK).replace(second=59, microsecond=0)
    return _outcome(dataset.version, minute, deadline, dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def _export_bytes(kind: str, key: tuple, _table: pd.DataFrame) -> bytes:
    """Export files by what they hold: a rerun that changes nothing does not rebuild them."""
    return export.csv_bytes(_table) if kind == "csv" else export.xlsx_bytes(_table)


def export_bytes(kind: str, table: pd.DataFrame, *, key: tuple) -> bytes:
    """`csv` or `xlsx` bytes of ``table``; ``key`` names its content (data version, moment, filters, role)."""
    return _export_bytes(kind, key, table)
