"""คุณภาพข้อมูล: rejected rows, warnings and superseded rows — proof that nothing was lost."""

import streamlit as st

from kkdash import export, ui, views

ui.ensure_framed()

st.title("คุณภาพข้อมูล")
campaign = ui.load_campaign()
ui.source_banner(campaign.dataset)
if campaign.outcome is None:
    ui.no_data_message(campaign)
    st.stop()

outcome = campaign.outcome
counts = outcome.counts
st.markdown(f"### {views.row_arithmetic(outcome)}")
if outcome.blank_rows:
    st.caption(f"แถวว่าง {outcome.blank_rows:,} แถวไม่นับ · แถวที่ส่งหลังเวลาที่เลือกดูไม่นับ")

rejected = views.rejected_rows(outcome)
st.subheader(f"แถวที่ถูกปฏิเสธ ({len(rejected):,}) — แก้ที่ต้นทางแล้วระบบจะนับให้เอง")
if rejected.empty:
    st.success("ไม่มีแถวที่ถูกปฏิเสธ")
else:
    ui.full_text_table(rejected, key="quality_rejected")
    st.download_button("⬇️ ดาวน์โหลดแถวที่ถูกปฏิเสธ (CSV)", export.csv_bytes(rejected),
                       file_name="kkdash-rejected.csv", mime="text/csv", key="quality_rejected_csv")

warnings = views.warning_rows(outcome)
st.subheader(f"คำเตือน ({len(warnings):,}) — แถวเหล่านี้ยังนับ")
if warnings.empty:
    st.success("ไม่มีคำเตือน")
else:
    st.dataframe(warnings, column_config=ui.QUALITY_COLUMNS, hide_index=True, width="stretch", key="quality_warnings")
    st.download_button("⬇️ ดาวน์โหลดคำเตือน (CSV)", export.csv_bytes(warnings),
                       file_name="kkdash-warnings.csv", mime="text/csv", key="quality_warnings_csv")

superseded = views.superseded_rows(outcome)
st.subheader(f"แถวที่ถูกแทนที่ด้วยรายงานฉบับใหม่ ({len(superseded):,})")
if superseded.empty:
    st.info("ไม่มีหน่วยงานที่ส่งรายงานซ้ำ")
else:
    st.dataframe(superseded, column_config=ui.QUALITY_COLUMNS, hide_index=True, width="stretch",
                 key="quality_superseded")
    st.download_button("⬇️ ดาวน์โหลดแถวที่ถูกแทนที่ (CSV)", export.csv_bytes(superseded),
                       file_name="kkdash-superseded.csv", mime="text/csv", key="quality_superseded_csv")
