"""The pages' figures and long tables, built once per content (data version, moment, deadline).

A rerun that changes nothing the figures show (a widget, the wall's refresh every minute) reuses
them: at national size the district charts have two thousand bars and take a tenth of a second each.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from kkdash import charts, svg, views
from kkdash.app import data, linkcheck
from kkdash.app.state import Campaign


def headline(campaign: Campaign) -> list[views.Kpi]:
    """The eight KPI cards, with what the stored link checks found (rebuilt when they change)."""
    key = (*campaign.key, linkcheck.link_results_version())
    return data.built_once("headline", key, lambda: views.headline(
        campaign.outcome, **views.headline_links(linkcheck.agencies_with_links(campaign))))


def district_progress(campaign: Campaign) -> go.Figure:
    return data.built_once("progress", campaign.key, lambda: charts.district_progress(campaign.outcome.districts))


def timeline(campaign: Campaign) -> go.Figure:
    outcome = campaign.outcome
    return data.built_once("timeline", campaign.key, lambda: charts.timeline(
        outcome.timeline, deadline=outcome.deadline, as_of=outcome.as_of))


def signing_rates(campaign: Campaign) -> go.Figure:
    return data.built_once("signing", campaign.key,
                           lambda: charts.signing_rate_by_district(campaign.outcome.districts))


def coverage_map(campaign: Campaign, *, width: int, font_size: int) -> str:
    return data.built_once(f"map-{width}-{font_size}", campaign.key,
                           lambda: svg.coverage_map(campaign.outcome.districts, width=width, font_size=font_size))


def district_bars(campaign: Campaign, *, width: int, height: int, font_size: int) -> str:
    return data.built_once(f"bars-{width}-{height}-{font_size}", campaign.key, lambda: svg.district_bars(
        campaign.outcome.districts, width=width, height=height, font_size=font_size))


def row_list(campaign: Campaign, view: Callable[..., pd.DataFrame], *, include_personal: bool) -> pd.DataFrame:
    """A list of the quality page (views.rejected_rows …), as typed for HR or masked for viewers: at
    national size a list holds a hundred thousand rows."""
    return data.built_once(f"rows-{view.__name__}-{include_personal}", campaign.key,
                           lambda: view(campaign.outcome, include_personal=include_personal))
