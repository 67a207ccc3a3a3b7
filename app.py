"""kkdash: the router and frame — page config, the shared sidebar, and the pages."""

import streamlit as st

from kkdash import ui

st.set_page_config(page_title="ติดตามการประกาศเจตนารมณ์ จังหวัดคุณธรรม ขอนแก่น", page_icon="🏛️",
                   layout="wide", initial_sidebar_state="collapsed" if ui.is_wall() else "auto")

pages = [
    st.Page("pages/overview.py", title="ภาพรวม", icon=":material/dashboard:", default=True, url_path="overview"),
    st.Page("pages/followup.py", title="ติดตามหน่วยงาน", icon=":material/call:", url_path="followup"),
    st.Page("pages/quality.py", title="คุณภาพข้อมูล", icon=":material/fact_check:", url_path="quality"),
]
page = st.navigation(pages, position="hidden" if ui.is_wall() else "sidebar")
st.html(ui.WALL_CSS if ui.is_wall() else ui.BASE_CSS)
dataset = ui.load_campaign().dataset
if ui.is_wall():
    ui.wall_gate(dataset)
else:
    ui.sidebar(dataset)
with ui.routed():
    page.run()
