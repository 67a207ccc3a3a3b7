"""Ways to reach an agency: e-mail addresses checked offline, phones as dialled, and whom to call.

Contacts are personal data: they are shown to the hr role only (kkdash/access.py decides who that is).
"""

from __future__ import annotations

import re

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from kkdash.parsing import map_unique, parse_phone

_PHONE_SPLIT = re.compile(r"\s*[,/]\s*")
# A cell may hold several addresses, split at `,` or `;`; a line break inside an address is no separator,
# so such an address stays one malformed address and is left out whole (never a header of its own).
_ADDRESS_SPLIT = re.compile(r"\s*[,;]\s*")
_DIGITS = re.compile(r"\D")


def valid_address(address: str) -> str | None:
    """An e-mail address -> its ASCII form (lower-case domain, IDN as punycode), or None when malformed."""
    try:
        # No DNS look-up (pure, offline); no SMTPUTF8, which office servers seldom accept.
        return validate_email(address, check_deliverability=False, allow_smtputf8=False).ascii_email
    except (EmailNotValidError, TypeError):
        return None


def check_addresses(*texts: str) -> tuple[list[str], list[str]]:
    """`a@x.go.th, b@y`, … -> (the well-formed addresses, each once, in ASCII form; the malformed ones as typed)."""
    good, bad, seen = [], [], set()
    for text in texts:
        for part in filter(None, _ADDRESS_SPLIT.split(text.strip())):
            checked = valid_address(part)
            if checked is None:
                bad.append(part)
            elif checked.lower() not in seen:
                seen.add(checked.lower())
                good.append(checked)
    return good, bad


def split_addresses(text: str) -> tuple[list[str], str]:
    """`a@x.go.th, b@y` -> (the well-formed addresses, each once, in ASCII form; the malformed ones as typed)."""
    good, bad = check_addresses(text)
    return good, ", ".join(bad)


def dialable(phone: str) -> bool:
    """A phone as parse_phone leaves it -> True when it holds a whole Thai number (9 or 10 digits from a 0)."""
    digits = _DIGITS.sub("", phone.split("ต่อ")[0])
    return digits.startswith("0") and len(digits) in (9, 10)


def parse_phone_list(text: str) -> tuple[str, str]:
    """`043-123456 / 081 234 5678` -> (`043123456, 0812345678`, the parts that are no whole number, as typed)."""
    parts = [part for part in _PHONE_SPLIT.split(text.strip()) if part]
    phones = [parse_phone(part) for part in parts]
    good = [phone for phone in phones if dialable(phone)]
    bad = [part for part, phone in zip(parts, phones, strict=True) if not dialable(phone)]
    return ", ".join(good), ", ".join(bad)


def parse_phone_list_series(values: pd.Series) -> pd.DataFrame:
    """parse_phone_list for a column (each distinct text once) -> DataFrame[phones, bad]."""
    parsed = map_unique(values, parse_phone_list)
    return pd.DataFrame({"phones": parsed.map(lambda pair: pair[0]).astype("str"),
                         "bad": parsed.map(lambda pair: pair[1]).astype("str")}, index=values.index)


def first_phone(phones: object) -> str:
    """`043123456, 0812345678` -> the first number ('' when none)."""
    return phones.split(",")[0].strip() if isinstance(phones, str) else ""
