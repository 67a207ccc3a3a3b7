"""The province map and the wall's district bars as inline SVG: drawn once, they fit any screen.

Sizes are in the units of a viewBox, chosen as pixels of a 1920×1080 wall: a text of 18 units is
18 px there, 12 px on a 1280×720 TV and 36 px on a 3840×2160 one, and nothing moves relative to
anything else (a plotly figure is laid out in fixed pixels, and its labels stay small on a TV).
The map's height follows its width, so a phone shows no blank band above and below it.

Pure text out: the pages show it with ``st.markdown(..., unsafe_allow_html=True)`` inside a
``<div>`` (an HTML block, so Markdown leaves it alone); every text in it is escaped here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import pandas as pd
from plotly.colors import sample_colorscale

from kkdash.charts import (
    COVERAGE_SCALE,
    FONT,
    STATUS_COLORS,
    district_labels,
    district_shapes,
    is_province,
    split_province,
)
from kkdash.labels import PROVINCE_GROUP_TH, STATUS_TH, district_label
from kkdash.text import display_width

NO_AGENCIES_COLOR = "#bdbdbd"
TEXT_COLOR = "#1f1f1f"
MUTED_COLOR = "#555"
# Thai glyphs in the house fonts are about 0.55 em wide; a little over, so a label is never cut.
GLYPH_EM = 0.6
STATUSES = ("on_time", "late", "missing")


def text_width(text: str, font_size: float) -> float:
    """About how wide ``text`` is drawn at ``font_size`` (Thai marks above and below take no width)."""
    return display_width(text) * GLYPH_EM * font_size


def wrap(text: str, width: float, font_size: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (broken at spaces; a word longer than a line stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", font_size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _svg(width: float, height: float, body: list[str], *, css_class: str, label: str) -> str:
    """An <svg> that scales to its box, inside a <div> so Markdown leaves it alone (no blank lines)."""
    return (f'<div class="kk-svg {css_class}"><svg xmlns="http://www.w3.org/2000/svg" role="img"'
            f' aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}"'
            f' preserveAspectRatio="xMidYMin meet" font-family="{escape(FONT)}">'
            + "".join(body) + "</svg></div>")


def _text(x: float, y: float, text: str, *, size: float, anchor: str = "start", color: str = TEXT_COLOR,
          weight: str = "normal", css_class: str = "") -> str:
    """One line of text, its baseline at ``y``."""
    klass = f' class="{css_class}"' if css_class else ""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (f'<text{klass} x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" text-anchor="{anchor}"'
            f' fill="{color}"{bold}>{escape(text)}</text>')


# --- the district bars (the wall) ------------------------------------------------------------------


def district_bars(districts: pd.DataFrame, *, width: int, height: int, font_size: int = 18) -> str:
    """Each district's agencies as a 100% bar of on time / late / missing, laggards on top.

    The province-level group has its own line above the districts (it holds half the agencies),
    and every bar ends with `reported/expected`.
    """
    province, rows = split_province(districts)
    ordered = pd.concat([province, rows])
    labels = [f"{PROVINCE_GROUP_TH} ({int(n):,} หน่วยงาน)" for n in province["expected"]] + list(district_labels(rows))
    counts = [f"{int(r):,}/{int(e):,}" for r, e in zip(ordered["reported"], ordered["expected"], strict=True)]
    legend_height = 2.0 * font_size
    gap = 0.8 * font_size if len(province) else 0.0  # between the province's line and the districts
    slots = len(rows) + len(province)
    # A Thai line reaches above and below its em box (vowels and tone marks): room at the top and foot.
    row = (height - legend_height - gap - 0.4 * font_size) / max(slots, 1)
    size = min(font_size, row * 0.85)
    label_width = max((text_width(t, size) for t in labels), default=0) + 0.6 * size
    count_width = max((text_width(t, size) for t in counts), default=0) + 0.6 * size
    bar_left, bar_right = label_width, width - count_width
    body = _legend(size, bar_left)
    y = legend_height
    for index, (_, district) in enumerate(ordered.iterrows()):
        body += _bar_row(district, labels[index], counts[index], y=y, row=row, size=size, left=bar_left,
                         right=bar_right, bold=index < len(province))
        y += row + (gap if index == len(province) - 1 else 0)
        if index == len(province) - 1:
            line_y = y - gap / 2
            body.append(f'<line x1="0" x2="{width}" y1="{line_y:.1f}" y2="{line_y:.1f}" stroke="#999"'
                        ' stroke-dasharray="4 4"/>')
    return _svg(width, height, body, css_class="kk-bars", label="ความคืบหน้ารายอำเภอ")


def _legend(size: float, left: float) -> list[str]:
    """Three swatches with their status names, left to right."""
    body, x = [], left
    for status in STATUSES:
        body.append(f'<rect x="{x:.1f}" y="{0.55 * size:.1f}" width="{0.8 * size:.1f}" height="{0.8 * size:.1f}"'
                    f' fill="{STATUS_COLORS[status]}"/>')
        body.append(_text(x + 1.1 * size, 1.3 * size, STATUS_TH[status], size=size, css_class="kk-legend"))
        x += 1.1 * size + text_width(STATUS_TH[status], size) + 1.2 * size
    return body


def _bar_row(district: pd.Series, label: str, count: str, *, y: float, row: float, size: float, left: float,
             right: float, bold: bool) -> list[str]:
    """A label, a 100% bar split by status (each part's count inside when it fits), `reported/expected`."""
    baseline = y + row / 2 + size * 0.35
    weight = "bold" if bold else "normal"
    title = (f"{label}: ตรงเวลา {int(district['on_time'])} · ล่าช้า {int(district['late'])}"
             f" · ยังไม่ส่ง {int(district['missing'])} จาก {int(district['expected'])} หน่วยงาน")
    body = [f"<g><title>{escape(title)}</title>",
            _text(left - 0.3 * size, baseline, label, size=size, anchor="end", weight=weight, css_class="kk-label")]
    x, expected = left, max(int(district["expected"]), 1)
    bar_height = row * 0.78
    for status in STATUSES:
        n = int(district[status])
        part = (right - left) * n / expected
        if part > 0:
            body.append(f'<rect x="{x:.1f}" y="{y + (row - bar_height) / 2:.1f}" width="{part:.1f}"'
                        f' height="{bar_height:.1f}" fill="{STATUS_COLORS[status]}"/>')
        if n and part >= text_width(f"{n:,}", size) + 0.4 * size:
            body.append(_text(x + part / 2, baseline, f"{n:,}", size=size, anchor="middle", color="white",
                              css_class="kk-count"))
        x += part
    body.append(_text(right + 0.3 * size, baseline, count, size=size, weight=weight, css_class="kk-total"))
    body.append("</g>")
    return body


# --- the map ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Projected:
    """District outlines in viewBox units, and where each one's name goes."""

    paths: dict[str, str]
    anchors: dict[str, tuple[float, float]]
    width: float
    height: float


@lru_cache(maxsize=8)
def _project(map_width: int) -> _Projected:
    """The district outlines scaled to ``map_width`` units wide (north up, true proportions).

    Longitude is shortened by the cosine of the latitude, as a small map's plate carrée is; points
    are rounded to whole units and repeats dropped (a unit is a pixel of a 1080p wall).
    """
    shapes = district_shapes()
    points = [p for rings in shapes.values() for ring in rings for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = map_width / ((east - west) * squeeze)
    height = (north - south) * scale

    def at(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * squeeze * scale, (north - lat) * scale

    paths, anchors = {}, {}
    for code, rings in shapes.items():
        parts = []
        for ring in rings:
            xy = [tuple(round(v) for v in at(lon, lat)) for lon, lat in ring]
            kept = [p for i, p in enumerate(xy) if i == 0 or p != xy[i - 1]]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in kept) + "Z")
        paths[code] = "".join(parts)
        anchors[code] = at(*_area_centroid(max(rings, key=lambda r: abs(_signed_area(r)))))
    return _Projected(paths, anchors, map_width, height)


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _area_centroid(ring: list) -> tuple[float, float]:
    """A ring's centre of area: inside a compact district, unlike the mean of its (uneven) points."""
    area = _signed_area(ring)
    if not area:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)


