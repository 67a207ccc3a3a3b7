"""The Google Sheet settings: which sheet, which tabs, how often, with which key (`[sheet]`, KKDASH_* variables)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from kkdash.dates import parse_iso_day
from kkdash.errors import SettingsError
from kkdash.settings.values import Lookup, as_text, secrets_table

DEFAULT_RESPONSES_WORKSHEET = "Form Responses 1"
DEFAULT_REFRESH_SECONDS = 60
# The Sheets API allows 60 reads a minute per user; faster refreshes only burn quota.
MIN_REFRESH_SECONDS = 10
MAX_REFRESH_SECONDS = 24 * 60 * 60
# One read (token, connect, answer) may take this long in all, retries included; then the pages keep
# the last good data and say why. Below the refresh interval, so reads never pile up.
DEFAULT_READ_DEADLINE_SECONDS = 30
MIN_READ_DEADLINE_SECONDS, MAX_READ_DEADLINE_SECONDS = 1, 300

ENV_SHEET_URL = "KKDASH_SHEET_URL"
ENV_RESPONSES_WORKSHEET = "KKDASH_RESPONSES_WORKSHEET"
ENV_REGISTRY_WORKSHEET = "KKDASH_REGISTRY_WORKSHEET"
ENV_PUBLISHED_CSV_URL = "KKDASH_PUBLISHED_CSV_URL"
ENV_REFRESH_SECONDS = "KKDASH_REFRESH_SECONDS"
ENV_DEADLINE = "KKDASH_DEADLINE"
ENV_READ_DEADLINE_SECONDS = "KKDASH_READ_DEADLINE_SECONDS"
ENV_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS"
# The one switch for tests: fetch from 127.0.0.1 (the test suite's own link and CSV servers), over
# plain http there. Production never sets it; links and sheets on loopback or private networks are refused.
ENV_ALLOW_LOOPBACK = "KKDASH_ALLOW_LOOPBACK"
LOOPBACK_HOSTS = frozenset({"localhost"})
# The `[sheet]` keys an environment variable overrides (the sheet's url has its own rule: _sheet_key).
VARIABLES = {"responses_worksheet": ENV_RESPONSES_WORKSHEET, "registry_worksheet": ENV_REGISTRY_WORKSHEET,
             "published_csv_url": ENV_PUBLISHED_CSV_URL, "refresh_seconds": ENV_REFRESH_SECONDS,
             "deadline": ENV_DEADLINE, "read_deadline_seconds": ENV_READ_DEADLINE_SECONDS}

_KEY_IN_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]{20,})")
_PUBLISHED_IN_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/e/")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
_REQUIRED_KEY_FIELDS = ("client_email", "private_key", "token_uri")



@dataclass(frozen=True)
class SheetSettings:
    """Where to read the campaign data from, and how often."""

    sheet_key: str | None = None
    responses_worksheet: str = DEFAULT_RESPONSES_WORKSHEET
    registry_worksheet: str | None = None
    published_csv_url: str | None = None
    refresh_seconds: int = DEFAULT_REFRESH_SECONDS
    deadline: date | None = None
    # hash=False keeps the settings hashable (cache keys) despite the dict.
    service_account_info: dict | None = field(default=None, hash=False)
    credentials_path: str | None = None
    read_deadline_seconds: float = DEFAULT_READ_DEADLINE_SECONDS
    allow_loopback: bool = False  # the test switch: a published CSV on 127.0.0.1 over plain http

    @property
    def mode(self) -> str:
        """Return "service_account", "published_csv" or "demo"."""
        if self.sheet_key and (self.service_account_info or self.credentials_path):
            return "service_account"
        if self.published_csv_url:
            return "published_csv"
        return "demo"

    def __repr__(self) -> str:
        """Show everything except the service-account key."""
        hidden = "<hidden>" if self.service_account_info else None
        return (
            f"SheetSettings(sheet_key={self.sheet_key!r}, "
            f"responses_worksheet={self.responses_worksheet!r}, "
            f"registry_worksheet={self.registry_worksheet!r}, "
            f"published_csv_url={self.published_csv_url!r}, "
            f"refresh_seconds={self.refresh_seconds!r}, deadline={self.deadline!r}, "
            f"service_account_info={hidden}, credentials_path={self.credentials_path!r}, "
            f"read_deadline_seconds={self.read_deadline_seconds!r}, allow_loopback={self.allow_loopback!r})"
        )


def load_sheet_settings(secrets: Mapping | None = None, environ: Mapping | None = None) -> SheetSettings:
    """Build settings from secrets and the environment (environment wins)."""
    environ = os.environ if environ is None else environ
    sheet = secrets_table(secrets, "sheet")
    source = Lookup("sheet", sheet, environ, VARIABLES)
    allow_loopback = loopback_allowed(environ)
    settings = SheetSettings(
        sheet_key=_sheet_key(source),
        responses_worksheet=source.text("responses_worksheet") or DEFAULT_RESPONSES_WORKSHEET,
        registry_worksheet=source.text("registry_worksheet"),
        published_csv_url=_published_csv_url(source, allow_loopback=allow_loopback),
        refresh_seconds=_refresh_seconds(source),
        deadline=_deadline(source),
        service_account_info=_service_account_info(secrets_table(secrets, "gcp_service_account")),
        credentials_path=_credentials_path(environ),
        read_deadline_seconds=_read_deadline_seconds(source),
        allow_loopback=allow_loopback,
    )
    _check_consistency(settings)
    return settings


def parse_sheet_key(text: str, *, where: str = "url") -> str:
    """Return the spreadsheet key from an edit URL or a bare key."""
    text = text.strip()
    if _PUBLISHED_IN_URL.search(text):
        raise SettingsError(f"{where}: ลิงก์นี้เป็นลิงก์ 'เผยแพร่ทางเว็บ' (/d/e/...) ให้ใส่ไว้ที่ published_csv_url แทน")
    match = _KEY_IN_URL.search(text)
    if match:
        return match.group(1)
    if _BARE_KEY.fullmatch(text):
        return text
    raise SettingsError(
        f"{where}: อ่านรหัสชีตไม่ได้ ต้องเป็นลิงก์แบบ "
        "https://docs.google.com/spreadsheets/d/<รหัสชีต>/edit หรือรหัสชีตอย่างเดียว "
        f"(ได้ค่า {text!r})"
    )


def _sheet_key(source: Lookup) -> str | None:
    """Read the key from KKDASH_SHEET_URL, [sheet] url or [sheet] key."""
    env_value = source.environ.get(ENV_SHEET_URL)
    if isinstance(env_value, str) and env_value.strip():
        return parse_sheet_key(env_value, where=ENV_SHEET_URL)
    keys = set()
    for name in ("url", "key"):
        text = as_text(source.table.get(name), f"[sheet] {name}")
        if text:
            keys.add(parse_sheet_key(text, where=f"[sheet] {name}"))
    if len(keys) > 1:
        raise SettingsError("[sheet] url และ [sheet] key ชี้ไปคนละชีต ให้ใส่อย่างใดอย่างหนึ่ง")
    return keys.pop() if keys else None


def loopback_allowed(environ: Mapping) -> bool:
    """The test switch (KKDASH_ALLOW_LOOPBACK=1) is on."""
    return str(environ.get(ENV_ALLOW_LOOPBACK, "")).strip() == "1"


def is_secure_csv_url(url: str, *, allow_loopback: bool = False) -> bool:
    """True for an https:// link; plain http only to this machine, and only with the test switch on."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme.lower() == "https" and host:
        return True
    return allow_loopback and parts.scheme.lower() == "http" and _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _published_csv_url(source: Lookup, *, allow_loopback: bool = False) -> str | None:
    """Read the published-to-the-web CSV link: https only; reject the HTML variant."""
    url = source.text("published_csv_url")
    if url is None:
        return None
    where = source.where("published_csv_url")
    if not is_secure_csv_url(url, allow_loopback=allow_loopback):
        # The CSV carries reporters' names and phones: never over an unencrypted connection.
        raise SettingsError(f"{where} ต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// เพราะไฟล์มีข้อมูลส่วนบุคคล (ได้ค่า {url!r})")
    if "pubhtml" in url:
        raise SettingsError(
            f"{where} เป็นลิงก์หน้าเว็บ (pubhtml) ตอนเผยแพร่ให้เลือกรูปแบบ 'ค่าที่คั่นด้วยจุลภาค (.csv)' แล้วคัดลอกลิงก์ใหม่"
        )
    return url


