"""Every setting kkdash reads — secrets.toml, KKDASH_* environment variables and the CLI's flags — in one place.

Precedence: a command-line flag beats the environment, which beats secrets.toml, which beats the
default. No other module reads ``os.environ``. The module is long on purpose: keeping every setting's
parsing, check and Thai message together is what lets an operator's question ("which value wins?")
be answered in one file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kkdash.dates import parse_iso_day
from kkdash.matching import DEFAULT_THRESHOLD
from kkdash.paths import DISTRICTS_PATH, REGISTRY_PATH

DEFAULT_RESPONSES_WORKSHEET = "Form Responses 1"
DEFAULT_REFRESH_SECONDS = 60
# The Sheets API allows 60 reads a minute per user; faster refreshes only burn quota.
MIN_REFRESH_SECONDS = 10
MAX_REFRESH_SECONDS = 24 * 60 * 60

ENV_SHEET_URL = "KKDASH_SHEET_URL"
ENV_RESPONSES_WORKSHEET = "KKDASH_RESPONSES_WORKSHEET"
ENV_REGISTRY_WORKSHEET = "KKDASH_REGISTRY_WORKSHEET"
ENV_PUBLISHED_CSV_URL = "KKDASH_PUBLISHED_CSV_URL"
ENV_REFRESH_SECONDS = "KKDASH_REFRESH_SECONDS"
ENV_DEADLINE = "KKDASH_DEADLINE"
ENV_CREDENTIALS = "GOOGLE_APPLICATION_CREDENTIALS"
ENV_REGISTRY_PATH = "KKDASH_REGISTRY_PATH"
ENV_DISTRICTS_PATH = "KKDASH_DISTRICTS_PATH"
ENV_RESPONSES_PATH = "KKDASH_RESPONSES_PATH"
ENV_CACHE_DIR = "KKDASH_CACHE_DIR"
# The one switch for tests: fetch from 127.0.0.1 (the test suite's own link and CSV servers).
# Production never sets it; links and sheets on loopback or private networks are refused.
ENV_ALLOW_LOOPBACK = "KKDASH_ALLOW_LOOPBACK"
SECRETS_PATH = Path(".streamlit/secrets.toml")
DEFAULT_CACHE_DIR = Path(".kkdash-cache")

_KEY_IN_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]{20,})")
_PUBLISHED_IN_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/e/")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
_REQUIRED_KEY_FIELDS = ("client_email", "private_key", "token_uri")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is Thai, for the operator."""


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
            f"service_account_info={hidden}, credentials_path={self.credentials_path!r})"
        )


