"""The live Google Sheet: one request per refresh, every cell kept as text, failures as Thai SheetErrors.

``fetch_tables`` picks the reader for the configured mode and imports it only then, so a demo or
CSV run never loads gspread, google-auth or requests. A read ends by its deadline
(``read_deadline_seconds``: token, connect and answer together, retries included).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kkdash.settings import SheetSettings
from kkdash.sheets.tables import (
    SheetCredentialsError,
    SheetEmpty,
    SheetError,
    SheetForbidden,
    SheetHeaderError,
    SheetMalformed,
    SheetNotFound,
    SheetTables,
    SheetUnavailable,
)

if TYPE_CHECKING:
    import requests

__all__ = ["SheetCredentialsError", "SheetEmpty", "SheetError", "SheetForbidden", "SheetHeaderError",
           "SheetMalformed", "SheetNotFound", "SheetTables", "SheetUnavailable", "fetch_tables"]


def fetch_tables(settings: SheetSettings, *, session: requests.Session | None = None, timeout: float = 20,
                 max_attempts: int = 4, sleep: Callable[[float], None] = time.sleep,
                 deadline: float | None = None) -> SheetTables:
    """Read the responses (and registry) worksheets within ``deadline`` seconds (default: the settings');
    raise SheetError on any failure."""
    if settings.mode not in ("service_account", "published_csv"):
        raise SheetError("ยังไม่ได้ตั้งค่าแหล่งข้อมูล (ลิงก์ชีตพร้อมกุญแจบัญชีบริการ หรือ published_csv_url)",
                         "not_configured")
    from kkdash.sheets.reading import read_tables

    responses, registry = read_tables(settings, session=session, timeout=timeout, max_attempts=max_attempts,
                                      sleep=sleep,
                                      deadline_seconds=settings.read_deadline_seconds if deadline is None else deadline)
    return SheetTables(responses=responses, registry=registry, fetched_at=datetime.now(UTC))
