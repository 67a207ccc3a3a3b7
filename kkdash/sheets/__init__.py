"""The live Google Sheet: one request per refresh, every cell kept as text, failures as Thai SheetErrors.

``fetch_tables`` picks the reader for the configured mode and imports it only then, so a demo or
CSV run never loads gspread, google-auth or requests.
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
                 max_attempts: int = 4, sleep: Callable[[float], None] = time.sleep) -> SheetTables:
    """Read the responses (and registry) worksheets; raise SheetError on failure."""
    if settings.mode == "service_account":
        from kkdash.sheets import google
        from kkdash.sheets.retry import RetryPolicy

        retry = RetryPolicy(max_attempts=max_attempts, sleep=sleep, transient=google.is_transient,
                            describe=google.describe)
        responses, registry = google.fetch(settings, session=session, timeout=timeout, retry=retry)
    elif settings.mode == "published_csv":
        from kkdash.sheets import published
        from kkdash.sheets.retry import RetryPolicy

        retry = RetryPolicy(max_attempts=max_attempts, sleep=sleep)
        responses = published.fetch(settings.published_csv_url, session=session, timeout=timeout, retry=retry)
        registry = None
    else:
        raise SheetError("ยังไม่ได้ตั้งค่าแหล่งข้อมูล (ลิงก์ชีตพร้อมกุญแจบัญชีบริการ หรือ published_csv_url)",
                         "not_configured")
    return SheetTables(responses=responses, registry=registry, fetched_at=datetime.now(UTC))
