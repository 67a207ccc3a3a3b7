"""The sheet "published to the web" as CSV: one GET per refresh, no credentials."""

from __future__ import annotations

import csv
import io

import requests

from kkdash.sheets.retry import RETRY_STATUSES, RetryPolicy, TransientStatus, retry_after_seconds
from kkdash.sheets.tables import (
    SheetError,
    SheetForbidden,
    SheetMalformed,
    SheetNotFound,
    normalise,
)

CSV_SOURCE_NAME = "ไฟล์ CSV ที่เผยแพร่"


def fetch(url: str, *, session: requests.Session | None, timeout: float, retry: RetryPolicy) -> list[list[str]]:
    """Download the published CSV once (with retries) and parse it."""
    http = session or requests.Session()
    try:
        response = retry.run(lambda: _get_csv(http, url, timeout=timeout), what="ลิงก์ CSV ที่เผยแพร่")
    finally:
        if session is None:
            http.close()
    return normalise(_parse_csv(response.content), source=CSV_SOURCE_NAME)


def _get_csv(http: requests.Session, url: str, *, timeout: float) -> requests.Response:
    """Make one GET of the CSV link and classify its status."""
    response = http.get(url, timeout=timeout)
    status = response.status_code
    if status in RETRY_STATUSES:
        raise TransientStatus(status, retry_after_seconds(response.headers))
    if status in (401, 403):
        raise SheetForbidden("ลิงก์ CSV เปิดไม่ได้ (ไม่มีสิทธิ์): ในชีตให้ไปที่ ไฟล์ > แชร์ > เผยแพร่ทางเว็บ แล้วเผยแพร่อีกครั้ง")
    if status == 404:
        raise SheetNotFound("ไม่พบลิงก์ CSV ที่เผยแพร่ (HTTP 404): ตรวจ published_csv_url ในการตั้งค่า")
    if not response.ok:
        raise SheetError(f"ลิงก์ CSV ตอบกลับผิดปกติ (HTTP {status})", "api")
    if "text/html" in response.headers.get("Content-Type", ""):
        raise SheetMalformed("ลิงก์ให้หน้าเว็บแทนไฟล์ CSV: ตอนเผยแพร่ทางเว็บให้เลือกรูปแบบ 'ค่าที่คั่นด้วยจุลภาค (.csv)'")
    return response


def _parse_csv(content: bytes) -> list[list[str]]:
    """Decode UTF-8 (BOM tolerated) and split into rows of cells."""
    try:
        text = content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error):
        raise SheetMalformed("ไฟล์ CSV ที่เผยแพร่อ่านไม่ได้ (ไม่ใช่ CSV แบบ UTF-8)") from None
