"""The inputs of one run, from the command line's paths or the defaults (demo data, data/agencies.csv)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from kkdash.errors import InputError
from kkdash.registry import REGISTRY_PATH, load_districts, load_registry
from kkdash.sources import DEMO_RESPONSES_PATH, RawSheet, read_responses_csv


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
    table = data.get("headers", data)
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise InputError(f"ไฟล์จับคู่หัวคอลัมน์ {path} ต้องเป็นตาราง 'หัวคอลัมน์ = \"ชื่อช่อง\"'")
    return dict(table)


def load_inputs(*, responses: str | None = None, registry: str | None = None,
                header_map: str | None = None) -> Inputs:
    """Paths (or None for the defaults) -> Inputs; raises InputError with a Thai reason."""
    districts = load_districts()
    sheet = read_responses_csv(responses or DEMO_RESPONSES_PATH)
    label = responses or "ข้อมูลตัวอย่าง"
    return Inputs(sheet=sheet, registry=load_registry(registry or REGISTRY_PATH, districts=districts),
                  districts=districts, header_extra=read_header_map(header_map), deadline=None,
                  source_label=label)
