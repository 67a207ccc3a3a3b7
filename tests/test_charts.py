"""Figures: laggards on top, shares that add up, a map of 26 districts that draws offline."""

from datetime import date, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import pytest

from kkdash import charts
from kkdash.dates import BANGKOK


def test_district_progress_puts_laggards_on_top_as_shares(rollup):
    figure = charts.district_progress(rollup)
    on_time, late, missing = figure.data
    assert list(on_time.y) == list(late.y) == list(missing.y)
    # 25 districts with agencies (4029 has none), a blank line, and the province group on top.
    assert len(on_time.y) == 27
    assert "อ.เวียงเก่า" not in on_time.y
    assert on_time.y[0] == "อ.เมืองขอนแก่น"  # full coverage: at the bottom (plotly draws the last row on top)
    assert list(on_time.y[-3:]) == ["อ.กระนวน", charts.SEPARATOR, "<b>ระดับจังหวัด</b>"]
    shares = [a + b + c for a, b, c in zip(on_time.x, late.x, missing.x, strict=True)]
    assert shares == pytest.approx([100.0] * 25 + [0.0, 100.0])
    line = figure.layout.shapes[0]
    assert (line.y0, line.y1, line.xref) == (charts.SEPARATOR, charts.SEPARATOR, "paper")


def test_the_province_group_is_apart_from_the_districts(rollup):
    province, districts = charts.split_province(rollup)
    assert list(province["name_th"]) == ["ระดับจังหวัด"]
    assert len(districts) == 25 and districts["district_code"].astype(bool).all()
    assert list(districts["coverage"]) == sorted(districts["coverage"])  # laggards first


def test_the_missing_bars_hover_says_how_many_sent_a_report_that_must_be_corrected(rollup):
    missing = charts.district_progress(rollup).data[2]
    pol = list(missing.y).index("อ.พล")
    assert list(missing.customdata[pol]) == [1, 3, 1]
    assert missing.hovertemplate == ("%{y}: %{customdata[0]} จาก %{customdata[1]} หน่วยงาน (%{x:.1f}%)"
                                     "<br>ในจำนวนนี้ส่งแล้วแต่ต้องแก้ไข %{customdata[2]} หน่วยงาน<extra>ยังไม่ส่ง</extra>")


@pytest.mark.parametrize(("font_size", "right"), [(14, 28), (15, 30)])
def test_percent_bars_leave_room_for_the_100_tick(rollup, font_size, right):
    # The 100% label sits centred on the plot's right edge; at the house 10 px plotly hid it.
    for figure in (charts.district_progress(rollup, font_size=font_size),
                   charts.signing_rate_by_district(rollup, font_size=font_size)):
        assert figure.layout.xaxis.range == (0, 100)
        assert figure.layout.xaxis.ticksuffix == "%"
        assert figure.layout.margin.r == right


def _days(first: date, last: date, expected: int = 154) -> pd.DataFrame:
    """A metrics.timeline frame: one on-time report a day from first to last."""
    days = pd.date_range(first, last).date
    n = len(days)
    return pd.DataFrame({"day": days, "new_on_time": [1] * n, "new_late": [0] * n, "new_reported": [1] * n,
                         "cumulative_reported": list(range(1, n + 1)), "expected": [expected] * n})


def _timeline(first: date, last: date) -> go.Figure:
    return charts.timeline(_days(first, last), deadline=date(2023, 7, 7),
                           as_of=datetime.combine(last, datetime.min.time(), tzinfo=BANGKOK))


def test_timeline_marks_the_deadline_and_the_target():
    days = pd.DataFrame({"day": [date(2023, 7, 6), date(2023, 7, 7)], "new_on_time": [1, 2], "new_late": [0, 0],
                         "new_reported": [1, 2], "cumulative_reported": [1, 3], "expected": [154, 154]})
    figure = charts.timeline(days, deadline=date(2023, 7, 7), as_of=datetime(2023, 7, 7, 12, tzinfo=BANGKOK))
    texts = [a.text for a in figure.layout.annotations]
    assert texts == ["เป้าหมาย 154 หน่วยงาน", "กำหนดส่ง 7 ก.ค. 2566"]
    assert list(figure.data[2].y) == [1, 3]


