"""Agency names as people type them -> one comparison key: no spaces, abbreviations expanded.

The same key is made for a typed name, a registry name and an alias (contract section 2), and
for the follow-up page's search text, so `สนง.สาธารณสุข` finds สำนักงานสาธารณสุข….
"""

from __future__ import annotations

import re

from kkdash.parsing import clean_text, squeeze_text

# Longest first, so `ขก.` is expanded before `ขก` can eat its letters.
ABBREVIATIONS = {"สนง.": "สำนักงาน", "ขก.": "ขอนแก่น", "จ.": "จังหวัด", "อ.": "อำเภอ", "ขก": "ขอนแก่น"}
_ABBREVIATION_RE = re.compile(
    "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
)
_WHITESPACE = re.compile(r"\s+")


_SEPARATOR = "\x00"  # joins names for normalize_names; no step below adds, removes or matches it


def normalize_names(texts: list[object]) -> list[str]:
    """Typed names -> [normalize_name(t) for t in texts], each step run once over all of them joined,
    in C: a national sheet has 100 000 distinct names and a national registry 32 000."""
    if not all(isinstance(text, str) for text in texts):  # a blank cell read as None or NaN
        return [normalize_name(text) for text in texts]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a name holding the separator itself
        return [normalize_name(text) for text in texts]
    squeezed = squeeze_text(joined).casefold()
    return _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(0)], squeezed).split(_SEPARATOR)


def normalize_again(keys: list[str]) -> list[str]:
    """Normalised keys -> each normalised once more, as match(key) does: `อ..` needs two passes.

    A second pass can only expand an abbreviation that the first one made (`อ..` -> `อำเภอ.`),
    and every abbreviation left to expand then has a dot; everything else is already clean.
    """
    again = [position for position, key in enumerate(keys) if "." in key or key.casefold() != key]
    out = list(keys)
    for position, key in zip(again, normalize_names([keys[p] for p in again]), strict=True):
        out[position] = key
    return out


def normalize_name(text: object) -> str:
    """A typed agency name -> comparison key: no spaces or zero-width, abbreviations expanded."""
    cleaned = _WHITESPACE.sub("", clean_text(text)).casefold()
    return _ABBREVIATION_RE.sub(lambda m: ABBREVIATIONS[m.group(0)], cleaned)
