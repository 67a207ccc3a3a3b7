"""kkdash.typeset: Thai text shaped by HarfBuzz, painted as outlines, extracted exactly."""

import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from kkdash import typeset
from kkdash.typeset import ELLIPSIS, Style, Typesetter, clean, clusters


@pytest.fixture
def setter():
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    return Typesetter(pdf)


@pytest.mark.parametrize(("raw", "shown"), [
    ("สำนักงานจังหวัดขอนแก่น", "สำนักงานจังหวัดขอนแก่น"),
    ("  หน่วยงาน\nขึ้นบรรทัด\tใหม่  ", "หน่วยงาน ขึ้นบรรทัด ใหม่"),
    ("\u202eกลับด้าน\u202c\u200b\u200f\ufeff", "กลับด้าน"),
    ("แดง\x07\x1b[31m\x00", "แดง[31m"),
    ("שלום مرحبا 😀 中文", "???? ????? ? ??"),
    ("ก" + "\u0e48" * 6 + "\u0301" * 3, "ก\u0e48\u0e48"),
    ("\u0e48ก", "ก"),  # a mark with no letter under it
    ("<b>=SUM(A1)</b>", "<b>=SUM(A1)</b>"),
    (None, ""),
])
def test_clean(raw, shown):
    assert clean(raw) == shown


def test_clusters_keep_marks_and_sara_am_with_their_letter():
    assert clusters("น้ำพอง") == ["น้ำ", "พ", "อ", "ง"]
    assert clusters("ปี่ ที่") == ["ปี่", " ", "ที่"]
    assert clusters("โพธิ์") == ["โ", "พ", "ธิ์"]


def test_fit_cuts_whole_clusters(setter):
    style = Style(8)
    assert setter.fit("สำนักงาน", style, setter.width("สำนักงาน", style)) == "สำนักงาน"
    assert setter.fit("สำนักงานเกษตร", style, setter.width("สำนัก…", style)) == "สำนัก…"
    assert setter.fit("น้ำพอง", style, setter.width("น้ำ…", style) - 0.01) == ELLIPSIS
    assert setter.fit("หน่วยงาน ยาว", style, setter.width("หน่วยงาน …", style)) == "หน่วยงาน…"  # no space before …


def test_widths_follow_the_shaping(setter):
    """Marks take no room: a tone mark over a letter does not widen it."""
    assert setter.width("ป่", Style(10)) == setter.width("ป", Style(10))
    assert setter.width("ป", Style(20)) == pytest.approx(2 * setter.width("ป", Style(10)))
    assert setter.width("ก", Style(10, bold=True)) > setter.width("ก", Style(10))


def test_drawn_text_extracts_exactly_and_nothing_is_a_missing_glyph(setter):
    samples = ["สำนักงานป้องกันและบรรเทาสาธารณภัย", "น้ำพอง ปี่ ฝั่ง ปั้น ญู ฐู ก้ำ", "โคกโพธิ์ไชย ศูนย์อนามัยที่ 7 …"]
    for line, sample in enumerate(samples):
        setter.draw(sample, Style(12, bold=line == 1), x=20, baseline=30 + 10 * line)
        assert 0 not in [glyph.gid for glyph in typeset.face(line == 1).shape(sample)]
    setter.flush()
    text = PdfReader(io.BytesIO(bytes(setter.pdf.output()))).pages[0].extract_text()
    assert text.splitlines() == samples


def test_alignment_places_the_text_layer_where_the_glyphs_are(setter):
    style = Style(10)
    width = setter.width("ขอนแก่น", style)
    assert setter.draw("ขอนแก่น", style, x=10, baseline=20) == width
    setter.draw("ขอนแก่น", style, x=10, baseline=30, align="R", width=100)
    setter.draw("ขอนแก่น", style, x=10, baseline=40, align="C", width=100)
    setter.flush()
    starts = []
    PdfReader(io.BytesIO(bytes(setter.pdf.output()))).pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: starts.append(round(tm[4] * 25.4 / 72, 1)) if text.strip()
        else None)
    assert starts == [10.0, round(110 - width, 1), round(10 + (100 - width) / 2, 1)]
