"""ภาพรวม: how far along the province is, which districts lag — for the governor's office."""

import streamlit as st

from kkdash import views
from kkdash.app import cards, chaselog, figures, frame, state, wall

frame.ensure_framed()

WALL_REFRESH_SECONDS = 60


def overview() -> None:
    """KPIs, district progress and the map, then the timeline and the signing rate."""
    campaign = state.load_campaign()
    if frame.is_wall():
        wall.wall(campaign, refresh_seconds=WALL_REFRESH_SECONDS)
        return
    st.title("ภาพรวมการประกาศเจตนารมณ์")
    st.caption(frame.subtitle(campaign))
    frame.source_banner(campaign.dataset)
    if campaign.outcome is None:
        frame.no_data_message(campaign)
        return
    outcome = campaign.outcome
    cards.progress_note(outcome)
    kpis = figures.headline(campaign)
    # Keyed blocks: on a phone the CSS shows the district chart right after the first four figures.
    with st.container(key="overview_headline"):
        cards.kpi_cards(kpis[:4])
    with st.container(key="overview_more"):
        cards.kpi_cards(kpis[4:])
    chaselog.progress_caption(outcome)
    cards.brief_button(campaign)
    with st.container(key="overview_districts"):
        left, right = st.columns([1, 1])
        with left:
            st.markdown("#### ความคืบหน้ารายอำเภอ")
            st.caption("สัดส่วนหน่วยงานในแต่ละอำเภอ อำเภอที่ส่งน้อยที่สุดอยู่บนสุด หน่วยงานระดับจังหวัดอยู่แถวแรก")
            st.plotly_chart(figures.district_progress(campaign), key="overview_progress")
        with right:
            st.markdown("#### แผนที่ความคืบหน้า")
            st.caption("สีตามสัดส่วนหน่วยงานที่ส่งแล้ว ชี้ที่อำเภอเพื่อดูตัวเลข")
            st.markdown(figures.coverage_map(campaign, width=520, font_size=16), unsafe_allow_html=True)
    with st.container(key="overview_details"):
        st.markdown("#### หน่วยงานที่ส่งรายงานสะสมรายวัน")
        st.plotly_chart(figures.timeline(campaign), key="overview_timeline")
        st.markdown("#### ร้อยละบุคลากรที่ลงนามรายอำเภอ ของหน่วยงานที่ส่งแล้ว")
        st.caption("นับเฉพาะหน่วยงานที่ส่งรายงานแล้ว — ท้ายแท่งบอกว่าส่งแล้วกี่แห่งจากทั้งหมด"
                   " อำเภอที่ต่ำที่สุดอยู่บนสุด")
        st.plotly_chart(figures.signing_rates(campaign), key="overview_signing")
        st.caption(views.row_arithmetic(outcome.counts) + " — รายละเอียดที่หน้า “คุณภาพข้อมูล”")


if frame.is_wall():
    st.fragment(run_every=WALL_REFRESH_SECONDS)(overview)()
else:
    overview()
