"""DataFrames -> plotly figures: district progress, signing rate and timeline; the district outlines.

No Streamlit here. The map is drawn as SVG from the outlines (kkdash/svg.py): plotly's geo traces
fetch their base map from a CDN and draw nothing on an offline network.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from kkdash.dates import format_thai_date
from kkdash.labels import PROVINCE_GROUP_TH, STATUS_TH, district_label
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
    return districts["name_th"].astype("str").map(district_label)


def is_province(districts: pd.DataFrame) -> pd.Series:
    """True for the province-level group's row (the agencies with no district)."""
    return districts["district_code"].fillna("").astype("str").eq("")


def sort_laggards(districts: pd.DataFrame) -> pd.DataFrame:
    """Districts with agencies, lowest coverage first, so the laggards stand out."""
    with_agencies = districts[districts["expected"] > 0]
    return with_agencies.sort_values(["coverage", "missing", "name_th"], ascending=[True, False, True])


def split_province(districts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """District rows -> (the province-level group, when it has agencies; the districts, laggards first).

    The group holds about half the agencies: sorted in among the districts it was easy to miss,
    so every chart gives it its own line above them.
    """
    ordered = sort_laggards(districts)
    province = is_province(ordered)
    return ordered[province], ordered[~province]


SEPARATOR = "\u2003"  # an em space: the blank line between the province group and the districts


def _stacked_order(districts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows bottom to top as plotly draws them (the province group at the top, a blank line under it) and
    their labels; the blank line is an all-zero row."""
    province, rows = split_province(districts)
    ordered = rows.iloc[::-1]
    labels = list(district_labels(ordered))
    if len(province):
        zero = ("on_time", "late", "missing", "expected", "reported", "personnel_signed", "personnel_total")
        blank = province.assign(**dict.fromkeys(zero, 0))
        ordered = pd.concat([ordered, blank, province])
        labels += [SEPARATOR, f"<b>{PROVINCE_GROUP_TH}</b>"]
    return ordered, labels


def _separate_province(figure: go.Figure, y: str | float) -> None:
    """A dashed line across the chart at ``y``, between the province group and the districts."""
    figure.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y,
                     line={"color": "#999", "width": 1, "dash": "dash"})


def district_progress(districts: pd.DataFrame, *, font_size: int = 14) -> go.Figure:
    """Each district's agencies as 100% bars of on time / late / missing, laggards on top.

    Shares, not counts: the province-level group has twenty times the agencies of a district,
    and in counts it would flatten every district into a sliver. The group has its own line on top.
    """
    ordered, labels = _stacked_order(districts)
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
    if SEPARATOR in labels:  # the blank line under the province group
        _separate_province(figure, SEPARATOR)
    figure.update_layout(
        barmode="stack", bargap=0.25, uniformtext={"minsize": 10, "mode": "show"}, yaxis={"dtick": 1},
        xaxis={"title": "ร้อยละของหน่วยงานในอำเภอ", "range": [0, 100], "ticksuffix": "%"},
    )
    figure = _layout(figure, height=max(320, 26 * len(ordered) + 90), font_size=font_size)
    return _percent_axis_room(figure, font_size)


def signing_rate_by_district(districts: pd.DataFrame, *, font_size: int = 14) -> go.Figure:
    """Horizontal bars of the personnel signing rate per district, lowest on top, the province group above.

    A rate counts only the agencies that have reported, so each bar says how many that is
    (`ส่งแล้ว 1/4`): 100% from one agency of four is not a district that has finished.
    """
    province, rows = split_province(districts)
    ordered = pd.concat([province, rows.sort_values(["signing_rate", "reported"], ascending=[True, True],
                                                    kind="stable")])
    labels = [f"<b>{PROVINCE_GROUP_TH}</b>" if code else label
              for code, label in zip(is_province(ordered), district_labels(ordered), strict=True)]
    text = [f"{v:.1%} · ส่งแล้ว {r:,}/{e:,}" if t else f"ยังไม่มีรายงาน · ส่งแล้ว {r:,}/{e:,}"
            for v, t, r, e in zip(ordered["signing_rate"], ordered["personnel_total"], ordered["reported"],
                                  ordered["expected"], strict=True)]
    figure = go.Figure(go.Bar(
        y=labels, x=ordered["signing_rate"] * 100, orientation="h", marker_color="#1565c0",
        text=text, textposition=["inside" if v >= 0.5 else "outside" for v in ordered["signing_rate"]],
        insidetextanchor="end", textangle=0, textfont={"color": ["white" if v >= 0.5 else "#1f1f1f"
                                                                  for v in ordered["signing_rate"]]},
        customdata=ordered[["personnel_signed", "personnel_total", "reported", "expected"]],
        hovertemplate="%{y}: ลงนาม %{customdata[0]:,} จาก %{customdata[1]:,} คน"
                      " ของหน่วยงานที่ส่งแล้ว %{customdata[2]:,} จาก %{customdata[3]:,} แห่ง<extra></extra>",
    ))
    if len(province):  # between the first bar and the second
        _separate_province(figure, 0.5)
    figure.update_layout(uniformtext={"minsize": font_size - 2, "mode": "show"},
                         xaxis={"title": "ร้อยละผู้ลงนาม ของหน่วยงานที่ส่งแล้ว", "range": [0, 100], "ticksuffix": "%"},
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
    deadline_end = _deadline_end(deadline)
    end = deadline_end.timestamp() * 1000
    side = _roomier_side(days["day"], deadline_end)
    # Plain shapes and annotations, as add_hline/add_vline would make them: those look for the subplots
    # each line spans through the whole figure, a third of the time of drawing the timeline.
    figure.update_layout(
        shapes=[{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": expected, "y1": expected,
                 "line": {"color": "#555", "dash": "dot"}},
                {"type": "line", "xref": "x", "x0": end, "x1": end, "yref": "y domain", "y0": 0, "y1": 1,
                 "line": {"color": "#c62828", "dash": "dash"}}],
        annotations=[{"text": f"เป้าหมาย {expected:,} หน่วยงาน", "showarrow": False, "xref": "x domain", "x": 0,
                      "xanchor": "left", "yref": "y", "y": expected, "yanchor": "bottom"},
                     {"text": f"กำหนดส่ง {format_thai_date(deadline)}", "showarrow": False, "xref": "x", "x": end,
                      "xanchor": "left" if side == "right" else "right", "yref": "y domain", "y": 0,
                      "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.8)"}],  # readable over the bars it crosses
    )


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
