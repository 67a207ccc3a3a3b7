"""kkdash: the router and frame — page config, the shared sidebar, and the pages."""

import streamlit as st

from kkdash.app import frame, signin, state

wall = frame.is_wall()
st.set_page_config(page_title="ติดตามการประกาศเจตนารมณ์ จังหวัดคุณธรรม ขอนแก่น", page_icon="🏛️",
                   layout="wide", initial_sidebar_state="collapsed" if wall else "auto")

pages = [
    st.Page("pages/overview.py", title="ภาพรวม", icon=":material/dashboard:", default=True, url_path="overview"),
    st.Page("pages/followup.py", title="ติดตามหน่วยงาน", icon=":material/call:", url_path="followup"),
    st.Page("pages/quality.py", title="คุณภาพข้อมูล", icon=":material/fact_check:", url_path="quality"),
]
page = st.navigation(pages, position="hidden" if wall else "sidebar")
st.html(frame.WALL_CSS if wall else frame.BASE_CSS)
frame.stop_on_unreadable_secrets()
dataset = state.load_campaign().dataset
if wall:
    signin.wall_gate(dataset)
else:
    frame.sidebar(dataset)
with frame.routed():
    page.run()
