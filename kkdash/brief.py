"""Outcome -> the governor's brief: one printed A4 page (two at most) saying where the campaign stands.

The page holds the heading (campaign, moment, deadline, data source), the headline figures, the
province-level group and the districts worst first, and the agencies still missing by district.
The missing list runs onto a second page only when it cannot fit on the first; when it cannot fit
on two either, each group shows its count and its first names with "และอีก N หน่วยงาน". No personal
data is read: no reporter, phone or note reaches the page.

Pure: no Streamlit, no network, no storage. Text is set by kkdash.typeset (Sarabun, HarfBuzz).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from fpdf import FPDF

from kkdash.dates import format_thai_date
from kkdash.formats import format_pct
from kkdash.labels import LATE, MISSING, ON_TIME
from kkdash.linkreport import only_sample_links
from kkdash.pipeline import Outcome
from kkdash.typeset import Style, Typesetter, clean
from kkdash.views import Kpi, headline

CAMPAIGN_TH = "จังหวัดคุณธรรม ขอนแก่น — การประกาศเจตนารมณ์"
DEMO_TH = "ข้อมูลตัวอย่าง"
# The dashboard's status colours (kkdash.charts.STATUS_COLORS), so paper and screen agree.
STATUS_RGB = {ON_TIME: (0x2E, 0x7D, 0x32), LATE: (0xF9, 0xA8, 0x25), MISSING: (0xC6, 0x28, 0x28)}
INK, GREY, RULE, SHADE, HEAD_FILL = (0x21, 0x21, 0x21), (0x61, 0x61, 0x61), (0xBD, 0xBD, 0xBD), \
    (0xF5, 0xF5, 0xF5), (0xE8, 0xEA, 0xF0)
ACCENT = (0x1A, 0x3C, 0x6E)  # navy, the colour of Thai government letterheads

# Page geometry in mm (A4 portrait).
PAGE_W = 210.0
LEFT, RIGHT = 14.0, 196.0
WIDTH = RIGHT - LEFT
TOP = 13.0
FOOTER_RULE = 284.0
GAP = 3.0

TITLE = Style(15, bold=True, color=ACCENT)
SUBTITLE = Style(10.5, color=INK)
SMALL = Style(8, color=GREY)
SECTION = Style(10, bold=True, color=ACCENT)
CARD_LABEL = Style(8, color=GREY)
CARD_VALUE = Style(16, bold=True, color=INK)
CARD_DETAIL = Style(7.5, color=GREY)
CELL = Style(8, color=INK)
CELL_BOLD = Style(8, bold=True, color=INK)
CELL_MORE = Style(8, color=GREY)
HEAD = Style(7.5, bold=True, color=INK)
LIST_NAME = Style(8.5, color=INK)
LIST_LABEL = Style(8.5, bold=True, color=ACCENT)
LIST_MORE = Style(8.5, color=GREY)
BADGE = Style(9, bold=True, color=STATUS_RGB[MISSING])

CARD_H = 19.0
CARD_DETAIL_LINES = 2  # what a card's height leaves room for under its value
ROW_H = 4.5
HEAD_H = 4.8
TABLE_HEAD = 5.5  # the table's title above its header row
LIST_LEADING = 4.1
LIST_HEAD = 7.0  # from a list section's top to the baseline above its first line
LIST_FOOT = 1.5  # room under the last baseline for lower vowels
CONTINUED_TOP = TOP + 17.0  # where page 2's list section starts, under its short heading
LIST_MIN_ROOM = 40.0  # the table leaves at least this much of page 1 to the missing list
NAME_GAP, GROUP_GAP, SEPARATOR = 1.6, 4.5, " · "
# The table comes in two halves side by side; columns: header, width (mm), alignment; the bar takes the rest.
HALF_GAP = 6.0
HALF = (WIDTH - HALF_GAP) / 2
COLUMNS = (("อำเภอ", 19.5, "L"), ("ทั้งหมด", 10.5, "R"), ("ส่งแล้ว", 10.0, "R"), ("ล่าช้า", 8.5, "R"),
           ("ยังไม่ส่ง", 11.0, "R"), ("ลงนาม", 12.5, "R"))
BAR_PAD = 2.5


@dataclass(frozen=True)
class Row:
    """One table row: a district (or the province-level group, code '') and its figures."""

    code: str
    name: str
    expected: int
    reported: int
    on_time: int
    late: int
    missing: int
    signing_rate: float | None  # None: nobody in the group has reported


@dataclass(frozen=True)
class Group:
    """The agencies still missing in one district (or the province-level group), in registry order."""

    code: str
    name: str
    names: tuple[str, ...]
    needing_correction: int = 0
    paragraph: bool = False  # starts on a new line


@dataclass(frozen=True)
class Piece:
    """A word of the missing list placed on a line: its text, style and distance from the left edge."""

    text: str
    style: Style
    x: float


Line = tuple[Piece, ...]


def brief_pdf(outcome: Outcome, *, source_label: str, demo: bool, generated_at: datetime,
              links_verified: int | None = None) -> bytes:
    """Outcome as of its moment -> the brief as PDF bytes (A4, one page, two when the missing list needs it)."""
    pdf = _new_document(outcome, generated_at)
    setter = Typesetter(pdf)
    rows = table_rows(outcome)
    groups = missing_groups(outcome, rows)
    pdf.add_page()
    y = _heading(setter, outcome, source_label=source_label, demo=demo)
    y = _cards(setter, headline_cards(outcome, links_verified=links_verified), y)
    table_fit = int((FOOTER_RULE - LIST_MIN_ROOM - y - TABLE_HEAD - HEAD_H) // ROW_H)
    y = _table(setter, rows, y, max_rows=max(table_fit, 2))
    pages = plan_list(setter, groups, first=_capacity(y), second=_capacity(CONTINUED_TOP))
    missing = outcome.province["agencies_missing"]
    _missing_section(setter, pages[0], y, missing=missing, continued=False)
    _footer(setter, page=1, pages=len(pages), generated_at=generated_at)
    for number, lines in enumerate(pages[1:], start=2):
        setter.flush()
        pdf.add_page()
        _missing_section(setter, lines, _continued_heading(setter, outcome), missing=missing, continued=True)
        _footer(setter, page=number, pages=len(pages), generated_at=generated_at)
    setter.flush()
    return bytes(pdf.output())


def _new_document(outcome: Outcome, generated_at: datetime) -> FPDF:
    """An empty A4 document with Thai metadata and no automatic page breaks (the layout decides them)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, TOP, PAGE_W - RIGHT)
    pdf.set_title(f"สรุปสำหรับผู้บริหาร — {CAMPAIGN_TH} ณ {format_thai_date(outcome.as_of, with_time=True)}")
    pdf.set_lang("th")
    pdf.set_creator("kkdash")
    pdf.set_creation_date(generated_at)
    return pdf


