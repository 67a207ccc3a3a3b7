"""Classified rows -> each agency's status, district and province figures, and a daily timeline.

Pure pandas: no Streamlit, no I/O. Contract section 4.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from kkdash.dates import BANGKOK, end_of_day
from kkdash.labels import LATE, MISSING, ON_TIME, PROVINCE_GROUP_TH, REGISTRY, REJECTED, REPORTER, SUPERSEDED, USED
from kkdash.schema import COUNT_FIELDS, PERSONNEL_TYPES

DEFAULT_DEADLINE = date(2023, 7, 7)
# How long after the deadline the timeline keeps running to T: long enough to watch late reports
# come in, short enough that a look in 2026 still shows the campaign, not three empty years.
TIMELINE_AFTER_DEADLINE = timedelta(days=30)
TOTAL_FIELDS = [f"{kind}_total" for kind in PERSONNEL_TYPES]
SIGNED_FIELDS = [f"{kind}_signed" for kind in PERSONNEL_TYPES]
REPORTER_COLUMNS = ["reporter_name", "reporter_position", "reporter_phone", "reporter_email"]
LATEST_COLUMNS = ["agency_id", "row_number", "submitted_at", "declared_on", "head_signed",
                  *COUNT_FIELDS, "published_url", "url_raw", *REPORTER_COLUMNS]
# Whom to call: the same four facts, from the latest report (or rejected report), else the registry.
CALL_COLUMNS = ["call_name", "call_position", "call_phone", "call_email"]
REGISTRY_CONTACT = ["contact_name", "contact_position", "phone", "email"]


def deadline_moment(deadline: date) -> datetime:
    """The deadline day -> the last second of that day in Bangkok (contract: D)."""
    return end_of_day(deadline)


def rate(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (works on scalars and Series)."""
    if isinstance(denominator, pd.Series):
        return (numerator / denominator.where(denominator != 0)).fillna(0.0).astype("float64")
    return float(numerator) / denominator if denominator else 0.0


def agency_status(rows: pd.DataFrame, registry: pd.DataFrame, districts: pd.DataFrame, *,
                  deadline: date, as_of: datetime) -> pd.DataFrame:
    """Classified rows + registry -> one row per registry agency with its status and figures."""
    # Three columns, not the whole row: a national sheet's rows are most of the run's memory.
    usable = rows.loc[rows["fate"].isin([USED, SUPERSEDED]), ["agency_id", "submitted_at", "row_number"]]
    stats = usable.groupby("agency_id").agg(
        first_submitted_at=("submitted_at", "min"),
        submissions=("row_number", "size"),
    )
    latest = rows.loc[rows["fate"] == USED, LATEST_COLUMNS].set_index("agency_id")
    latest = latest.rename(columns={"row_number": "latest_row", "submitted_at": "last_submitted_at"})
    latest["latest_row"] = latest["latest_row"].astype("Int64")
    table = registry.join(stats, on="agency_id").join(latest, on="agency_id")
    names = dict(zip(districts["district_code"], districts["name_th"], strict=True))
    table["district_name_th"] = table["district_code"].map(names).fillna(PROVINCE_GROUP_TH)
    table["submissions"] = table["submissions"].fillna(0).astype("int64")
    table["status"] = _status(table["first_submitted_at"], deadline)
    table["overdue"] = table["status"].eq(MISSING) & (pd.Timestamp(as_of) > deadline_moment(deadline))
    table = _add_rejected(table, rows)
    return _add_whom_to_call(_add_personnel(table))


