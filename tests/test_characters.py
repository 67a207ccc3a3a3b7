"""One list of characters nobody types on purpose, neutralised the same way wherever typed text goes:
cleaned from the sheet, stored in the chase log, shown as Markdown, printed by the CLI."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest

from kkdash import chase, export, parsing, text
from kkdash.cli.text import cell, escape_controls
from kkdash.dates import BANGKOK

CONTROLS = [chr(code) for code in text.CONTROL_CODES]
BIDI = [chr(code) for code in text.BIDI_CODES]
EVERY = CONTROLS + BIDI + [chr(code) for code in text.LINE_SEPARATOR_CODES]


def test_the_lists_hold_the_characters_they_name():
    assert {"\x00", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe", "\u061c", "\u202e", "\u2069", "\u2028"} <= set(EVERY)
    assert not {"\t", "\n", "\r", " ", "\u00a0", "ก", "\u0e31", "\u0e48", "\u200b"} & set(EVERY)  # Thai marks are text


def test_a_character_class_of_any_characters_matches_exactly_them():
    specials = [ord(c) for c in "^]-\\["]
    pattern = re.compile(f"[{text.char_class([*specials, 0x41])}]")
    assert pattern.findall("x^]-\\[AB") == ["^", "]", "-", "\\", "[", "A"]


def test_a_file_name_keeps_none_of_them():
    name = export.export_file_name(datetime(2023, 7, 7, 17, tzinfo=BANGKOK), [("ค้นหา", "abc\u202eslx.exe\u0085\u200e")],
                                   ".xlsx")
    assert name == "kkdash-abc_slx.exe-2566-07-07-1700.xlsx"


@pytest.mark.parametrize("char", EVERY, ids=lambda c: f"U+{ord(c):04X}")
def test_markdown_shows_a_space_where_the_character_was(char):
    assert text.literal(f"ก{char}ข") == "ก ข"


@pytest.mark.parametrize("char", CONTROLS + BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_the_chase_log_stores_the_text_without_it(char):
    assert chase.scrub(f"โทร{char}แล้ว") == "โทรแล้ว"
    assert chase.scrub(f"บรรทัด 1\n{char}บรรทัด 2", multiline=True) == "บรรทัด 1\nบรรทัด 2"


@pytest.mark.parametrize("char", EVERY, ids=lambda c: f"U+{ord(c):04X}")
def test_the_cli_prints_it_as_a_visible_escape(char):
    assert escape_controls(f"a{char}b") == f"a\\u{ord(char):04x}b"
    assert cell(f"a{char}b") == f"a\\u{ord(char):04x}b"


def test_the_cli_keeps_tab_and_newline_in_a_line_but_not_in_a_cell():
    assert (escape_controls("a\tb\nc\rd"), cell("a\tb\nc")) == ("a\tb\nc\\u000dd", "a\\u0009b\\u000ac")


def test_the_sheet_drops_bidi_marks_silently_and_flags_controls():
    cells = pd.Series(["สำนักงาน" + char + "ที่ดิน" for char in CONTROLS + BIDI])
    flagged = parsing.has_controls(cells)
    assert flagged.tolist() == [True] * len(CONTROLS) + [False] * len(BIDI)
    cleaned = {parsing.clean_text(value) for value in cells}
    assert cleaned == {"สำนักงานที่ดิน", "สำนักงาน ที่ดิน"}  # separators (VT, FF, FS…, NEL) were between words
    assert [parsing.clean_text(f"ก{char}ข") for char in "\x0b\x0c\x1c\x1d\x1e\x1f\x85"] == ["ก ข"] * 7
