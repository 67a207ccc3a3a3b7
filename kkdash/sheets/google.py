"""The Google Sheet read with a service account: one values:batchGet per refresh, through gspread.

FORMATTED_VALUE keeps phones' leading zeros and renders dates as the sheet shows them. This module
is imported only when a sheet is configured: a demo or CSV run never loads gspread or google-auth.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import google.auth.exceptions
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError

from kkdash.settings import SheetSettings
from kkdash.sheets.retry import RETRY_STATUSES, RetryPolicy
from kkdash.sheets.tables import (
    SheetCredentialsError,
    SheetError,
    SheetForbidden,
    SheetMalformed,
    SheetNotFound,
    SheetUnavailable,
    normalise,
)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
VALUE_PARAMS = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
METADATA_PARAMS = {"fields": "sheets.properties.title"}


def is_transient(exc: BaseException) -> bool:
    """Google's own transient failures: a retryable API status or a transport error on the way to the token.

    A failed token exchange (RefreshError) is not retried here: google-auth has already tried it
    three times, and retrying each of our attempts would multiply the token requests.
    """
    if isinstance(exc, APIError):
        return exc.response.status_code in RETRY_STATUSES
    return isinstance(exc, google.auth.exceptions.TransportError)


def describe(exc: BaseException) -> str:
    """An API failure by its status; anything else by its type."""
    return f"HTTP {exc.response.status_code}" if isinstance(exc, APIError) else type(exc).__name__


_credentials_cache: dict[tuple[str, ...], Credentials] = {}
_credentials_lock = threading.Lock()


def fetch(
    settings: SheetSettings,
    *,
    session: requests.Session,
    timeout: float,
    retry: RetryPolicy,
) -> tuple[list[list[str]], list[list[str]] | None]:
    """Read both worksheets with one batchGet through the real gspread client, over ``session``'s adapters."""
    credentials = _credentials(settings)
    authorized = _authorized_session(credentials, session)
    client = gspread.Client(auth=credentials, session=authorized)
    client.set_timeout(timeout)
    worksheets = [settings.responses_worksheet]
    if settings.registry_worksheet:
        worksheets.append(settings.registry_worksheet)
    payload = _batch_get(client, settings, worksheets, retry=retry)
    rows = _value_ranges(payload, len(worksheets))
    tables = [normalise(table, source=title) for title, table in zip(worksheets, rows, strict=True)]
    return tables[0], (tables[1] if len(tables) > 1 else None)


def _batch_get(
    client: gspread.Client,
    settings: SheetSettings,
    worksheets: list[str],
    *,
    retry: RetryPolicy,
) -> Any:
    """Issue the single values:batchGet and map its failures to SheetErrors."""
    ranges = [_a1_sheet(title) for title in worksheets]
    try:
        return retry.run(
            lambda: client.http_client.values_batch_get(settings.sheet_key, ranges, params=dict(VALUE_PARAMS)),
            what="Google Sheets",
        )
    except APIError as exc:
        raise _api_error(exc, client, settings, worksheets) from exc
    except requests.JSONDecodeError:
        raise SheetMalformed("Google Sheets ตอบกลับมาเป็นข้อมูลที่อ่านไม่ได้ (ไม่ใช่ JSON)") from None
    except google.auth.exceptions.TransportError:
        raise  # the network on the way to the token: the read's own mapping names it
    except google.auth.exceptions.RefreshError as exc:
        # from None: google-auth errors may quote the token endpoint's answer.
        if getattr(exc, "retryable", False):  # a 5xx or 429 that google-auth already tried three times
            raise SheetUnavailable("บริการออกสิทธิ์เข้าใช้ (token) ของ Google ขัดข้อง หลังลองแล้ว 3 ครั้ง"
                                   " จะลองใหม่ในรอบรีเฟรชถัดไป") from None
        raise SheetCredentialsError("Google ไม่ยอมรับกุญแจบัญชีบริการ (อาจถูกลบหรือปิดใช้งาน) ให้สร้างกุญแจใหม่") from None
    except google.auth.exceptions.GoogleAuthError:
        raise SheetCredentialsError("Google ไม่ยอมรับกุญแจบัญชีบริการ (อาจถูกลบหรือปิดใช้งาน) ให้สร้างกุญแจใหม่") from None


def _credentials(settings: SheetSettings) -> Credentials:
    """Return cached read-only credentials so the access token is reused."""
    info = _key_info(settings)
    cache_key = (
        str(info.get("client_email")),
        str(info.get("private_key_id")),
        str(info.get("token_uri")),
        hashlib.sha256(str(info.get("private_key")).encode()).hexdigest(),
    )
    with _credentials_lock:
        credentials = _credentials_cache.get(cache_key)
        if credentials is None:
            try:
                credentials = Credentials.from_service_account_info(info, scopes=SCOPES)
            except (ValueError, TypeError, KeyError):
                # from None: the original error may quote parts of the key.
                raise SheetCredentialsError("กุญแจบัญชีบริการไม่ถูกต้อง ให้ดาวน์โหลดไฟล์กุญแจ JSON ใหม่จาก Google Cloud") from None
            _credentials_cache[cache_key] = credentials
    return credentials


