"""Numbers as a Thai office writes them: `1,234`, `98.8%`, phones grouped `081-234-5678`."""

from __future__ import annotations

import re

import pandas as pd

_PHONE_DIGITS = re.compile(r"0[0-9]{8,9}")


def format_int(value) -> str:
    """1234 -> `1,234`; missing -> `-`."""
    return "-" if value is None or pd.isna(value) else f"{int(value):,}"


def format_pct(value) -> str:
    """0.9876 -> `98.8%`; missing -> `-`."""
    return "-" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def int_texts(values: pd.Series, *, missing: str = "-") -> pd.Series:
    """format_int for a whole column, ``missing`` where there is no number.

    Counts repeat (a few hundred values in 100 000 rows), so each distinct one is formatted once;
    the result is text even when empty, so `text + column` never meets a float.
    """
    known = values.dropna().astype("int64")
    text = {value: f"{value:,}" for value in pd.unique(known)}
    return known.map(text).astype("str").reindex(values.index, fill_value=missing)


def phone_for_people(phone: object) -> object:
    """`0812345678` -> `081-234-5678`, `043414123` -> `043-414-123`, `021234567` -> `02-123-4567`.

    Grouped as Thai phones are written, and so that Excel opening a CSV keeps the text: plain
    digits would become the number 812345678, its leading zero gone. Anything else is left as is.
    """
    if not isinstance(phone, str) or not _PHONE_DIGITS.fullmatch(phone):
        return phone
    head = 2 if phone.startswith("02") and len(phone) == 9 else 3
    return f"{phone[:head]}-{phone[head:head + 3]}-{phone[head + 3:]}"
