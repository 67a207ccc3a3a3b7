"""kkdash.brief: the governor's one-page PDF, checked by extracting its text and rendering it to PNG."""

import dataclasses
import functools
import io
import math
import os
import shutil
import subprocess
import sys
import unicodedata
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from kkdash import brief, charts, pipeline, typeset
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.labels import MISSING
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import validate_registry
from kkdash.schema import HEADERS_TH
from kkdash.sheet import sheet_from_rows
from kkdash.sources import read_responses_csv

GENERATED_AT = datetime(2023, 7, 5, 16, 5, tzinfo=BANGKOK)
DEMO_MINUTE = DEMO_AS_OF.replace(second=59)  # the app computes at the end of the chosen minute
AT_DEADLINE = datetime(2023, 7, 7, 23, 59, 59, tzinfo=BANGKOK)
SOURCE = "ไฟล์คำตอบตัวอย่าง data/demo_responses.csv"
A4_MM = (210.0, 297.0)


@pytest.fixture(scope="module")
def demo_sheet():
    return read_responses_csv(DEMO_RESPONSES_PATH)


@pytest.fixture(scope="module", params=[DEMO_MINUTE, AT_DEADLINE], ids=["5-jul-16-00", "deadline"])
def outcome(request, demo_sheet, registry, districts):
    """The demo campaign at 5 ก.ค. 2566 16:00 (end of the minute) and at the deadline."""
    return pipeline.run(demo_sheet, registry, districts, as_of=request.param)


@pytest.fixture(scope="module")
def at_16(demo_sheet, registry, districts):
    """The demo campaign at 5 ก.ค. 2566 16:00 only, for checks that do not depend on the moment."""
    return pipeline.run(demo_sheet, registry, districts, as_of=DEMO_MINUTE)


@pytest.fixture(scope="module")
def drawn(outcome):
    """The brief of ``outcome`` and every string the typesetter drew on it, with its weight."""
    strings = []
    original = typeset.Typesetter.draw

    def recording(self, text, style, **where):
        strings.append((text, style.bold))
        return original(self, text, style, **where)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typeset.Typesetter, "draw", recording)
        data = brief.brief_pdf(outcome, source_label=SOURCE, demo=True, generated_at=GENERATED_AT)
    return data, strings


@functools.cache
def page_texts(data: bytes) -> tuple[str, ...]:
    """The text pypdf extracts from each page (remembered: a page of glyph outlines takes seconds to parse)."""
    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def test_headline_figures_are_the_summary_in_the_overviews_words(outcome, drawn):
    summary = outcome.summary()
    lines = page_texts(drawn[0])[0].splitlines()
    # Cards read label, value, details, card by card.
    start = lines.index("ส่งรายงานแล้ว")
    days = (outcome.deadline - outcome.as_of.date()).days
    expected = [
        "ส่งรายงานแล้ว", f"{summary['agencies_reported']}/{summary['agencies_expected']}",
        f"{pct(summary['agencies_reported'] / summary['agencies_expected'])} ของหน่วยงาน",
        "ส่งตรงเวลา", str(summary["agencies_on_time"]), "หน่วยงาน",
        "ส่งล่าช้า", str(summary["agencies_late"]), "หน่วยงาน",
        "ยังไม่ส่ง", str(summary["agencies_missing"]), "หน่วยงาน",
        f"ส่งแล้วแต่ต้องแก้ไข {summary['agencies_needing_correction']}",
        "บุคลากรลงนาม", pct(summary["signing_rate"]),
        f"{summary['personnel_signed']:,}/{summary['personnel_total']:,} คน",
        f"ของหน่วยงานที่ส่งแล้ว {summary['agencies_reported']} แห่ง",
        "ลงนามครบทุกคน", str(summary["agencies_fully_signed"]), "หน่วยงาน",
        # The demo's links are all made up (.example): said so, as on the overview, rather than "0 working".
        "เผยแพร่บนเว็บไซต์", str(summary["agencies_published"]), "หน่วยงาน", "ลิงก์สมมติของข้อมูลตัวอย่าง",
        *(["เหลือเวลา", f"{days} วัน"] if days else ["ครบกำหนด", "วันนี้"]), "กำหนดส่ง 7 ก.ค. 2566",
    ]
    assert lines[start:start + len(expected)] == expected


