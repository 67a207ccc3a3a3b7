"""Link-check results kept between runs: one JSON file of the latest result per URL."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from kkdash.dates import BANGKOK, in_bangkok
from kkdash.files import write_atomically
from kkdash.labels import UNCHECKED

log = logging.getLogger(__name__)

COLUMNS = [
    "url",
    "checked_at",
    "reachable",
    "http_status",
    "error",
    "final_url",
    "mentions_declaration",
    "status",
]

_COLUMN_TYPES = {
    "url": "str",
    "reachable": "boolean",
    "http_status": "Int64",
    "error": "str",
    "final_url": "str",
    "mentions_declaration": "boolean",
    "status": "str",
}
CACHE_VERSION = 1


@dataclass(frozen=True)
class LinkResult:
    """Outcome of checking one URL."""

    url: str
    checked_at: datetime | None
    reachable: bool | None
    http_status: int | None
    error: str | None
    final_url: str | None
    mentions_declaration: bool | None
    status: str


def _result_to_json(result: LinkResult) -> dict:
    """Turn a result into a JSON-ready dict."""
    data = asdict(result)
    data["checked_at"] = result.checked_at.isoformat() if result.checked_at else None
    return data


def _result_from_json(data: dict) -> LinkResult:
    """Rebuild a result read from the cache file."""
    checked_at = data.get("checked_at")
    return LinkResult(
        url=data["url"],
        checked_at=in_bangkok(datetime.fromisoformat(checked_at)) if checked_at else None,
        reachable=data.get("reachable"),
        http_status=data.get("http_status"),
        error=data.get("error"),
        final_url=data.get("final_url"),
        mentions_declaration=data.get("mentions_declaration"),
        status=data.get("status", UNCHECKED),
    )


def read_results(cache_path: str | os.PathLike) -> dict[str, LinkResult]:
    """Read cached results by URL; a missing or damaged file counts as empty."""
    path = Path(cache_path)
    if not path.exists():
        return {}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return {url: _result_from_json(row) for url, row in payload["results"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.warning("Ignoring unreadable link cache %s", path, exc_info=True)
        return {}


def write_results(cache_path: str | os.PathLike, results: dict[str, LinkResult]) -> None:
    """Write all results atomically, so a reader never sees half a file."""
    payload = {"version": CACHE_VERSION, "results": {u: _result_to_json(r) for u, r in results.items()}}
    write_atomically(cache_path, json.dumps(payload, ensure_ascii=False, indent=1))


def _unchecked(url: str) -> LinkResult:
    """Return the placeholder for a URL that has no result yet."""
    return LinkResult(url, None, None, None, None, None, None, UNCHECKED)


def results_frame(results: list[LinkResult]) -> pd.DataFrame:
    """Build the results table, one row per result, with the same column types every time."""
    frame = pd.DataFrame([asdict(r) for r in results], columns=COLUMNS, dtype=object)
    stamps = pd.to_datetime(frame["checked_at"], utc=True).dt.tz_convert(BANGKOK)
    frame["checked_at"] = stamps.astype(pd.DatetimeTZDtype("us", BANGKOK))
    return frame.astype(_COLUMN_TYPES)


def load_link_results(cache_path: str | os.PathLike, *, urls: Iterable[object] | None = None) -> pd.DataFrame:
    """Read cached results without checking anything; with urls, one row each (unchecked if unknown)."""
    cached = read_results(cache_path)
    if urls is None:
        return results_frame(list(cached.values()))
    return results_frame([cached.get(u) or _unchecked(u) for u in distinct_urls(urls)])


def is_fresh(result: LinkResult | None, now: datetime, max_age: timedelta) -> bool:
    """Tell whether a cached result is recent enough to reuse."""
    return result is not None and result.checked_at is not None and now - result.checked_at <= max_age


def distinct_urls(urls: Iterable[object]) -> list[str]:
    """Return the non-empty URLs, stripped, in first-seen order."""
    cleaned = (u.strip() for u in urls if isinstance(u, str))
    return list(dict.fromkeys(u for u in cleaned if u))
