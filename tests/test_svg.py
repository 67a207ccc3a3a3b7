"""The SVG map and wall bars: well-formed, every district drawn, the province group shown apart, text escaped."""

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from kkdash import metrics, svg

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def rollup(rollup) -> pd.DataFrame:
    """The shared district figures, with the province group's own 75 agencies (40 on time, 35 missing)."""
    province = rollup["district_code"].isna()
    rollup.loc[province, ["expected", "on_time", "missing"]] = [75, 40, 35]
    rollup["reported"] = rollup["on_time"] + rollup["late"]
    rollup["coverage"] = metrics.rate(rollup["reported"], rollup["expected"])
    return rollup


def parse(markup: str) -> ET.Element:
    """The <svg> inside the <div> the pages show: parsing it proves it well-formed."""
    assert markup.startswith('<div class="kk-svg') and markup.endswith("</svg></div>")
    assert "\n\n" not in markup  # a blank line would end Markdown's HTML block
    return ET.fromstring(markup[markup.index("<svg"):-len("</div>")])


def texts(root: ET.Element, css_class: str) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text") if t.get("class") == css_class]


def test_the_map_draws_every_district_filled_by_coverage(rollup):
    root = parse(svg.coverage_map(rollup, width=520))
    shapes = {p.find(f"{NS}title").text.split(":")[0]: p.get("fill") for p in root.iter(f"{NS}path")}
    assert len(shapes) == 26
    assert shapes["อ.เวียงเก่า"] == svg.NO_AGENCIES_COLOR  # no agencies: grey, not red
    assert shapes["อ.เมืองขอนแก่น"] == "rgb(46, 125, 50)"  # 100 % reported: the top of the scale
    titles = [p.find(f"{NS}title").text for p in root.iter(f"{NS}path")]
    assert "อ.พล: ส่งแล้ว 2/3 หน่วยงาน · ตรงเวลา 1 · ล่าช้า 1 · ยังไม่ส่ง 1" in titles
    assert sorted(texts(root, "kk-name")) == sorted(rollup["name_th"].iloc[:-1])


def test_the_map_says_the_province_group_is_not_on_it(rollup):
    root = parse(svg.coverage_map(rollup, width=520, font_size=16))
    note = " ".join(texts(root, "kk-note"))
    assert note == "หน่วยงานระดับจังหวัด 75 แห่ง (ส่งแล้ว 40) ไม่มีอำเภอ จึงไม่แสดงบนแผนที่"


def test_the_maps_height_follows_its_width_so_a_phone_shows_no_blank_band(rollup):
    # Khon Kaen is a little taller than wide: the viewBox keeps its shape, plus the note under it.
    narrow = parse(svg.coverage_map(rollup, width=400, font_size=16)).get("viewBox").split()
    wide = parse(svg.coverage_map(rollup, width=800, font_size=16)).get("viewBox").split()
    assert (narrow[2], wide[2]) == ("400", "800")
    assert 1.7 < float(wide[3]) / float(narrow[3]) < 2.1


def test_district_names_on_the_map_neither_overlap_nor_leave_it(rollup):
    root = parse(svg.coverage_map(rollup, width=520, font_size=16))
    names = [t for t in root.iter(f"{NS}text") if t.get("class") == "kk-name"]
    boxes = [(float(t.get("x")), float(t.get("y")), svg.text_width(t.text, 16), 16 * 1.1) for t in names]
    for i, (ax, ay, aw, ah) in enumerate(boxes):
        assert aw / 2 <= ax + 0.5 and ax - aw / 2 >= -0.5  # inside the map's left edge
        for bx, by, bw, bh in boxes[i + 1:]:
            assert abs(ax - bx) >= (aw + bw) / 2 - 0.5 or abs(ay - by) >= (ah + bh) / 2 - 0.5


def test_wall_bars_give_the_province_group_its_own_line_above_the_districts(rollup):
    root = parse(svg.district_bars(rollup, width=1110, height=774))
    labels = texts(root, "kk-label")
    assert labels[0] == "ระดับจังหวัด (75 หน่วยงาน)"
    assert labels[1] == "อ.กระนวน"  # lowest coverage first (ties by missing, then name)
    assert labels[-1] == "อ.เมืองขอนแก่น"
    assert len(labels) == 26 and "อ.เวียงเก่า" not in labels
    assert texts(root, "kk-total")[:2] == ["40/75", "2/3"]
    assert [line.get("stroke-dasharray") for line in root.iter(f"{NS}line")] == ["4 4"]  # under the group


def test_wall_bar_text_is_the_asked_size_when_rows_have_room(rollup):
    root = parse(svg.district_bars(rollup, width=1110, height=774, font_size=18))
    assert {t.get("font-size") for t in root.iter(f"{NS}text")} == {"18.0"}


def test_typed_names_are_escaped(rollup):
    rollup.loc[rollup["district_code"] == "4012", "name_th"] = "พล<script>&"
    markup = svg.district_bars(rollup, width=1110, height=774) + svg.coverage_map(rollup, width=520)
    assert "<script>" not in markup and "พล&lt;script&gt;&amp;" in markup


def test_wrap_breaks_a_long_note_at_spaces():
    assert svg.wrap("ก ข ค", 10_000, 16) == ["ก ข ค"]
    assert svg.wrap("กกกก ขขขข คคคค", svg.text_width("กกกก ขขขข", 16), 16) == ["กกกก ขขขข", "คคคค"]
