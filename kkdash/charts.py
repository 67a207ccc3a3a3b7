"""DataFrames -> plotly figures: district progress, signing rate, timeline and an offline map.

No Streamlit here. The map draws each district as a filled cartesian trace, not a geo trace:
plotly's geo traces fetch their base map from a CDN and draw nothing on an offline network.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from kkdash.dates import format_thai_date
from kkdash.labels import STATUS_TH
from kkdash.paths import GEOJSON_PATH

STATUS_COLORS = {"on_time": "#2e7d32", "late": "#f9a825", "missing": "#c62828"}
COVERAGE_SCALE = [[0.0, "#c62828"], [0.5, "#f9a825"], [1.0, "#2e7d32"]]
FONT = "Sarabun, 'TH Sarabun New', Loma, Garuda, 'Noto Sans Thai', sans-serif"
DAY = pd.Timedelta(days=1)
# Of a district's missing agencies, how many sent a report that was rejected (they must correct it).
CORRECTING_HOVER = "<br>ในจำนวนนี้ส่งแล้วแต่ต้องแก้ไข %{customdata[2]} หน่วยงาน"
# Short date labels are ~50 px wide: six fit a phone's ~260 px plot once plotly tilts them,
# and stay readable at 1900 px. Steps are whole weeks once days get crowded.
MAX_DATE_TICKS = 6
DATE_TICK_STEPS = (1, 2, 3, 7, 14, 28)


def _layout(figure: go.Figure, *, height: int, font_size: int = 14) -> go.Figure:
    """The house look: Thai-capable font, tight margins, legend on top."""
    figure.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": FONT, "size": font_size},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        plot_bgcolor="white",
    )
    return figure


def _percent_axis_room(figure: go.Figure, font_size: int) -> go.Figure:
    """Right margin for half of the `100%` tick label, which sits centred on the plot's right edge.

    plotly hides a tick label that would cross the div's edge ("hide past div"), and a hidden label
    pushes no automargin: with the house 10 px the 100 tick vanished and the bars ran past `80%`.
    """
    figure.update_layout(margin_r=2 * font_size)  # `100%` is ~2.4 em wide; half of it plus slack
    return figure


def district_labels(districts: pd.DataFrame) -> pd.Series:
    """District rows -> axis labels (`อ.พล`, and the province group as is)."""
    return districts.apply(
        lambda d: f"อ.{d['name_th']}" if d["district_code"] else d["name_th"], axis=1)


def sort_laggards(districts: pd.DataFrame) -> pd.DataFrame:
    """Districts with agencies, lowest coverage first, so the laggards stand out."""
    with_agencies = districts[districts["expected"] > 0]
    return with_agencies.sort_values(["coverage", "missing", "name_th"], ascending=[True, False, True])


def district_progress(districts: pd.DataFrame, *, font_size: int = 14, height: int | None = None) -> go.Figure:
    """Each district's agencies as 100% bars of on time / late / missing, laggards on top.

    Shares, not counts: the province-level group has twenty times the agencies of a district,
    and in counts it would flatten every district into a sliver.
    """
    ordered = sort_laggards(districts).iloc[::-1]  # plotly draws the first row at the bottom
    labels = district_labels(ordered)
    expected = ordered["expected"].where(ordered["expected"] > 0)
    figure = go.Figure()
    for status in ("on_time", "late", "missing"):
        share = (ordered[status] / expected * 100).fillna(0)
        figure.add_bar(
            y=labels, x=share, name=STATUS_TH[status], orientation="h",
            marker_color=STATUS_COLORS[status],
            text=[f"{n}" if n else "" for n in ordered[status]], textposition="inside",
            insidetextanchor="middle", textangle=0, textfont={"color": "white"},
            customdata=ordered[[status, "expected", "needing_correction"]],
            hovertemplate="%{y}: %{customdata[0]} จาก %{customdata[1]} หน่วยงาน (%{x:.1f}%)"
                          + (CORRECTING_HOVER if status == "missing" else "") + f"<extra>{STATUS_TH[status]}</extra>",
        )
    figure.update_layout(
        barmode="stack", bargap=0.25, uniformtext={"minsize": 10, "mode": "show"}, yaxis={"dtick": 1},
        xaxis={"title": "ร้อยละของหน่วยงานในอำเภอ", "range": [0, 100], "ticksuffix": "%"},
    )
    figure = _layout(figure, height=height or max(320, 26 * len(ordered) + 90), font_size=font_size)
    return _percent_axis_room(figure, font_size)


def signing_rate_by_district(districts: pd.DataFrame, *, font_size: int = 14) -> go.Figure:
    """Horizontal bars of the personnel signing rate per district (reported agencies only)."""
    ordered = districts[districts["expected"] > 0].sort_values("signing_rate", ascending=False)
    labels = district_labels(ordered)
    figure = go.Figure(go.Bar(
        y=labels, x=ordered["signing_rate"] * 100, orientation="h", marker_color="#1565c0",
        text=[f"{v:.1%}" if t else "ยังไม่มีรายงาน" for v, t in
              zip(ordered["signing_rate"], ordered["personnel_total"], strict=True)],
        textposition=["inside" if v >= 0.2 else "outside" for v in ordered["signing_rate"]],
        insidetextanchor="end", textangle=0,
        customdata=ordered[["personnel_signed", "personnel_total"]],
        hovertemplate="%{y}: ลงนาม %{customdata[0]:,} จาก %{customdata[1]:,} คน<extra></extra>",
    ))
    figure.update_layout(uniformtext={"minsize": font_size - 2, "mode": "show"},
                         xaxis={"title": "ร้อยละผู้ลงนาม", "range": [0, 100], "ticksuffix": "%"},
                         yaxis={"dtick": 1, "autorange": "reversed"}, showlegend=False)
    figure = _layout(figure, height=max(320, 24 * len(ordered) + 80), font_size=font_size)
    return _percent_axis_room(figure, font_size)


def timeline(days: pd.DataFrame, *, deadline: date, as_of: datetime) -> go.Figure:
    """Cumulative agencies reported per day, with the deadline and the every-agency target marked."""
    # Each day at its noon: a bar then covers its own day, and midnights are the boundaries between bars.
    x = pd.to_datetime(days["day"]) + DAY / 2
    labels = [format_thai_date(d) for d in days["day"]]
    figure = go.Figure()
    for column, name, status, opacity in (("new_on_time", "ส่งใหม่ (ตรงเวลา)", "on_time", 0.45),
                                          ("new_late", "ส่งใหม่ (ล่าช้า)", "late", 0.6)):
        figure.add_bar(x=x, y=days[column], name=name, marker_color=STATUS_COLORS[status], opacity=opacity,
                       customdata=labels, hovertemplate=f"%{{customdata}}: %{{y}} หน่วยงาน<extra>{name}</extra>")
    figure.add_scatter(
        x=x, y=days["cumulative_reported"], name="ส่งแล้วสะสม", mode="lines+markers",
        line={"color": "#1565c0", "width": 3}, text=labels,
        hovertemplate="%{text}: ส่งแล้ว %{y} หน่วยงาน<extra></extra>",
    )
    _mark_target_and_deadline(figure, days, deadline)
    ticks = _date_ticks(days["day"], deadline)
    figure.update_layout(barmode="stack", yaxis_title="หน่วยงาน", xaxis={
        "tickvals": [pd.Timestamp(d) + DAY / 2 for d in ticks], "ticktext": [_short_date(d) for d in ticks],
        "automargin": True,  # room below for the labels when plotly tilts them on a narrow screen
    })
    return _layout(figure, height=360)


def _deadline_end(deadline: date) -> pd.Timestamp:
    """The end of the deadline day (metrics.deadline_moment, 23:59:59, rounded up to the next midnight)."""
    return pd.Timestamp(deadline) + DAY


def _mark_target_and_deadline(figure: go.Figure, days: pd.DataFrame, deadline: date) -> None:
    """The target line labelled at the top, the deadline line labelled at the bottom.

    No agency count passes the target, so its line is the top of the plot; a label at the foot of the
    deadline line can then never meet the target's, wherever the deadline falls and however narrow.
    """
    expected = int(days["expected"].iloc[0]) if len(days) else 0
    figure.add_hline(y=expected, line_dash="dot", line_color="#555",
                     annotation_text=f"เป้าหมาย {expected:,} หน่วยงาน", annotation_position="top left")
    end = _deadline_end(deadline)
    figure.add_vline(x=end.timestamp() * 1000, line_dash="dash", line_color="#c62828",
                     annotation_text=f"กำหนดส่ง {format_thai_date(deadline)}",
                     annotation_position=f"bottom {_roomier_side(days['day'], end)}",
                     annotation_bgcolor="rgba(255,255,255,0.8)")  # readable over the bars it crosses


def _roomier_side(days: pd.Series, line: pd.Timestamp) -> str:
    """`left` or `right`: the side of the line with more of the x axis, so its label stays on the plot.

    Before the deadline the line is the axis's right end; a month after, it sits near the left.
    """
    if not len(days):
        return "left"
    start = pd.Timestamp(min(days))
    end = max(pd.Timestamp(max(days)) + DAY, line)
    return "right" if line - start < end - line else "left"


def _date_ticks(days: pd.Series, deadline: date) -> list[date]:
    """At most MAX_DATE_TICKS days, in whole steps from the deadline so that day, when shown, is labelled."""
    step = next((s for s in DATE_TICK_STEPS if s * MAX_DATE_TICKS >= len(days)), -(-len(days) // MAX_DATE_TICKS))
    return [d for d in days if (deadline - d).days % step == 0]


def _short_date(day: date) -> str:
    """`7 ก.ค.`: the year is in the deadline label and the hover, and would double each tick's width."""
    return format_thai_date(day).rsplit(" ", 1)[0]


