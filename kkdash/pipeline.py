"""One call from a raw sheet and a registry to everything the pages and the CLI show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from kkdash import metrics
from kkdash.matching import DEFAULT_MARGIN, DEFAULT_THRESHOLD, Matcher
from kkdash.rows import PreparedRows, classify, prepare_rows
from kkdash.schema import map_headers
from kkdash.sheet import RawSheet


@dataclass(frozen=True)
class Outcome:
    """The campaign as of one moment: rows with fates, agencies, districts, province, timeline."""

    as_of: datetime
    deadline: date
    rows: pd.DataFrame
    notes: pd.DataFrame
    agencies: pd.DataFrame
    districts: pd.DataFrame
    province: dict
    counts: dict
    timeline: pd.DataFrame
    blank_rows: int
    fuzzy_comparisons: int

    def summary(self) -> dict:
        """The CLI's JSON summary (contract keys, in order)."""
        return summary_dict(self)


@dataclass(frozen=True)
class Prepared:
    """A sheet parsed and matched against a registry: the costly, as-of-independent half of a run."""

    rows: PreparedRows
    registry: pd.DataFrame
    districts: pd.DataFrame
    fuzzy_comparisons: int


def prepare(sheet: RawSheet, registry: pd.DataFrame, districts: pd.DataFrame, *,
            header_extra: Mapping[str, str] | None = None,
            threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN,
            matcher: Matcher | None = None) -> Prepared:
    """Raw sheet + registry -> Prepared. Raises SchemaError when required columns are missing.

    ``matcher``: one built for this registry earlier (it remembers the names it has matched);
    by default a new one, with ``threshold`` and ``margin``.
    """
    header_map = map_headers(sheet.headers, extra=header_extra)
    if matcher is None:
        matcher = Matcher(registry, threshold=threshold, margin=margin)
    elif (matcher.threshold, matcher.margin) != (threshold, margin):
        raise ValueError(f"matcher has threshold {matcher.threshold} and margin {matcher.margin}, "
                         f"not {threshold} and {margin}")
    rows = prepare_rows(sheet, header_map, matcher=matcher, registry=registry, districts=districts)
    return Prepared(rows=rows, registry=registry, districts=districts, fuzzy_comparisons=matcher.fuzzy_comparisons)


def evaluate(prepared: Prepared, *, as_of: datetime, deadline: date = metrics.DEFAULT_DEADLINE) -> Outcome:
    """Prepared rows -> the campaign as of ``as_of`` against ``deadline`` (cheap: no parsing or matching)."""
    classified = classify(prepared.rows, as_of=as_of)
    registry, districts = prepared.registry, prepared.districts
    agencies = metrics.agency_status(classified.rows, registry, districts, deadline=deadline, as_of=as_of)
    return Outcome(
        as_of=as_of,
        deadline=deadline,
        rows=classified.rows,
        notes=classified.notes,
        agencies=agencies,
        districts=metrics.district_rollup(agencies, districts),
        province=metrics.province_summary(agencies),
        counts=metrics.row_counts(classified.rows),
        timeline=metrics.timeline(agencies, deadline=deadline, as_of=as_of),
        blank_rows=classified.blank_rows,
        fuzzy_comparisons=prepared.fuzzy_comparisons,
    )


def run(sheet: RawSheet, registry: pd.DataFrame, districts: pd.DataFrame, *,
        as_of: datetime, deadline: date = metrics.DEFAULT_DEADLINE,
        header_extra: Mapping[str, str] | None = None,
        threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN,
        matcher: Matcher | None = None) -> Outcome:
    """Raw sheet + registry -> Outcome as of ``as_of``. Raises SchemaError when required columns are missing."""
    prepared = prepare(sheet, registry, districts, header_extra=header_extra, threshold=threshold, margin=margin,
                       matcher=matcher)
    return evaluate(prepared, as_of=as_of, deadline=deadline)


DISTRICT_KEYS = ("district_code", "name_th", "expected", "reported", "on_time", "late", "missing",
                 "needing_correction", "personnel_total", "personnel_signed", "signing_rate")


def summary_dict(outcome: Outcome) -> dict:
    """Outcome -> the JSON-ready summary with exactly the contract's keys."""
    province = outcome.province
    districts = [
        {key: _plain(record[key]) for key in DISTRICT_KEYS}
        for record in outcome.districts.to_dict("records")
    ]
    return {
        "as_of": outcome.as_of.isoformat(),
        "deadline": outcome.deadline.isoformat(),
        **{key: province[key] for key in (
            "agencies_expected", "agencies_reported", "agencies_on_time", "agencies_late",
            "agencies_missing", "agencies_needing_correction", "agencies_fully_signed", "agencies_published",
            "personnel_total", "personnel_signed", "signing_rate")},
        **outcome.counts,
        "districts": districts,
    }


def _plain(value):
    """numpy / pandas scalars -> plain Python for json.dumps; missing -> None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
