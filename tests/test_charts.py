"""Figures: laggards on top, shares that add up, a map of 26 districts that draws offline."""

from datetime import date, datetime

import pandas as pd
import pytest

from kkdash import charts, metrics
from kkdash.parsing import BANGKOK


@pytest.fixture
def rollup(districts) -> pd.DataFrame:
    """Every district with 3 agencies; 4012 has 1 on time, 1 late, 1 missing; 4001 has all on time."""
    frame = districts[["district_code", "name_th"]].copy()
    frame = pd.concat([frame, pd.DataFrame({"district_code": [None], "name_th": ["ระดับจังหวัด"]})],
                      ignore_index=True)
    frame["expected"], frame["on_time"], frame["late"], frame["missing"] = 3, 2, 0, 1
    frame.loc[frame["district_code"] == "4012", ["on_time", "late", "missing"]] = [1, 1, 1]
    frame.loc[frame["district_code"] == "4001", ["on_time", "late", "missing"]] = [3, 0, 0]
    frame.loc[frame["district_code"] == "4029", ["expected", "on_time", "missing"]] = [0, 0, 0]
    frame["reported"] = frame["on_time"] + frame["late"]
    frame["personnel_total"], frame["personnel_signed"] = 100, 90
    frame["signing_rate"] = 0.9
    frame["coverage"] = metrics.rate(frame["reported"], frame["expected"])
    return frame


def test_district_progress_puts_laggards_on_top_as_shares(rollup):
    figure = charts.district_progress(rollup)
    on_time, late, missing = figure.data
    top = on_time.y[-1]  # plotly draws the last category at the top
    assert list(on_time.y) == list(late.y) == list(missing.y)
    assert len(on_time.y) == 26  # 25 districts with agencies + the province group; 4029 has none
    assert "อ.เวียงเก่า" not in on_time.y
    assert on_time.y[0] == "อ.เมืองขอนแก่น"  # full coverage: at the bottom
    assert top != "อ.เมืองขอนแก่น"
    shares = [a + b + c for a, b, c in zip(on_time.x, late.x, missing.x, strict=True)]
    assert shares == pytest.approx([100.0] * 26)


def test_coverage_map_draws_each_district_as_a_filled_shape(rollup):
    figure = charts.coverage_map(rollup)
    filled = [t for t in figure.data if t.fill == "toself"]
    assert len(filled) == 26
    assert all(t.type == "scatter" for t in figure.data)  # no geo trace: those need a CDN
    wiang_kao = next(t for t in filled if t.name == "เวียงเก่า")
    assert wiang_kao.fillcolor == "#bdbdbd"  # no agencies: grey, not red
    mueang = next(t for t in filled if t.name == "เมืองขอนแก่น")
    assert mueang.fillcolor == "rgb(46, 125, 50)"  # 100 % reported: the top of the scale
    assert "ส่งแล้ว 3/3 หน่วยงาน (100.0%)" in mueang.text


def test_timeline_marks_the_deadline_and_the_target():
    days = pd.DataFrame({"day": [date(2023, 7, 6), date(2023, 7, 7)], "new_on_time": [1, 2], "new_late": [0, 0],
                         "new_reported": [1, 2], "cumulative_reported": [1, 3], "expected": [154, 154]})
    figure = charts.timeline(days, deadline=date(2023, 7, 7), as_of=datetime(2023, 7, 7, 12, tzinfo=BANGKOK))
    texts = [a.text for a in figure.layout.annotations]
    assert texts == ["เป้าหมาย 154 หน่วยงาน", "กำหนดส่ง 7 ก.ค. 2566"]
    assert list(figure.data[2].y) == [1, 3]


def test_signing_rate_chart_labels_districts_without_reports(rollup):
    rollup.loc[rollup["district_code"] == "4012", ["personnel_total", "signing_rate"]] = [0, 0.0]
    figure = charts.signing_rate_by_district(rollup)
    labels = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    assert (labels["อ.พล"], labels["อ.ชุมแพ"]) == ("ยังไม่มีรายงาน", "90.0%")
