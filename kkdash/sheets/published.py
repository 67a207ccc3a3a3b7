"""The sheet "published to the web" as CSV: one GET per refresh (redirects followed by hand), no credentials."""

from __future__ import annotations

import csv
import io
from urllib.parse import urljoin

import requests

from kkdash.settings.sheet import is_secure_csv_url
from kkdash.sheets.retry import MAX_REDIRECTS, RETRY_STATUSES, RetryPolicy, TransientStatus, retry_after_seconds
from kkdash.sheets.tables import (
    SheetError,
    SheetForbidden,
    SheetMalformed,
    SheetNotFound,
    normalise,
)

CSV_SOURCE_NAME = "ไฟล์ CSV ที่เผยแพร่"


def fetch(url: str, *, session: requests.Session, timeout: float, retry: RetryPolicy,
          allow_loopback: bool = False) -> list[list[str]]:
    """Download the published CSV once (with retries), over https only, and parse it."""
    response = retry.run(lambda: _get_csv(session, url, timeout=timeout, allow_loopback=allow_loopback),
                         what="ลิงก์ CSV ที่เผยแพร่")
    return normalise(_parse_csv(response.content), source=CSV_SOURCE_NAME)


def _get_csv(http: requests.Session, url: str, *, timeout: float, allow_loopback: bool) -> requests.Response:
    """GET the CSV link, following redirects hop by hop (each must be https), and classify the answer."""
    for _ in range(MAX_REDIRECTS + 1):
        if not is_secure_csv_url(url, allow_loopback=allow_loopback):
            # Reporters' names and phones must not cross the network unencrypted, even after a redirect.
            raise SheetError("ลิงก์ CSV ที่เผยแพร่ (หรือปลายทางที่ลิงก์ส่งต่อไป) ไม่ใช่ https:// จึงไม่ดาวน์โหลด"
                             " เพราะข้อมูลส่วนบุคคลจะส่งผ่านเครือข่ายโดยไม่เข้ารหัส", "insecure")
        response = http.get(url, timeout=timeout, allow_redirects=False)
        if not response.is_redirect:
            return _checked(response)
        url = urljoin(url, response.headers["Location"])
        response.close()
    raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")


def _checked(response: requests.Response) -> requests.Response:
    """Classify one answer's status and type: retry, refuse with a Thai reason, or keep."""
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