def coverage_map(districts: pd.DataFrame, *, width: int, font_size: int = 16) -> str:
    """The 26 districts filled by coverage (reported / expected), named, with their figures on hover.

    A colour scale on the right; under the map, a line saying how many province-level agencies it
    cannot show (they have no district) and how many of them have reported.
    """
    legend_width = 4.5 * font_size
    projected = _project(int(width - legend_width - font_size))
    top = 0.8 * font_size
    rows = districts[~is_province(districts)].set_index("district_code")
    body = [f'<g transform="translate({0.5 * font_size:.1f},{top:.1f})">']
    for code, path in projected.paths.items():
        body.append(_district_shape(rows.loc[code], path))
    body += _district_names(projected, rows["name_th"], font_size=font_size)
    body.append("</g>")
    height = top + projected.height + 0.8 * font_size
    body += _color_scale(width - legend_width + 0.6 * font_size, top, projected.height, font_size)
    province, _ = split_province(districts)
    if len(province):
        p = province.iloc[0]
        note = (f"หน่วยงาน{PROVINCE_GROUP_TH} {int(p['expected']):,} แห่ง (ส่งแล้ว {int(p['reported']):,})"
                " ไม่มีอำเภอ จึงไม่แสดงบนแผนที่")
        for line in wrap(note, width - font_size, font_size):
            height += 1.4 * font_size
            body.append(_text(0.5 * font_size, height - 0.3 * font_size, line, size=font_size, color=MUTED_COLOR,
                              css_class="kk-note"))
        height += 0.4 * font_size
    return _svg(width, height, body, css_class="kk-map", label="แผนที่ความคืบหน้ารายอำเภอ")


