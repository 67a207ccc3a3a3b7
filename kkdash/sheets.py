"""Google Sheets source: one values:batchGet per refresh, every cell kept as text."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import google.auth.exceptions
import gspread
import requests
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError

from kkdash.settings import SheetSettings

log = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
# FORMATTED_VALUE keeps phones' leading zeros and renders dates as the sheet shows them.
VALUE_PARAMS = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
METADATA_PARAMS = {"fields": "sheets.properties.title"}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
CSV_SOURCE_NAME = "ไฟล์ CSV ที่เผยแพร่"

T = TypeVar("T")


class SheetError(Exception):
    """A failure to read the sheet, with a Thai message for the dashboard."""

    default_kind = "error"

    def __init__(self, message_th: str, kind: str | None = None) -> None:
        super().__init__(message_th)
        self.message_th = message_th
        self.kind = kind or self.default_kind


class SheetUnavailable(SheetError):
    """Google kept failing (429, 5xx, time-outs, network) after every retry."""

    default_kind = "unavailable"


class SheetForbidden(SheetError):
    """The sheet is not shared with the service account, or not published."""

    default_kind = "forbidden"


class SheetNotFound(SheetError):
    """The spreadsheet key or a worksheet name is wrong."""

    default_kind = "not_found"


class SheetMalformed(SheetError):
    """The answer was not the JSON or CSV we asked for."""

    default_kind = "malformed"


class SheetEmpty(SheetError):
    """A worksheet has no header row at all."""

    default_kind = "empty"


class SheetHeaderError(SheetError):
    """The header row has duplicate names or blanks above data."""

    default_kind = "header"


class SheetCredentialsError(SheetError):
    """The service-account key cannot be read or is rejected by Google."""

    default_kind = "credentials"


@dataclass(frozen=True)
class SheetTables:
    """Raw worksheet rows: header first, every row padded to the header width."""

    responses: list[list[str]]
    registry: list[list[str]] | None
    fetched_at: datetime


class _Transient(Exception):
    """An HTTP status worth retrying, raised inside one attempt."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def fetch_tables(
    settings: SheetSettings,
    *,
    session: requests.Session | None = None,
    timeout: float = 20,
    max_attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> SheetTables:
    """Read the responses (and registry) worksheets; raise SheetError on failure."""
    retry = _Retry(max_attempts=max_attempts, sleep=sleep)
    if settings.mode == "service_account":
        responses, registry = _fetch_with_service_account(settings, session=session, timeout=timeout, retry=retry)
    elif settings.mode == "published_csv":
        responses = _fetch_published_csv(settings.published_csv_url, session=session, timeout=timeout, retry=retry)
        registry = None
    else:
        raise SheetError(
            "ยังไม่ได้ตั้งค่าแหล่งข้อมูล (ลิงก์ชีตพร้อมกุญแจบัญชีบริการ หรือ published_csv_url)",
            "not_configured",
        )
    return SheetTables(responses=responses, registry=registry, fetched_at=datetime.now(UTC))


# --- retries -----------------------------------------------------------------


