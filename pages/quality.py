"""คุณภาพข้อมูล: rejected rows, warnings and superseded rows — proof that nothing was lost."""

import streamlit as st

from kkdash import views
from kkdash.app import figures, frame, signin, tables
from kkdash.registry import registry_warnings

frame.ensure_framed()

campaign = frame.page_campaign("คุณภาพข้อมูล")
outcome = campaign.outcome
# Typed text quoted below may hold a phone or a name typed into the wrong box: only HR sees it as typed.
personal = signin.can_see_contacts(campaign.dataset)
st.markdown(f"### {views.row_arithmetic(outcome.counts)}")
st.caption(f"แถวว่าง {outcome.blank_rows:,} แถวไม่นับ · แถวที่ส่งหลังเวลาที่เลือกดูไม่นับ")

tables.row_section("แถวที่ถูกปฏิเสธ", "แก้ที่ต้นทางแล้วระบบจะนับให้เอง",
                   figures.row_list(campaign, views.rejected_rows, include_personal=personal),
                   key="quality_rejected", empty="ไม่มีแถวที่ถูกปฏิเสธ", full_text=True, campaign=campaign,
                   personal=personal)
tables.row_section("คำเตือน", "แถวเหล่านี้ยังนับ", figures.row_list(campaign, views.warning_rows, include_personal=personal),
                   key="quality_warnings", empty="ไม่มีคำเตือน", full_text=True, campaign=campaign,
                   personal=personal)
tables.row_section("แถวที่ถูกแทนที่ด้วยรายงานฉบับใหม่", "ใช้ตัวเลขจากรายงานล่าสุดแทน",
                   figures.row_list(campaign, views.superseded_rows, include_personal=personal),
                   key="quality_superseded", empty="ไม่มีหน่วยงานที่ส่งรายงานซ้ำ", campaign=campaign,
                   personal=personal)
if personal:  # the quotes are coordinators' phones and addresses
    tables.row_section("ข้อมูลติดต่อในทะเบียนที่อ่านไม่ได้", "แก้ที่ทะเบียนหน่วยงาน",
                       registry_warnings(campaign.dataset.registry), key="quality_registry",
                       empty="ข้อมูลติดต่อในทะเบียนอ่านได้ทุกหน่วยงาน", full_text=True, campaign=campaign,
                       personal=personal)
