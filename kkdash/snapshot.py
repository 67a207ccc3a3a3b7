"""Last good sheet read on disk, so a restart during an outage still shows data."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from kkdash.files import write_atomically
from kkdash.sheets.tables import SheetTables

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


def save_snapshot(path: str | os.PathLike[str], tables: SheetTables) -> None:
    """Write the tables as UTF-8 JSON, atomically."""
    document = {
        "version": FORMAT_VERSION,
        "fetched_at": tables.fetched_at.isoformat(),
        "responses": tables.responses,
        "registry": tables.registry,
    }
    write_atomically(path, json.dumps(document, ensure_ascii=False))


def load_snapshot(path: str | os.PathLike[str]) -> SheetTables | None:
    """Read a snapshot; None when absent or unreadable (logged, never raised)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Ignoring unreadable snapshot %s: %s", path, type(exc).__name__)
        return None
    try:
        return _tables(json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("Ignoring corrupt snapshot %s: %s", path, exc)
        return None


def _tables(document: Any) -> SheetTables:
    """Rebuild SheetTables from parsed JSON, checking every field's shape."""
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise ValueError("unknown snapshot format")
    fetched_at = datetime.fromisoformat(document["fetched_at"])
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at has no time zone")
    registry = document["registry"]
    return SheetTables(
        responses=_rows(document["responses"]),
        registry=None if registry is None else _rows(registry),
        fetched_at=fetched_at,
    )


def _rows(value: Any) -> list[list[str]]:
    """Return value if it is a non-empty list of lists of strings."""
    if not isinstance(value, list) or not value:
        raise ValueError("a table must be a non-empty list of rows")
    for row in value:
        if not isinstance(row, list) or not all(isinstance(cell, str) for cell in row):
            raise ValueError("a row must be a list of strings")
    return value