def _refresh_seconds(source: Lookup) -> int:
    """Read the refresh interval, bounded to protect the API quota."""
    return source.whole_number("refresh_seconds", default=DEFAULT_REFRESH_SECONDS, low=MIN_REFRESH_SECONDS,
                               high=MAX_REFRESH_SECONDS, must=f"ต้องเป็นจำนวนเต็มวินาที ระหว่าง {MIN_REFRESH_SECONDS}"
                               f" ถึง {MAX_REFRESH_SECONDS}")


def _read_deadline_seconds(source: Lookup) -> int:
    """Read the whole-read time limit, in whole seconds."""
    return source.whole_number("read_deadline_seconds", default=DEFAULT_READ_DEADLINE_SECONDS,
                               low=MIN_READ_DEADLINE_SECONDS, high=MAX_READ_DEADLINE_SECONDS,
                               must=f"ต้องเป็นจำนวนเต็มวินาที ระหว่าง {MIN_READ_DEADLINE_SECONDS}"
                               f" ถึง {MAX_READ_DEADLINE_SECONDS}")


def _deadline(source: Lookup) -> date | None:
    """Read the campaign deadline; a Buddhist-era year is converted to CE."""
    value, where = source.raw("deadline"), source.where("deadline")
    if value is None or value == "":
        return None
    parsed = _as_date(value)
    if parsed is None:
        raise SettingsError(f"{where} ต้องเป็นวันที่รูปแบบ YYYY-MM-DD เช่น 2025-06-30 (ได้ค่า {value!r})")
    return parsed


