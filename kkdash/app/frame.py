"""The frame around every page: page config and CSS, the shared sidebar, and a page's title and banners."""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import streamlit as st

from kkdash.app import data, signin, state
from kkdash.dates import BANGKOK, format_thai_date
from kkdash.intake import UNUSABLE, Dataset
from kkdash.text import literal

EQUAL_CARDS_CSS = """
/* Cards in a row share the tallest one's height (a Thai vowel above a value makes its line taller). */
[data-testid="stColumn"] [data-testid="stElementContainer"]:has(> [data-testid="stMetric"]) { flex: 1 1 auto; }
[data-testid="stMetric"] { height: 100%; }
"""
WRAP_CARD_TEXT_CSS = """
/* Labels and detail lines wrap rather than end in "…": the detail says what a figure is of. */
[data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricLabel"] > div, [data-testid="stMetricDelta"] { height: auto !important; }
"""
PHONE_CSS = """
/* A phone (390 px): the first four figures as a compact 2×2 block, the district chart right after them,
   the other figures after that; on the follow-up page a card per agency, on the quality page a card per
   row, instead of the wide tables. */
@media (max-width: 640px) {
  h1 { font-size: 2rem !important; }
  h2 { font-size: 1.5rem !important; }
  h3 { font-size: 1.25rem !important; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-wrap: wrap !important; gap: 0.5rem; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    min-width: calc(50% - 0.25rem) !important; max-width: calc(50% - 0.25rem);
    flex: 1 1 calc(50% - 0.25rem) !important; }
  [data-testid="stMetric"] { padding: 0.1rem 0.1rem !important; }
  [data-testid="stMetric"] > div { padding: 0.3rem 0.5rem !important; }
  [data-testid="stMetricValue"] { font-size: 1.5rem !important; }
  [data-testid="stMetricValue"] > div { line-height: 1.3; }
  [data-testid="stMetricLabel"] p { font-size: 0.85rem; }
  [data-testid="stMetricDelta"] { font-size: 0.75rem; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-overview_more) { order: 1; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-overview_details) { order: 2; }
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-kk_wide_"]) { display: none; }
}
@media (min-width: 641px) {
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-kk_cards_"]) { display: none; }
}
"""
WALL_CSS = """
<style>
/* The wall fits its screen: a rem is a sixtieth of the screen's height (18 px at 1080p), or of a 16:9
   width when the screen is narrower than that, and the wall is sized in rem, so a 1280×720 TV shows
   what a 1920×1080 one does, two thirds the size, and a 3840×2160 one twice the size. */
html { font-size: min(calc(100vh / 60), calc(100vw / 106.667)) !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
.block-container { padding: 0.5rem 1.2rem 0 1.2rem !important; max-width: 100% !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
.kk-wall-title { display: flex; align-items: baseline; gap: 1.2rem; white-space: nowrap; overflow: hidden; }
.kk-wall-title b { font-size: 1.8rem; line-height: 1.35; }
.kk-wall-title span { font-size: 1.05rem; color: #555; }
[data-testid="stMetric"] { padding: 0.2rem 0.2rem !important; }
[data-testid="stMetric"] > div { padding: 0.3rem 0.5rem !important; }
[data-testid="stMetricValue"] { font-size: 2.3rem; }
[data-testid="stMetricValue"] > div { line-height: 1.35; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
[data-testid="stMetricDelta"] { font-size: 0.85rem; }
/* The charts' boxes: the rest of the screen's height (their SVG scales to it). */
.kk-bars svg { display: block; width: 100%; height: 43rem; }
.kk-map svg { display: block; width: 100%; height: auto; max-height: 43rem; }
.kk-svg { margin-bottom: 1rem; }  /* Streamlit pulls a Markdown block 1rem up into what follows */
[data-testid="stCaptionContainer"] p { font-size: 0.9rem; margin-bottom: 0; }
""" + EQUAL_CARDS_CSS + WRAP_CARD_TEXT_CSS + """</style>
"""
BASE_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 1.9rem; }
.block-container { padding-top: 2.5rem; }
.kk-map svg { display: block; width: 100%; height: auto; }
.kk-svg { margin-bottom: 1rem; }  /* Streamlit pulls a Markdown block 1rem up into what follows */
.kk-cards { display: flex; flex-direction: column; gap: 0.5rem; }
.kk-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.5rem 0.75rem;
           overflow-wrap: anywhere; }  /* a typed link with no space still wraps inside a phone's card */
