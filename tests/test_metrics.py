"""kkdash.metrics: classified rows -> agency statuses, district and province figures, timeline."""

from datetime import date, datetime

import pandas as pd
import pytest

from kkdash import metrics
from kkdash.dates import BANGKOK
from kkdash.schema import COUNT_FIELDS

DEADLINE = date(2023, 7, 7)
AFTER_DEADLINE = datetime(2023, 7, 20, 12, 0, tzinfo=BANGKOK)


@pytest.fixture
def small_registry():
    """Two province-level agencies and three in districts 4012 (พล) and 4001."""
    return pd.DataFrame({
        "agency_id": ["P01", "P02", "D4012", "U4012-1", "D4001"],
        "name_th": ["สำนักงานจังหวัดขอนแก่น", "ที่ทำการปกครองจังหวัดขอนแก่น", "ที่ว่าการอำเภอพล",
                    "สำนักงานสาธารณสุขอำเภอพล", "ที่ว่าการอำเภอเมืองขอนแก่น"],
        "aliases": ["", "", "", "", ""],
        "kind": ["provincial", "provincial", "district_office", "district_unit", "district_office"],
        "district_code": ["", "", "4012", "4012", "4001"],
    })


def row(agency_id, row_number, submitted_at, fate="used", counts=(10, 10, 0, 0, 0, 0, 5, 5),
        url="https://www.example.go.th/moral", phone="0812345678", reason="", name="นายสมชาย ใจดี"):
    """One classified row, as rows.classify leaves it, with the columns metrics reads."""
    return {
        "agency_id": agency_id, "row_number": row_number, "fate": fate,
        "submitted_at": pd.Timestamp(submitted_at, tz=BANGKOK) if submitted_at else pd.NaT,
        "declared_on": date(2023, 6, 26), "head_signed": True, **dict(zip(COUNT_FIELDS, counts, strict=True)),
        "published_url": url, "url_raw": url or "", "reporter_name": name,
        "reporter_position": "เจ้าพนักงานธุรการ", "reporter_phone": phone, "reporter_email": "", "reason": reason,
    }


def classified(*rows):
    frame = pd.DataFrame(list(rows))
    frame[list(COUNT_FIELDS)] = frame[list(COUNT_FIELDS)].astype("Float64")
    return frame


@pytest.fixture
def rows():
    """P01 on time then corrected late; D4012 late; U4012-1 rejected only; D4001 on time, partly signed."""
    return classified(
        row("P01", 2, "2023-07-01 09:00", fate="superseded", counts=(10, 8, 0, 0, 0, 0, 5, 5)),
        row("P01", 3, "2023-07-10 09:00", counts=(10, 10, 2, 2, 0, 0, 5, 5)),
        row("D4012", 4, "2023-07-08 00:00:00", counts=(20, 20, 0, 0, 1, 1, 4, 4), url=None),
        row("U4012-1", 5, "2023-07-01 09:00", fate="rejected", reason="จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท",
            phone="0898765432", name="นางสาวสมหญิง ศรีสุข"),
        row("D4001", 6, "2023-07-07 23:59:59", counts=(30, 29, 0, 0, 0, 0, 10, 10)),
        row(None, 7, "2023-07-02 09:00", fate="rejected"),
    )


@pytest.fixture
def agencies(rows, small_registry, districts):
    return metrics.agency_status(rows, small_registry, districts, deadline=DEADLINE, as_of=AFTER_DEADLINE)


def test_deadline_is_the_last_second_of_the_day_in_bangkok():
    assert metrics.deadline_moment(DEADLINE) == datetime(2023, 7, 7, 23, 59, 59, tzinfo=BANGKOK)


@pytest.mark.parametrize(("numerator", "denominator", "expected"),
                         [(1, 4, 0.25), (0, 0, 0.0), (5, 0, 0.0), (3, 3, 1.0)])
def test_rate_of_scalars(numerator, denominator, expected):
    assert metrics.rate(numerator, denominator) == expected


def test_rate_of_series_is_zero_where_the_total_is_zero():
    assert metrics.rate(pd.Series([1.0, 0.0, 2.0]), pd.Series([4.0, 0.0, 0.0])).tolist() == [0.25, 0.0, 0.0]


def test_agency_status(agencies):
    table = agencies.set_index("agency_id")
    assert table[["status", "submissions", "overdue", "personnel_total", "personnel_signed",
                  "fully_signed", "published", "district_name_th"]].to_dict("index") == {
        "P01": {"status": "on_time", "submissions": 2, "overdue": False, "personnel_total": 17,
                "personnel_signed": 17, "fully_signed": True, "published": True, "district_name_th": "ระดับจังหวัด"},
        "P02": {"status": "missing", "submissions": 0, "overdue": True, "personnel_total": None,
                "personnel_signed": None, "fully_signed": False, "published": False,
                "district_name_th": "ระดับจังหวัด"},
        "D4012": {"status": "late", "submissions": 1, "overdue": False, "personnel_total": 25,
                  "personnel_signed": 25, "fully_signed": True, "published": False, "district_name_th": "พล"},
        "U4012-1": {"status": "missing", "submissions": 0, "overdue": True, "personnel_total": None,
                    "personnel_signed": None, "fully_signed": False, "published": False,
                    "district_name_th": "พล"},
        "D4001": {"status": "on_time", "submissions": 1, "overdue": False, "personnel_total": 40,
                  "personnel_signed": 39, "fully_signed": False, "published": True,
                  "district_name_th": "เมืองขอนแก่น"},
    }


