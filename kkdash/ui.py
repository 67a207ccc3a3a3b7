"""Streamlit widgets shared by the pages: the sidebar, source banners, KPI cards, table columns."""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from kkdash import access, data, export, links, views
from kkdash.demo import DEMO_AS_OF
from kkdash.errors import InputError
from kkdash.inputs import link_cache_path
from kkdash.metrics import DEFAULT_DEADLINE
from kkdash.parsing import BANGKOK, format_thai_date, parse_datetime
from kkdash.pipeline import Outcome
from kkdash.registry import KINDS_TH, PROVINCE_GROUP_TH
from kkdash.settings import SettingsError

EQUAL_CARDS_CSS = """
/* Cards in a row share the tallest one's height (a Thai vowel above a value makes its line taller). */
[data-testid="stColumn"] [data-testid="stElementContainer"]:has(> [data-testid="stMetric"]) { flex: 1 1 auto; }
[data-testid="stMetric"] { height: 100%; }
"""
WALL_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.5rem; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem; }
[data-testid="stMetricDelta"] { font-size: 1.05rem; }
h1 { font-size: 2.2rem !important; padding: 0.4rem 0 0 0 !important; line-height: 1.5 !important; }
.block-container { padding-top: 0.5rem !important; padding-bottom: 0; max-width: 100%; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
/* Labels and detail lines wrap rather than end in "…": on a wall nobody can hover to read the rest. */
[data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricLabel"] > div, [data-testid="stMetricDelta"] { height: auto !important; }
/* Below 1700 px (many meeting-room TVs are 1366 wide) eight cards in a row would cut "86/154":
   the row wraps into two rows of four instead. */
@media (max-width: 1700px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
    min-width: calc(25% - 1rem); }
}
""" + EQUAL_CARDS_CSS + """</style>
"""
BASE_CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 1.9rem; }
.block-container { padding-top: 2.5rem; }
""" + EQUAL_CARDS_CSS + """</style>
"""


ENTRYPOINT = Path(__file__).resolve().parent.parent / "app.py"
_router = threading.local()  # each session's script runs in its own thread


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


@dataclass(frozen=True)
class Campaign:
    """What a page shows: the dataset in use and the campaign computed as of the chosen time."""

    dataset: data.Dataset
    outcome: Outcome | None


def is_wall() -> bool:
    """`?view=wall`: the self-refreshing wall-screen overview."""
    return st.query_params.get("view") == "wall"


def deadline() -> date:
    """The deadline from the settings, or the letter's 7 July 2566."""
    try:
        configured = data.app_settings().deadline
    except SettingsError:  # shown by the data layer's banner; the letter's date still stands
        configured = None
    return configured or DEFAULT_DEADLINE


def as_of_now() -> datetime:
    """This minute, in Bangkok."""
    return datetime.now(BANGKOK).replace(second=0, microsecond=0)


AS_OF_PARAM = "as_of"


def _seed_as_of(dataset: data.Dataset) -> None:
    """Start the as-of control from the link (`?as_of=2023-07-07T17:00`), else now (demo: mid-campaign)."""
    linked = parse_datetime(st.query_params.get(AS_OF_PARAM, ""))
    start = linked or (DEMO_AS_OF if dataset.is_demo else None)
    moment = (start or as_of_now()).astimezone(BANGKOK)
    st.session_state.setdefault("sidebar_live", start is None)
    st.session_state.setdefault("sidebar_as_of_date", moment.date())
    st.session_state.setdefault("sidebar_as_of_time", time(moment.hour, moment.minute))


def chosen_as_of(dataset: data.Dataset) -> datetime:
    """The as-of moment selected in the sidebar or the link: now, or a chosen date and time."""
    _seed_as_of(dataset)
    if st.session_state["sidebar_live"]:
        return as_of_now()
    day, moment = st.session_state["sidebar_as_of_date"], st.session_state["sidebar_as_of_time"]
    return datetime.combine(day, moment, tzinfo=BANGKOK)


def sidebar(dataset: data.Dataset) -> None:
    """Data source and freshness, the refresh button, the deadline and the as-of control."""
    with st.sidebar:
        st.markdown("### แหล่งข้อมูล")
        if dataset.is_demo:
            st.info("ข้อมูลตัวอย่าง — ยังไม่ได้เชื่อม Google Sheet (ดูวิธีตั้งค่าใน README)", icon="🧪")
        elif dataset.mode == "unusable":
            st.error("การตั้งค่าหรือทะเบียนหน่วยงานใช้ไม่ได้ — ดูรายละเอียดที่หน้าหลัก", icon="⚠️")
        else:
            st.markdown("Google Sheet (ลิงก์เผยแพร่)" if dataset.mode == "published_csv" else "Google Sheet")
            if dataset.fetched_at:
                st.markdown(f"ข้อมูล ณ {dataset.fetched_at.astimezone(BANGKOK):%H:%M} น."
                            f" ({format_thai_date(dataset.fetched_at)})")
            refresh = st.button("ดึงข้อมูลล่าสุด", icon=":material/refresh:", key="sidebar_refresh", width="stretch")
            if refresh and not data.refresh_now():
                st.toast("เพิ่งดึงข้อมูลไปเมื่อไม่กี่วินาทีก่อน กรุณารอสักครู่")
        st.markdown(f"**กำหนดส่ง:** {format_thai_date(deadline())}")
        _as_of_controls(dataset)
    sign_in_panel(dataset)


def _as_of_controls(dataset: data.Dataset) -> None:
    st.markdown("### ดูสถานะ ณ เวลา")
    _seed_as_of(dataset)
    st.toggle("ตอนนี้", key="sidebar_live",
              help="ปิดเพื่อเลือกดูสถานะย้อนหลัง ณ วันและเวลาใดก็ได้ รวมถึงวันครบกำหนด")
    if not st.session_state["sidebar_live"]:
        st.date_input("วันที่", key="sidebar_as_of_date", format="DD/MM/YYYY")
        st.time_input("เวลา", key="sidebar_as_of_time", step=1800)
        st.button("ดู ณ เวลาครบกำหนด", icon=":material/event:", key="sidebar_at_deadline", on_click=_go_to_deadline,
                  help="สถานะเมื่อสิ้นวันกำหนดส่ง (23:59 น.) — ใครส่งหลังจากนี้นับว่าล่าช้า")
    moment = chosen_as_of(dataset)
    _write_as_of_param(None if st.session_state["sidebar_live"] else moment)
    st.caption(f"แสดงสถานะ ณ {format_thai_date(moment, with_time=True)}")


def _go_to_deadline() -> None:
    """The moment that decides on time or late: the last minute of the deadline day."""
    st.session_state["sidebar_as_of_date"] = deadline()
    st.session_state["sidebar_as_of_time"] = time(23, 59)


def _write_as_of_param(moment: datetime | None) -> None:
    """Keep a chosen moment in the URL, so a shared link shows the campaign at the same time."""
    if moment is None:
        if AS_OF_PARAM in st.query_params:
            del st.query_params[AS_OF_PARAM]
        return
    text = moment.strftime("%Y-%m-%dT%H:%M")
    if st.query_params.get(AS_OF_PARAM) != text:
        st.query_params[AS_OF_PARAM] = text


def source_banner(dataset: data.Dataset) -> None:
    """Say plainly when data is demo, stale, or unusable; never a traceback."""
    if dataset.is_demo:
        st.caption("🧪 ข้อมูลตัวอย่าง: ชื่อบุคคลและเบอร์โทรศัพท์ทั้งหมดเป็นข้อมูลสมมติ")
    if dataset.problem:
        st.error(f"ข้อมูลจากแหล่งข้อมูลใช้ไม่ได้: {literal(dataset.problem, limit=600)}", icon="⚠️")
    if dataset.error:
        age = _age_text(dataset.fetched_at)
        shown = f"กำลังแสดงข้อมูลล่าสุดที่ดึงได้ {age}" if dataset.fetched_at else "ยังไม่มีข้อมูลที่ดึงได้"
        st.warning(f"ดึงข้อมูลจาก Google Sheet ไม่สำเร็จ: {literal(dataset.error, limit=600)} — {shown}", icon="⚠️")


def _age_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    minutes = int((datetime.now(BANGKOK) - moment).total_seconds() // 60)
    when = f"(ณ {format_thai_date(moment, with_time=True)})"
    if minutes < 1:
        return f"เมื่อไม่ถึงนาทีที่แล้ว {when}"
    if minutes < 120:
        return f"เมื่อ {minutes:,} นาทีที่แล้ว {when}"
    return f"เมื่อ {minutes // 60:,} ชั่วโมงที่แล้ว {when}"


def load_campaign() -> Campaign:
    """The dataset and the campaign as of the sidebar's moment (cached; cheap on every rerun)."""
    dataset = data.current_dataset()
    if dataset.sheet is None:
        return Campaign(dataset, None)
    try:
        outcome = data.compute_outcome(dataset, as_of=chosen_as_of(dataset), deadline=deadline())
    except InputError as exc:
        return Campaign(data.Dataset(**{**dataset.__dict__, "problem": str(exc)}), None)
    return Campaign(dataset, outcome)


def subtitle(campaign: Campaign) -> str:
    """`จังหวัดขอนแก่น · สถานะ ณ 5 ก.ค. 2566 16:00 น.` for under a page title."""
    text = "จังหวัดคุณธรรม ขอนแก่น"
    if campaign.outcome is not None:
        text += f" · สถานะ ณ {format_thai_date(campaign.outcome.as_of, with_time=True)}"
    return text


def kpi_cards(kpis: list[views.Kpi], *, per_row: int = 4) -> None:
    """KPI cards in rows of ``per_row``."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row], strict=False):
            column.metric(kpi.label, kpi.value, kpi.detail or None, delta_color="off", delta_arrow="off",
                          border=True)


def progress_note(outcome: Outcome) -> None:
    """A plain sentence for the two states where the numbers alone would puzzle someone."""
    if outcome.counts["rows_total"] == 0 and not len(outcome.notes):
        st.info("ยังไม่มีหน่วยงานใดส่งแบบรายงาน ณ เวลาที่เลือก — ตัวเลขจะขึ้นเมื่อมีคำตอบในแผ่นงาน", icon="ℹ️")
    elif outcome.province["agencies_missing"] == 0:
        st.success("ทุกหน่วยงานในทะเบียนส่งแบบรายงานแล้ว", icon="✅")


def page_campaign(title: str) -> Campaign:
    """A page's title and source banner; the campaign to show (with figures), or a message and a stop."""
    st.title(title)
    campaign = load_campaign()
    # The moment shown, under the title: the sidebar that says it is folded away on a phone.
    st.caption(subtitle(campaign))
    source_banner(campaign.dataset)
    if campaign.outcome is None:
        no_data_message(campaign)
        st.stop()
    return campaign


def row_section(title: str, note: str, frame: pd.DataFrame, *, key: str, empty: str,
                full_text: bool = False) -> None:
    """A heading with the row count, the rows (or a line saying there are none), and their CSV."""
    st.subheader(f"{title} ({len(frame):,}) — {note}")
    if frame.empty:
        st.success(empty)
        return
    if full_text:
        full_text_table(frame, key=key)
    else:
        st.dataframe(frame, column_config=QUALITY_COLUMNS, hide_index=True, width="stretch", key=key)
    st.download_button(f"ดาวน์โหลด{title} (CSV)", export.csv_bytes(frame), icon=":material/download:",
                       file_name=f"kkdash-{key.removeprefix('quality_')}.csv", mime="text/csv", key=f"{key}_csv")


def no_data_message(campaign: Campaign) -> None:
    """The page cannot show figures: say why and what to do."""
    if campaign.dataset.problem:
        return  # source_banner already said why
    st.info("ยังไม่มีข้อมูลให้แสดง: ดึงข้อมูลจาก Google Sheet ไม่สำเร็จและยังไม่เคยมีข้อมูลที่ดึงได้", icon="ℹ️")


def can_see_contacts(dataset: data.Dataset) -> bool:
    """Reporter names, positions and phones: only for the hr role (rules in kkdash.access)."""
    return access_decision(dataset).contacts


FILTER_PARAMS = ("status", "district", "kind", "q", "link")


def agency_filters(agencies, *, key: str) -> views.AgencyFilters:
    """The follow-up filters, seeded from the URL and written back to it so a link reproduces the view."""
    initial = views.filters_from_params(st.query_params.to_dict())
    districts = _district_options(agencies)
    seeds = {f"{key}_status": list(initial.statuses), f"{key}_kind": list(initial.kinds),
             f"{key}_district": [d for d in initial.districts if d in districts], f"{key}_q": initial.query,
             f"{key}_link": list(initial.links)}
    for widget, value in seeds.items():
        st.session_state.setdefault(widget, value)
    status_col, district_col, kind_col, link_col, query_col = st.columns([3, 3, 2, 2, 2])
    statuses = status_col.multiselect("สถานะ", list(views.FILTER_STATUS_TH), key=f"{key}_status",
                                      format_func=views.FILTER_STATUS_TH.get, placeholder="ทุกสถานะ")
    chosen_districts = district_col.multiselect("อำเภอ", list(districts), key=f"{key}_district",
                                                format_func=districts.get, placeholder="ทุกอำเภอ")
    kinds = kind_col.multiselect("ประเภทหน่วยงาน", list(KINDS_TH), key=f"{key}_kind",
                                 format_func=KINDS_TH.get, placeholder="ทุกประเภท")
    link_states = link_col.multiselect("ลิงก์ประกาศ", list(views.LINK_STATUS_TH), key=f"{key}_link",
                                       format_func=views.LINK_STATUS_TH.get, placeholder="ทุกสถานะลิงก์")
    query = query_col.text_input("ค้นหาชื่อหน่วยงาน", key=f"{key}_q", placeholder="เช่น สาธารณสุข")
    filters = views.AgencyFilters(statuses=tuple(statuses), districts=tuple(chosen_districts), kinds=tuple(kinds),
                                  query=query.strip(), links=tuple(link_states))
    _write_params(filters.to_params())
    return filters


def _district_options(agencies) -> dict[str, str]:
    """District codes present in the registry (in code order) -> `อ.ชื่อ`, then the province group."""
    pairs = agencies[["district_code", "district_name_th"]].drop_duplicates().sort_values("district_code")
    options = {code: f"อ.{name}" for code, name in pairs.itertuples(index=False) if code}
    if (agencies["district_code"] == "").any():
        options[views.PROVINCE_FILTER] = PROVINCE_GROUP_TH
    return options


def _write_params(params: dict[str, str]) -> None:
    """Put the filters in the URL; leave other parameters (e.g. view) alone."""
    for name in FILTER_PARAMS:
        if name in params:
            if st.query_params.get(name) != params[name]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]


def followup_order(*, include_personal: bool) -> list[str]:
    """What HR reads first: status, agency and whom to call, then progress; dates and codes after.

    The phone sits beside the name: on a 1366-wide screen the grid shows about six columns, and
    a phone scrolled away from its agency's name is a call to the wrong office.
    """
    contact = ["reporter_phone", "reporter_name"] if include_personal else []
    position = ["reporter_position"] if include_personal else []
    return ["status", "name_th", *contact, "district", "signed", "signing_rate", "fully_signed", "published_url",
            "link_status", *position, "last_submitted", "first_submitted", "kind", "agency_id"]


def followup_columns(*, include_personal: bool) -> dict:
    """Column headers and renderers for the follow-up table."""
    columns = {
        "agency_id": st.column_config.TextColumn("รหัส", width="small"),
        "status": st.column_config.TextColumn("สถานะ"),
        "name_th": st.column_config.TextColumn("หน่วยงาน", width="large"),
        "district": st.column_config.TextColumn("อำเภอ"),
        "kind": st.column_config.TextColumn("ประเภท"),
        "first_submitted": st.column_config.TextColumn("ส่งครั้งแรก"),
        "last_submitted": st.column_config.TextColumn("ส่งล่าสุด"),
        "signed": st.column_config.TextColumn("ลงนาม/ทั้งหมด (คน)"),
        "signing_rate": st.column_config.ProgressColumn("ร้อยละลงนาม", min_value=0.0, max_value=100.0,
                                                        format="%.1f%%"),
        "fully_signed": st.column_config.CheckboxColumn("ลงนามครบ"),
        "published_url": st.column_config.LinkColumn("ประกาศบนเว็บไซต์", display_text="เปิดลิงก์"),
        "link_status": st.column_config.TextColumn("ผลตรวจลิงก์"),
    }
    if include_personal:
        columns |= {
            "reporter_name": st.column_config.TextColumn("ผู้รายงาน"),
            "reporter_position": st.column_config.TextColumn("ตำแหน่ง"),
            "reporter_phone": st.column_config.LinkColumn("โทรศัพท์", display_text=r"tel:(.*)"),
        }
    return columns


LINK_MAX_AGE = timedelta(hours=24)


def link_results_version() -> float:
    """When the link-check results last changed (0 before any check): part of what an export holds."""
    path = link_cache_path()
    return path.stat().st_mtime if path.exists() else 0.0


def link_results(agencies) -> pd.DataFrame:
    """Cached link-check results for these agencies' links (never fetches: a render must not wait)."""
    return links.load_link_results(link_cache_path(), urls=agencies["published_url"].dropna())


def agencies_with_links(outcome: Outcome) -> pd.DataFrame:
    """The outcome's agencies with each one's cached link-check status."""
    return views.with_link_status(outcome.agencies, link_results(outcome.agencies))


def agency_downloads(campaign: Campaign, chosen: pd.DataFrame, *, filters: views.AgencyFilters,
                     include_personal: bool) -> None:
    """CSV and Excel of the listed agencies, built once per content (data, moment, filters, role, link checks)."""
    outcome = campaign.outcome
    table = export.agency_export(chosen, include_personal=include_personal)
    content = (campaign.dataset.version, outcome.as_of, outcome.deadline, tuple(filters.to_params().items()),
               include_personal, link_results_version())
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("ดาวน์โหลด CSV", data.export_bytes("csv", table, key=content),
                         file_name="kkdash-agencies.csv", icon=":material/download:", mime="text/csv",
                         key="followup_csv", width="stretch")
    right.download_button("ดาวน์โหลด Excel", data.export_bytes("xlsx", table, key=content),
                          file_name="kkdash-agencies.xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="followup_xlsx", width="stretch")


def agency_history(outcome: Outcome, agency: pd.Series) -> None:
    """Every row one agency sent, which one counts and why."""
    st.subheader(f"ประวัติการส่งของ {literal(agency['name_th'])}")
    history = views.submission_history(outcome, agency["agency_id"])
    if history.empty:
        st.info("หน่วยงานนี้ยังไม่มีแถวในแผ่นงานคำตอบ")
        return
    st.dataframe(history, column_config=HISTORY_COLUMNS, hide_index=True, width="stretch", key="followup_history")


def link_check_button(agencies, *, key: str) -> None:
    """Check the published links on demand, with a progress bar (results older than a day re-checked)."""
    urls = agencies["published_url"].dropna()
    if not st.button(f"ตรวจลิงก์ประกาศ ({urls.nunique():,} ลิงก์)", icon=":material/travel_explore:", key=key,
                     help="เปิดแต่ละลิงก์เพื่อดูว่าใช้งานได้และมีเนื้อหาประกาศเจตนารมณ์ ผลที่ตรวจภายใน 24 ชั่วโมงจะใช้ซ้ำ"):
        return
    bar = st.progress(0.0, text="กำลังตรวจลิงก์…")

    def advance(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"ตรวจแล้ว {done:,}/{total:,} ลิงก์")

    links.check_links(urls, cache_path=link_cache_path(), max_age=LINK_MAX_AGE, progress=advance)
    bar.empty()
    st.rerun()


FULL_TEXT_ROWS = 60  # a table that wraps long reasons reads better than a grid, up to a page or so


def full_text_table(frame, *, key: str) -> None:
    """A short table with every word of its long texts visible; a scrolling grid when it is long."""
    if len(frame) > FULL_TEXT_ROWS:
        st.dataframe(frame, column_config=QUALITY_COLUMNS, hide_index=True, width="stretch", key=key)
        return
    headers = {column: QUALITY_COLUMNS[column].get("label", column) for column in frame.columns}
    # st.table renders Markdown in its cells: typed text must be shown as typed, never as links or images.
    st.table(literal_table(frame).rename(columns=headers).set_index(headers["row_number"]))


HISTORY_COLUMNS = {
    "row_number": st.column_config.NumberColumn("แถวในชีต", format="%d"),
    "submitted_at": st.column_config.TextColumn("เวลาที่ส่ง"),
    "typed_name": st.column_config.TextColumn("ชื่อที่กรอก"),
    "fate": st.column_config.TextColumn("ผล"),
    "why": st.column_config.TextColumn("เหตุผล", width="large"),
    "personnel": st.column_config.TextColumn("ลงนาม/ทั้งหมด"),
}
QUALITY_COLUMNS = {
    "row_number": st.column_config.NumberColumn("แถวในชีต", format="%d"),
    "submitted_at": st.column_config.TextColumn("เวลาประทับ"),
    "typed_name": st.column_config.TextColumn("ชื่อที่กรอก"),
    "reason": st.column_config.TextColumn("เหตุที่ปฏิเสธ", width="large"),
    "suggestions": st.column_config.TextColumn("ชื่อในทะเบียนที่ใกล้เคียง", width="large"),
    "agency": st.column_config.TextColumn("หน่วยงานในทะเบียน"),
    "warning": st.column_config.TextColumn("คำเตือน", width="large"),
    "replaced_by_row": st.column_config.NumberColumn("แทนที่ด้วยแถว", format="%d"),
}


# --- who may see what: the Streamlit side of kkdash.access -------------------------------

ACCESS_GRANT_KEY = "access_grant"
ACCESS_ATTEMPTS_KEY = "access_attempts"
LITERAL_LIMIT = 200
# Every character CommonMark lets a backslash escape, plus Streamlit's `:color[…]`/emoji colons and `$` math.
# A word joiner (U+2060) after `:` and `@` and before `.` keeps GFM from turning a typed address
# (`https://…`, `www.…`, `a@b.go.th`) into a link; it is invisible.
_MARKDOWN_ESCAPES = str.maketrans({
    **{ch: "\\" + ch for ch in "\\`*_{}[]()<>#+-!|~$^=&\"'"},
    ":": "\\:\u2060", ".": "\u2060\\.", "@": "@\u2060",
})
# Controls that would reorder or hide the text around them (bidi overrides and isolates).
_INVISIBLE = dict.fromkeys([*range(0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)], " ")


def literal(text: object, *, limit: int = LITERAL_LIMIT) -> str:
    """Sheet or registry text -> markdown showing it as typed: escaped, one line, at most ``limit`` characters."""
    flat = " ".join(str(text).translate(_INVISIBLE).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.translate(_MARKDOWN_ESCAPES)


def literal_table(frame, *, limit: int = 2000):
    """A table for ``st.table`` (which renders Markdown in cells) -> the same table with its text cells literal."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype).startswith("str"):
            safe[column] = safe[column].map(lambda v: literal(v, limit=limit) if isinstance(v, str) else v)
    return safe


def access_settings() -> tuple[access.AccessSettings, str | None]:
    """The `[access]`/`[auth]` settings, and a Thai problem when they are unusable (then: no sign-in)."""
    try:
        return access.load_access(_secrets()), None
    except access.AccessError as exc:
        return access.AccessSettings(), access.redact(str(exc))


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, OSError, ValueError):
        return {}


def access_decision(dataset: data.Dataset) -> access.Decision:
    """This visitor's role, from secrets.toml, ``st.user`` and a password given in this session."""
    settings, problem = access_settings()
    if problem:
        return access.Decision(None, why=f"การตั้งค่าสิทธิ์ไม่ถูกต้อง: {problem}")  # fail closed
    return access.decide(settings, st.user.to_dict(), grant=st.session_state.get(ACCESS_GRANT_KEY),
                         demo=dataset.is_demo)


def sign_in_panel(dataset: data.Dataset) -> None:
    """The sidebar's sign-in block; stops the run when this visitor may see nothing."""
    access.install_log_redaction()
    settings, problem = access_settings()
    decision = access_decision(dataset)
    with st.sidebar:
        st.markdown("### สิทธิ์การเข้าถึง")
        if problem:
            st.error(literal(problem, limit=400), icon=":material/error:")
        elif not settings.sign_in and decision.role is not None:
            _open_access_note(dataset, decision)
        else:
            _sign_in_controls(settings, decision)
    if decision.role is None:
        st.title("ติดตามการประกาศเจตนารมณ์ จังหวัดคุณธรรม ขอนแก่น")
        st.info(f"{literal(decision.why, limit=400)} — เข้าสู่ระบบได้ที่แถบด้านข้าง", icon=":material/lock:")
        st.stop()


def wall_gate(dataset: data.Dataset) -> None:
    """The wall screen has no sidebar: with sign-in on, it shows nothing until this browser signed in."""
    access.install_log_redaction()
    decision = access_decision(dataset)
    if decision.role is None:
        st.title("ติดตามการประกาศเจตนารมณ์ จังหวัดคุณธรรม ขอนแก่น")
        st.info(f"{literal(decision.why, limit=400)} — เปิดหน้าปกติ (ไม่มี ?view=wall) เพื่อเข้าสู่ระบบก่อน",
                icon=":material/lock:")
        st.stop()


def _open_access_note(dataset: data.Dataset, decision: access.Decision) -> None:
    st.caption(decision.why)
    if not dataset.is_demo:
        st.caption("เปิดการเข้าสู่ระบบเพื่อให้ฝ่ายบุคคลเห็นชื่อและเบอร์โทร: ใส่ตาราง `[auth]` (บัญชี Google)"
                   " หรือ `hr_password_sha256` ในตาราง `[access]` ของไฟล์ `.streamlit/secrets.toml`"
                   " — ดู docs/access.md")


def _sign_in_controls(settings: access.AccessSettings, decision: access.Decision) -> None:
    if decision.role is not None:
        st.caption(f"{literal(decision.who)} · {decision.why}" if decision.who else decision.why)
    elif decision.who:
        st.warning(f"{literal(decision.who)}: {decision.why}", icon=":material/block:")
    if decision.role is not None or decision.who:  # a refused account must be able to switch
        st.button("ออกจากระบบ", icon=":material/logout:", key="access_logout", on_click=_sign_out,
                  width="stretch")
    if decision.role == access.HR:
        return
    if settings.oidc and not decision.who:
        st.button("เข้าสู่ระบบด้วยบัญชีอีเมล", icon=":material/login:", key="access_login", on_click=st.login,
                  type="primary", width="stretch")
    if settings.passwords:
        with st.expander("เข้าสู่ระบบด้วยรหัสผ่าน", expanded=not settings.oidc and decision.role is None):
            _password_form(settings)


def _password_form(settings: access.AccessSettings) -> None:
    """A shared-password form; the password never reaches the URL and is cleared on submit."""
    with st.form("access_password_form", clear_on_submit=True, border=False):
        attempt = st.text_input("รหัสผ่าน", type="password", key="access_password", autocomplete="current-password")
        sent = st.form_submit_button("เข้าสู่ระบบ", width="stretch")
    if not sent:
        return
    attempts = st.session_state.get(ACCESS_ATTEMPTS_KEY, access.Attempts())
    result = access.try_password(settings, attempt, attempts, now=datetime.now(BANGKOK).timestamp())
    st.session_state[ACCESS_ATTEMPTS_KEY] = result.attempts
    if result.grant is None:
        st.error(result.message, icon=":material/error:")
        return
    st.session_state[ACCESS_GRANT_KEY] = result.grant
    st.rerun()


def _sign_out() -> None:
    """Forget the password grant; end the OIDC session too when there is one."""
    st.session_state.pop(ACCESS_GRANT_KEY, None)
    if st.user.to_dict().get("is_logged_in") is True:
        st.logout()
