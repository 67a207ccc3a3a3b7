"""One sheet read within its deadline, every failure a SheetError with a Thai reason.

Whatever the network does — refuse, hang, drip, loop through redirects, send a broken gzip body,
fail the token exchange — the caller gets the tables or a SheetError, by the deadline.
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Callable

import google.auth.exceptions
import requests
import urllib3.exceptions

from kkdash.settings import SheetSettings
from kkdash.sheets.deadline import ReadDeadline, track
from kkdash.sheets.retry import MAX_REDIRECTS, RetryPolicy, transport_name
from kkdash.sheets.tables import SheetError, SheetMalformed, SheetUnavailable

log = logging.getLogger(__name__)

GOOGLE_SHEETS = "Google Sheets"
PUBLISHED_CSV = "ลิงก์ CSV ที่เผยแพร่"
# Every failure of the network under a read (what a deadline that ran out explains, and what becomes SheetUnavailable).
_TRANSPORT = (requests.RequestException, google.auth.exceptions.TransportError, urllib3.exceptions.HTTPError,
              http.client.HTTPException, OSError)

Tables = tuple[list[list[str]], list[list[str]] | None]


def read_tables(settings: SheetSettings, *, session: requests.Session | None, timeout: float, max_attempts: int,
                sleep: Callable[[float], None], deadline_seconds: float) -> Tables:
    """(responses, registry or None) of the configured sheet, read within ``deadline_seconds``; raises SheetError."""
    deadline = ReadDeadline(deadline_seconds)
    what = GOOGLE_SHEETS if settings.mode == "service_account" else PUBLISHED_CSV

    def read() -> Tables:
        own = session is None
        http = requests.Session() if own else session
        http.max_redirects = MAX_REDIRECTS
        try:
            return _read(settings, track(http), timeout=timeout, max_attempts=max_attempts, sleep=sleep,
                         deadline=deadline)
        except SheetError:
            raise
        except Exception as exc:  # at this edge every failure becomes a SheetError
            # from None: a client's error may quote the answer (google-auth quotes the token endpoint's).
            raise as_sheet_error(exc, what=what, deadline=deadline) from None
        finally:
            if own:
                http.close()

    return deadline.run(read, on_time_out=lambda: _too_slow(what, deadline))


def _read(settings: SheetSettings, http: requests.Session, *, timeout: float, max_attempts: int,
          sleep: Callable[[float], None], deadline: ReadDeadline) -> Tables:
    if settings.mode == "service_account":
        from kkdash.sheets import google

        retry = RetryPolicy(max_attempts=max_attempts, sleep=sleep, transient=google.is_transient,
                            describe=google.describe, deadline=deadline)
        return google.fetch(settings, session=http, timeout=timeout, retry=retry)
    from kkdash.sheets import published

    retry = RetryPolicy(max_attempts=max_attempts, sleep=sleep, deadline=deadline)
    rows = published.fetch(settings.published_csv_url, session=http, timeout=timeout, retry=retry,
                           allow_loopback=settings.allow_loopback)
    return rows, None


def as_sheet_error(exc: BaseException, *, what: str, deadline: ReadDeadline | None = None) -> SheetError:
    """Any failure of a read -> a SheetError with a Thai reason (a SheetError passes through)."""
    if isinstance(exc, SheetError):
        return exc
    if deadline is not None and deadline.expired and isinstance(exc, _TRANSPORT):
        return _too_slow(what, deadline)
    cause = exc.__cause__ if isinstance(exc, google.auth.exceptions.TransportError) else None
    for failure in (exc, cause):
        if isinstance(failure, requests.TooManyRedirects):
            return SheetError(f"{what} ส่งต่อ (redirect) ไปที่อื่นวนซ้ำเกิน {MAX_REDIRECTS} ครั้ง:"
                              " ตรวจลิงก์ในการตั้งค่า แล้วเปิดลิงก์นั้นในเบราว์เซอร์ดูว่าได้ไฟล์ข้อมูลหรือไม่", "redirects")
        if isinstance(failure, requests.exceptions.ContentDecodingError):
            return SheetMalformed(f"{what} ส่งข้อมูลแบบบีบอัด (gzip) ที่เสียมา อ่านไม่ได้ จะลองใหม่ในรอบรีเฟรชถัดไป")
        if isinstance(failure, requests.exceptions.SSLError):
            return SheetError(f"ใบรับรองความปลอดภัย (TLS) ของ {what} ตรวจสอบไม่ผ่าน จึงไม่ส่งข้อมูลผ่านช่องทางนี้"
                              " (เครือข่ายหรือพร็อกซีอาจดักการเชื่อมต่อ)", "tls")
    if isinstance(exc, _TRANSPORT):
        return SheetUnavailable(f"ติดต่อ {what} ไม่ได้ ({transport_name(exc) or type(exc).__name__})"
                                " จะลองใหม่ในรอบรีเฟรชถัดไป")
    # A client library failing in a way it does not document: say so, and keep its details out of
    # the page (they may quote the answer). The log names the type only.
    log.warning("sheet read failed unexpectedly: %s", type(exc).__name__)
    return SheetError(f"อ่านข้อมูลจาก {what} ไม่ได้ เพราะข้อผิดพลาดที่ไม่คาดคิด ({type(exc).__name__})"
                      " จะลองใหม่ในรอบรีเฟรชถัดไป", "unexpected")


def _too_slow(what: str, deadline: ReadDeadline) -> SheetUnavailable:
    return SheetUnavailable(f"{what} ตอบช้าเกินไป: อ่านข้อมูลไม่เสร็จภายใน {deadline.seconds:g} วินาที"
                            " จะลองใหม่ในรอบรีเฟรชถัดไป", "deadline")