def test_agency_figures_come_from_the_latest_row_and_status_from_the_first(agencies):
    p01 = agencies.set_index("agency_id").loc["P01"]
    assert (p01["first_submitted_at"].isoformat(), p01["last_submitted_at"].isoformat(), int(p01["latest_row"]),
            p01["civil_signed"], p01["signing_rate"], p01["reporter_phone"]) == (
        "2023-07-01T09:00:00+07:00", "2023-07-10T09:00:00+07:00", 3, 10, 1.0, "0812345678")


def test_missing_agencies_are_overdue_only_after_the_deadline(rows, small_registry, districts):
    before = metrics.agency_status(rows, small_registry, districts, deadline=DEADLINE,
                                   as_of=datetime(2023, 7, 7, 23, 59, 59, tzinfo=BANGKOK))
    after = metrics.agency_status(rows, small_registry, districts, deadline=DEADLINE,
                                  as_of=datetime(2023, 7, 8, 0, 0, 0, tzinfo=BANGKOK))
    assert (before["overdue"].sum(), after["overdue"].sum()) == (0, 2)


def test_signing_rate_of_an_agency_is_signed_over_total(agencies):
    assert agencies.set_index("agency_id").loc["D4001", "signing_rate"] == pytest.approx(39 / 40)


def test_district_rollup_has_every_district_then_the_province_group(agencies, districts):
    rollup = metrics.district_rollup(agencies, districts)
    assert (rollup["district_code"].tolist(), rollup["name_th"].tolist()[-1]) == (
        [*districts["district_code"], None], "ระดับจังหวัด")


def test_district_rollup_figures(agencies, districts):
    rollup = metrics.district_rollup(agencies, districts)
    columns = ["expected", "reported", "on_time", "late", "missing", "fully_signed", "published",
               "personnel_total", "personnel_signed", "signing_rate", "coverage"]
    picked = rollup.set_index(rollup["district_code"].fillna("province")).loc[["4012", "4001", "4002", "province"]]
    assert picked[columns].to_dict("index") == {
        "4012": {"expected": 2, "reported": 1, "on_time": 0, "late": 1, "missing": 1, "fully_signed": 1,
                 "published": 0, "personnel_total": 25, "personnel_signed": 25, "signing_rate": 1.0,
                 "coverage": 0.5},
        "4001": {"expected": 1, "reported": 1, "on_time": 1, "late": 0, "missing": 0, "fully_signed": 0,
                 "published": 1, "personnel_total": 40, "personnel_signed": 39, "signing_rate": 39 / 40,
                 "coverage": 1.0},
        "4002": {"expected": 0, "reported": 0, "on_time": 0, "late": 0, "missing": 0, "fully_signed": 0,
                 "published": 0, "personnel_total": 0, "personnel_signed": 0, "signing_rate": 0.0,
                 "coverage": 0.0},
        "province": {"expected": 2, "reported": 1, "on_time": 1, "late": 0, "missing": 1, "fully_signed": 1,
                     "published": 1, "personnel_total": 17, "personnel_signed": 17, "signing_rate": 1.0,
                     "coverage": 0.5},
    }


def test_province_summary(agencies):
    assert metrics.province_summary(agencies) == {
        "agencies_expected": 5, "agencies_reported": 3, "agencies_on_time": 2, "agencies_late": 1,
        "agencies_missing": 2, "agencies_needing_correction": 1, "agencies_overdue": 2, "agencies_fully_signed": 2,
        "agencies_published": 2,
        "personnel_total": 82, "personnel_signed": 81, "signing_rate": 81 / 82,
    }


def test_province_summary_with_nobody_reported(small_registry, districts):
    nothing = classified(row("P01", 2, "2023-07-01 09:00", fate="rejected"))
    agencies = metrics.agency_status(nothing, small_registry, districts, deadline=DEADLINE, as_of=AFTER_DEADLINE)
    summary = metrics.province_summary(agencies)
    assert (summary["agencies_reported"], summary["personnel_total"], summary["signing_rate"]) == (0, 0, 0.0)


def test_row_counts_leave_out_rows_after_as_of():
    frame = pd.DataFrame({"fate": ["used", "used", "superseded", "rejected", "after_as_of", "rejected"]})
    assert metrics.row_counts(frame) == {"rows_total": 5, "rows_used": 2, "rows_superseded": 1, "rows_rejected": 2}


