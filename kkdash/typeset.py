"""Thai text on an fpdf2 page: shaped by HarfBuzz, painted as the font's outlines, with an exact text layer.

fpdf2's own shaped text (``set_text_shaping``) places vowels and tone marks right, but its text does
not survive extraction: SARA AM, which HarfBuzz splits into NIKHAHIT + SARA AA, gets a glyph with no
Unicode (pypdf reads `สำ&นัก`), and a mark moved left by the font's positioning reads as a word gap
(`ฝั่ ง`, in pypdf and in poppler's pdftotext alike). A brief that an e-document system indexes, or
an officer copies a name from, must give back the names as registered. So each string is drawn
twice, as scanned-and-OCRed PDFs are: HarfBuzz shapes it and the glyph outlines are painted where
it puts them; the same string, unshaped, is written in invisible text (render mode 3) over it, one
glyph per character, which every reader extracts, searches and copies exactly.

Pure: no Streamlit, no network; the fonts are the vendored Sarabun files (SIL OFL, fonts/OFL.txt).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from fontTools.pens.basePen import BasePen
from fpdf import FPDF
from fpdf.drawing import GraphicsContext
from fpdf.enums import TextMode

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: FONT_DIR / "Sarabun-Regular.ttf", True: FONT_DIR / "Sarabun-Bold.ttf"}
FAMILY = "Sarabun"
ELLIPSIS = "…"
UNKNOWN = "?"
SARA_AM = "\u0e33"
# A Thai cluster carries at most two marks (an upper or lower vowel and a tone mark); more is a
# stack that would climb into the line above.
MAX_MARKS = 2
MM_PER_PT = 25.4 / 72
SHAPED_KEPT = 50_000  # shaped strings remembered per face
_SPACES = {"\t", "\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"}
_MARKS = {"Mn", "Mc", "Me"}


@dataclass(frozen=True)
class Style:
    """How a string looks: size in points, weight, colour (RGB 0-255)."""

    size: float
    bold: bool = False
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class Glyph:
    """One shaped glyph: its id and HarfBuzz's advance and offsets, in font units."""

    gid: int
    advance: int
    x_offset: int
    y_offset: int


class Face:
    """One font file: HarfBuzz shaping, the code points it draws, and its outlines as PDF path operators."""

    def __init__(self, path: Path) -> None:
        face = hb.Face(path.read_bytes())
        self.path = path
        self.upem = face.upem
        self.unicodes = frozenset(face.unicodes)
        self._font = hb.Font(face)
        self._shaped: dict[str, tuple[Glyph, ...]] = {}
        self._outlines: dict[int, str] = {}

    def shape(self, text: str) -> tuple[Glyph, ...]:
        """Text -> its glyphs as HarfBuzz places them (remembered: names repeat on a page and between briefs)."""
        glyphs = self._shaped.get(text)
        if glyphs is None:
            if len(self._shaped) >= SHAPED_KEPT:  # a long-running app meets new moments and names forever
                self._shaped.clear()
            buffer = hb.Buffer()
            buffer.add_str(text)
            buffer.guess_segment_properties()
            hb.shape(self._font, buffer, {})
            glyphs = tuple(Glyph(info.codepoint, pos.x_advance, pos.x_offset, pos.y_offset)
                           for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True))
            self._shaped[text] = glyphs
        return glyphs

    def advance(self, text: str) -> int:
        """Text -> its shaped width in font units."""
        return sum(glyph.advance for glyph in self.shape(text))

    def outline(self, gid: int) -> str:
        """A glyph id -> its outline as PDF path operators in font units ('' for a blank glyph)."""
        path = self._outlines.get(gid)
        if path is None:
            pen = _OperatorPen()
            self._font.draw_glyph_with_pen(gid, pen)
            path = " ".join(pen.operators)
            self._outlines[gid] = path
        return path


class _OperatorPen(BasePen):
    """A fontTools pen writing PDF path operators (quadratic curves arrive as cubic ones)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.operators: list[str] = []

    def _moveTo(self, pt) -> None:
        self.operators.append(f"{_num(pt[0])} {_num(pt[1])} m")

    def _lineTo(self, pt) -> None:
        self.operators.append(f"{_num(pt[0])} {_num(pt[1])} l")

    def _curveToOne(self, pt1, pt2, pt3) -> None:
        self.operators.append(" ".join(_num(v) for v in (*pt1, *pt2, *pt3)) + " c")

    def _closePath(self) -> None:
        self.operators.append("h")


def _num(value: float) -> str:
    """A coordinate in font units -> a whole number (a unit is 3 µm on an 8-point line)."""
    return str(round(value))


@functools.cache
def face(bold: bool = False) -> Face:
    """The regular or bold Sarabun face, loaded once per process."""
    return Face(FONT_FILES[bold])


@functools.cache
def drawable() -> frozenset[int]:
    """Code points both weights draw."""
    return face(False).unicodes & face(True).unicodes


def clean(value: object) -> str:
    """Any text -> one line the font draws: controls and invisible format marks (bidi, zero-width) dropped,
    line breaks and tabs as spaces, characters the font lacks as `?`, at most two marks per letter."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    known, out, marks = drawable(), [], 0
    for char in text:
        if char in _SPACES:
            char = " "
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        if category in _MARKS:
            marks += 1
            if marks > MAX_MARKS or not out:
                continue
        else:
            marks = 0
        out.append(char if ord(char) in known else UNKNOWN)
    return " ".join("".join(out).split())