def headline_cards(outcome: Outcome, *, links_verified: int | None) -> list[Kpi]:
    """Outcome -> the eight headline figures in the overview's words (kkdash.views.headline), in reading order;
    on paper each detail part is a line of its own."""
    sample = only_sample_links(outcome.agencies["published_url"])
    return headline(outcome, verified=links_verified, sample_links=sample)


def table_rows(outcome: Outcome) -> list[Row]:
    """Outcome -> the province-level group first, then the districts worst first.

    Worst: the smallest share reported, then the most missing, then the lowest signing rate, then the code."""
    rows = [_row(record) for record in outcome.districts.to_dict("records")]
    province = [row for row in rows if not row.code]
    others = sorted((row for row in rows if row.code), key=lambda row: (
        _share(row), -row.missing, -1.0 if row.signing_rate is None else row.signing_rate, row.code))
    return province + others


def _code(value) -> str:
    """A district code cell -> the code, '' for the province-level group (None or NaN)."""
    return value if isinstance(value, str) else ""


def _share(row: Row) -> float:
    return row.reported / row.expected if row.expected else 1.0


def _row(record: dict) -> Row:
    reported = int(record["reported"])
    return Row(code=_code(record["district_code"]), name=clean(record["name_th"]), expected=int(record["expected"]),
               reported=reported, on_time=int(record["on_time"]), late=int(record["late"]),
               missing=int(record["missing"]),
               signing_rate=float(record["signing_rate"]) if reported else None)


