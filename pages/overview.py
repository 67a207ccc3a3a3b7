"""ภาพรวม: how far along the province is, which districts lag — for the governor's office."""

import streamlit as st

from kkdash import charts, views
from kkdash.app import cards, chaselog, frame, linkcheck, state

frame.ensure_framed()

WALL_REFRESH_SECONDS = 60
WALL_CHART_HEIGHT = 700  # 1080 px less the title and the KPI row: no scrolling on a 1080p screen


def overview() -> None:
    """KPIs, district progress, signing rate, timeline and the map."""
    campaign = state.load_campaign()
    wall = frame.is_wall()
    st.title("ภาพรวมการประกาศเจตนารมณ์")
    st.caption(frame.subtitle(campaign))
    frame.source_banner(campaign.dataset)
    if campaign.outcome is None:
        frame.no_data_message(campaign)
        return
    outcome = campaign.outcome
    cards.progress_note(outcome)
    verified = views.verified_count(linkcheck.agencies_with_links(outcome))
    cards.kpi_cards(views.headline(outcome, verified=verified), per_row=8 if wall else 4)
    chaselog.progress_caption(outcome)
    if not wall:
        cards.brief_button(campaign, links_verified=verified)
    if wall:
        _wall_charts(outcome)
        return
    left, right = st.columns([1, 1])
    with left:
        st.markdown("#### ความคืบหน้ารายอำเภอ")
        st.caption("สัดส่วนหน่วยงานในแต่ละอำเภอ อำเภอที่ส่งน้อยที่สุดอยู่บนสุด")
        st.plotly_chart(charts.district_progress(outcome.districts), key="overview_progress")
    with right:
        st.markdown("#### แผนที่ความคืบหน้า")
        st.caption("สีตามสัดส่วนหน่วยงานที่ส่งแล้ว ชี้ที่อำเภอเพื่อดูตัวเลข")
        st.plotly_chart(charts.coverage_map(outcome.districts), key="overview_map")
    st.markdown("#### หน่วยงานที่ส่งรายงานสะสมรายวัน")
    st.plotly_chart(charts.timeline(outcome.timeline, deadline=outcome.deadline, as_of=outcome.as_of),
                    key="overview_timeline")
    st.markdown("#### ร้อยละบุคลากรที่ลงนามรายอำเภอ")
    st.plotly_chart(charts.signing_rate_by_district(outcome.districts), key="overview_signing")
    st.caption(views.row_arithmetic(outcome.counts) + " — รายละเอียดที่หน้า “คุณภาพข้อมูล”")


def _wall_charts(outcome) -> None:
    """At 1920×1080: district progress beside the map, no scrolling."""
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.district_progress(outcome.districts, font_size=15, height=WALL_CHART_HEIGHT),
                        key="wall_progress")
    with right:
        st.plotly_chart(charts.coverage_map(outcome.districts, height=WALL_CHART_HEIGHT, font_size=16),
                        key="wall_map")
    st.caption(f"ปรับปรุงอัตโนมัติทุก {WALL_REFRESH_SECONDS} วินาที · {views.row_arithmetic(outcome.counts)}")


if frame.is_wall():
    st.fragment(run_every=WALL_REFRESH_SECONDS)(overview)()
else:
    overview()
