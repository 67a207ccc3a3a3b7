"""Typed text shown safely: as Markdown that renders exactly what was typed; and the one list of the
characters nobody types on purpose, which every place typed text goes neutralises in its own way.

Streamlit renders Markdown in captions, tables and messages; a name typed into a form must show
as typed, never as a link, an image or a formula.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

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
# The characters nobody types on purpose, one list for every place typed text is cleaned, stored,
# shown or printed. Control characters: C0 but tab, line feed and carriage return; DEL; C1; the
# noncharacters U+FFFE/U+FFFF — Excel refuses them in a cell and a terminal obeys them.
CONTROL_CODES = (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF)
# Direction marks, embeddings, overrides and isolates: invisible, they make `exe.txt` show as `txt.exe`.
BIDI_CODES = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# The line and paragraph separators: a line break to a terminal, invisible in a cell.
LINE_SEPARATOR_CODES = (0x2028, 0x2029)
_CLASS_SPECIALS = frozenset("\\]^-[")


def char_class(codes) -> str:
    """Code points -> the inside of a regular-expression character class matching exactly them, for Python's
    `re` and Arrow's RE2 alike: each character as itself, the few that mean something in a class escaped."""
    return "".join("\\" + chr(code) if chr(code) in _CLASS_SPECIALS else chr(code) for code in codes)


# In Markdown every one of them, and tab and line breaks, would hide, reorder or break the line: a space.
_INVISIBLE = dict.fromkeys([*range(0x20), *CONTROL_CODES, *BIDI_CODES, *LINE_SEPARATOR_CODES], " ")


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


def spacing_characters(text: str) -> Iterator[str]:
    """The characters of ``text`` that take room of their own: Thai marks above and below a letter, and
    invisible format characters, take none."""
    return (char for char in text if unicodedata.category(char) not in ("Mn", "Me", "Cf"))


def display_width(text: str) -> int:
    """How many columns ``text`` takes in a terminal (wide characters two) — a spreadsheet's is export.cell_width."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in spacing_characters(text))
