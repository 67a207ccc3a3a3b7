"""ติดตามหน่วยงาน: which agencies to call today, with their contacts — for the HR group."""

import streamlit as st

from kkdash import data, export, ui, views

ui.ensure_framed()

campaign = ui.page_campaign("ติดตามหน่วยงาน")
outcome = campaign.outcome
personal = ui.can_see_contacts(campaign.dataset)
agencies = views.with_link_status(outcome.agencies, ui.link_results(outcome.agencies))
filters = ui.agency_filters(agencies, key="followup")
chosen = views.by_follow_up_priority(views.apply_filters(agencies, filters))
count_col, check_col = st.columns([3, 1])
count_col.markdown(f"**{len(chosen):,}** จาก {len(agencies):,} หน่วยงาน")
with check_col:
    ui.link_check_button(agencies, key="followup_check_links")

if chosen.empty:
    st.info("ไม่มีหน่วยงานตามเงื่อนไขที่เลือก — ลองเอาตัวกรองบางตัวออก", icon=":material/filter_alt_off:")
    st.stop()

selection = st.dataframe(
    views.followup_table(chosen, include_personal=personal),
    column_config=ui.followup_columns(include_personal=personal),
    column_order=ui.followup_order(include_personal=personal),
    hide_index=True, width="stretch", height=min(640, 38 + 35 * max(len(chosen), 1)),
    on_select="rerun", selection_mode="single-row", key="followup_table",
)

table = export.agency_export(chosen, include_personal=personal)
content = (campaign.dataset.version, outcome.as_of, outcome.deadline, tuple(filters.to_params().items()), personal,
           ui.link_results_version())
left, right, _ = st.columns([1, 1, 3])
left.download_button("ดาวน์โหลด CSV", data.export_bytes("csv", table, key=content), file_name="kkdash-agencies.csv",
                     icon=":material/download:", mime="text/csv", key="followup_csv", width="stretch")
right.download_button("ดาวน์โหลด Excel", data.export_bytes("xlsx", table, key=content),
                      file_name="kkdash-agencies.xlsx",
                      icon=":material/download:",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key="followup_xlsx", width="stretch")

picked = selection.selection.rows if selection else []
if picked:
    agency = chosen.iloc[picked[0]]
    st.subheader(f"ประวัติการส่งของ {ui.literal(agency['name_th'])}")
    history = views.submission_history(outcome, agency["agency_id"])
    if history.empty:
        st.info("หน่วยงานนี้ยังไม่มีแถวในแผ่นงานคำตอบ")
    else:
        st.dataframe(history, column_config=ui.HISTORY_COLUMNS, hide_index=True, width="stretch",
                     key="followup_history")
else:
    st.caption("คลิกช่องหน้าแถวเพื่อดูประวัติการส่งของหน่วยงานนั้น")