def missing_groups(outcome: Outcome, rows: Sequence[Row]) -> list[Group]:
    """Outcome -> the agencies still missing, grouped like the table's rows and in its order."""
    agencies = outcome.agencies
    missing = agencies[agencies["status"].eq(MISSING)]
    names = missing.groupby(missing["district_code"].map(_code), sort=False)["name_th"].agg(list).to_dict()
    per_group = outcome.districts["needing_correction"].astype("int64")  # sent only reports to correct
    correcting = dict(zip(outcome.districts["district_code"].map(_code), per_group, strict=True))
    groups: list[Group] = []
    for row in rows:
        listed = tuple(clean(name) for name in names.get(row.code, ()))
        if listed:
            # The province-level group is a paragraph of its own; the districts follow in one.
            paragraph = not groups or not row.code or not groups[-1].code
            groups.append(Group(row.code, row.name, listed, int(correcting.get(row.code, 0)), paragraph=paragraph))
    return groups


def _heading(setter: Typesetter, outcome: Outcome, *, source_label: str, demo: bool) -> float:
    """The title block: campaign, moment and deadline, data source; a demo badge. -> the y below it."""
    pdf = setter.pdf
    baseline = TOP + 6.0
    setter.draw(CAMPAIGN_TH, TITLE, x=LEFT, baseline=baseline)
    if demo:
        _badge(setter, DEMO_TH, right=RIGHT, baseline=baseline)
    baseline += 6.5
    status = f"สถานะ ณ {format_thai_date(outcome.as_of, with_time=True)}"
    setter.draw(status, Style(SUBTITLE.size, bold=True, color=INK), x=LEFT, baseline=baseline)
    offset = setter.width(status, Style(SUBTITLE.size, bold=True)) + 3.0
    setter.draw(setter.fit(f"กำหนดส่ง {format_thai_date(outcome.deadline)} · สรุปสำหรับผู้บริหาร", SUBTITLE,
                           WIDTH - offset), SUBTITLE, x=LEFT + offset, baseline=baseline)
    baseline += 5.0
    source = f"แหล่งข้อมูล: {clean(source_label) or '-'}"
    setter.draw(setter.fit(source, SMALL, WIDTH), SMALL, x=LEFT, baseline=baseline)
    rule = baseline + 2.5
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(LEFT, rule, RIGHT, rule)
    return rule + GAP


def _badge(setter: Typesetter, text: str, *, right: float, baseline: float) -> None:
    """A framed red label ending at ``right`` on the title's baseline."""
    pdf = setter.pdf
    width = setter.width(text, BADGE) + 4.0
    pdf.set_draw_color(*STATUS_RGB[MISSING])
    pdf.set_line_width(0.4)
    pdf.rect(right - width, baseline - 4.6, width, 6.2)
    setter.draw(text, BADGE, x=right - width, baseline=baseline, align="C", width=width)