def test_demo_figures_at_16_00(at_16):
    text = page_texts(brief.brief_pdf(at_16, source_label=SOURCE, demo=True, generated_at=GENERATED_AT))[0]
    lines = text.splitlines()
    for line in ("86/154", "55.8% ของหน่วยงาน", "68", "98.9%", "5,358/5,416 คน", "2 วัน",
                 "ระดับจังหวัด 75 40 0 35 99.5%", "กระนวน 3 0 0 3 -", "เมืองขอนแก่น 4 1 0 3 100.0%",
                 "อุบลรัตน์ 3 3 0 0 98.8%", "หน่วยงานที่ยังไม่ส่งรายงาน แยกตามอำเภอ — 68 หน่วยงาน"):
        assert line in lines, line
    assert lines[lines.index("หน่วยงานที่ยังไม่ส่งรายงาน แยกตามอำเภอ — 68 หน่วยงาน") + 1].startswith(
        "ระดับจังหวัด (35) สำนักงานจังหวัดขอนแก่น · ที่ทำการปกครองจังหวัดขอนแก่น · ")


def test_heading_says_what_when_and_from_where(outcome, drawn):
    lines = page_texts(drawn[0])[0].splitlines()
    moment = "5 ก.ค. 2566 16:00 น." if outcome.as_of == DEMO_MINUTE else "7 ก.ค. 2566 23:59 น."
    assert lines[:3] == [
        "จังหวัดคุณธรรม ขอนแก่น — การประกาศเจตนารมณ์ ข้อมูลตัวอย่าง",
        f"สถานะ ณ {moment} กำหนดส่ง 7 ก.ค. 2566 · สรุปสำหรับผู้บริหาร",
        f"แหล่งข้อมูล: {SOURCE}",
    ]
    assert lines[-1] == "สร้างเมื่อ 5 ก.ค. 2566 16:05 น. โดย kkdash · ไม่มีข้อมูลส่วนบุคคล หน้า 1/1"


def test_table_rows_are_the_summary_districts_worst_first(outcome, drawn):
    lines = page_texts(drawn[0])[0].splitlines()
    rows = []
    for d in outcome.summary()["districts"]:
        rate = pct(d["signing_rate"]) if d["reported"] else "-"
        rows.append((d["district_code"] or "", d, f"{d['name_th']} {d['expected']} {d['reported']} {d['late']} "
                                                 f"{d['missing']} {rate}"))
    province = [line for code, _, line in rows if not code]
    districts = sorted((r for r in rows if r[0]), key=lambda r: (
        r[1]["reported"] / r[1]["expected"], -r[1]["missing"],
        r[1]["signing_rate"] if r[1]["reported"] else -1.0, r[0]))
    expected = province + [line for _, _, line in districts]
    table = [line for line in lines if any(line == row for row in expected)]
    assert table == expected  # every district once, worst first, province first
    assert len(table) == 27


def test_every_missing_agency_is_listed_by_name(outcome, drawn):
    text = "\n".join(page_texts(drawn[0]))
    missing = outcome.agencies[outcome.agencies["status"].eq(MISSING)]
    assert len(missing) == outcome.summary()["agencies_missing"]
    for name in missing["name_th"]:
        assert name in text
    for group, names in missing.groupby("district_name_th"):
        rejected = int(names["needs_correction"].sum())
        assert f"{group} ({len(names)}{f' · ต้องแก้ไข {rejected}' if rejected else ''})" in text


def test_demo_fits_one_page(outcome, drawn):
    assert len(PdfReader(io.BytesIO(drawn[0])).pages) == 1
    page = PdfReader(io.BytesIO(drawn[0])).pages[0]
    assert (round(float(page.mediabox.width) * 25.4 / 72, 1), round(float(page.mediabox.height) * 25.4 / 72, 1)) \
        == A4_MM


def test_every_drawn_string_extracts_unchanged(drawn):
    """The font check: no missing glyph (no .notdef), no replacement character, text back exactly."""
    data, strings = drawn
    text = "\n".join(page_texts(data))
    assert "\ufffd" not in text
    assert len(strings) > 200
    for string, bold in strings:
        assert string in text, string
        assert 0 not in [glyph.gid for glyph in typeset.face(bold).shape(string)], string


def test_no_personal_data(outcome, drawn):
    text = "\n".join(page_texts(drawn[0]))
    reporters = outcome.agencies[["reporter_name", "reporter_phone", "reporter_position"]]
    values = {v for v in reporters.to_numpy().ravel() if isinstance(v, str) and v}
    assert len(values) > 50
    for value in values:
        assert value not in text, value


