"""คุณภาพข้อมูล: rejected rows, warnings and superseded rows — proof that nothing was lost."""

import streamlit as st

from kkdash import ui, views

ui.ensure_framed()

outcome = ui.page_campaign("คุณภาพข้อมูล").outcome
st.markdown(f"### {views.row_arithmetic(outcome)}")
st.caption(f"แถวว่าง {outcome.blank_rows:,} แถวไม่นับ · แถวที่ส่งหลังเวลาที่เลือกดูไม่นับ")

ui.row_section("แถวที่ถูกปฏิเสธ", "แก้ที่ต้นทางแล้วระบบจะนับให้เอง", views.rejected_rows(outcome),
               key="quality_rejected", empty="ไม่มีแถวที่ถูกปฏิเสธ", full_text=True)
ui.row_section("คำเตือน", "แถวเหล่านี้ยังนับ", views.warning_rows(outcome),
               key="quality_warnings", empty="ไม่มีคำเตือน", full_text=True)
ui.row_section("แถวที่ถูกแทนที่ด้วยรายงานฉบับใหม่", "ใช้ตัวเลขจากรายงานล่าสุดแทน", views.superseded_rows(outcome),
               key="quality_superseded", empty="ไม่มีหน่วยงานที่ส่งรายงานซ้ำ")
