"""Database faults -> one StoreError with a Thai message an officer can act on and a `kind` for code."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util import CommandError
from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

LOCKED = "locked"
READ_ONLY = "read_only"
FULL = "full"
UNREACHABLE = "unreachable"
DENIED = "denied"
CORRUPT = "corrupt"
VERSION = "version"
CONFIG = "config"
FAILED = "failed"

# What was being done -> how the message starts; a failed write says plainly that nothing was saved.
OPERATIONS = {
    "open": "เปิดฐานข้อมูลบันทึกการติดตามไม่ได้",
    "read": "อ่านบันทึกการติดตามไม่ได้",
    "write": "ยังไม่ได้บันทึก",
}
REASONS = {
    LOCKED: "ฐานข้อมูลไม่ว่าง มีผู้อื่นกำลังบันทึกอยู่ ลองอีกครั้งในอีกสักครู่",
    READ_ONLY: "ฐานข้อมูลเปิดได้แบบอ่านอย่างเดียว แจ้งผู้ดูแลระบบให้ตรวจสิทธิ์การเขียน",
    FULL: "พื้นที่เก็บฐานข้อมูลเต็ม แจ้งผู้ดูแลระบบให้เพิ่มพื้นที่",
    UNREACHABLE: "ติดต่อฐานข้อมูลไม่ได้ ตรวจที่อยู่ฐานข้อมูลและการเชื่อมต่อ",
    DENIED: "ฐานข้อมูลไม่ยอมรับชื่อผู้ใช้หรือรหัสผ่าน",
    CORRUPT: "ไฟล์ฐานข้อมูลเสียหายหรือไม่ใช่ฐานข้อมูล",
    VERSION: "ฐานข้อมูลเป็นรุ่นที่ใหม่กว่าโปรแกรมนี้ ให้ปรับรุ่นโปรแกรมก่อน",
    CONFIG: "ที่อยู่ฐานข้อมูลไม่ถูกต้อง ใช้ sqlite:///ไฟล์.db หรือ postgresql://ผู้ใช้@เครื่อง:พอร์ต/ฐานข้อมูล",
    FAILED: "ฐานข้อมูลทำงานผิดพลาด",
}
# SQLite primary result codes (https://sqlite.org/rescode.html) -> kind.
SQLITE_KINDS = {3: READ_ONLY, 5: LOCKED, 6: LOCKED, 8: READ_ONLY, 11: CORRUPT, 13: FULL, 14: UNREACHABLE,
                23: DENIED, 26: CORRUPT}
# PostgreSQL SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html) -> kind.
SQLSTATE_KINDS = {
    "55P03": LOCKED, "40P01": LOCKED, "40001": LOCKED, "57014": LOCKED, "53300": LOCKED,
    "25006": READ_ONLY, "42501": READ_ONLY,
    "53100": FULL,
    "28000": DENIED, "28P01": DENIED,
    "3D000": UNREACHABLE, "57P01": UNREACHABLE, "57P02": UNREACHABLE, "57P03": UNREACHABLE,
}

# libpq reports a refused login without an SQLSTATE; the server's words (in its default English) tell it.
_REFUSED_LOGIN = re.compile(
    r'password authentication failed|no pg_hba\.conf entry|role "[^"]*" does not exist|no password supplied')


class StoreError(Exception):
    """The chase log's database could not do what was asked; str() is one Thai line without secrets."""

    def __init__(self, kind: str, message: str, *, detail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail  # the driver's own words, for the log; never the URL's password


def store_error(kind: str, operation: str, where: str, *, detail: str = "") -> StoreError:
    """A kind, what was being done and where (a password-free location) -> the StoreError to raise."""
    reason = REASONS[kind] if kind != FAILED or not detail else f"{REASONS[FAILED]} ({detail.splitlines()[0]})"
    location = "" if kind in (LOCKED, CONFIG) else f" ({where})"
    return StoreError(kind, f"{OPERATIONS[operation]}: {reason}{location}", detail=detail)


def classify(error: BaseException) -> str:
    """An exception from SQLAlchemy, a driver, Alembic or the file system -> a kind."""
    orig = getattr(error, "orig", None) or error
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return SQLITE_KINDS.get(code & 0xFF, FAILED) if code is not None else FAILED
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return SQLSTATE_KINDS.get(sqlstate, UNREACHABLE if sqlstate.startswith("08") else FAILED)
    if isinstance(error, sa_exc.TimeoutError):
        return LOCKED
    if _REFUSED_LOGIN.search(str(orig)):
        return DENIED
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | OSError):
        return UNREACHABLE  # no SQLSTATE: the server never answered (refused, timed out, unknown host)
    if isinstance(error, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return CONFIG
    if isinstance(error, CommandError):
        return VERSION
    return FAILED


def _detail(error: BaseException, password: str | None) -> str:
    """An exception -> the driver's message (not SQLAlchemy's, which quotes the statement and its values)."""
    orig = getattr(error, "orig", None) or error
    text = f"{type(orig).__name__}: {orig}".strip()
    return text.replace(password, "***") if password else text


@contextmanager
def translated(operation: str, where: str, *, password: str | None = None) -> Iterator[None]:
    """Run a block; a database or file-system fault inside it leaves as one StoreError (no traceback)."""
    try:
        yield
    except (sa_exc.SQLAlchemyError, sqlite3.Error, OSError, CommandError) as error:
        detail = _detail(error, password)
        log.warning("chase log %s failed at %s: %s", operation, where, detail)
        raise store_error(classify(error), operation, where, detail=detail) from None