def _coverage_color(district: pd.Series) -> str:
    if not district["expected"]:
        return NO_AGENCIES_COLOR
    return sample_colorscale(COVERAGE_SCALE, [float(district["coverage"])])[0]


def _district_shape(district: pd.Series, path: str) -> str:
    """One district's outline, filled by its coverage, with its figures as the hover title."""
    title = (f"{district_label(district['name_th'])}:"
             f" ส่งแล้ว {int(district['reported'])}/{int(district['expected'])} หน่วยงาน"
             f" · ตรงเวลา {int(district['on_time'])} · ล่าช้า {int(district['late'])}"
             f" · ยังไม่ส่ง {int(district['missing'])}")
    return (f'<path class="kk-district" d="{path}" fill="{_coverage_color(district)}" stroke="white"'
            f' stroke-width="1"><title>{escape(title)}</title></path>')


def _district_names(projected: _Projected, names: pd.Series, *, font_size: float) -> list[str]:
    """Every district's name near its centre, moved apart where two would overlap and kept on the map."""
    boxes = {code: [x, y, text_width(str(names[code]), font_size), font_size * 1.1]
             for code, (x, y) in projected.anchors.items()}
    _spread(boxes, width=projected.width, height=projected.height)
    body = []
    for code, (x, y, _w, _h) in boxes.items():
        body.append(f'<text class="kk-name" x="{x:.1f}" y="{y + font_size * 0.35:.1f}" font-size="{font_size}"'
                    f' text-anchor="middle" fill="{TEXT_COLOR}" stroke="white" stroke-width="{font_size / 5:.1f}"'
                    f' paint-order="stroke">{escape(str(names[code]))}</text>')
    return body


def _spread(boxes: dict[str, list[float]], *, width: float, height: float, rounds: int = 60) -> None:
    """Push overlapping label boxes (centre x, centre y, width, height) apart, mostly up and down; keep them inside."""
    codes = sorted(boxes)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                ax, ay, aw, ah = boxes[a]
                bx, by, bw, bh = boxes[b]
                overlap_x = (aw + bw) / 2 - abs(ax - bx)
                overlap_y = (ah + bh) / 2 - abs(ay - by)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                push = overlap_y / 2 + 0.5
                sign = 1 if ay >= by else -1
                boxes[a][1] += sign * push
                boxes[b][1] -= sign * push
                moved = True
        for box in boxes.values():
            box[0] = min(max(box[0], box[2] / 2), width - box[2] / 2)
            box[1] = min(max(box[1], box[3] / 2), height - box[3] / 2)
        if not moved:
            return


def _color_scale(x: float, top: float, height: float, font_size: float) -> list[str]:
    """A vertical red-amber-green bar from 0% (bottom) to 100% (top), titled `ส่งแล้ว`."""
    bar_top, bar_height = top + 1.9 * font_size, min(height * 0.6, 14 * font_size)
    stops = "".join(f'<stop offset="{1 - position:.2f}" stop-color="{color}"/>'
                    for position, color in reversed(COVERAGE_SCALE))
    body = [f'<defs><linearGradient id="kk-coverage" x1="0" x2="0" y1="0" y2="1">{stops}</linearGradient></defs>',
            _text(x, top + 1.1 * font_size, "ส่งแล้ว", size=font_size, color=MUTED_COLOR),
            f'<rect x="{x:.1f}" y="{bar_top:.1f}" width="{0.8 * font_size:.1f}" height="{bar_height:.1f}"'
            ' fill="url(#kk-coverage)"/>']
    for share in (1.0, 0.5, 0.0):
        y = bar_top + (1 - share) * bar_height + font_size * 0.35
        body.append(_text(x + 1.1 * font_size, y, f"{share:.0%}", size=font_size, color=MUTED_COLOR))
    return body
