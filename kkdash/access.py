"""Who may see what: the role of a visitor, from their signed-in e-mail or a shared password.

Two roles. ``viewer`` sees every aggregate, chart and agency status; ``hr`` also sees the
reporters' names, positions and phones. Pure Python (no Streamlit), so every rule is tested
without a browser; ``kkdash.app.signin`` feeds it ``st.secrets`` and ``st.user``.

The rules, in order (docs/access.md explains them to operators):

1. No sign-in configured (no ``[auth]``, no password hash): demo data is open to everyone as
   ``hr`` (it is invented); a real sheet is open as ``viewer`` and contacts stay hidden.
2. Sign-in configured: nobody gets a role without signing in. A signed-in e-mail gets the best
   role its address or domain is listed for; an e-mail on no list is refused (least privilege:
   the lists say who is in, so an unknown Google account is not). A shared password gives the
   role whose hash it matches. Both together: the better of the two.
3. Access settings that cannot be read fail closed: no role, and the message says what to fix.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kkdash.labels import HR, ROLE_TH, VIEWER

ROLES = (VIEWER, HR)  # in order of rank
EMAIL_LISTS = ("hr_emails", "hr_domains", "viewer_emails", "viewer_domains")
PASSWORD_KEYS = {HR: "hr_password_sha256", VIEWER: "viewer_password_sha256"}
# What st.login() needs in [auth] for the default provider (Streamlit's own check is lazier).
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
# Growing wait after wrong passwords from one place: 1, 2, 4 … seconds, capped.
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_PLAINTEXT_KEYS = ("hr_password", "viewer_password", "password")


class AccessError(ValueError):
    """The `[access]` or `[auth]` settings are unusable; the Thai message never quotes a secret."""


@dataclass(frozen=True)
class AccessSettings:
    """Who is let in, read from the `[access]` and `[auth]` tables of secrets.toml."""

    hr_emails: frozenset[str] = frozenset()
    hr_domains: frozenset[str] = frozenset()
    viewer_emails: frozenset[str] = frozenset()
    viewer_domains: frozenset[str] = frozenset()
    # repr=False: settings get printed in logs and tracebacks; the hashes must not be.
    password_hashes: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)
    oidc: bool = False  # [auth] is complete, so st.login() can run

    @property
    def passwords(self) -> bool:
        """True when at least one shared password is configured."""
        return bool(self.password_hashes)

    @property
    def sign_in(self) -> bool:
        """True when visitors must sign in (OIDC, a password, or both)."""
        return self.oidc or self.passwords


@dataclass(frozen=True)
class Decision:
    """A visitor's role (None: may see nothing), who they are, and a Thai line saying why."""

    role: str | None
    who: str = ""
    why: str = ""

    @property
    def contacts(self) -> bool:
        """True when reporter names, positions and phones may be shown."""
        return self.role == HR


def load_access(secrets: Mapping | None) -> AccessSettings:
    """`[access]` and `[auth]` from a secrets mapping -> AccessSettings; raises AccessError."""
    table = _table(secrets, "access")
    plaintext = [key for key in _PLAINTEXT_KEYS if key in table]
    if plaintext:
        raise AccessError(f"[access] {plaintext[0]}: ห้ามใส่รหัสผ่านตรง ๆ ให้ใส่ค่าแฮช SHA-256 ที่"
                          f" {PASSWORD_KEYS[HR]} / {PASSWORD_KEYS[VIEWER]} แทน (ดู docs/access.md)")
    lists = {name: _addresses(table.get(name), name) for name in EMAIL_LISTS}
    hashes = {role: digest for role, key in PASSWORD_KEYS.items() if (digest := _password_hash(table, key))}
    if len(hashes) == 2 and hashes[HR] == hashes[VIEWER]:
        raise AccessError("[access] รหัสผ่านของฝ่ายบุคคลและของผู้ชมต้องไม่ซ้ำกัน")
    return AccessSettings(**lists, password_hashes=hashes, oidc=_oidc_ready(_table(secrets, "auth")))


@dataclass(frozen=True)
class Grant:
    """A role given by a shared password in one session, tied to the hash it matched."""

    role: str
    # repr=False: the session state (and so the grant) can end up in debug output.
    digest: str = field(repr=False)


