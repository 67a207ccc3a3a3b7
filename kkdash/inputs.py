"""The inputs of one CLI run: a CSV file, the configured Google Sheet, or the embedded demo data."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from kkdash import sheets, snapshot
from kkdash.errors import InputError
from kkdash.parsing import format_thai_date
from kkdash.registry import REGISTRY_PATH, load_districts, load_registry, validate_registry
from kkdash.settings import SettingsError, SheetSettings, load_settings, read_secrets_file
from kkdash.sources import DEMO_RESPONSES_PATH, RawSheet, read_responses_csv, sheet_from_rows

SECRETS_PATH = Path(".streamlit/secrets.toml")
DEMO_LABEL = "ข้อมูลตัวอย่าง"


def cache_dir() -> Path:
    """Where kkdash keeps what it learned between runs (KKDASH_CACHE_DIR, default .kkdash-cache)."""
    return Path(os.environ.get("KKDASH_CACHE_DIR", ".kkdash-cache"))


def registry_path() -> Path:
    """The registry file: KKDASH_REGISTRY_PATH if set (HR's own list), else data/agencies.csv."""
    return Path(os.environ.get("KKDASH_REGISTRY_PATH") or REGISTRY_PATH)


def snapshot_path() -> Path:
    """Where the last good sheet read is kept (shared by the app and the CLI)."""
    return cache_dir() / "last-good-sheet.json"


def link_cache_path() -> Path:
    """Where link-check results are kept with their check times."""
    return cache_dir() / "links.json"


@dataclass(frozen=True)
class Inputs:
    """Everything the pipeline needs besides the as-of time."""

    sheet: RawSheet
    registry: pd.DataFrame
    districts: pd.DataFrame
    header_extra: dict[str, str]
    deadline: date | None
    source_label: str


def read_header_map(path: str | None) -> dict[str, str]:
    """A TOML (`[headers]` table) or JSON file of {sheet header: field} -> dict."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise InputError(f"อ่านไฟล์จับคู่หัวคอลัมน์ {path} ไม่ได้: {exc}") from exc
    table = data.get("headers", data) if isinstance(data, dict) else data
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise InputError(f"ไฟล์จับคู่หัวคอลัมน์ {path} ต้องเป็นตาราง 'หัวคอลัมน์ = \"ชื่อช่อง\"'")
    return dict(table)


def cli_settings(secrets_path: Path | str | None = None) -> SheetSettings:
    """Settings from the secrets file (if present) and KKDASH_* environment variables."""
    try:
        secrets = read_secrets_file(secrets_path or SECRETS_PATH)
        return load_settings(secrets, os.environ)
    except (SettingsError, OSError, ValueError) as exc:
        raise InputError(f"การตั้งค่า Google Sheet ไม่ถูกต้อง: {exc}") from exc


def load_inputs(*, responses: str | None = None, registry: str | None = None, header_map: str | None = None,
                demo: bool = False, secrets_path: str | None = None) -> Inputs:
    """Paths, the configured sheet, or the demo -> Inputs; raises InputError with a Thai reason."""
    districts = load_districts()
    registry_frame = load_registry(registry or registry_path(), districts=districts)
    settings = None if (responses or demo) else cli_settings(secrets_path)
    deadline = settings.deadline if settings else None
    if responses:
        sheet, label = read_responses_csv(responses), responses
    elif settings is None or settings.mode == "demo":
        sheet, label = read_responses_csv(DEMO_RESPONSES_PATH), DEMO_LABEL
    else:
        tables, label = fetch_or_snapshot(settings)
        sheet = sheet_from_rows(tables.responses)
        if tables.registry is not None and not registry:
            registry_frame = validate_registry(registry_table(tables.registry), districts=districts)
    return Inputs(sheet=sheet, registry=registry_frame, districts=districts,
                  header_extra=read_header_map(header_map), deadline=deadline, source_label=label)


def fetch_or_snapshot(settings: SheetSettings) -> tuple[sheets.SheetTables, str]:
    """Read the sheet; on a fault fall back to the last good read, saying so on stderr."""
    try:
        tables = sheets.fetch_tables(settings)
    except sheets.SheetError as exc:
        saved = snapshot.load_snapshot(snapshot_path())
        if saved is None:
            raise InputError(f"อ่าน Google Sheet ไม่ได้: {exc}") from exc
        print(f"kkdash: อ่าน Google Sheet ไม่ได้ ({exc}) — ใช้ข้อมูลล่าสุดที่ดึงได้"
              f" ณ {format_thai_date(saved.fetched_at, with_time=True)}", file=sys.stderr)
        return saved, "Google Sheet (ข้อมูลเก่า)"
    # The read worked; a read-only disk only costs the fallback next time.
    with contextlib.suppress(OSError):
        snapshot.save_snapshot(snapshot_path(), tables)
    return tables, "Google Sheet"


def registry_table(rows: list[list[str]]) -> pd.DataFrame:
    """The registry worksheet's rows (header first) -> a DataFrame named by its header row."""
    raw = sheet_from_rows(rows)
    return raw.cells.set_axis(raw.headers, axis=1)
