"""The registry of agencies that must report: reading it, checking it, and its fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from kkdash.errors import InputError
from kkdash.labels import KINDS_TH
from kkdash.parsing import clean_text
from kkdash.paths import DISTRICTS_PATH, REGISTRY_PATH

REGISTRY_COLUMNS = ("agency_id", "name_th", "aliases", "kind", "district_code")


class RegistryError(InputError):
    """The registry file is unusable; the message says which row and why, in Thai."""


def registry_fingerprint(registry: pd.DataFrame) -> str:
    """A registry's content -> a short id: the same rows give the same id, any edit another."""
    hashed = pd.util.hash_pandas_object(registry[list(REGISTRY_COLUMNS)], index=False)
    return hashlib.sha1(hashed.to_numpy().tobytes()).hexdigest()


def read_table(path: Path | str) -> pd.DataFrame:
    """A CSV file -> DataFrame of text cells (nothing guessed as numbers or NaN)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_districts(path: Path | str = DISTRICTS_PATH) -> pd.DataFrame:
    """The official district list -> DataFrame[district_code, name_th, name_en]."""
    return read_table(path)[["district_code", "name_th", "name_en"]]


def load_registry(path: Path | str = REGISTRY_PATH, *, districts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry CSV -> validated DataFrame; raises RegistryError with a Thai reason."""
    try:
        table = read_table(path)
    except FileNotFoundError as exc:
        raise RegistryError(f"ไม่พบไฟล์ทะเบียนหน่วยงาน: {path}") from exc
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, IsADirectoryError,
            PermissionError) as exc:
        detail = " ".join(str(exc).split())
        raise RegistryError(f"อ่านไฟล์ทะเบียนหน่วยงานไม่ได้ ({path}): ต้องเป็นไฟล์ CSV แบบ UTF-8 — {detail}") from exc
    return validate_registry(table, districts=load_districts() if districts is None else districts)


def validate_registry(table: pd.DataFrame, *, districts: pd.DataFrame) -> pd.DataFrame:
    """A raw registry table -> the same rows, checked and trimmed; raises RegistryError."""
    missing = [c for c in REGISTRY_COLUMNS if c not in table.columns]
    if missing:
        raise RegistryError(f"ทะเบียนหน่วยงานขาดคอลัมน์: {', '.join(missing)}")
    registry = table[list(REGISTRY_COLUMNS)].map(clean_text).reset_index(drop=True)
    problems = _registry_problems(registry, set(districts["district_code"]))
    if problems:
        raise RegistryError("ทะเบียนหน่วยงานไม่ถูกต้อง: " + "; ".join(problems[:10]))
    return registry


def _registry_problems(registry: pd.DataFrame, codes: set[str]) -> list[str]:
    """Every reason the registry cannot be trusted, with its file row (header = row 1)."""
    problems = []
    for column in ("agency_id", "name_th"):
        for value in registry.loc[registry[column].duplicated(), column]:
            problems.append(f"{column} '{value}' ซ้ำกัน")
    for row, record in registry.iterrows():
        line = row + 2
        if not record["agency_id"] or not record["name_th"]:
            problems.append(f"แถว {line}: ไม่มี agency_id หรือ name_th")
        if record["kind"] not in KINDS_TH:
            problems.append(f"แถว {line}: ประเภท '{record['kind']}' ไม่รู้จัก")
        if record["district_code"] and record["district_code"] not in codes:
            problems.append(f"แถว {line}: รหัสอำเภอ '{record['district_code']}' ไม่มีในจังหวัดขอนแก่น")
    return problems