def decide(settings: AccessSettings, user: Mapping[str, Any] | None, *, grant: Grant | None = None,
           demo: bool = False) -> Decision:
    """Settings, an st.user-like mapping and this session's password grant -> the visitor's Decision."""
    if not settings.sign_in:
        if demo:
            return Decision(HR, why="ข้อมูลตัวอย่าง: เปิดให้ทุกคนดูได้ทั้งหมด (ชื่อและเบอร์โทรเป็นข้อมูลสมมติ)")
        return Decision(VIEWER, why="ยังไม่ได้ตั้งค่าการเข้าสู่ระบบ จึงซ่อนชื่อและเบอร์โทรของผู้รายงาน")
    by_password = granted_role(settings, grant)
    email = signed_in_email(user) if settings.oidc else None
    by_email = role_for_email(settings, email) if email else None
    role = best_role(by_password, by_email)
    if role is not None:
        who = email if email and by_email == role else "รหัสผ่านร่วม"
        return Decision(role, who=who, why=ROLE_TH[role])
    if email:
        return Decision(None, who=email, why="อีเมลนี้ยังไม่มีสิทธิ์ดูข้อมูล: ขอให้ฝ่ายบุคคลเพิ่มอีเมลหรือโดเมนนี้"
                                              "ในรายชื่อผู้มีสิทธิ์")
    if settings.oidc and user and user.get("is_logged_in") is True and user.get("email_verified") is False:
        return Decision(None, who=normalize_email(user.get("email")) or "",
                        why="อีเมลนี้ยังไม่ได้ยืนยันกับผู้ให้บริการบัญชี จึงใช้เข้าระบบไม่ได้")
    return Decision(None, why="กรุณาเข้าสู่ระบบก่อนดูข้อมูล")


def granted_role(settings: AccessSettings, grant: Grant | None) -> str | None:
    """A session's password grant -> its role while that password is still configured, else None."""
    if grant is None or grant.role not in settings.password_hashes:
        return None  # changing or removing the password in secrets.toml ends such sessions
    return grant.role if hmac.compare_digest(grant.digest, settings.password_hashes[grant.role]) else None


def signed_in_email(user: Mapping[str, Any] | None) -> str | None:
    """The lower-cased e-mail of a signed-in st.user, or None (not signed in, unverified, malformed)."""
    if not user or user.get("is_logged_in") is not True:
        return None  # st.user outside a real login (e.g. AppTest's default) proves nothing
    if user.get("email_verified") is False:
        return None
    return normalize_email(user.get("email"))


def normalize_email(value: object) -> str | None:
    """` Som@KhonKaen.go.th ` -> `som@khonkaen.go.th`; None unless it is one local part @ one domain."""
    if not isinstance(value, str):
        return None
    email = unicodedata.normalize("NFKC", value).strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "@" in domain or "." not in domain or any(ch.isspace() for ch in email):
        return None
    return email


def role_for_email(settings: AccessSettings, email: str) -> str | None:
    """An e-mail -> hr / viewer by the address or domain lists; None when on no list."""
    domain = email.rpartition("@")[2]
    if email in settings.hr_emails or domain in settings.hr_domains:
        return HR
    if email in settings.viewer_emails or domain in settings.viewer_domains:
        return VIEWER
    return None


def best_role(*roles: str | None) -> str | None:
    """The highest-ranked of some roles (hr over viewer); None when none is given."""
    ranked = [role for role in roles if role in ROLES]
    return max(ranked, key=ROLES.index) if ranked else None


# --- shared passwords ------------------------------------------------------------------


def hash_password(password: str) -> str:
    """A password -> the hex SHA-256 of its NFC-normalised UTF-8 (what secrets.toml stores)."""
    return hashlib.sha256(unicodedata.normalize("NFC", password).encode("utf-8")).hexdigest()


def password_role(settings: AccessSettings, attempt: str) -> str | None:
    """A typed password -> the role whose hash it matches, or None; constant-time comparisons."""
    digest = hash_password(attempt)
    matched = None
    for role in ROLES:  # compare with every hash, so timing does not tell which role exists
        stored = settings.password_hashes.get(role, "0" * 64)
        if hmac.compare_digest(digest, stored) and role in settings.password_hashes:
            matched = role
    return matched


@dataclass(frozen=True)
class Attempts:
    """Wrong passwords so far from one place, and the moment the next try is allowed."""

    failures: int = 0
    not_before: float = 0.0