def read_secrets_file(path: str | os.PathLike[str]) -> dict:
    """Read a secrets.toml without Streamlit; a missing file means no secrets."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        # tomllib messages carry only positions, never the file's values.
        raise SettingsError(f"อ่านไฟล์ {path} ไม่ได้ รูปแบบ TOML ไม่ถูกต้อง ({exc})") from None


def load_sheet_settings(secrets: Mapping | None = None, environ: Mapping | None = None) -> SheetSettings:
    """Build settings from secrets and the environment (environment wins)."""
    environ = os.environ if environ is None else environ
    sheet = _table(secrets, "sheet")
    source = _Source(sheet, environ)
    settings = SheetSettings(
        sheet_key=_sheet_key(source),
        responses_worksheet=source.text("responses_worksheet", ENV_RESPONSES_WORKSHEET) or DEFAULT_RESPONSES_WORKSHEET,
        registry_worksheet=source.text("registry_worksheet", ENV_REGISTRY_WORKSHEET),
        published_csv_url=_published_csv_url(source),
        refresh_seconds=_refresh_seconds(source),
        deadline=_deadline(source),
        service_account_info=_service_account_info(_table(secrets, "gcp_service_account")),
        credentials_path=_credentials_path(environ),
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


@dataclass(frozen=True)
class _Source:
    """One `[sheet]` table plus the environment, looked up together."""

    sheet: Mapping
    environ: Mapping

    def raw(self, key: str, env: str) -> tuple[Any, str]:
        """Return the value and where it came from; blank env vars count as unset."""
        value = self.environ.get(env)
        if isinstance(value, str) and value.strip():
            return value.strip(), env
        return self.sheet.get(key), f"[sheet] {key}"

    def text(self, key: str, env: str) -> str | None:
        """Return a stripped string value, or None when blank."""
        value, where = self.raw(key, env)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SettingsError(f"{where} ต้องเป็นข้อความ (ได้ค่า {value!r})")
        return value.strip() or None


def _table(secrets: Mapping | None, name: str) -> dict:
    """Return a secrets table as a plain dict; st.secrets without a file is empty."""
    if secrets is None:
        return {}
    try:
        table = secrets.get(name)
    except FileNotFoundError:
        return {}
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise SettingsError(f"[{name}] ในไฟล์ secrets ต้องเป็นตาราง (table) ของ TOML")
    return {str(key): value for key, value in table.items()}


def _sheet_key(source: _Source) -> str | None:
    """Read the key from KKDASH_SHEET_URL, [sheet] url or [sheet] key."""
    env_value = source.environ.get(ENV_SHEET_URL)
    if isinstance(env_value, str) and env_value.strip():
        return parse_sheet_key(env_value, where=ENV_SHEET_URL)
    keys = set()
    for name in ("url", "key"):
        text = _as_text(source.sheet.get(name), f"[sheet] {name}")
        if text:
            keys.add(parse_sheet_key(text, where=f"[sheet] {name}"))
    if len(keys) > 1:
        raise SettingsError("[sheet] url และ [sheet] key ชี้ไปคนละชีต ให้ใส่อย่างใดอย่างหนึ่ง")
    return keys.pop() if keys else None


def _as_text(value: Any, where: str) -> str:
    """Return a setting as text, or raise when it is not a string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"{where} ต้องเป็นข้อความ (ได้ค่า {value!r})")
    return value.strip()


def _published_csv_url(source: _Source) -> str | None:
    """Read the published-to-the-web CSV link and reject the HTML variant."""
    url = source.text("published_csv_url", ENV_PUBLISHED_CSV_URL)
    if url is None:
        return None
    _, where = source.raw("published_csv_url", ENV_PUBLISHED_CSV_URL)
    if not url.startswith(("https://", "http://")):
        raise SettingsError(f"{where} ต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// (ได้ค่า {url!r})")
    if "pubhtml" in url:
        raise SettingsError(
            f"{where} เป็นลิงก์หน้าเว็บ (pubhtml) ตอนเผยแพร่ให้เลือกรูปแบบ 'ค่าที่คั่นด้วยจุลภาค (.csv)' แล้วคัดลอกลิงก์ใหม่"
        )
    return url


def _refresh_seconds(source: _Source) -> int:
    """Read the refresh interval, bounded to protect the API quota."""
    value, where = source.raw("refresh_seconds", ENV_REFRESH_SECONDS)
    if value is None:
        return DEFAULT_REFRESH_SECONDS
    seconds = _as_int(value)
    if seconds is None or not MIN_REFRESH_SECONDS <= seconds <= MAX_REFRESH_SECONDS:
        raise SettingsError(
            f"{where} ต้องเป็นจำนวนเต็มวินาที ระหว่าง {MIN_REFRESH_SECONDS} ถึง {MAX_REFRESH_SECONDS} (ได้ค่า {value!r})"
        )
    return seconds