def _as_date(value: Any) -> date | None:
    """Return a date from a TOML date or a YYYY-MM-DD string (CE or BE); None otherwise."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    return parse_iso_day(value) if isinstance(value, str) else None


def _service_account_info(table: dict) -> dict | None:
    """Validate the [gcp_service_account] table without echoing its values."""
    if not table:
        return None
    if table.get("type", "service_account") != "service_account":
        raise SettingsError("[gcp_service_account] ต้องเป็นกุญแจชนิด service_account")
    missing = [name for name in _REQUIRED_KEY_FIELDS if not table.get(name)]
    if missing:
        raise SettingsError(f"[gcp_service_account] ขาดช่อง: {', '.join(missing)}")
    info = dict(table)
    # A key pasted into a TOML literal string keeps "\n" as two characters.
    info["private_key"] = str(info["private_key"]).replace("\\n", "\n")
    return info


def _credentials_path(environ: Mapping) -> str | None:
    """Read GOOGLE_APPLICATION_CREDENTIALS and check that the file exists."""
    path = environ.get(ENV_CREDENTIALS)
    if not isinstance(path, str) or not path.strip():
        return None
    path = path.strip()
    if not os.path.isfile(path):
        raise SettingsError(f"ไม่พบไฟล์กุญแจที่ {ENV_CREDENTIALS} ชี้ไป: {path}")
    return path


def _check_consistency(settings: SheetSettings) -> None:
    """Reject half-configured sources instead of silently showing demo data."""
    if settings.sheet_key and settings.mode == "demo":
        raise SettingsError(
            "ตั้งค่าลิงก์ชีตแล้ว แต่ยังไม่มีกุญแจบัญชีบริการ: ใส่ตาราง [gcp_service_account] "
            f"ในไฟล์ secrets หรือตั้ง {ENV_CREDENTIALS} หรือใช้ published_csv_url แทน"
        )
    if settings.registry_worksheet == settings.responses_worksheet:
        raise SettingsError(
            f"registry_worksheet ต้องเป็นคนละแท็บกับ responses_worksheet (ทั้งสองเป็น {settings.responses_worksheet!r})"
        )


