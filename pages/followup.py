"""ติดตามหน่วยงาน: which agencies to call today, whom to call, and what was done — for the HR group."""

import streamlit as st

from kkdash import views
from kkdash.app import agencycards, chaselog, frame, linkcheck, panel, reminders, signin, tables

frame.ensure_framed()

campaign = frame.page_campaign("ติดตามหน่วยงาน")
outcome = campaign.outcome
decision = signin.access_decision(campaign.dataset)
personal = decision.contacts
agencies = linkcheck.agencies_with_links(campaign)
log_summary, chased, log_problem = chaselog.summary(outcome.deadline, outcome.as_of)
if personal:
    agencies = views.with_chase(agencies, log_summary, today=outcome.as_of.date())
    if log_problem:
        st.warning(f"บันทึกการติดตามใช้ไม่ได้ชั่วคราว: {log_problem}", icon=":material/database:")
filters = tables.agency_filters(agencies, key="followup", chase=personal)
chosen = views.follow_up_list(agencies, filters)
count_col, check_col = st.columns([3, 1])
count_col.markdown(f"**{len(chosen):,}** จาก {len(agencies):,} หน่วยงาน · "
                   + views.chase_sentence(*views.chase_progress(agencies, chased)))
with check_col:
    linkcheck.link_check_button(agencies, key="followup_check_links")
linkcheck.found_message()

if chosen.empty:
    st.info("ไม่มีหน่วยงานตามเงื่อนไขที่เลือก — ลองเอาตัวกรองบางตัวออก", icon=":material/filter_alt_off:")
    st.stop()

shown = views.followup_table(chosen, include_personal=personal)
with frame.wide("followup"):  # a phone gets the cards below instead
    selection = st.dataframe(
        shown,
        column_config=tables.followup_columns(include_personal=personal),
        column_order=tables.followup_order(include_personal=personal),
        hide_index=True, width="stretch", height=min(640, 38 + 35 * max(len(chosen), 1)),
        on_select="rerun", selection_mode="single-row", key="followup_table",
    )
agencycards.agency_cards(shown, include_personal=personal)
tables.agency_downloads(campaign, chosen, filters=filters, include_personal=personal)
if personal and st.toggle(f"เขียนข้อความเตือนหน่วยงานในรายการนี้ ({len(chosen):,} หน่วยงาน)", key="reminder_open"):
    reminders.reminder_panel(campaign, chosen, who=signin.author(decision))

agency = tables.picked_agency(chosen, selection)
if agency is not None:
    with st.container(key="followup_panel", border=True):
        panel.agency_panel(campaign, agency, personal=personal, who=signin.author(decision),
                           known=frozenset(agencies["agency_id"]))
else:
    st.caption("คลิกช่องหน้าแถวเพื่อดูผู้ที่ต้องติดต่อ ประวัติการส่ง และบันทึกการติดตามของหน่วยงานนั้น")
