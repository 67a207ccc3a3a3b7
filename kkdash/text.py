"""Typed text shown safely: as Markdown that renders exactly what was typed.

Streamlit renders Markdown in captions, tables and messages; a name typed into a form must show
as typed, never as a link, an image or a formula.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

LITERAL_LIMIT = 200
_SPACES = re.compile(r"\s+")
# Every character CommonMark lets a backslash escape, plus Streamlit's `:color[…]`/emoji colons and `$` math.
# A word joiner (U+2060) after `:` and `@` and before `.` keeps GFM from turning a typed address
# (`https://…`, `www.…`, `a@b.go.th`) into a link; it is invisible.
_MARKDOWN_ESCAPES = str.maketrans({
    **{ch: "\\" + ch for ch in "\\`*_{}[]()<>#+-!|~$^=&\"'"},
    ":": "\\:\u2060", ".": "\u2060\\.", "@": "@\u2060",
})
# Controls that would reorder or hide the text around them (bidi overrides and isolates).
_INVISIBLE = dict.fromkeys([*range(0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], " ")


def literal(text: object, *, limit: int = LITERAL_LIMIT) -> str:
    """Sheet or registry text -> markdown showing it as typed: escaped, one line, at most ``limit`` characters."""
    flat = " ".join(str(text).translate(_INVISIBLE).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.translate(_MARKDOWN_ESCAPES)


def literal_table(frame: pd.DataFrame, *, limit: int = 2000) -> pd.DataFrame:
    """A table for ``st.table`` (which renders Markdown in cells) -> the same table with its text cells literal."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype).startswith("str"):
            safe[column] = safe[column].map(lambda v: literal(v, limit=limit) if isinstance(v, str) else v)
    return safe


def one_line(text: str | None) -> str:
    """Line breaks and runs of spaces -> one space: a typed value can never start a new line or header."""
    return _SPACES.sub(" ", text or "").strip()


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a terminal or a spreadsheet: Thai marks above and below take none."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width
