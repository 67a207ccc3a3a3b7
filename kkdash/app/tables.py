"""The agency and row tables: the follow-up filters, columns and downloads, an agency's history, the quality lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kkdash import export, views
from kkdash.app import data, downloads, frame, linkcheck, rowcards
from kkdash.app.state import Campaign
from kkdash.labels import (
    CHASE_FILTER_TH,
    FILTER_STATUS_TH,
    KINDS_TH,
    LINK_STATUS_TH,
    PROVINCE_GROUP_TH,
    ROW_HEADERS_TH,
    district_label,
)
from kkdash.pipeline import Outcome
from kkdash.registry import fingerprint
from kkdash.text import literal_table

FILTER_PARAMS = ("status", "district", "kind", "q", "link", "chase")
FULL_TEXT_ROWS = 60  # a table that wraps long reasons reads better than a grid, up to a page or so
# A national sheet has a hundred thousand warnings: a grid that long is scrolled by nobody and costs
# a second of every rerun to send; the first rows are shown and the CSV holds them all.
GRID_ROWS = 5_000
CHASE_EXPORT_COLUMNS = ("last_action", "last_at", "last_by", "promised_on")
HISTORY_COLUMNS = {
    "row_number": st.column_config.NumberColumn("แถวในชีต", format="%d"),
    "submitted_at": st.column_config.TextColumn("เวลาที่ส่ง"),
    "typed_name": st.column_config.TextColumn("ชื่อที่กรอก"),
    "fate": st.column_config.TextColumn("ผล"),
    "why": st.column_config.TextColumn("เหตุผล", width="large"),
    "personnel": st.column_config.TextColumn("ลงนาม/ทั้งหมด"),
}
# The quality lists' columns, under the same Thai headers as their CSV (kkdash.labels).
_NUMBER_COLUMNS = ("row_number", "replaced_by_row")
_LONG_COLUMNS = ("reason", "suggestions", "warning")
QUALITY_COLUMNS = {
    column: (st.column_config.NumberColumn(header, format="%d") if column in _NUMBER_COLUMNS
             else st.column_config.TextColumn(header, width="large" if column in _LONG_COLUMNS else None))
    for column, header in ROW_HEADERS_TH.items()
}


def agency_filters(agencies: pd.DataFrame, *, key: str, chase: bool = False) -> views.AgencyFilters:
    """The follow-up filters, seeded from the URL and written back to it so a link reproduces the view.

    ``chase``: offer the chase log's filters too (the hr role only: they read the log).
    """
    initial = views.filters_from_params(st.query_params.to_dict())
    districts = _district_options(agencies)
    seeds = {f"{key}_status": list(initial.statuses), f"{key}_kind": list(initial.kinds),
             f"{key}_district": [d for d in initial.districts if d in districts], f"{key}_q": initial.query,
             f"{key}_link": list(initial.links), f"{key}_chase": list(initial.chase) if chase else []}
    for widget, value in seeds.items():
        st.session_state.setdefault(widget, value)
    status_col, district_col, kind_col, link_col, query_col = st.columns([3, 3, 2, 2, 2])
    # select_all=False: Streamlit's "Select all" is English, and an empty filter already means every value.
    statuses = status_col.multiselect("สถานะ", list(FILTER_STATUS_TH), key=f"{key}_status",
                                      format_func=FILTER_STATUS_TH.get, placeholder="ทุกสถานะ", select_all=False)
    chosen_districts = district_col.multiselect("อำเภอ", list(districts), key=f"{key}_district",
                                                format_func=districts.get, placeholder="ทุกอำเภอ", select_all=False)
    kinds = kind_col.multiselect("ประเภทหน่วยงาน", list(KINDS_TH), key=f"{key}_kind",
                                 format_func=KINDS_TH.get, placeholder="ทุกประเภท", select_all=False)
    link_states = link_col.multiselect("ลิงก์ประกาศ", list(LINK_STATUS_TH), key=f"{key}_link",
                                       format_func=LINK_STATUS_TH.get, placeholder="ทุกสถานะลิงก์", select_all=False)
    query = query_col.text_input("ค้นหาชื่อหน่วยงาน", key=f"{key}_q", placeholder="เช่น สาธารณสุข")
    chase_states = st.multiselect("การติดตาม", list(CHASE_FILTER_TH), key=f"{key}_chase",
                                  format_func=CHASE_FILTER_TH.get, placeholder="ทุกหน่วยงาน") if chase else []
    filters = views.AgencyFilters(statuses=tuple(statuses), districts=tuple(chosen_districts), kinds=tuple(kinds),
                                  query=query.strip(), links=tuple(link_states), chase=tuple(chase_states))
    _write_params(filters.to_params())
    return filters


def _district_options(agencies: pd.DataFrame) -> dict[str, str]:
    """District codes present in the registry (in code order) -> `อ.ชื่อ`, then the province group."""
    options = {code: district_label(name) for code, name in views.district_names(agencies).items()}
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
    contact = ["call_phone", "call_name", "call_source"] if include_personal else []
    chased = ["last_action", "last_at", "promised_on", "last_by"] if include_personal else []
    position = ["call_position"] if include_personal else []
    return ["status", "name_th", *contact, *chased, "district", "rejected", "signed", "signing_rate", "fully_signed",
            "published_url", "link_status", *position, "last_submitted", "first_submitted", "kind", "agency_id"]


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
        "rejected": st.column_config.TextColumn("รายงานที่ถูกปฏิเสธ", width="large"),
    }
    if include_personal:
        columns |= {
            "call_name": st.column_config.TextColumn("ผู้ที่ต้องติดต่อ"),
            "call_position": st.column_config.TextColumn("ตำแหน่ง"),
            "call_phone": st.column_config.LinkColumn("โทรศัพท์", display_text=r"tel:(.*)",
                                                      help="แตะเพื่อโทร — ถ้ามีหลายเบอร์ ดูทุกเบอร์ได้ที่แผงของหน่วยงาน"),
            "call_source": st.column_config.TextColumn("ข้อมูลจาก", help="ผู้รายงาน = จากแบบรายงานล่าสุด,"
                                                                      " ทะเบียน = ผู้ประสานงานในทะเบียนหน่วยงาน"),
            "last_action": st.column_config.TextColumn("ติดตามล่าสุด"),
            "last_at": st.column_config.TextColumn("ติดตามเมื่อ"),
            "promised_on": st.column_config.TextColumn("รับปากจะส่งภายใน"),
            "last_by": st.column_config.TextColumn("ผู้ติดตาม"),
        }
    return columns


def _chase_version(chosen: pd.DataFrame) -> str:
    """What the chase log says of these agencies, as an id: an entry just added changes the export."""
    columns = [column for column in CHASE_EXPORT_COLUMNS if column in chosen]
    return fingerprint(chosen[columns].astype(str)) if columns else ""


def agency_downloads(campaign: Campaign, chosen: pd.DataFrame, *, filters: views.AgencyFilters,
                     include_personal: bool) -> None:
    """CSV and Excel of the listed agencies, built once per content (data, moment, filters, role, link checks)."""
    outcome = campaign.outcome
    content = (*campaign.key, tuple(filters.to_params().items()), include_personal, linkcheck.link_results_version(),
               _chase_version(chosen))
    words = export.describe_agency_filters(filters, outcome.agencies)
    about = downloads.about(campaign, words, count=len(chosen), include_personal=include_personal)
    def table() -> pd.DataFrame:  # the export's own copy, only when a file not built yet is asked for
        return export.agency_export(chosen, include_personal=include_personal)

    left, right, _ = st.columns([1, 1, 3])
    # Built when clicked (then once per content): a national list's Excel file takes seconds to write.
    left.download_button("ดาวน์โหลด CSV", lambda: data.export_bytes("csv", table, key=content),
                         file_name=downloads.file_name(campaign, words, ".csv"), icon=":material/download:",
                         mime="text/csv", key="followup_csv", width="stretch")
    right.download_button("ดาวน์โหลด Excel", lambda: data.export_bytes("xlsx", table, key=content, about=about,
                                                                         sheet_name=export.AGENCY_SHEET),
                          file_name=downloads.file_name(campaign, words, ".xlsx"), icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="followup_xlsx", width="stretch")


AGENCY_PARAM = "agency"


def picked_agency(chosen: pd.DataFrame, selection) -> pd.DataFrame | None:
    """The agency whose panel to open, as a one-row table: the row clicked, else `?agency=ID` (a link to one
    agency), else None."""
    rows = selection.selection.rows if selection else []
    if rows:
        return chosen.iloc[rows[:1]]
    linked = chosen[chosen["agency_id"] == st.query_params.get(AGENCY_PARAM, "")]
    return linked.iloc[:1] if len(linked) else None


def agency_history(outcome: Outcome, agency: pd.Series, *, include_personal: bool = True) -> None:
    """Every row one agency sent, which one counts and why (typed text masked for a viewer)."""
    st.markdown("##### ประวัติการส่ง")  # under the panel's title, which names the agency
    history = views.submission_history(outcome, agency["agency_id"], include_personal=include_personal)
    if history.empty:
        st.info("หน่วยงานนี้ยังไม่มีแถวในแผ่นงานคำตอบ")
        return
    st.dataframe(history, column_config=HISTORY_COLUMNS, hide_index=True, width="stretch", key="followup_history")


def row_section(title: str, note: str, rows: pd.DataFrame, *, key: str, empty: str, campaign: Campaign,
                personal: bool, full_text: bool = False) -> None:
    """A heading with the row count, the rows (or a line saying there are none), and their CSV, built when
    clicked and then once per campaign moment and role (``personal``: the rows quote typed text as typed)."""
    st.subheader(f"{title} ({len(rows):,}) — {note}")
    if rows.empty:
        st.success(empty)
        return
    with frame.wide(key):  # a phone gets the cards below instead
        if full_text:
            full_text_table(rows.head(GRID_ROWS), key=key)
        else:
            st.dataframe(rows.head(GRID_ROWS), column_config=QUALITY_COLUMNS, hide_index=True, width="stretch",
                         key=key)
        if len(rows) > GRID_ROWS:
            st.caption(rowcards.first_rows_caption(GRID_ROWS, len(rows)))
    rowcards.row_cards(rows, key=key)

    def csv() -> bytes:  # built when clicked, then once per content: a national list's CSV takes seconds
        return data.export_bytes("csv", lambda: rows.rename(columns=ROW_HEADERS_TH),
                                 key=(*campaign.key, personal, key))

    name = export.export_file_name(campaign.outcome.as_of, [("", title)], ".csv")
    st.download_button(f"ดาวน์โหลด{title} (CSV)", csv, icon=":material/download:", file_name=name, mime="text/csv",
                       key=f"{key}_csv")


def full_text_table(rows: pd.DataFrame, *, key: str) -> None:
    """A short table with every word of its long texts visible; a scrolling grid when it is long."""
    if len(rows) > FULL_TEXT_ROWS:
        st.dataframe(rows, column_config=QUALITY_COLUMNS, hide_index=True, width="stretch", key=key)
        return
    headers = {column: ROW_HEADERS_TH.get(column, column) for column in rows.columns}
    # st.table renders Markdown in its cells: typed text must be shown as typed, never as links or images.
    st.table(literal_table(rows).rename(columns=headers).set_index(headers[rows.columns[0]]))
