"""Bounded, jittered retries for the sheet readers (tenacity), honouring Google's Retry-After."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from kkdash.sheets.tables import SheetUnavailable

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
T = TypeVar("T")
# Full jitter: attempt n waits a random time up to 1 s, 2 s, 4 s … (capped), so many app
# processes that failed together do not come back together.
_JITTER = wait_random_exponential(multiplier=BACKOFF_BASE_SECONDS, max=BACKOFF_CAP_SECONDS)
_TRANSPORT_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class TransientStatus(Exception):
    """An HTTP status worth retrying, raised inside one attempt (with the server's Retry-After, if any)."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


def retry_after_seconds(headers) -> float | None:
    """A response's Retry-After header in seconds (the delta form Google sends); None when absent or a date."""
    value = (headers or {}).get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def _no_more(exc: BaseException) -> bool:
    return False


def _plain_name(exc: BaseException) -> str:
    return type(exc).__name__


@dataclass(frozen=True)
class RetryPolicy:
    """How a reader retries: how many attempts, how it sleeps, and which failures may pass."""

    max_attempts: int
    sleep: Callable[[float], None] = time.sleep
    # A reader's own transient failures, beyond HTTP statuses and requests' transport errors.
    transient: Callable[[BaseException], bool] = field(default=_no_more)
    # Names a failure for the log and the message, never quoting it (it may hold request details).
    describe: Callable[[BaseException], str] = field(default=_plain_name)

    def is_transient(self, exc: BaseException) -> bool:
        """True when trying again may help."""
        if isinstance(exc, requests.JSONDecodeError):
            return False  # a 200 that is not JSON will not become JSON
        return isinstance(exc, (TransientStatus, *_TRANSPORT_ERRORS)) or self.transient(exc)

    def name(self, exc: BaseException) -> str:
        """A failure's short Thai or technical name."""
        if isinstance(exc, TransientStatus):
            return f"HTTP {exc.status}"
        if isinstance(exc, requests.Timeout) or isinstance(exc.__cause__, requests.Timeout):
            return "หมดเวลารอ"
        return self.describe(exc)

    def run(self, attempt: Callable[[], T], *, what: str) -> T:
        """Call ``attempt`` until it succeeds or a non-transient error escapes (SheetUnavailable once out of tries)."""
        retrying = Retrying(stop=stop_after_attempt(max(1, self.max_attempts)), wait=self._wait,
                            retry=retry_if_exception(self.is_transient), sleep=self.sleep,
                            before_sleep=lambda state: self._log(state, what), reraise=True)
        try:
            return retrying(attempt)
        except Exception as exc:
            if not self.is_transient(exc):
                raise
            tries = retrying.statistics.get("attempt_number", self.max_attempts)
            raise SheetUnavailable(f"ติดต่อ {what} ไม่ได้ หลังลองแล้ว {tries} ครั้ง ({self.name(exc)})"
                                   " จะลองใหม่ในรอบรีเฟรชถัดไป") from exc

    @staticmethod
    def _wait(state: RetryCallState) -> float:
        """The server's Retry-After when it gave one (capped), else full jitter."""
        exc = state.outcome.exception() if state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is None:
            hinted = retry_after_seconds(getattr(getattr(exc, "response", None), "headers", None))
        return min(BACKOFF_CAP_SECONDS, hinted) if hinted is not None else _JITTER(state)

    def _log(self, state: RetryCallState, what: str) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s: attempt %d/%d failed (%s); retrying in %.2fs", what, state.attempt_number,
                    self.max_attempts, self.name(exc) if exc else "?", delay)