def test_timeline_counts_first_reports_per_day(agencies):
    timeline = metrics.timeline(agencies, deadline=DEADLINE, as_of=AFTER_DEADLINE)
    days = timeline.set_index("day")
    assert (timeline["day"].iloc[0], timeline["day"].iloc[-1], len(timeline),
            days.loc[date(2023, 7, 1)].tolist(), days.loc[date(2023, 7, 7)].tolist(),
            days.loc[date(2023, 7, 8)].tolist()) == (
        date(2023, 6, 26), date(2023, 7, 20), 25,  # on to T, which is within a month of the deadline
        [1, 0, 1, 1, 5], [1, 0, 1, 2, 5], [0, 1, 1, 3, 5])


def test_timeline_before_the_deadline_runs_to_as_of(agencies):
    timeline = metrics.timeline(agencies, deadline=DEADLINE, as_of=datetime(2023, 7, 3, 9, 0, tzinfo=BANGKOK))
    assert (timeline["day"].iloc[-1], int(timeline["cumulative_reported"].iloc[-1])) == (date(2023, 7, 8), 3)


def test_timeline_long_after_the_deadline_stops_a_month_after_it(agencies):
    timeline = metrics.timeline(agencies, deadline=DEADLINE, as_of=datetime(2026, 11, 26, 9, 0, tzinfo=BANGKOK))
    assert (timeline["day"].iloc[-1], len(timeline)) == (date(2023, 8, 6), 42)


@pytest.mark.parametrize(("as_of", "days"), [
    (datetime(2023, 7, 5, 16, 0, tzinfo=BANGKOK), 2),
    (datetime(2023, 7, 7, 23, 59, tzinfo=BANGKOK), 0),
    (datetime(2023, 7, 6, 0, 0, tzinfo=BANGKOK), 1),
    (datetime.fromisoformat("2023-07-07T17:30:00+00:00"), -1),  # already 8 July in Khon Kaen
])
def test_day_offset_counts_bangkok_days(as_of, days):
    assert metrics.day_offset(DEADLINE, as_of) == days


def test_campaign_starts_eleven_days_before_the_deadline():
    assert metrics.campaign_start(DEADLINE) == date(2023, 6, 26)


def test_a_missing_agency_with_a_rejected_report_needs_correction_but_still_counts_as_missing(agencies, districts):
    table = agencies.set_index("agency_id")
    assert table.loc["U4012-1", ["status", "needs_correction", "rejected_rows", "rejected_row", "rejected_reason",
                                  "call_name", "call_phone", "call_source"]].tolist() == [
        "missing", True, 1, 5, "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท", "นางสาวสมหญิง ศรีสุข", "0898765432", "reporter"]
    assert table["needs_correction"].tolist() == [False, False, False, True, False]
    province, rollup = metrics.province_summary(agencies), metrics.district_rollup(agencies, districts)
    assert (province["agencies_missing"], province["agencies_needing_correction"]) == (2, 1)
    assert rollup.set_index("name_th").loc["พล", ["missing", "needing_correction"]].tolist() == [1, 1]


def test_whom_to_call_is_the_latest_reporter_else_the_registry_contact(rows, small_registry, districts):
    registry = small_registry.assign(phone=["043012345", "043098765", "", "", ""], email="",
                                     contact_name=["นางมาลัย แก้วมณี", "นายอนุชา ทองคำ", "", "", ""],
                                     contact_position="เจ้าหน้าที่บริหารงานทั่วไป")
    table = metrics.agency_status(rows, registry, districts, deadline=DEADLINE, as_of=AFTER_DEADLINE)
    calls = table.set_index("agency_id")[["call_name", "call_phone", "call_source"]].to_dict("index")
    assert calls == {
        "P01": {"call_name": "นายสมชาย ใจดี", "call_phone": "0812345678", "call_source": "reporter"},
        "P02": {"call_name": "นายอนุชา ทองคำ", "call_phone": "043098765", "call_source": "registry"},
        "D4012": {"call_name": "นายสมชาย ใจดี", "call_phone": "0812345678", "call_source": "reporter"},
        "U4012-1": {"call_name": "นางสาวสมหญิง ศรีสุข", "call_phone": "0898765432", "call_source": "reporter"},
        "D4001": {"call_name": "นายสมชาย ใจดี", "call_phone": "0812345678", "call_source": "reporter"},
    }


def test_a_rejected_row_with_an_unreadable_time_still_makes_its_agency_need_correction(small_registry, districts):
    rows = classified(row("P02", 2, None, fate="rejected", reason="อ่านเวลาประทับไม่ได้: 'เมื่อวาน'"),
                      row("P01", 3, "2023-07-01 09:00"))
    table = metrics.agency_status(rows, small_registry, districts, deadline=DEADLINE, as_of=AFTER_DEADLINE)
    assert table.set_index("agency_id").loc["P02", ["needs_correction", "rejected_row"]].tolist() == [True, 2]