@dataclass(frozen=True)
class _Retry:
    """Bounded exponential back-off with full jitter."""

    max_attempts: int
    sleep: Callable[[float], None]

    def run(self, attempt: Callable[[], T], *, what: str) -> T:
        """Call `attempt` until it succeeds or a non-transient error escapes."""
        for number in range(1, max(1, self.max_attempts) + 1):
            try:
                return attempt()
            except Exception as exc:
                if not _is_transient(exc):
                    raise
                if number >= self.max_attempts:
                    raise SheetUnavailable(
                        f"ติดต่อ {what} ไม่ได้ หลังลองแล้ว {number} ครั้ง ({_describe(exc)}) จะลองใหม่ในรอบรีเฟรชถัดไป"
                    ) from exc
                delay = random.uniform(
                    0,
                    min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (number - 1)),
                )
                log.warning(
                    "%s: attempt %d/%d failed (%s); retrying in %.2fs",
                    what,
                    number,
                    self.max_attempts,
                    _describe(exc),
                    delay,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _is_transient(exc: Exception) -> bool:
    """Tell whether a failure may go away if we simply try again."""
    if isinstance(exc, requests.JSONDecodeError):
        return False
    if isinstance(exc, _Transient):
        return True
    if isinstance(exc, APIError):
        return exc.response.status_code in RETRY_STATUSES
    if isinstance(exc, google.auth.exceptions.RefreshError):
        return bool(getattr(exc, "retryable", False))
    return isinstance(
        exc,
        (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            google.auth.exceptions.TransportError,
        ),
    )


def _describe(exc: Exception) -> str:
    """Name a failure without its message, which may quote request details."""
    if isinstance(exc, _Transient):
        return f"HTTP {exc.status}"
    if isinstance(exc, APIError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout) or isinstance(exc.__cause__, requests.Timeout):
        return "หมดเวลารอ"
    return type(exc).__name__


# --- service-account mode ------------------------------------------------------

_credentials_cache: dict[tuple[str, ...], Credentials] = {}
_credentials_lock = threading.Lock()


def _fetch_with_service_account(
    settings: SheetSettings,
    *,
    session: requests.Session | None,
    timeout: float,
    retry: _Retry,
) -> tuple[list[list[str]], list[list[str]] | None]:
    """Read both worksheets with one batchGet through the real gspread client."""
    credentials = _credentials(settings)
    authorized = _authorized_session(credentials, session)
    client = gspread.Client(auth=credentials, session=authorized)
    client.set_timeout(timeout)
    worksheets = [settings.responses_worksheet]
    if settings.registry_worksheet:
        worksheets.append(settings.registry_worksheet)
    try:
        payload = _batch_get(client, settings, worksheets, retry=retry)
    finally:
        if session is None:
            authorized.close()
    rows = _value_ranges(payload, len(worksheets))
    tables = [_normalise(table, source=title) for title, table in zip(worksheets, rows, strict=True)]
    return tables[0], (tables[1] if len(tables) > 1 else None)


def _batch_get(
    client: gspread.Client,
    settings: SheetSettings,
    worksheets: list[str],
    *,
    retry: _Retry,
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
    except google.auth.exceptions.GoogleAuthError:
        # from None: google-auth errors may quote the token endpoint's answer.
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


def _authorized_session(credentials: Credentials, transport: requests.Session | None) -> AuthorizedSession:
    """Wrap the caller's transport so API and token calls share its adapters."""
    if transport is None:
        return AuthorizedSession(credentials)
    session = AuthorizedSession(credentials, auth_request=Request(session=transport))
    for prefix, adapter in transport.adapters.items():
        session.mount(prefix, adapter)
    session.trust_env = transport.trust_env
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


# --- published-CSV mode --------------------------------------------------------


def _fetch_published_csv(
    url: str, *, session: requests.Session | None, timeout: float, retry: _Retry
) -> list[list[str]]:
    """Download the published CSV once (with retries) and parse it."""
    http = session or requests.Session()
    try:
        response = retry.run(lambda: _get_csv(http, url, timeout=timeout), what="ลิงก์ CSV ที่เผยแพร่")
    finally:
        if session is None:
            http.close()
    return _normalise(_parse_csv(response.content), source=CSV_SOURCE_NAME)


def _get_csv(http: requests.Session, url: str, *, timeout: float) -> requests.Response:
    """Make one GET of the CSV link and classify its status."""
    response = http.get(url, timeout=timeout)
    status = response.status_code
    if status in RETRY_STATUSES:
        raise _Transient(status)
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


# --- shaping rows ------------------------------------------------------------------


def _normalise(rows: list[list[Any]], *, source: str) -> list[list[str]]:
    """Pad rows to the header width after checking the header row."""
    table = [[_cell_text(cell) for cell in row] for row in rows]
    while table and not _has_text(table[-1]):
        table.pop()  # Google omits trailing empty rows; CSV may not.
    if not table:
        raise SheetEmpty(f"แท็บ '{source}' ว่างเปล่า ไม่มีแถวหัวคอลัมน์ (แถวที่ 1)")
    header = _trim(table[0])
    if not header:
        raise SheetHeaderError(f"แท็บ '{source}' แถวที่ 1 ต้องเป็นหัวคอลัมน์ แต่แถวนี้ว่าง")
    _check_header(header, table[1:], source=source)
    # Blank rows inside the data stay, so row i is still sheet row i + 1.
    return [header] + [_pad(row, len(header)) for row in table[1:]]


def _pad(row: list[str], width: int) -> list[str]:
    """Fit a row to the header width; only blank cells are ever cut."""
    row = _trim(row)[:width]
    return row + [""] * (width - len(row))


def _cell_text(cell: Any) -> str:
    """FORMATTED_VALUE cells are strings already; anything else is stringified."""
    return cell if isinstance(cell, str) else ("" if cell is None else str(cell))


def _has_text(row: list[str]) -> bool:
    """Tell whether any cell in the row holds non-blank text."""
    return any(cell.strip() for cell in row)


def _trim(row: list[str]) -> list[str]:
    """Drop trailing blank cells, as the Sheets API does."""
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _check_header(header: list[str], data: list[list[str]], *, source: str) -> None:
    """Reject duplicate names and blank headers above non-empty columns."""
    used = {index for row in data for index, cell in enumerate(row) if cell.strip()}
    blank = sorted(index for index in used if index >= len(header) or not header[index].strip())
    names = Counter(name.strip() for name in header if name.strip())
    problems = []
    for name in (name for name, count in names.items() if count > 1):
        columns = ", ".join(_column_letter(i) for i, cell in enumerate(header) if cell.strip() == name)
        problems.append(f"หัวคอลัมน์ '{name}' ซ้ำกัน (คอลัมน์ {columns})")
    if blank:
        problems.append("คอลัมน์ที่มีข้อมูลแต่ไม่มีหัวคอลัมน์: " + ", ".join(_column_letter(i) for i in blank))
    if problems:
        raise SheetHeaderError(f"แท็บ '{source}': " + "; ".join(problems) + " ให้แก้แถวที่ 1 ในชีต")


def _column_letter(index: int) -> str:
    """Return the spreadsheet column letter for a 0-based index (0 → A)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
