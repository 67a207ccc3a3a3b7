"""What a download says about itself: a file name with the filters and the moment, and the .xlsx's about sheet."""

from __future__ import annotations

import pandas as pd

from kkdash import export, views
from kkdash.app.state import Campaign
from kkdash.dates import now
from kkdash.labels import PROVINCE_GROUP_TH


def filter_words(filters: views.AgencyFilters, agencies: pd.DataFrame) -> list[tuple[str, str]]:
    """The follow-up filters in Thai words (districts as `อ.พล`), for the file name and the about sheet."""
    chosen = agencies[agencies["district_code"].isin(filters.districts)]
    names = dict(zip(chosen["district_code"], chosen["district_name_th"], strict=True))
    districts = [PROVINCE_GROUP_TH if code == views.PROVINCE_FILTER else f"อ.{names.get(code, code)}"
                 for code in filters.districts]
    return export.describe_filters(statuses=filters.statuses, districts=districts, kinds=filters.kinds,
                                   links=filters.links, query=filters.query)


def file_name(campaign: Campaign, words: list[tuple[str, str]], suffix: str) -> str:
    """`kkdash-ยังไม่ส่ง-อ.พล-2566-07-07-1700.xlsx` for the campaign's moment."""
    return export.export_file_name(campaign.outcome.as_of, words, suffix)


def about(campaign: Campaign, words: list[tuple[str, str]], *, count: int, include_personal: bool) -> list:
    """The about sheet of an agency download: the moment, the filters, the source, how many, personal data."""
    outcome = campaign.outcome
    return export.about_rows(title="สถานะการส่งรายงานรายหน่วยงาน (หน้า “ติดตามหน่วยงาน”)", as_of=outcome.as_of,
                             deadline=outcome.deadline, source=campaign.dataset.label, count=count,
                             filters=words, personal=include_personal, made_at=now())