def _cards(setter: Typesetter, cards: Sequence[Kpi], top: float) -> float:
    """Headline figures in two rows of four framed cards. -> the y below them."""
    pdf = setter.pdf
    per_row = 4
    width = (WIDTH - GAP * (per_row - 1)) / per_row
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    for index, card in enumerate(cards):
        x = LEFT + (index % per_row) * (width + GAP)
        y = top + (index // per_row) * (CARD_H + GAP)
        pdf.rect(x, y, width, CARD_H)
        inner = width - 4.0
        setter.draw(setter.fit(card.label, CARD_LABEL, inner), CARD_LABEL, x=x + 2.0, baseline=y + 4.2)
        value_style = replace(CARD_VALUE, color=STATUS_RGB.get(card.status, INK))
        setter.draw(setter.fit(card.value, value_style, inner), value_style, x=x + 2.0, baseline=y + 10.6)
        for line, detail in enumerate(card.details[:CARD_DETAIL_LINES]):
            setter.draw(setter.fit(detail, CARD_DETAIL, inner), CARD_DETAIL, x=x + 2.0,
                        baseline=y + 14.3 + line * 3.3)
    rows = -(-len(cards) // per_row)
    return top + rows * CARD_H + (rows - 1) * GAP + 4.5


def _table(setter: Typesetter, rows: Sequence[Row], top: float, *, max_rows: int) -> float:
    """The province-level group and the districts, worst first, in two side-by-side halves read down the left
    half first, each row with its status bar. At most ``max_rows`` lines a half. -> the y below it."""
    pdf = setter.pdf
    setter.draw("รายอำเภอ: ระดับจังหวัดก่อน แล้วเรียงจากส่งรายงานน้อยที่สุด", SECTION, x=LEFT, baseline=top + 3.5)
    _legend(setter, right=RIGHT, baseline=top + 3.5)
    head = top + TABLE_HEAD
    capacity = 2 * max_rows
    shown = list(rows) if len(rows) <= capacity else list(rows[:capacity - 1])
    halves = [shown[:-(-len(shown) // 2)], shown[-(-len(shown) // 2):]]
    bottom = head
    for half, (part, left) in enumerate(zip(halves, (LEFT, LEFT + HALF + HALF_GAP), strict=True)):
        _table_head(setter, left, head)
        y = head + HEAD_H
        for index, row in enumerate(part):
            _table_row(setter, row, left, y, shaded=index % 2 == 1, first=half == 0 and index == 0)
            y += ROW_H
        if half == 1 and len(shown) < len(rows):
            rest = rows[len(shown):]
            note = f"และอีก {len(rest):,} อำเภอ ({sum(r.missing for r in rest):,} หน่วยงานยังไม่ส่ง)"
            setter.draw(setter.fit(note, CELL_MORE, HALF - 2.4), CELL_MORE, x=left + 1.2, baseline=y + 3.1)
            y += ROW_H
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.line(left, y, left + HALF, y)
        bottom = max(bottom, y)
    return bottom


def _table_head(setter: Typesetter, left: float, y: float) -> None:
    """A half's header row: the column names on a tinted band."""
    pdf = setter.pdf
    pdf.set_fill_color(*HEAD_FILL)
    pdf.rect(left, y, HALF, HEAD_H, style="F")
    x = left
    for header, width, align in COLUMNS:
        setter.draw(header, HEAD, x=x + 1.2, baseline=y + 3.4, align=align, width=width - 2.4)
        x += width
    setter.draw("สถานะ", HEAD, x=x + BAR_PAD, baseline=y + 3.4)


def _legend(setter: Typesetter, *, right: float, baseline: float) -> None:
    """Coloured squares naming the bar's three parts, ending at ``right``."""
    pdf = setter.pdf
    items = [(ON_TIME, "ส่งตรงเวลา"), (LATE, "ส่งล่าช้า"), (MISSING, "ยังไม่ส่ง")]
    widths = [setter.width(label, SMALL) for _, label in items]
    x = right - sum(widths) - len(items) * 4.2 - (len(items) - 1) * 2.5
    for (status, label), width in zip(items, widths, strict=True):
        pdf.set_fill_color(*STATUS_RGB[status])
        pdf.rect(x, baseline - 2.4, 2.6, 2.6, style="F")
        setter.draw(label, SMALL, x=x + 3.6, baseline=baseline)
        x += width + 4.2 + 2.5


def _table_row(setter: Typesetter, row: Row, left: float, y: float, *, shaded: bool, first: bool) -> None:
    """One row: name, counts, signing rate, then the on-time / late / missing bar."""
    pdf = setter.pdf
    if shaded:
        pdf.set_fill_color(*SHADE)
        pdf.rect(left, y, HALF, ROW_H, style="F")
    style = CELL_BOLD if first else CELL
    cells = (row.name, f"{row.expected:,}", f"{row.reported:,}", f"{row.late:,}", f"{row.missing:,}",
             format_pct(row.signing_rate))
    x = left
    for text, (_, width, align) in zip(cells, COLUMNS, strict=True):
        setter.draw(setter.fit(text, style, width - 2.4), style, x=x + 1.2, baseline=y + 3.1, align=align,
                    width=width - 2.4)
        x += width
    _bar(pdf, row, x + BAR_PAD, y + 0.9, left + HALF - x - BAR_PAD - 1.0, ROW_H - 1.8)
    if first:
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.line(left, y + ROW_H, left + HALF, y + ROW_H)


def _bar(pdf: FPDF, row: Row, x: float, y: float, width: float, height: float) -> None:
    """A bar of the row's agencies: on time, late, missing, each as its share of the width."""
    if not row.expected:
        return
    for status, count in ((ON_TIME, row.on_time), (LATE, row.late), (MISSING, row.missing)):
        part = width * count / row.expected
        if part > 0:
            pdf.set_fill_color(*STATUS_RGB[status])
            pdf.rect(x, y, part, height, style="F")
            x += part


def _capacity(top: float) -> int:
    """Lines of a missing-list section starting at ``top`` that fit above the footer."""
    return max(int((FOOTER_RULE - LIST_FOOT - LIST_HEAD - top) // LIST_LEADING), 0)


def plan_list(setter: Typesetter, groups: Sequence[Group], *, first: int, second: int) -> list[list[Line]]:
    """The missing list -> its lines per page: whole on page 1, else whole on pages 1-2, else cut to fit two.

    Cut: every group keeps as many first names as fit (the same number for all) and "และอีก N หน่วยงาน";
    when even the counts alone overflow, the last groups become one "และอีก M อำเภอ รวม N หน่วยงาน" line."""
    whole = layout(setter, groups)
    if len(whole) <= first:
        return [whole]
    room = first + second
    if len(whole) > room:
        whole = _cut(setter, groups, room)
    return [whole[:first], whole[first:]] if len(whole) > first else [whole]


def _cut(setter: Typesetter, groups: Sequence[Group], room: int) -> list[Line]:
    """The longest list that fits ``room`` lines (see plan_list)."""
    low, high = 0, max(len(g.names) for g in groups) - 1  # names kept per group
    if len(layout(setter, groups, keep=0)) > room:
        return _cut_groups(setter, groups, room)
    while low < high:
        middle = (low + high + 1) // 2
        if len(layout(setter, groups, keep=middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return layout(setter, groups, keep=low)


def _cut_groups(setter: Typesetter, groups: Sequence[Group], room: int) -> list[Line]:
    """Counts only, for as many groups as fit, then one line for the rest."""
    low, high = 0, len(groups) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if len(layout(setter, groups[:middle], keep=0, rest=groups[middle:])) <= room:
            low = middle
        else:
            high = middle - 1
    return layout(setter, groups[:low], keep=0, rest=groups[low:])


def group_label(group: Group) -> str:
    """A group's label in the list: its name and count (and how many sent reports that must be corrected)."""
    correcting = f" · ต้องแก้ไข {group.needing_correction:,}" if group.needing_correction else ""
    return f"{group.name} ({len(group.names):,}{correcting})"


def more_text(count: int) -> str:
    """The words that stand for names left out of a cut group."""
    return f"และอีก {count:,} หน่วยงาน"


def layout(setter: Typesetter, groups: Sequence[Group], *, keep: int | None = None,
           rest: Sequence[Group] = ()) -> list[Line]:
    """Groups -> lines of the list, each group's label in bold before its names.

    ``keep``: names shown per group (None: all); ``rest``: groups summed up in one closing line."""
    flow = _Flow(setter, WIDTH)
    for group in groups:
        shown = group.names if keep is None else group.names[:keep]
        flow.group(group_label(group), shown, more=len(group.names) - len(shown), paragraph=group.paragraph)
    if rest:
        flow.group(f"และอีก {len(rest):,} อำเภอ รวม {sum(len(g.names) for g in rest):,} หน่วยงาน", (), more=0,
                   paragraph=True)
    return flow.finish()


class _Flow:
    """Greedy line filling for the missing list: labels stay with their first name, long names are cut."""

    def __init__(self, setter: Typesetter, width: float) -> None:
        self.setter, self.width = setter, width
        self.lines: list[Line] = []
        self.line: list[Piece] = []
        self.x = 0.0

    def group(self, label: str, names: Sequence[str], *, more: int, paragraph: bool) -> None:
        """Add one group: its label, its names separated by dots, and "และอีก N หน่วยงาน" when cut."""
        if paragraph:
            self._break()
        words = [(name, LIST_NAME) for name in names]
        if more and names:  # with no name shown, the label's count says it all
            words.append((more_text(more), LIST_MORE))
        first = words[0] if words else None
        self._place(label, LIST_LABEL, GROUP_GAP, keep_with=first)
        for index, (text, style) in enumerate(words):
            self._place(text, style, NAME_GAP if index == 0 else 0.0, separator=index > 0)

    def _place(self, text: str, style: Style, gap: float, *, separator: bool = False,
               keep_with: tuple[str, Style] | None = None) -> None:
        setter = self.setter
        text = setter.fit(text, style, self.width)
        width = setter.width(text, style)
        lead = setter.width(SEPARATOR, LIST_NAME) if separator else gap
        need = width + (NAME_GAP + min(setter.width(keep_with[0], keep_with[1]), self.width / 3) if keep_with else 0)
        if self.line and self.x + lead + need > self.width:
            self._break()
        if self.line and separator:
            self.line.append(Piece("·", LIST_MORE, self.x + (lead - setter.width("·", LIST_MORE)) / 2))
        start = self.x + lead if self.line else 0.0
        self.line.append(Piece(text, style, start))
        self.x = start + width

    def _break(self) -> None:
        if self.line:
            self.lines.append(tuple(self.line))
        self.line, self.x = [], 0.0

    def finish(self) -> list[Line]:
        """The lines, the last one closed."""
        self._break()
        return self.lines


def _missing_section(setter: Typesetter, lines: Sequence[Line], top: float, *, missing: int,
                     continued: bool) -> None:
    """The missing list's title and its lines from ``top``."""
    title = "หน่วยงานที่ยังไม่ส่งรายงาน แยกตามอำเภอ" + (" (ต่อ)" if continued else "")
    setter.draw(f"{title} — {missing:,} หน่วยงาน", SECTION, x=LEFT, baseline=top + 6.0)
    if not missing:
        setter.draw("ทุกหน่วยงานส่งรายงานแล้ว", LIST_NAME, x=LEFT, baseline=top + LIST_HEAD + LIST_LEADING)
        return
    baseline = top + LIST_HEAD
    for line in lines:
        baseline += LIST_LEADING
        for piece in line:
            setter.draw(piece.text, piece.style, x=LEFT + piece.x, baseline=baseline)


def _continued_heading(setter: Typesetter, outcome: Outcome) -> float:
    """Page 2's short heading: the campaign and the moment. -> the y below it."""
    pdf = setter.pdf
    baseline = TOP + 5.0
    setter.draw(CAMPAIGN_TH, Style(11, bold=True, color=ACCENT), x=LEFT, baseline=baseline)
    setter.draw(f"สถานะ ณ {format_thai_date(outcome.as_of, with_time=True)}", SUBTITLE, x=LEFT,
                baseline=baseline + 5.5)
    rule = baseline + 8.0
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(LEFT, rule, RIGHT, rule)
    return CONTINUED_TOP


def _footer(setter: Typesetter, *, page: int, pages: int, generated_at: datetime) -> None:
    """A rule, the generation time (Buddhist Era) on the left and the page number on the right."""
    pdf = setter.pdf
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.25)
    pdf.line(LEFT, FOOTER_RULE, RIGHT, FOOTER_RULE)
    baseline = FOOTER_RULE + 4.0
    setter.draw(f"สร้างเมื่อ {format_thai_date(generated_at, with_time=True)} โดย kkdash · ไม่มีข้อมูลส่วนบุคคล",
                SMALL, x=LEFT, baseline=baseline)
    setter.draw(f"หน้า {page}/{pages}", SMALL, x=LEFT, baseline=baseline, align="R", width=WIDTH)