def _as_int(value: Any) -> int | None:
    """Return an int from an int or a decimal string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _deadline(source: _Source) -> date | None:
    """Read the campaign deadline; a Buddhist-era year is converted to CE."""
    value, where = source.raw("deadline", ENV_DEADLINE)
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


# --- everything else: files, folders and the command line's choices ------------------------------


@dataclass(frozen=True)
class Settings:
    """Where the data comes from and how to read it, for one app process or one CLI run."""

    sheet: SheetSettings = field(default_factory=SheetSettings)
    sheet_problem: str | None = None  # [sheet] cannot be used; only matters when the sheet is the source
    responses_path: Path | None = None  # a responses CSV file as the source (the CLI's --responses)
    demo: bool = False  # the embedded demo even when a sheet is configured (the CLI's --demo)
    registry_path: Path = REGISTRY_PATH
    registry_given: bool = False  # named on the command line: used even when a registry worksheet is set
    districts_path: Path = DISTRICTS_PATH
    cache_dir: Path = DEFAULT_CACHE_DIR
    header_extra: tuple[tuple[str, str], ...] = ()
    threshold: float = DEFAULT_THRESHOLD
    deadline: date | None = None
    allow_loopback: bool = False

    @property
    def snapshot_path(self) -> Path:
        """Where the last good sheet read is kept (shared by the app and the CLI)."""
        return self.cache_dir / "last-good-sheet.json"

    @property
    def link_cache_path(self) -> Path:
        """Where link-check results are kept with their check times."""
        return self.cache_dir / "links.json"


def load_settings(secrets: Mapping | None, environ: Mapping | None = None, *, responses: str | None = None,
                  registry: str | None = None, districts: str | None = None, demo: bool = False,
                  deadline: str | None = None, header_map: str | None = None,
                  threshold: float | None = None) -> Settings:
    """secrets.toml's tables, the environment and the CLI's flags -> Settings; raises SettingsError for bad values."""
    environ = os.environ if environ is None else environ
    try:
        sheet, problem = load_sheet_settings(secrets, environ), None
    except SettingsError as exc:
        sheet, problem = SheetSettings(), str(exc)
    flagged_deadline = _flag_deadline(deadline)
    return Settings(
        sheet=sheet, sheet_problem=problem,
        responses_path=Path(responses) if responses else _env_path(environ, ENV_RESPONSES_PATH),
        demo=demo,
        registry_path=Path(registry) if registry else _env_path(environ, ENV_REGISTRY_PATH) or REGISTRY_PATH,
        registry_given=bool(registry),
        districts_path=Path(districts) if districts else _env_path(environ, ENV_DISTRICTS_PATH) or DISTRICTS_PATH,
        cache_dir=_env_path(environ, ENV_CACHE_DIR) or DEFAULT_CACHE_DIR,
        header_extra=tuple(read_header_map(header_map).items()),
        threshold=_threshold(threshold),
        deadline=flagged_deadline or sheet.deadline,
        allow_loopback=str(environ.get(ENV_ALLOW_LOOPBACK, "")).strip() == "1",
    )


def _env_path(environ: Mapping, name: str) -> Path | None:
    value = environ.get(name)
    return Path(value.strip()) if isinstance(value, str) and value.strip() else None


def _flag_deadline(text: str | None) -> date | None:
    if not text:
        return None
    day = parse_iso_day(text)
    if day is None:
        raise SettingsError(f"--deadline ต้องเป็นวันที่แบบ YYYY-MM-DD (ได้รับ '{text}')")
    return day


def _threshold(value: float | None) -> float:
    if value is None:
        return DEFAULT_THRESHOLD
    if not 0 < value <= 100:
        raise SettingsError(f"--threshold ต้องอยู่ระหว่าง 0 ถึง 100 (ได้รับ {value:g})")
    return float(value)


def read_header_map(path: str | None) -> dict[str, str]:
    """A TOML (`[headers]` table) or JSON file of {sheet header: field} -> dict; {} without a file."""
    if not path:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise SettingsError(f"อ่านไฟล์จับคู่หัวคอลัมน์ {path} ไม่ได้: {exc}") from exc
    table = data.get("headers", data) if isinstance(data, dict) else data
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise SettingsError(f"ไฟล์จับคู่หัวคอลัมน์ {path} ต้องเป็นตาราง 'หัวคอลัมน์ = \"ชื่อช่อง\"'")
    return dict(table)