@lru_cache(maxsize=4)
def district_shapes(path: Path | str = GEOJSON_PATH) -> dict[str, list[list[tuple[float, float]]]]:
    """The district GeoJSON -> {district_code: [ring, …]} of (lon, lat) points."""
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes: dict[str, list] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        shapes[feature["properties"]["district_code"]] = [p[0] for p in polygons]
    return shapes


def _centroid(ring: list) -> tuple[float, float]:
    """The mean of a ring's points: good enough to place a label inside a district."""
    xs, ys = zip(*ring, strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def coverage_map(districts: pd.DataFrame, *, height: int = 560, font_size: int = 14) -> go.Figure:
    """The 26 districts filled by coverage (reported / expected), with each district's figures on hover."""
    shapes = district_shapes()
    figure = go.Figure()
    rows = districts[districts["district_code"].notna()].set_index("district_code")
    for code, rings in shapes.items():
        d = rows.loc[code]
        color = sample_colorscale(COVERAGE_SCALE, [float(d["coverage"])])[0] if d["expected"] else "#bdbdbd"
        hover = (f"<b>อ.{d['name_th']}</b><br>ส่งแล้ว {d['reported']}/{d['expected']} หน่วยงาน"
                 f" ({d['coverage']:.1%})<br>ตรงเวลา {d['on_time']} · ล่าช้า {d['late']} · ยังไม่ส่ง {d['missing']}"
                 f"<br>ลงนาม {d['personnel_signed']:,}/{d['personnel_total']:,} คน ({d['signing_rate']:.1%})")
        for ring in rings:
            lon, lat = zip(*ring, strict=True)
            figure.add_scatter(x=lon, y=lat, fill="toself", fillcolor=color, mode="lines",
                               line={"color": "white", "width": 1}, hoveron="fills+points",
                               text=hover, hoverinfo="text", showlegend=False, name=d["name_th"])
    _label_districts(figure, shapes, rows["name_th"], font_size=font_size)
    _add_colorbar(figure)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    figure = _layout(figure, height=height, font_size=font_size)
    figure.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0})
    return figure


def _label_districts(figure: go.Figure, shapes: dict, names: pd.Series, *, font_size: int) -> None:
    """Each district's name at its centroid; its figures are in the hover."""
    points = {code: _centroid(rings[0]) for code, rings in shapes.items()}
    figure.add_scatter(
        x=[p[0] for p in points.values()], y=[p[1] for p in points.values()], mode="text",
        text=[names[code] for code in points], textfont={"size": max(9, font_size - 4), "color": "#111"},
        hoverinfo="skip", showlegend=False,
    )


def _add_colorbar(figure: go.Figure) -> None:
    """An invisible marker trace that carries the coverage colour bar."""
    figure.add_scatter(
        x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
        marker={"colorscale": COVERAGE_SCALE, "cmin": 0, "cmax": 100, "color": [0],
                "colorbar": {"title": {"text": "ส่งแล้ว", "side": "right"}, "ticksuffix": "%",
                             "len": 0.5, "thickness": 12, "x": 1.0}},
    )