def retry_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong passwords: 0, 1, 2, 4 … up to MAX_DELAY_SECONDS."""
    if failures <= 0:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - 1, 16))


def wait_left(attempts: Attempts, now: float) -> float:
    """Seconds until the next password may be tried (0 when it may be tried now)."""
    return max(0.0, attempts.not_before - now)


def after_failure(attempts: Attempts, now: float) -> Attempts:
    """One more wrong password at ``now`` -> the new Attempts with a longer wait."""
    failures = attempts.failures + 1
    return replace(attempts, failures=failures, not_before=now + retry_delay(failures))


@dataclass(frozen=True)
class PasswordResult:
    """What a password try gave: a Grant (or None), the new Attempts and a Thai message."""

    grant: Grant | None
    attempts: Attempts
    message: str = ""


def try_password(settings: AccessSettings, attempt: str, attempts: Attempts, *, now: float) -> PasswordResult:
    """One password try -> role and new Attempts; refused unchecked while a delay is running."""
    waiting = wait_left(attempts, now)
    if waiting > 0:
        return PasswordResult(None, attempts, f"ใส่รหัสผ่านผิดหลายครั้ง กรุณารออีก {waiting:.0f} วินาที")
    if not attempt:
        return PasswordResult(None, attempts, "กรุณาใส่รหัสผ่าน")
    role = password_role(settings, attempt)
    if role is None:
        after = after_failure(attempts, now)
        return PasswordResult(None, after, f"รหัสผ่านไม่ถูกต้อง ลองใหม่ได้ใน {retry_delay(after.failures):.0f} วินาที")
    return PasswordResult(Grant(role, settings.password_hashes[role]), Attempts(), ROLE_TH[role])


class PasswordGate:
    """Wrong-password waits kept by the server per visitor address, so reloading the page resets nothing.

    One gate serves every session of the app process; a right password clears that address's count.
    """

    def __init__(self) -> None:
        self._attempts: dict[str, Attempts] = {}
        self._lock = threading.Lock()

    def try_password(self, settings: AccessSettings, attempt: str, *, who: str, now: float) -> PasswordResult:
        """One password try from ``who`` (an address) -> its result; the wait is shared by all its sessions."""
        with self._lock:
            result = try_password(settings, attempt, self._attempts.get(who, Attempts()), now=now)
            if result.attempts == Attempts():
                self._attempts.pop(who, None)
            else:
                self._attempts[who] = result.attempts
            return result

    def attempts(self, who: str) -> Attempts:
        """Wrong passwords so far from ``who``."""
        with self._lock:
            return self._attempts.get(who, Attempts())


# --- reading the tables ------------------------------------------------------------------


def _table(secrets: Mapping | None, name: str) -> dict:
    """A secrets table as a plain dict ({} when absent); raises AccessError when not a table."""
    if not secrets:
        return {}
    table = secrets.get(name)
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise AccessError(f"[{name}] ในไฟล์ secrets ต้องเป็นตาราง (table) ของ TOML")
    return {str(key): value for key, value in table.items()}


def _addresses(value: object, name: str) -> frozenset[str]:
    """A TOML list (or one string) of e-mails or domains -> lower-cased set; `@` before a domain is dropped."""
    if value is None:
        return frozenset()
    items: Iterable[object] = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise AccessError(f"[access] {name} ต้องเป็นรายการข้อความ เช่น [\"hr@khonkaen.go.th\"]")
    cleaned = (unicodedata.normalize("NFKC", item).strip().lower() for item in items)
    if name.endswith("_domains"):
        cleaned = (item.lstrip("@") for item in cleaned)
    return frozenset(item for item in cleaned if item)


def _password_hash(table: Mapping, key: str) -> str | None:
    """A configured SHA-256 hex digest (lower-cased), None when blank; never echoes the value."""
    value = table.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    digest = value.strip().lower() if isinstance(value, str) else ""
    if not _SHA256_HEX.fullmatch(digest):
        raise AccessError(f"[access] {key} ต้องเป็นค่าแฮช SHA-256 (เลขฐานสิบหก 64 ตัว) ดูวิธีสร้างใน docs/access.md")
    return digest


def _oidc_ready(auth: Mapping) -> bool:
    """True when `[auth]` has everything st.login() needs; a half-filled table is an error."""
    if not auth:
        return False
    missing = [key for key in OIDC_KEYS if not str(auth.get(key) or "").strip()]
    if missing:
        raise AccessError(f"[auth] ยังขาดช่อง: {', '.join(missing)} (ดู docs/access.md)")
    if not str(auth["redirect_uri"]).rstrip("/").endswith("/oauth2callback"):
        raise AccessError("[auth] redirect_uri ต้องลงท้ายด้วย /oauth2callback")
    return True