def _key_info(settings: SheetSettings) -> dict:
    """Load the key JSON; a credentials file (environment) beats secrets."""
    if not settings.credentials_path:
        return dict(settings.service_account_info or {})
    try:
        with open(settings.credentials_path, encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError):
        raise SheetCredentialsError(
            f"อ่านไฟล์กุญแจ {settings.credentials_path} ไม่ได้ (ต้องเป็นไฟล์ JSON ของบัญชีบริการ)"
        ) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise SheetCredentialsError(
            f"ไฟล์ {settings.credentials_path} ไม่ใช่กุญแจของบัญชีบริการ (type ต้องเป็น service_account)"
        )
    return info


def _authorized_session(credentials: Credentials, transport: requests.Session) -> AuthorizedSession:
    """Wrap the caller's transport so API and token calls share its adapters (and so the read's deadline)."""
    session = AuthorizedSession(credentials, auth_request=Request(session=transport))
    for prefix, adapter in transport.adapters.items():
        session.mount(prefix, adapter)
    session.trust_env = transport.trust_env
    session.max_redirects = transport.max_redirects
    return session


def _a1_sheet(title: str) -> str:
    """Quote a worksheet title as an A1 range covering the whole sheet."""
    return "'" + title.replace("'", "''") + "'"


def _value_ranges(payload: Any, expected: int) -> list[list[list[Any]]]:
    """Pull the row lists out of a batchGet answer, checking its shape."""
    ranges = payload.get("valueRanges") if isinstance(payload, dict) else None
    if not isinstance(ranges, list) or len(ranges) != expected:
        raise SheetMalformed("คำตอบจาก Google Sheets ไม่มีข้อมูลช่วง (valueRanges) ตามที่ขอ")
    rows = [value_range.get("values", []) if isinstance(value_range, dict) else None for value_range in ranges]
    if not all(isinstance(table, list) and all(isinstance(row, list) for row in table) for table in rows):
        raise SheetMalformed("คำตอบจาก Google Sheets มีรูปแบบแถวที่ไม่ถูกต้อง")
    return rows


def _api_error(
    exc: APIError,
    client: gspread.Client,
    settings: SheetSettings,
    worksheets: list[str],
) -> SheetError:
    """Turn a non-retryable API answer into a Thai SheetError."""
    status = exc.response.status_code
    email = _client_email(settings)
    if status == 403:
        return SheetForbidden(f"บัญชีบริการไม่มีสิทธิ์อ่านชีตนี้: เปิดชีตแล้วกด 'แชร์' ให้อีเมล {email} เป็น 'ผู้มีสิทธิ์อ่าน' (Viewer)")
    if status == 404 or (status == 400 and "Unable to parse range" in _api_message(exc)):
        return _not_found(client, settings, worksheets, email=email)
    if status == 401:
        return SheetCredentialsError("Google ไม่ยอมรับกุญแจบัญชีบริการ (HTTP 401) ให้ตรวจกุญแจในการตั้งค่า")
    return SheetError(f"Google Sheets ปฏิเสธคำขอ (HTTP {status}): {_api_message(exc)}", "api")


def _api_message(exc: APIError) -> str:
    """Return Google's error message text, which never contains credentials."""
    return str(exc.error.get("message", "")) if isinstance(exc.error, dict) else ""


def _not_found(
    client: gspread.Client,
    settings: SheetSettings,
    worksheets: list[str],
    *,
    email: str,
) -> SheetNotFound:
    """Ask once for the worksheet titles so the message can list them."""
    try:
        titles = _worksheet_titles(client, settings.sheet_key)
    except APIError as exc:
        if exc.response.status_code in (403, 404):
            return SheetNotFound(f"ไม่พบชีตรหัส {settings.sheet_key}: ตรวจลิงก์ชีตในการตั้งค่า และแชร์ชีตให้อีเมล {email}")
        titles = None
    if titles is None:
        wanted = ", ".join(f"'{title}'" for title in worksheets)
        return SheetNotFound(f"ไม่พบชีตหรือแท็บที่ตั้งค่าไว้ ({wanted}) และอ่านรายชื่อแท็บไม่ได้")
    existing = ", ".join(f"'{title}'" for title in titles) or "(ไม่มี)"
    missing = [title for title in worksheets if title not in titles]
    if not missing:
        # The worksheets exist after all (renamed back meanwhile?): say so.
        return SheetNotFound(f"Google Sheets ตอบว่าไม่พบข้อมูล ทั้งที่แท็บที่ต้องการมีอยู่ ({existing}) จะลองใหม่ในรอบรีเฟรชถัดไป")
    wanted = ", ".join(f"'{title}'" for title in missing)
    return SheetNotFound(f"ไม่พบแท็บ (worksheet) ชื่อ {wanted} ในชีตนี้ แท็บที่มีอยู่: {existing}")


def _worksheet_titles(client: gspread.Client, key: str) -> list[str] | None:
    """Return the worksheet titles; None if unreachable, APIError if refused."""
    try:
        metadata = client.http_client.fetch_sheet_metadata(key, params=dict(METADATA_PARAMS))
        return [str(sheet["properties"]["title"]) for sheet in metadata.get("sheets", [])]
    except (requests.RequestException, google.auth.exceptions.GoogleAuthError, KeyError, TypeError, AttributeError):
        return None


def _client_email(settings: SheetSettings) -> str:
    """Return the service account's e-mail for messages; never the key."""
    try:
        return str(_key_info(settings).get("client_email") or "(ไม่ทราบอีเมล)")
    except SheetCredentialsError:
        return "(ไม่ทราบอีเมล)"
