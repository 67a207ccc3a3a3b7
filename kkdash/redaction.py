"""Secrets kept out of messages and logs: keys, tokens and passwords replaced by `<hidden>`.

Errors from Google, SMTP servers and settings files may quote a request or a setting; every text
kkdash shows or logs from them passes through ``redact`` first.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_REDACTIONS = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
     "-----BEGIN PRIVATE KEY-----<hidden>"),
    (re.compile(r"\b(Bearer|Basic)\s+[\w.~+/-]+=*", re.I), r"\1 <hidden>"),
    (re.compile(r"\bya29\.[\w.-]+"), "ya29.<hidden>"),
    (re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*"), "<jwt hidden>"),
    # name = value, "name": "value", name=value — any setting whose name says it is secret.
    (re.compile(r"""(?i)\b(\w*(?:secret|password|token|private_key|api_key)\w*)(\\?["']?\s*[:=]\s*\\?["']?)"""
                r"""[^\s"'&,;}\\]+"""),
     r"\1\2<hidden>"),
    (re.compile(r"([?&](?:code|state|key|token)=)[^&#\s]+"), r"\1<hidden>"),
)


def redact(text: str) -> str:
    """Text that may quote a request or a setting -> the same text with keys and tokens hidden."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


_log_redaction_installed = False


def install_log_redaction() -> None:
    """Make every log record (any logger, now or later) pass through ``redact``; idempotent."""
    global _log_redaction_installed
    if _log_redaction_installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        return redact_record(record)

    logging.setLogRecordFactory(redacting_record)
    _log_redaction_installed = True


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """A log record -> the same record with its message and traceback text redacted."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return record  # a malformed call; logging itself will report it
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    return record
