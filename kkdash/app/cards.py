"""The headline figures as cards, and the sentence that explains figures that would puzzle someone."""

from __future__ import annotations

import streamlit as st

from kkdash.pipeline import Outcome
from kkdash.views import Kpi


def kpi_cards(kpis: list[Kpi], *, per_row: int = 4) -> None:
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