def test_timeline_draws_the_deadline_after_the_deadline_days_bar():
    figure = _timeline(date(2023, 6, 26), date(2023, 7, 10))
    deadline_line = figure.layout.shapes[1]
    assert deadline_line.x0 == deadline_line.x1 == 1688774400000  # 2023-07-08 00:00: the end of 7 July
    # Each day's bar is centred on its noon, so the deadline day's bar ends before its midnight.
    deadline_bar = pd.Timestamp(figure.data[0].x[11])
    assert deadline_bar == pd.Timestamp("2023-07-07 12:00")
    assert deadline_bar + timedelta(hours=12) == pd.Timestamp(deadline_line.x0, unit="ms")


def test_timeline_labels_the_target_at_the_top_and_the_deadline_at_the_foot():
    # The target is the most any count can reach, so its line is the plot's top: labels a plot apart.
    target, deadline = _timeline(date(2023, 6, 26), date(2023, 7, 5)).layout.annotations
    assert (target.yref, target.y, target.yanchor) == ("y", 154, "bottom")
    assert (deadline.yref, deadline.y, deadline.yanchor) == ("y domain", 0, "bottom")


@pytest.mark.parametrize(("last", "xanchor"), [
    (date(2023, 7, 5), "right"),  # before the deadline the line is the axis's right end: label to its left
    (date(2023, 8, 6), "left"),  # a month after, the line is near the left: label to its right
])
def test_timeline_puts_the_deadline_label_on_the_roomier_side(last, xanchor):
    deadline = _timeline(date(2023, 6, 26), last).layout.annotations[1]
    assert deadline.xanchor == xanchor


@pytest.mark.parametrize(("last", "first_tick", "labels"), [
    (date(2023, 7, 7), "2023-06-27 12:00", ["27 มิ.ย.", "29 มิ.ย.", "1 ก.ค.", "3 ก.ค.", "5 ก.ค.", "7 ก.ค."]),
    (date(2023, 8, 6), "2023-06-30 12:00", ["30 มิ.ย.", "7 ก.ค.", "14 ก.ค.", "21 ก.ค.", "28 ก.ค.", "4 ส.ค."]),
])
def test_timeline_ticks_are_few_short_and_include_the_deadline(last, first_tick, labels):
    # Six short labels at most, a whole number of steps (2 days, then weeks) from the deadline day.
    xaxis = _timeline(date(2023, 6, 26), last).layout.xaxis
    assert list(xaxis.ticktext) == labels
    assert pd.Timestamp(xaxis.tickvals[0]) == pd.Timestamp(first_tick)  # under the bar's middle


def test_signing_rate_chart_labels_districts_without_reports(rollup):
    rollup.loc[rollup["district_code"] == "4012", ["personnel_total", "signing_rate"]] = [0, 0.0]
    figure = charts.signing_rate_by_district(rollup)
    labels = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    assert (labels["อ.พล"], labels["อ.ชุมแพ"]) == ("ยังไม่มีรายงาน · ส่งแล้ว 2/3", "90.0% · ส่งแล้ว 2/3")


def test_signing_rates_say_how_many_agencies_they_rest_on_worst_first(rollup):
    # 100% from one agency of three is not a finished district: every bar says how many reported.
    rollup.loc[rollup["district_code"] == "4001", ["reported", "signing_rate"]] = [1, 1.0]
    rollup.loc[rollup["district_code"] == "4005", "signing_rate"] = 0.5
    figure = charts.signing_rate_by_district(rollup)
    bars = figure.data[0]
    assert list(bars.y[:2]) == ["<b>ระดับจังหวัด</b>", "อ.ชุมแพ"]  # the group, then the lowest rate
    assert bars.y[-1] == "อ.เมืองขอนแก่น"  # the highest last
    assert dict(zip(bars.y, bars.text, strict=True))["อ.เมืองขอนแก่น"] == "100.0% · ส่งแล้ว 1/3"
    assert figure.layout.xaxis.title.text == "ร้อยละผู้ลงนาม ของหน่วยงานที่ส่งแล้ว"
    assert figure.layout.yaxis.autorange == "reversed"