.kk-card-name { font-weight: 600; }
.kk-card-status { font-size: 0.9rem; color: #444; }
.kk-card-call a { font-weight: 600; white-space: nowrap; }
""" + EQUAL_CARDS_CSS + WRAP_CARD_TEXT_CSS + PHONE_CSS + """</style>
"""
REFUSED_REFRESH_KEY = "sidebar_refresh_refused"
ENTRYPOINT = Path(__file__).resolve().parents[2] / "app.py"
_router = threading.local()  # each session's script runs in its own thread


@contextmanager
def wide(key: str) -> Iterator[None]:
    """What a desktop shows of a list (a wide table); hidden on a phone, which gets phone_cards(key, …) instead."""
    with st.container(key=f"kk_wide_{key}"):
        yield


def phone_cards(key: str, html: str, *, caption: str = "") -> None:
    """Cards a phone shows in place of what wide(key) holds (PHONE_CSS hides them above 640 px)."""
    with st.container(key=f"kk_cards_{key}"):
        st.html(html)
        if caption:
            st.caption(caption)


def ensure_framed() -> None:
    """Run the router first when a page was started without it.

    Streamlit treats a `pages/` folder beside the entry point as a legacy multipage app until
    `st.navigation` has run in the process, so a deep link to `/followup` on a fresh server
    (or a rerun under AppTest) would run the page alone — no sidebar, no page config.
    Running app.py here frames it as usual.
    """
    if getattr(_router, "active", False):
        return
    runpy.run_path(str(ENTRYPOINT), run_name="__main__")
    st.stop()


@contextmanager
def routed() -> Iterator[None]:
    """app.py runs the chosen page inside this, so the page knows its frame is in place."""
    _router.active = True
    try:
        yield
    finally:
        _router.active = False


def stop_on_unreadable_secrets() -> None:
    """An unreadable secrets.toml stops the app, naming the file and the line: never the demo, never sign-in off."""
    problem = data.secrets_problem()
    if problem is None:
        return
    st.title(signin.APP_TITLE)
    st.error(f"เปิดแอปไม่ได้: {literal(problem, limit=600)}", icon=":material/error:")
    st.stop()


def is_wall() -> bool:
    """`?view=wall`: the self-refreshing wall-screen overview."""
    return st.query_params.get("view") == "wall"


def sidebar(dataset: Dataset) -> None:
    """Data source and freshness, the refresh button, the deadline, the as-of control and sign-in."""
    with st.sidebar:
        st.markdown("### แหล่งข้อมูล")
        if dataset.is_demo:
            st.info("ข้อมูลตัวอย่าง — ยังไม่ได้เชื่อม Google Sheet (ดูวิธีตั้งค่าใน README)", icon="🧪")
        elif dataset.mode == UNUSABLE:
            st.error("การตั้งค่าหรือทะเบียนหน่วยงานใช้ไม่ได้ — ดูรายละเอียดที่หน้าหลัก", icon="⚠️")
        else:
            st.markdown(literal(dataset.label))
            if dataset.fetched_at:
                rows = f" · {len(dataset.sheet.cells):,} แถวคำตอบ" if dataset.sheet is not None else ""
                st.markdown(f"ข้อมูล ณ {dataset.fetched_at.astimezone(BANGKOK):%H:%M} น."
                            f" ({format_thai_date(dataset.fetched_at)}){rows}")
            if dataset.mode in ("service_account", "published_csv"):
                # A callback runs before the script: the read it starts is already under way below.
                st.button("ดึงข้อมูลล่าสุด", icon=":material/refresh:", key="sidebar_refresh", width="stretch",
                          on_click=_refresh)
                if st.session_state.pop(REFUSED_REFRESH_KEY, False):
                    st.toast("เพิ่งดึงข้อมูลไปเมื่อไม่กี่วินาทีก่อน กรุณารอสักครู่")
                if dataset.reading or data.reading_now():
                    _reading_watch()
        st.markdown(f"**กำหนดส่ง:** {format_thai_date(state.deadline(dataset))}")
        state.as_of_controls(dataset)
    signin.sign_in_panel(dataset)


def _refresh() -> None:
    """The refresh button: read the sheet now (or remember to say it was read a moment ago)."""
    if not data.refresh_now():
        st.session_state[REFUSED_REFRESH_KEY] = True


def page_campaign(title: str) -> state.Campaign:
    """A page's title and source banner; the campaign to show (with figures), or a message and a stop."""
    st.title(title)
    campaign = state.load_campaign()
    # The moment shown, under the title: the sidebar that says it is folded away on a phone.
    st.caption(subtitle(campaign))
    source_banner(campaign.dataset)
    if campaign.outcome is None:
        no_data_message(campaign)
        st.stop()
    return campaign


def subtitle(campaign: state.Campaign) -> str:
    """`จังหวัดคุณธรรม ขอนแก่น · สถานะ ณ 5 ก.ค. 2566 16:00 น.` for under a page title."""
    text = "จังหวัดคุณธรรม ขอนแก่น"
    if campaign.outcome is not None:
        text += f" · สถานะ ณ {format_thai_date(campaign.outcome.as_of, with_time=True)}"
    return text


@st.fragment(run_every=1.0)
def _reading_watch() -> None:
    """While a background read is under way: say so, look again every second, and rerun the page when it ends."""
    if not data.reading_now():
        st.rerun()
    with st.container(key="sidebar_reading"):  # the browser tests wait for this line to go
        st.caption("⏳ กำลังดึงข้อมูลล่าสุดจาก Google Sheet… หน้านี้จะแสดงข้อมูลใหม่เองเมื่อดึงเสร็จ")


def source_banner(dataset: Dataset, *, demo_note: bool = True) -> None:
    """Say plainly when data is demo (unless ``demo_note`` is off), stale, held back or unusable; never a traceback."""
    if dataset.is_demo and demo_note:
        st.caption("🧪 ข้อมูลตัวอย่าง: ชื่อบุคคลและเบอร์โทรศัพท์ทั้งหมดเป็นข้อมูลสมมติ")
    if dataset.note:
        st.info(literal(dataset.note, limit=600), icon=":material/info:")
    if dataset.problem and dataset.sheet is not None:
        st.error(f"การอ่านชีตล่าสุดใช้ไม่ได้: {literal(dataset.problem, limit=600)}"
                 f" — กำลังแสดงข้อมูลล่าสุดที่ใช้ได้ {age_text(dataset.fetched_at)}", icon="⚠️")
    elif dataset.problem:
        st.error(f"ข้อมูลจากแหล่งข้อมูลใช้ไม่ได้: {literal(dataset.problem, limit=600)}", icon="⚠️")
    if dataset.held:
        held_banner(dataset)
    if dataset.error:
        age = age_text(dataset.fetched_at)
        shown = f"กำลังแสดงข้อมูลล่าสุดที่ดึงได้ {age}" if dataset.fetched_at else "ยังไม่มีข้อมูลที่ดึงได้"
        st.warning(f"ดึงข้อมูลจาก Google Sheet ไม่สำเร็จ: {literal(dataset.error, limit=600)} — {shown}", icon="⚠️")


def held_banner(dataset: Dataset) -> None:
    """A read that lost most answers: what changed, and for HR the button that accepts it for every viewer."""
    st.warning(dataset.held, icon=":material/report:")  # kkdash's own sentence: counts and times, nothing typed
    if is_wall():
        return
    if signin.can_see_contacts(dataset):
        st.button("ยืนยันว่าข้อมูลใหม่ถูกต้อง ใช้แทนชุดเดิม", icon=":material/check:", key="source_confirm_held",
                  on_click=_confirm_held, args=(dataset.held_at,))
    else:
        st.caption("ฝ่ายบุคคลยืนยันหรือแก้ชีตได้: เมื่อเข้าสู่ระบบในบทบาทฝ่ายบุคคล จะมีปุ่มยืนยันที่นี่")


def _confirm_held(fetched_at: datetime) -> None:
    if not data.confirm_held(fetched_at):
        st.toast("ข้อมูลชุดนี้เปลี่ยนไปแล้ว (มีการอ่านชีตใหม่หรือมีผู้ยืนยันไปก่อน) — ดูข้อความล่าสุดบนหน้า")


def age_text(moment: datetime | None) -> str:
    """How long ago ``moment`` was, in Thai, with the moment itself."""
    if moment is None:
        return ""
    minutes = int((datetime.now(BANGKOK) - moment).total_seconds() // 60)
    when = f"(ณ {format_thai_date(moment, with_time=True)})"
    if minutes < 1:
        return f"เมื่อไม่ถึงนาทีที่แล้ว {when}"
    if minutes < 120:
        return f"เมื่อ {minutes:,} นาทีที่แล้ว {when}"
    return f"เมื่อ {minutes // 60:,} ชั่วโมงที่แล้ว {when}"


def no_data_message(campaign: state.Campaign) -> None:
    """The page cannot show figures: say why and what to do."""
    if campaign.dataset.problem:
        return  # source_banner already said why
    st.info("ยังไม่มีข้อมูลให้แสดง: ดึงข้อมูลจาก Google Sheet ไม่สำเร็จและยังไม่เคยมีข้อมูลที่ดึงได้", icon="ℹ️")