def _add_rejected(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Each agency's rejected rows: how many, and the latest one's row, time, reasons and reporter.

    An agency with no usable report but a rejected one *needs correction* (ส่งแล้วแต่ต้องแก้ไข): it sent
    something, so HR calls about what to fix, not about a report never sent. It still counts as missing.
    """
    rejected = rows.loc[rows["fate"].eq(REJECTED) & rows["agency_id"].notna(),
                        ["agency_id", "row_number", "submitted_at", "reason", *REPORTER_COLUMNS]]
    # The latest rejected row, by time (unreadable times first, as the oldest) and then sheet row.
    ordered = rejected.sort_values(["agency_id", "submitted_at", "row_number"], na_position="first")
    latest = ordered.drop_duplicates("agency_id", keep="last").set_index("agency_id")
    latest = latest.rename(columns={"row_number": "rejected_row", "submitted_at": "rejected_at",
                                    "reason": "rejected_reason",
                                    **{c: f"rejected_{c}" for c in REPORTER_COLUMNS}})
    latest["rejected_row"] = latest["rejected_row"].astype("Int64")
    table = table.join(rejected.groupby("agency_id").size().rename("rejected_rows"), on="agency_id")
    table = table.join(latest, on="agency_id")
    table["rejected_rows"] = table["rejected_rows"].fillna(0).astype("int64")
    table["needs_correction"] = table["status"].eq(MISSING) & table["rejected_rows"].gt(0)
    return table


def _add_whom_to_call(table: pd.DataFrame) -> pd.DataFrame:
    """call_* = the latest report's reporter when there is one (a rejected report's for an agency that must
    correct it), else the registry's contact; call_source says which (reporter / registry)."""
    reported = table["status"].ne(MISSING)
    for call, latest in zip(CALL_COLUMNS, REPORTER_COLUMNS, strict=True):
        table[call] = table[latest].where(reported, table[f"rejected_{latest}"]).fillna("").astype("str")
    # A report that names nobody and gives no phone leaves the registry's coordinator as whom to call.
    from_report = (reported | table["needs_correction"]) & (table["call_name"].ne("") | table["call_phone"].ne(""))
    for call, registry in zip(CALL_COLUMNS, REGISTRY_CONTACT, strict=True):
        contact = table[registry] if registry in table else pd.Series("", index=table.index)
        table[call] = table[call].where(from_report, contact.fillna("").astype("str"))
    has_contact = table[CALL_COLUMNS].ne("").any(axis=1)
    table["call_source"] = np.where(from_report, REPORTER, np.where(has_contact, REGISTRY, ""))
    return table


def _status(first: pd.Series, deadline: date) -> pd.Series:
    """First usable submission -> on_time / late / missing."""
    limit = pd.Timestamp(deadline_moment(deadline))
    return pd.Series(np.select([first.isna(), first <= limit], [MISSING, ON_TIME], LATE),
                     index=first.index, dtype="str")


def _add_personnel(table: pd.DataFrame) -> pd.DataFrame:
    """Sum the four personnel types; fully signed means signed = total for every type."""
    reported = table["status"].ne(MISSING)
    table["personnel_total"] = table[TOTAL_FIELDS].sum(axis=1).where(reported).astype("Int64")
    table["personnel_signed"] = table[SIGNED_FIELDS].sum(axis=1).where(reported).astype("Int64")
    # No report, no rate: a blank, not 0 %, in tables and exports.
    table["signing_rate"] = rate(table["personnel_signed"].astype("float64"),
                                 table["personnel_total"].astype("float64")).where(reported)
    fully = pd.concat([table[s].eq(table[t]) for s, t in zip(SIGNED_FIELDS, TOTAL_FIELDS, strict=True)],
                      axis=1).all(axis=1)
    table["fully_signed"] = (fully & reported).astype("bool")
    table["published"] = table["published_url"].notna() & reported
    return table


