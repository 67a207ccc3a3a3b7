"""Secrets kept out of messages and logs, and personal data out of a viewer's sight.

Errors from Google, SMTP servers and settings files may quote a request or a setting; every text
kkdash shows or logs from them passes through ``redact`` first (keys, tokens and passwords become
`<hidden>`). Text typed into the form's other fields may hold a phone, an e-mail or a person's
name typed in the wrong box; ``mask_personal`` hides what looks like one before a viewer (not HR)
sees the quotes of rejected rows and warnings.
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


PHONE_MASK, EMAIL_MASK, NAME_MASK = "[เบอร์โทร]", "[อีเมล]", "[ชื่อบุคคล]"
# A Thai phone as typed: 0 or +66, then 8 or 9 more digits (Thai digits too), spaces, dots or dashes between.
_PHONE = re.compile(r"(?<!\d)(?:\+\s?66[\s.-]?|[0๐])(?:\d[\s.-]?){7,8}\d(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A person's name: a title, then one or two words. Titles of rank and degree too; not "คุณ", which
# also begins "คุณธรรม", the campaign's own word. A title inside a word (สำนักงานนายอำเภอ) is no title,
# and นาย/นาง followed by a post (นายอำเภอ, นายกเทศมนตรี, นางพยาบาล) names an office, not a person.
_TITLES = ("นางสาว", "นาง", "นาย", r"น\.ส\.", r"นส\.", r"ด\.ช\.", r"ด\.ญ\.", "เด็กชาย", "เด็กหญิง",
           r"ดร\.", r"นพ\.", r"พญ\.", r"ทพญ\.", r"ทพ\.", r"ภก\.", r"ภญ\.", r"ผศ\.", r"รศ\.", r"ศ\.",
           r"ว่าที่\s*ร(?:้อย)?\.?\s?ต(?:รี)?\.?", r"(?:พล\.)?[พรด]\.[ตทอ]\.(?:[ตทอ]\.)?", r"จ\.ส\.[ตทอ]\.",
           r"ส\.[ตทอ]\.", r"Mrs?\.?", r"Ms\.?", "Miss")
_POSTS = ("อำเภอ", "กเทศมนตรี", "กองค์การ", "กอบต", "กอบจ", "กรัฐมนตรี", "กสมาคม", "ทะเบียน", "ช่าง", "ตำรวจ",
          "ทหาร", "หน้า", "พยาบาล", "งาม")
_NAME = re.compile(rf"(?<![ก-๛A-Za-z])(?:{'|'.join(_TITLES)})(?!{'|'.join(_POSTS)})\s?"
                   r"(?:[ก-๛]+(?:[ \t]+[ก-๛]+)?|[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)")


def mask_personal(text: str) -> str:
    """Typed text -> the same with what looks like a phone, an e-mail or a titled person's name masked."""
    return _NAME.sub(NAME_MASK, _PHONE.sub(PHONE_MASK, _EMAIL.sub(EMAIL_MASK, text)))


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
