"""The headline figures as cards, and the sentence that explains figures that would puzzle someone."""

from __future__ import annotations

import streamlit as st

from kkdash import views
from kkdash.app import linkcheck
from kkdash.pipeline import Outcome


def kpi_cards(kpis: list[views.Kpi], *, per_row: int = 4) -> None:
    """KPI cards in rows of ``per_row``."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row], strict=False):
            column.metric(kpi.label, kpi.value, kpi.detail or None, delta_color="off", delta_arrow="off",
                          border=True)


def progress_note(outcome: Outcome) -> None:
    """A plain sentence for the two states where the numbers alone would puzzle someone."""
    if outcome.counts["rows_total"] == 0 and not len(outcome.notes):
        st.info("ยังไม่มีหน่วยงานใดส่งแบบรายงาน ณ เวลาที่เลือก — ตัวเลขจะขึ้นเมื่อมีคำตอบในแผ่นงาน", icon="ℹ️")
    elif outcome.province["agencies_missing"] == 0:
        st.success("ทุกหน่วยงานในทะเบียนส่งแบบรายงานแล้ว", icon="✅")


def brief_button(campaign) -> None:
    """ดาวน์โหลดสรุปสำหรับผู้บริหาร (PDF): the governor's one page for the moment shown, built when asked for
    (with the links the stored checks found working)."""
    from kkdash import brief
    from kkdash.dates import now
    from kkdash.export import export_file_name

    outcome, dataset = campaign.outcome, campaign.dataset

    def pdf() -> bytes:
        verified = views.verified_count(linkcheck.agencies_with_links(campaign))
        return brief.brief_pdf(outcome, source_label=dataset.label, demo=dataset.is_demo, generated_at=now(),
                               links_verified=verified)

    name = export_file_name(outcome.as_of, [("", "สรุปผู้บริหาร")], ".pdf")  # the moment in BE, as every export
    st.download_button("ดาวน์โหลดสรุปสำหรับผู้บริหาร (PDF)", pdf, file_name=name,
                       mime="application/pdf", icon=":material/picture_as_pdf:", key="overview_brief",
                       on_click="ignore")