def district_rollup(agencies: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Agency statuses -> one row per district (all 26, in code order) plus the province group."""
    status = agencies["status"]
    # Flags summed per group, not a lambda per group: a national registry has 2 000 districts.
    groups = agencies.assign(group=agencies["district_code"].replace("", None), is_reported=status.ne(MISSING),
                             is_on_time=status.eq(ON_TIME), is_late=status.eq(LATE), is_missing=status.eq(MISSING),
                             is_needing_correction=agencies["needs_correction"])
    counted = groups.groupby("group", dropna=False).agg(
        expected=("agency_id", "size"),
        reported=("is_reported", "sum"),
        on_time=("is_on_time", "sum"),
        late=("is_late", "sum"),
        missing=("is_missing", "sum"),
        needing_correction=("is_needing_correction", "sum"),
        fully_signed=("fully_signed", "sum"),
        published=("published", "sum"),
        personnel_total=("personnel_total", "sum"),
        personnel_signed=("personnel_signed", "sum"),
    )
    frame = pd.concat([
        districts[["district_code", "name_th"]],
        pd.DataFrame({"district_code": [None], "name_th": [PROVINCE_GROUP_TH]}),
    ], ignore_index=True)
    frame = frame.join(counted, on="district_code")
    count_columns = counted.columns
    frame[count_columns] = frame[count_columns].fillna(0).astype("int64")
    frame["signing_rate"] = rate(frame["personnel_signed"], frame["personnel_total"])
    frame["coverage"] = rate(frame["reported"], frame["expected"])
    return frame


def province_summary(agencies: pd.DataFrame) -> dict:
    """Agency statuses -> the province's headline figures (plain Python numbers)."""
    status = agencies["status"]
    total = int(agencies["personnel_total"].sum())
    signed = int(agencies["personnel_signed"].sum())
    return {
        "agencies_expected": len(agencies),
        "agencies_reported": int(status.ne(MISSING).sum()),
        "agencies_on_time": int(status.eq(ON_TIME).sum()),
        "agencies_late": int(status.eq(LATE).sum()),
        "agencies_missing": int(status.eq(MISSING).sum()),
        "agencies_needing_correction": int(agencies["needs_correction"].sum()),
        "agencies_overdue": int(agencies["overdue"].sum()),
        "agencies_fully_signed": int(agencies["fully_signed"].sum()),
        "agencies_published": int(agencies["published"].sum()),
        "personnel_total": total,
        "personnel_signed": signed,
        "signing_rate": rate(signed, total),
    }


def row_counts(rows: pd.DataFrame) -> dict:
    """Fates -> rows_total, rows_used, rows_superseded, rows_rejected (rows after T excluded)."""
    fate = rows["fate"]
    counts = {
        "rows_used": int(fate.eq(USED).sum()),
        "rows_superseded": int(fate.eq(SUPERSEDED).sum()),
        "rows_rejected": int(fate.eq(REJECTED).sum()),
    }
    return {"rows_total": sum(counts.values()), **counts}


def timeline(agencies: pd.DataFrame, *, deadline: date, as_of: datetime,
             start: date | None = None) -> pd.DataFrame:
    """Agency first submissions -> one row per day: new on-time, new late, cumulative reported."""
    first = agencies["first_submitted_at"].dropna().dt.tz_convert(BANGKOK).dt.date
    as_of_day = pd.Timestamp(as_of).tz_convert(BANGKOK).date()
    # Run to T (so the chart shows the days still left before the deadline, and the days since),
    # capped a month after the deadline, and on to the last late report in any case.
    ends = [min(as_of_day, deadline + TIMELINE_AFTER_DEADLINE), *([first.max()] if len(first) else [])]
    starts = [start or campaign_start(deadline), *([first.min()] if len(first) else [])]
    first_day = min(starts)
    end_day = max(*ends, first_day)
    days = pd.date_range(first_day, end_day, freq="D").date
    is_late = agencies.loc[first.index, "status"].eq(LATE)
    new_on_time = first[~is_late].value_counts().reindex(days, fill_value=0)
    new_late = first[is_late].value_counts().reindex(days, fill_value=0)
    frame = pd.DataFrame({"day": days, "new_on_time": new_on_time.to_numpy(),
                          "new_late": new_late.to_numpy()})
    frame["new_reported"] = frame["new_on_time"] + frame["new_late"]
    frame["cumulative_reported"] = frame["new_reported"].cumsum()
    frame["expected"] = len(agencies)
    return frame


def day_offset(deadline: date, as_of: datetime) -> int:
    """Whole days from the as-of day to the deadline day (negative once past it)."""
    today = pd.Timestamp(as_of).tz_convert(BANGKOK).date()
    return (deadline - today).days


def campaign_start(deadline: date) -> date:
    """The letter went out 11 days before the deadline (26 June for 7 July)."""
    return deadline - timedelta(days=11)
