"""The office's SMTP server for reminders (`[smtp]`, KKDASH_SMTP_* variables); the password never leaves here.

Credentials stay inside SmtpSettings: its repr says only whether a login is set, and no error
names the user or quotes the password.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr

from kkdash.contacts import valid_address
from kkdash.errors import SettingsError
from kkdash.text import one_line

STARTTLS, SSL, NONE = "starttls", "ssl", "none"
SECURITY_MODES = (STARTTLS, SSL, NONE)
DEFAULT_PORTS = {STARTTLS: 587, SSL: 465, NONE: 25}
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 300.0
# KKDASH_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, _FROM, _REPLY_TO override the table's keys.
ENV = {key: f"KKDASH_SMTP_{key.upper()}" for key in ("host", "port", "security", "user", "password", "from",
                                                      "reply_to")}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the office's SMTP server and whom the messages come from."""

    host: str
    port: int
    security: str = STARTTLS
    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    sender: str = ""
    sender_name: str = ""
    reply_to: str = ""
    timeout: float = DEFAULT_TIMEOUT
    ca_file: str | None = None  # an office CA that signed the server's certificate; None: the system's

    def __repr__(self) -> str:
        """Everything but the credentials, which only say whether they are set."""
        login = "<hidden>" if self.user else None
        return (f"SmtpSettings(host={self.host!r}, port={self.port!r}, security={self.security!r}, "
                f"login={login}, sender={self.sender!r}, sender_name={self.sender_name!r}, "
                f"reply_to={self.reply_to!r}, timeout={self.timeout!r}, ca_file={self.ca_file!r})")


def load_smtp(table: Mapping | None, environ: Mapping) -> SmtpSettings | None:
    """The `[smtp]` table and the environment (which wins) -> SmtpSettings, or None when no host is set."""
    source = _Source(dict(table or {}), environ)
    host = source.text("host")
    if not host:
        if any(source.raw(key) not in (None, "") for key in (*ENV, "timeout", "ca_file")):
            raise SettingsError(f"{source.where('host')}: ต้องระบุชื่อเซิร์ฟเวอร์ SMTP เมื่อตั้งค่า [smtp] ส่วนอื่นไว้")
        return None
    if _SPACES.search(host):
        raise SettingsError(f"{source.where('host')} ต้องเป็นชื่อเครื่อง เช่น smtp.khonkaen.go.th (ได้ค่า {host!r})")
    security = _security(source)
    user, password = source.text("user") or "", source.secret("password")
    _check_login(source, security, user, password)
    sender_name, sender = _address(source, "from", required=True)
    return SmtpSettings(host=host, port=_port(source, security), security=security, user=user, password=password,
                        sender=sender, sender_name=sender_name, reply_to=_address(source, "reply_to")[1],
                        timeout=_timeout(source), ca_file=source.text("ca_file"))


@dataclass(frozen=True)
class _Source:
    """The `[smtp]` table and the environment, looked up together; blank variables count as unset."""

    table: dict
    environ: Mapping

    def where(self, key: str) -> str:
        """Name the place a key's value comes from, as the officer would look for it."""
        env = ENV.get(key)
        if env and str(self.environ.get(env) or "").strip():
            return env
        return f"[smtp] {key}"

    def raw(self, key: str) -> object:
        """The value for a key: environment first, then the table."""
        env = ENV.get(key)
        value = self.environ.get(env) if env else None
        if isinstance(value, str) and value.strip():
            return value.strip()
        return self.table.get(key)

    def text(self, key: str) -> str | None:
        """A text value, stripped; None when blank; SettingsError when not text."""
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SettingsError(f"{self.where(key)} ต้องเป็นข้อความ (ได้ค่า {value!r})")
        return value.strip() or None

    def secret(self, key: str) -> str:
        """A secret's text, kept as typed; its value is never quoted in an error."""
        env = ENV.get(key)
        value = self.environ.get(env) if env else None
        value = value if isinstance(value, str) and value else self.table.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise SettingsError(f"{self.where(key)} ต้องเป็นข้อความ (ใส่ในเครื่องหมายคำพูด)")
        return value


def _security(source: _Source) -> str:
    """Read starttls / ssl / none (default starttls)."""
    security = (source.text("security") or STARTTLS).lower()
    if security not in SECURITY_MODES:
        raise SettingsError(f"{source.where('security')} ต้องเป็น starttls, ssl หรือ none (ได้ค่า {security!r})")
    return security


def _check_login(source: _Source, security: str, user: str, password: str) -> None:
    """User and password come together, and never over an unencrypted connection."""
    if user and not password:
        raise SettingsError(f"{source.where('password')}: ต้องระบุรหัสผ่านเมื่อระบุชื่อผู้ใช้ SMTP")
    if password and not user:
        raise SettingsError(f"{source.where('user')}: ต้องระบุชื่อผู้ใช้ SMTP เมื่อระบุรหัสผ่าน")
    if user and security == NONE:
        raise SettingsError(f"{source.where('security')}: ไม่ส่งรหัสผ่านผ่านการเชื่อมต่อที่ไม่เข้ารหัส "
                            "ให้ใช้ starttls หรือ ssl")


def _port(source: _Source, security: str) -> int:
    """Read the port (1-65535); default 587, 465 or 25 by security."""
    value = source.raw("port")
    if value is None or value == "":
        return DEFAULT_PORTS[security]
    port = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        port = int(value)
    if port is None or not 1 <= port <= 65535:
        raise SettingsError(f"{source.where('port')} ต้องเป็นเลขพอร์ต 1 ถึง 65535 เช่น 587 (ได้ค่า {value!r})")
    return port


def _timeout(source: _Source) -> float:
    """Read the timeout in seconds (0 < t <= 300; default 30)."""
    value = source.raw("timeout")
    if value is None or value == "":
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise SettingsError(f"{source.where('timeout')} ต้องเป็นจำนวนวินาที มากกว่า 0 ไม่เกิน {MAX_TIMEOUT:g} "
                            f"(ได้ค่า {value!r})")
    return seconds


def _address(source: _Source, key: str, *, required: bool = False) -> tuple[str, str]:
    """Read `Name <address>` or a bare address -> (one-line name, ASCII address); ('', '') when unset."""
    text = source.text(key)
    if not text:
        if required:
            raise SettingsError(f"{source.where(key)}: ต้องระบุอีเมลผู้ส่ง เช่น hr@khonkaen.go.th")
        return "", ""
    name, address = parseaddr(text)
    valid = valid_address(address) if address and "\n" not in text and "\r" not in text else None
    if valid is None:
        raise SettingsError(f"{source.where(key)} ต้องเป็นอีเมล เช่น hr@khonkaen.go.th หรือ "
                            f"กลุ่มงาน <hr@khonkaen.go.th> (ได้ค่า {text!r})")
    return one_line(name), valid
