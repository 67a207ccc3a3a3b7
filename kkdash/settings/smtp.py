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
from kkdash.settings.values import Lookup
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
    source = Lookup("smtp", dict(table or {}), environ, ENV)
    host = source.text("host")
    if not host:
        if any(source.raw(key) not in (None, "") for key in (*ENV, "timeout", "ca_file")):
            raise SettingsError(f"{source.where('host')}: ต้องระบุชื่อเซิร์ฟเวอร์ SMTP เมื่อตั้งค่า [smtp] ส่วนอื่นไว้")
        return None
    if _SPACES.search(host):
        raise SettingsError(f"{source.where('host')} ต้องเป็นชื่อเครื่อง เช่น smtp.khonkaen.go.th (ได้ค่า {host!r})")
    security = _security(source)
    user, password = source.text("user") or "", _secret(source, "password")
    _check_login(source, security, user, password)
    sender_name, sender = _address(source, "from", required=True)
    return SmtpSettings(host=host, port=_port(source, security), security=security, user=user, password=password,
                        sender=sender, sender_name=sender_name, reply_to=_address(source, "reply_to")[1],
                        timeout=_timeout(source), ca_file=source.text("ca_file"))


def _secret(source: Lookup, key: str) -> str:
    """A secret's text, kept as typed (not stripped); its value is never quoted in an error."""
    variable = ENV.get(key)
    value = source.environ.get(variable) if variable else None
    value = value if isinstance(value, str) and value else source.table.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SettingsError(f"{source.where(key)} ต้องเป็นข้อความ (ใส่ในเครื่องหมายคำพูด)")
    return value


def _security(source: Lookup) -> str:
    """Read starttls / ssl / none (default starttls)."""
    security = (source.text("security") or STARTTLS).lower()
    if security not in SECURITY_MODES:
        raise SettingsError(f"{source.where('security')} ต้องเป็น starttls, ssl หรือ none (ได้ค่า {security!r})")
    return security


def _check_login(source: Lookup, security: str, user: str, password: str) -> None:
    """User and password come together, and never over an unencrypted connection."""
    if user and not password:
        raise SettingsError(f"{source.where('password')}: ต้องระบุรหัสผ่านเมื่อระบุชื่อผู้ใช้ SMTP")
    if password and not user:
        raise SettingsError(f"{source.where('user')}: ต้องระบุชื่อผู้ใช้ SMTP เมื่อระบุรหัสผ่าน")
    if user and security == NONE:
        raise SettingsError(f"{source.where('security')}: ไม่ส่งรหัสผ่านผ่านการเชื่อมต่อที่ไม่เข้ารหัส "
                            "ให้ใช้ starttls หรือ ssl")


def _port(source: Lookup, security: str) -> int:
    """Read the port (1-65535); default 587, 465 or 25 by security."""
    if source.raw("port") == "":
        return DEFAULT_PORTS[security]
    return source.whole_number("port", default=DEFAULT_PORTS[security], low=1, high=65535,
                               must="ต้องเป็นเลขพอร์ต 1 ถึง 65535 เช่น 587")


def _timeout(source: Lookup) -> float:
    """Read the timeout in seconds (0 < t <= 300; default 30)."""
    return source.number("timeout", default=DEFAULT_TIMEOUT, accept=lambda seconds: 0 < seconds <= MAX_TIMEOUT,
                         must=f"ต้องเป็นจำนวนวินาที มากกว่า 0 ไม่เกิน {MAX_TIMEOUT:g}")


def _address(source: Lookup, key: str, *, required: bool = False) -> tuple[str, str]:
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