def clusters(text: str) -> list[str]:
    """Text -> its letters each with the marks that sit on it, and SARA AM, which HarfBuzz draws partly over
    the letter before (a cut never strands a vowel or tone mark)."""
    parts: list[str] = []
    for char in text:
        if parts and (char == SARA_AM or unicodedata.category(char) in _MARKS):
            parts[-1] += char
        else:
            parts.append(char)
    return parts


class _Paint(GraphicsContext):
    """Ready PDF path operators, handed to fpdf2's drawing context as one item."""

    __slots__ = ("operators",)

    def __init__(self, operators: str) -> None:
        super().__init__()
        self.operators = operators

    def __deepcopy__(self, memo) -> _Paint:
        return self  # immutable: nothing to copy

    def render(self, resource_registry, style, last_item, initial_point, debug_stream=None, _push_stack=True):
        return self.operators, last_item, initial_point


class Typesetter:
    """Measures, fits and draws Thai text on one fpdf2 document (units: mm, y down, baselines)."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        for bold, path in FONT_FILES.items():
            pdf.add_font(FAMILY, "B" if bold else "", path)
        self._pending: list[str] = []

    def width(self, text: str, style: Style) -> float:
        """Text -> its shaped width in mm."""
        shaped = face(style.bold)
        return shaped.advance(text) * style.size * MM_PER_PT / shaped.upem

    def fit(self, text: str, style: Style, width: float) -> str:
        """Text -> itself when it fits ``width`` mm, else its longest start that fits with `…` after it."""
        if self.width(text, style) <= width:
            return text
        parts = clusters(text)
        low, high = 0, len(parts)  # the longest start that fits has `low` clusters
        while low < high:
            middle = (low + high + 1) // 2
            if self.width("".join(parts[:middle]).rstrip() + ELLIPSIS, style) <= width:
                low = middle
            else:
                high = middle - 1
        return "".join(parts[:low]).rstrip() + ELLIPSIS

    def draw(self, text: str, style: Style, *, x: float, baseline: float, align: str = "L",
             width: float = 0.0) -> float:
        """Draw ``text`` (already clean) on the baseline; align L from x, R or C within x..x+width. -> its width."""
        drawn = self.width(text, style)
        if align == "R":
            x += width - drawn
        elif align == "C":
            x += (width - drawn) / 2
        self._paint(text, style, x, baseline)
        self._write_invisible(text, style, x, baseline)
        return drawn

    def _paint(self, text: str, style: Style, x: float, baseline: float) -> None:
        """Queue the shaped glyph outlines of ``text`` for this page."""
        shaped = face(style.bold)
        scale = style.size * MM_PER_PT / shaped.upem
        red, green, blue = (channel / 255 for channel in style.color)
        operators = [f"q {red:.3f} {green:.3f} {blue:.3f} rg"]
        pen = 0
        for glyph in shaped.shape(text):
            outline = shaped.outline(glyph.gid)
            if outline:
                left = x + (pen + glyph.x_offset) * scale
                operators.append(f"q {scale:.6g} 0 0 {-scale:.6g} {left:.3f} {baseline - glyph.y_offset * scale:.3f}"
                                 f" cm {outline} f Q")
            pen += glyph.advance
        operators.append("Q")
        self._pending.append(" ".join(operators))

    def _write_invisible(self, text: str, style: Style, x: float, baseline: float) -> None:
        """The exact text, unshaped and invisible, where the glyphs are painted: what readers extract and copy."""
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if style.bold else "", style.size)
        # A local context (q ... Q): fpdf2 sets the line width inside the text object when the mode is
        # not FILL, and in the wrong unit; the Q puts the page's own back for the next frame or rule.
        with pdf.local_context(text_mode=TextMode.INVISIBLE):
            pdf.text(x, baseline, text)

    def flush(self) -> None:
        """Paint the queued glyphs on the current page (call before a new page and before output).

        Painted last, text sits on top of the page's fills and bars."""
        if self._pending:
            with self.pdf.drawing_context() as context:
                context.add_item(_Paint(" ".join(self._pending)), clone=False)
            self._pending = []
