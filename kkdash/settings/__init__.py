"""Every setting kkdash reads — secrets.toml, KKDASH_* environment variables and the CLI's flags — in this package.

Precedence: a command-line flag beats the environment, which beats secrets.toml, which beats the
default. No module outside this package reads ``os.environ``. ``sheet`` holds the Google Sheet's
settings, ``smtp`` the mail server's; this module the files, folders and choices of one run.
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

from kkdash.dates import parse_iso_day
from kkdash.errors import SettingsError
from kkdash.files import path_kind
from kkdash.matching import DEFAULT_THRESHOLD
from kkdash.paths import DISTRICTS_PATH, REGISTRY_PATH
from kkdash.settings.reminders import ReminderSettings, load_reminders
from kkdash.settings.sheet import (
    ENV_ALLOW_LOOPBACK,
    SheetSettings,
    load_sheet_settings,
    loopback_allowed,
    parse_sheet_key,
)
from kkdash.settings.smtp import SmtpSettings, load_smtp
from kkdash.settings.values import secrets_table

__all__ = ["ENV_ALLOW_LOOPBACK", "ReminderSettings", "Settings", "SettingsError", "SheetSettings", "SmtpSettings",
           "load_reminders", "load_settings", "load_sheet_settings", "load_smtp", "parse_sheet_key", "read_header_map",
           "read_secrets_file"]

ENV_REGISTRY_PATH = "KKDASH_REGISTRY_PATH"
ENV_DISTRICTS_PATH = "KKDASH_DISTRICTS_PATH"
ENV_RESPONSES_PATH = "KKDASH_RESPONSES_PATH"
ENV_CACHE_DIR = "KKDASH_CACHE_DIR"
ENV_DATABASE_URL = "KKDASH_DATABASE_URL"
SECRETS_PATH = Path(".streamlit/secrets.toml")
DEFAULT_CACHE_DIR = Path(".kkdash-cache")


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def read_secrets_file(path: str | os.PathLike[str]) -> dict:
    """Read a secrets.toml without Streamlit; a missing file means no secrets, an unreadable one SettingsError
    naming the file (and the line, for a TOML mistake)."""
    if path_kind(path) in ("other", "unusable"):  # a folder or a device (/dev/zero never ends), a name too long
        raise SettingsError(f"อ่านไฟล์ตั้งค่า {path} ไม่ได้: ไม่ใช่ไฟล์ข้อความที่เปิดได้")
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        return tomllib.loads(text)
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise SettingsError(f"อ่านไฟล์ตั้งค่า {path} ไม่ได้: ต้องบันทึกเป็นข้อความ UTF-8") from None
    except OSError as exc:
        raise SettingsError(f"อ่านไฟล์ตั้งค่า {path} ไม่ได้ ({exc.strerror or type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib messages carry only positions, never the file's values.
        raise SettingsError(_toml_mistake(path, str(exc))) from None


def _toml_mistake(path: str | os.PathLike[str], message: str) -> str:
    """tomllib's `Expected '=' … (at line 3, column 5)` -> a Thai line naming the file, the line and the column."""
    position = _TOML_POSITION.search(message)
    if position is None:
        return f"อ่านไฟล์ตั้งค่า {path} ไม่ได้ รูปแบบ TOML ไม่ถูกต้อง ({message}) — แก้ไฟล์แล้วเริ่มใหม่"
    line, column = position.groups()
    return (f"อ่านไฟล์ตั้งค่า {path} ไม่ได้: บรรทัดที่ {line} (ตำแหน่งที่ {column}) เขียนผิดรูปแบบ TOML"
            f" ({message[:position.start()]}) — แก้บรรทัดนั้นแล้วเริ่มใหม่")



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
    # The chase log's database: KKDASH_DATABASE_URL or [database] url; None: a SQLite file in cache_dir.
    database_url: str | None = field(default=None, repr=False)
    # The office's SMTP server (None: reminders are written, not e-mailed) and why it cannot be used.
    smtp: SmtpSettings | None = field(default=None, hash=False)
    mail_problem: str | None = None  # [smtp] or [reminders] cannot be used: reminders are not sent
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    accept_drop: bool = False  # the CLI's --accept-drop: a read that lost most answers replaces the last good one

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
                  threshold: float | None = None, database: str | None = None, accept_drop: bool = False) -> Settings:
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
        allow_loopback=loopback_allowed(environ),
        database_url=database or _database_url(secrets, environ),
        **_mail(secrets, environ),
        accept_drop=accept_drop,
    )


def _mail(secrets: Mapping | None, environ: Mapping) -> dict:
    """`[smtp]` and `[reminders]`: a broken [smtp] table is a problem for sending only, never for the figures."""
    found = {"smtp": None, "mail_problem": None, "reminders": ReminderSettings()}
    try:
        found["reminders"] = load_reminders(secrets_table(secrets, "reminders"), environ)
        found["smtp"] = load_smtp(secrets_table(secrets, "smtp"), environ)
    except SettingsError as exc:
        found["mail_problem"] = str(exc)
    return found


def _database_url(secrets: Mapping | None, environ: Mapping) -> str | None:
    """KKDASH_DATABASE_URL, else `[database] url` of secrets.toml; None for the default SQLite file."""
    value = environ.get(ENV_DATABASE_URL)
    if isinstance(value, str) and value.strip():
        return value.strip()
    url = secrets_table(secrets, "database").get("url")
    if url is not None and not isinstance(url, str):
        raise SettingsError("[database] url ต้องเป็นข้อความ เช่น postgresql://ผู้ใช้@เครื่อง/ฐานข้อมูล")
    return url.strip() if isinstance(url, str) and url.strip() else None


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
    if path_kind(path) in ("other", "unusable"):
        raise SettingsError(f"อ่านไฟล์จับคู่หัวคอลัมน์ {path} ไม่ได้: ไม่ใช่ไฟล์ข้อความที่เปิดได้")
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise SettingsError(f"อ่านไฟล์จับคู่หัวคอลัมน์ {path} ไม่ได้: {exc}") from exc
    table = data.get("headers", data) if isinstance(data, dict) else data
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise SettingsError(f"ไฟล์จับคู่หัวคอลัมน์ {path} ต้องเป็นตาราง 'หัวคอลัมน์ = \"ชื่อช่อง\"'")
    return dict(table)