def test_not_demo_has_no_demo_label(at_16):
    real_links = at_16.agencies.assign(published_url=at_16.agencies["published_url"].str.replace(".example", ".go.th"))
    data = brief.brief_pdf(dataclasses.replace(at_16, agencies=real_links), source_label="Google Sheet: คำตอบแบบฟอร์ม 1",
                           demo=False, generated_at=GENERATED_AT, links_verified=64)
    text = page_texts(data)[0]
    assert "ข้อมูลตัวอย่าง" not in text
    assert "แหล่งข้อมูล: Google Sheet: คำตอบแบบฟอร์ม 1\n" in text
    assert "\nลิงก์ใช้ได้จริง 64 หน่วยงาน\n" in text


def test_rejected_reports_of_missing_agencies(at_16):
    """The count of missing agencies that sent only rejected reports, read from the province and the districts."""
    outcome = at_16
    districts = outcome.districts.assign(needing_correction=0)
    districts.loc[districts["name_th"].eq("กระนวน"), "needing_correction"] = 2
    marked = dataclasses.replace(outcome, province={**outcome.province, "agencies_needing_correction": 3},
                                 districts=districts)
    text = page_texts(brief.brief_pdf(marked, source_label=SOURCE, demo=True, generated_at=GENERATED_AT))[0]
    assert "\nส่งแล้วแต่ต้องแก้ไข 3\n" in text
    assert "กระนวน (3 · ต้องแก้ไข 2)" in text and "ต้องแก้ไข 2)" not in text.replace("กระนวน (3 · ต้องแก้ไข 2)", "")


