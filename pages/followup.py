"""ติดตามหน่วยงาน: which agencies to call today, with their contacts — for the HR group."""

import streamlit as st

from kkdash import views
from kkdash.app import frame, linkcheck, signin, tables

frame.ensure_framed()

campaign = frame.page_campaign("ติดตามหน่วยงาน")
outcome = campaign.outcome
personal = signin.can_see_contacts(campaign.dataset)
agencies = linkcheck.agencies_with_links(outcome)
filters = tables.agency_filters(agencies, key="followup")
chosen = views.by_follow_up_priority(views.apply_filters(agencies, filters))
count_col, check_col = st.columns([3, 1])
count_col.markdown(f"**{len(chosen):,}** จาก {len(agencies):,} หน่วยงาน")
with check_col:
    linkcheck.link_check_button(agencies, key="followup_check_links")

if chosen.empty:
    st.info("ไม่มีหน่วยงานตามเงื่อนไขที่เลือก — ลองเอาตัวกรองบางตัวออก", icon=":material/filter_alt_off:")
    st.stop()

selection = st.dataframe(
    views.followup_table(chosen, include_personal=personal),
    column_config=tables.followup_columns(include_personal=personal),
    column_order=tables.followup_order(include_personal=personal),
    hide_index=True, width="stretch", height=min(640, 38 + 35 * max(len(chosen), 1)),
    on_select="rerun", selection_mode="single-row", key="followup_table",
)
tables.agency_downloads(campaign, chosen, filters=filters, include_personal=personal)

picked = selection.selection.rows if selection else []
if picked:
    tables.agency_history(outcome, chosen.iloc[picked[0]], include_personal=personal)
else:
    st.caption("คลิกช่องหน้าแถวเพื่อดูประวัติการส่งของหน่วยงานนั้น")