def test_brief_is_pure():
    """No Streamlit, no network or storage client, no plotly: the CLI and the app both call it."""
    code = ("import sys, kkdash.brief; print(sorted(m for m in ('streamlit', 'requests', 'gspread', 'google.auth', "
            "'sqlalchemy', 'smtplib', 'plotly', 'kkdash.links', 'kkdash.ui', 'kkdash.data') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_status_colours_are_the_dashboards():
    assert {status: "#{:02x}{:02x}{:02x}".format(*rgb) for status, rgb in brief.STATUS_RGB.items()} \
        == charts.STATUS_COLORS


def test_same_input_same_bytes(at_16):
    first = brief.brief_pdf(at_16, source_label=SOURCE, demo=True, generated_at=GENERATED_AT)
    assert brief.brief_pdf(at_16, source_label=SOURCE, demo=True, generated_at=GENERATED_AT) == first


def render_png(data: bytes, tmp_path, dpi: int) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is required in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "brief.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "brief.pdf"), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("RGB")


def test_page_renders_to_png(drawn, tmp_path):
    image = render_png(drawn[0], tmp_path, 100)
    assert image.size == (math.ceil(A4_MM[0] / 25.4 * 100), math.ceil(A4_MM[1] / 25.4 * 100)) == (827, 1170)
    pixels = np.asarray(image).reshape(-1, 3)
    colours = {tuple(int(v) for v in rgb) for rgb in np.unique(pixels, axis=0)}
    for rgb in (*brief.STATUS_RGB.values(), brief.ACCENT):  # bars, legend, title rule
        assert rgb in colours, rgb
    inked = int((pixels.sum(axis=1) < 600).sum())
    assert inked > len(pixels) // 20  # text and bars on more than a twentieth of the page
    title = np.asarray(image)[:80]
    assert (title.sum(axis=2) < 300).any()  # the heading is drawn


# Agency names as HR's registry or a broken export might carry them, each after a tag that survives a cut,
# with what the brief must show for it (None: too long, cut with "…").
HOSTILE = [
    (lambda i: "สำนักงาน" + "ทดสอบชื่อที่ยาวมากจนล้นบรรทัด" * 12 + f" {i}", None),
    (lambda i: f"<script>alert('x')</script><b>หน่วยงาน</b> {i}",
     lambda i: f"<script>alert('x')</script><b>หน่วยงาน</b> {i}"),
    (lambda i: f'=HYPERLINK("http://evil.example","คลิก") {i}',
     lambda i: f'=HYPERLINK("http://evil.example","คลิก") {i}'),
    (lambda i: f"\u202eหน่วยงานกลับด้าน\u202c {i}", lambda i: f"หน่วยงานกลับด้าน {i}"),
    (lambda i: f"\u200fשלום مرحبا หน่วยงาน {i}", lambda i: f"???? ????? หน่วยงาน {i}"),
    (lambda i: f"หน่วยงาน\x07\x1b[31mแดง\x00 {i}", lambda i: f"หน่วยงาน[31mแดง {i}"),
    (lambda i: f"หน่วยงาน\nขึ้นบรรทัดใหม่\tแท็บ {i}", lambda i: f"หน่วยงาน ขึ้นบรรทัดใหม่ แท็บ {i}"),
    (lambda i: "ก" + "\u0e48" * 8 + "\u0301" * 5 + f" ซ้อนวรรณยุกต์ {i}", lambda i: f"ก\u0e48\u0e48 ซ้อนวรรณยุกต์ {i}"),
    (lambda i: f"😀 หน่วยงานอีโมจิ 中文 {i}", lambda i: f"? หน่วยงานอีโมจิ ?? {i}"),
]


def tag(i: int) -> str:
    return f"H{i:04d}"


def hostile_outcome(count: int, districts) -> pipeline.Outcome:
    """``count`` agencies spread over the province group and the 26 districts; one in three has a plain name and
    reports on 1-9 July, the others have hostile names and are missing."""
    codes = ["", *districts["district_code"]]
    records, answers = [], [list(HEADERS_TH.values())]
    for i in range(count):
        code = codes[i % len(codes)]
        plain = i % 3 == 0
        name = f"หน่วยงานทดสอบลำดับที่ {i}" if plain else f"{tag(i)} {HOSTILE[(i // 3) % len(HOSTILE)][0](i)}"
        records.append({"agency_id": f"X{i:04d}", "name_th": name, "aliases": "",
                        "kind": "district_unit" if code else "provincial", "district_code": code})
        if plain:
            day = 1 + i % 9
            answers.append([f"{day}/7/2566, 9:00:00", name, "", f"{day}/7/2566", "ใช่", "20", "19", "5", "5", "2",
                            "2", "10", "10", "https://x.example/m", "นายทดสอบ ใจดี", "ปลัด", "0812345678"])
    registry = validate_registry(pd.DataFrame(records), districts=districts)
    return pipeline.run(sheet_from_rows(answers), registry, districts,
                        as_of=datetime(2023, 7, 8, 12, 0, tzinfo=BANGKOK))


def test_hostile_names_are_shown_clean(districts):
    """Two names of each hostile kind in every group: all listed on one page, each cleaned or cut as expected."""
    outcome = hostile_outcome(81, districts)
    data = brief.brief_pdf(outcome, source_label="https://docs.google.com/x\u202e<b>x</b>\n=1+1\x00", demo=False,
                           generated_at=GENERATED_AT)
    pages = page_texts(data)
    assert len(pages) == 1
    lines = pages[0].splitlines()
    assert lines[2] == "แหล่งข้อมูล: https://docs.google.com/x<b>x</b> =1+1"
    assert "\ufffd" not in pages[0]
    assert not [c for c in pages[0] if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]
    missing = outcome.agencies[outcome.agencies["status"].eq(MISSING)]
    assert len(missing) == 54
    for i in (int(agency_id[1:]) for agency_id in missing["agency_id"]):
        shown = HOSTILE[(i // 3) % len(HOSTILE)][1]
        if shown is None:  # cut to the line, with the ellipsis, never wrapped onto more lines
            line = next(line for line in lines if f"{tag(i)} สำนักงานทดสอบชื่อที่ยาวมาก" in line)
            assert line.endswith("…") and f"{i}…" not in line
        else:
            assert f"{tag(i)} {shown(i)}" in pages[0]


@pytest.fixture(scope="module")
def crowded(districts):
    """2 000 agencies, 1 333 of them missing, with hostile names."""
    outcome = hostile_outcome(2000, districts)
    return outcome, brief.brief_pdf(outcome, source_label=SOURCE, demo=False, generated_at=GENERATED_AT)


def test_two_thousand_agencies_stay_within_two_pages(crowded):
    outcome, data = crowded
    pages = page_texts(data)
    assert len(pages) == 2
    assert pages[0].splitlines()[-1].endswith("หน้า 1/2")
    assert pages[1].splitlines()[-1].endswith("หน้า 2/2")
    assert outcome.summary()["agencies_missing"] == 1333
    text = "\n".join(pages)
    assert "\ufffd" not in text
    assert not [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")]


def test_a_cut_list_gives_each_groups_count_and_first_names(crowded):
    """Every group: its count, its first names (the same number in every group), "และอีก N หน่วยงาน" for the rest."""
    outcome, data = crowded
    text = "\n".join(page_texts(data)).split("หน่วยงานที่ยังไม่ส่งรายงาน แยกตามอำเภอ — ", 1)[1]
    missing = outcome.agencies[outcome.agencies["status"].eq(MISSING)]
    groups = [(row.name, missing[missing["district_name_th"].eq(row.name)]) for row in brief.table_rows(outcome)]
    groups = [(name, members) for name, members in groups if len(members)]
    assert len(groups) == 18  # agency i is in group i mod 27 and plain when i mod 3 = 0: 9 groups reported in full
    labels = [f"{name} ({len(members)})" for name, members in groups]
    kept = set()
    for index, ((_, members), label) in enumerate(zip(groups, labels, strict=True)):
        assert label in text, label
        section = text.split(label, 1)[1]
        if index + 1 < len(labels):
            section = section.split(labels[index + 1], 1)[0]
        tags = [tag(int(agency_id[1:])) for agency_id in members["agency_id"]]
        shown = [t for t in tags if t in section]
        assert shown == tags[:len(shown)]  # the first names, in registry order
        assert f"และอีก {len(tags) - len(shown)} หน่วยงาน" in section
        kept.add(len(shown))
    assert len(kept) == 1 and kept.pop() > 0


def test_a_list_too_long_for_one_page_goes_on_a_second(demo_sheet, registry, districts):
    outcome = pipeline.run(demo_sheet, registry, districts, as_of=datetime(2023, 6, 26, 8, 0, tzinfo=BANGKOK))
    pages = page_texts(brief.brief_pdf(outcome, source_label=SOURCE, demo=True, generated_at=GENERATED_AT))
    assert len(pages) == 2
    assert outcome.summary()["agencies_missing"] == 154
    text = "\n".join(pages)
    for name in outcome.agencies["name_th"]:
        assert name in text
    assert "และอีก" not in text
    assert "หน่วยงานที่ยังไม่ส่งรายงาน แยกตามอำเภอ (ต่อ) — 154 หน่วยงาน" in pages[1]


def test_hundreds_of_districts_are_summed_up(registry):
    """A registry far bigger than a province: the table and the list both end in what they leave out."""
    count = 800
    districts = pd.DataFrame({"district_code": [f"{9000 + i}" for i in range(count)],
                              "name_th": [f"ทดสอบ {i}" for i in range(count)],
                              "name_en": [f"Test {i}" for i in range(count)]})
    agencies = pd.DataFrame([{"agency_id": f"D{i:04d}{n}", "name_th": f"ที่ว่าการอำเภอทดสอบ {i} หน่วย {n}", "aliases": "",
                              "kind": "district_office", "district_code": f"{9000 + i}"}
                             for i in range(count) for n in (1, 2)])
    outcome = pipeline.run(sheet_from_rows([list(HEADERS_TH.values())]),
                           validate_registry(agencies, districts=districts), districts, as_of=AT_DEADLINE)
    pages = page_texts(brief.brief_pdf(outcome, source_label=SOURCE, demo=False, generated_at=GENERATED_AT))
    assert len(pages) == 2
    lines = pages[0].splitlines()
    table = [line for line in lines if line.startswith("ทดสอบ ") and line.endswith(" 2 0 0 2 -")]
    shown_rows = len(table)
    assert table == [f"ทดสอบ {i} 2 0 0 2 -" for i in range(shown_rows)]  # all tie: in code order
    assert f"และอีก {count - shown_rows:,} อำเภอ ({2 * (count - shown_rows):,} หน่วยงานยังไม่ส่ง)" in lines
    text = "\n".join(pages)
    listed = [i for i in range(count) if f"ทดสอบ {i} (2)" in text]
    assert listed == list(range(len(listed))) and 0 < len(listed) < count
    assert "ที่ว่าการอำเภอ" not in text and "และอีก 2 หน่วยงาน" not in text  # counts only: no name fits
    assert text.splitlines()[-2] == f"และอีก {count - len(listed):,} อำเภอ รวม {2 * (count - len(listed)):,} หน่วยงาน"
