"""The chase log on the page: one open log per database for the process, its entries read incrementally,
and the form that adds an entry without ever losing what was typed.

Only the hr role reads or writes entries (notes hold personal data); viewers get counts. A log that
cannot be opened or written leaves the dashboard working read-only with one plain message.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from kkdash import chase, intake, views
from kkdash.app import data
from kkdash.dates import BANGKOK, format_day_ahead, format_thai_date
from kkdash.labels import ACTIONS_TH, ENTRY_HEADERS_TH
from kkdash.text import literal, literal_table

RETRY_SECONDS = 30.0  # a log that would not open is tried again after this, not on every rerun
PROMISE_DAYS = 180  # the days offered for a promise, from today; the log accepts up to a year (type to find one)


@dataclass
class _Log:
    """The process's handle on one database: the open log (or why not), and each campaign's entries read so far."""

    url_key: str
    log: object = None
    problem: str | None = None
    tried_at: float = 0.0
    frames: dict = field(default_factory=dict)
    summaries: dict = field(default_factory=dict)  # (campaign, entries read, moment) -> summary: reruns reuse it
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def _handle(url_key: str) -> _Log:
    return _Log(url_key)


def _open(handle: _Log):
    """The open ChaseLog, or None with handle.problem set (tried again after RETRY_SECONDS)."""
    from kkdash.store import StoreError

    if handle.log is not None:
        return handle.log
    if handle.problem and time.monotonic() - handle.tried_at < RETRY_SECONDS:
        return None
    handle.tried_at = time.monotonic()
    try:
        handle.log, handle.problem = intake.open_chase_log(data.app_settings()), None
    except StoreError as exc:
        handle.problem = str(exc)
    return handle.log


def open_log():
    """The app's open ChaseLog, or None when it cannot be opened (see entries() for why)."""
    handle = current_handle()
    with handle.lock:
        return _open(handle)


def current_handle() -> _Log:
    """This app's log handle (one per database setting)."""
    settings = data.app_settings()
    return _handle(repr((settings.database_url, str(settings.cache_dir))))


def entries(campaign: date) -> tuple[pd.DataFrame, str | None]:
    """The campaign's entries (read again only from the last one seen) and a Thai problem, if the log failed."""
    from kkdash.store import StoreError

    handle = current_handle()
    with handle.lock:
        log = _open(handle)
        frame = handle.frames.get(campaign, chase.empty_entries())
        if log is None:
            return frame, handle.problem
        try:
            frame = log.refresh(frame, campaign=campaign) if campaign in handle.frames else log.entries(
                campaign=campaign)
        except StoreError as exc:
            return frame, str(exc)
        handle.frames[campaign] = frame
        return frame, None


def summary(campaign: date, as_of: datetime) -> tuple[pd.DataFrame, frozenset[str], str | None]:
    """Per agency the last action as of the moment shown, the agencies chased by then, and a problem."""
    frame, problem = entries(campaign)
    moment = chase.visible_until(as_of)
    handle, key = current_handle(), (campaign, len(frame), int(frame["id"].max()) if len(frame) else 0, moment)
    if key not in handle.summaries:
        # The log only grows: the same count and last entry at the same moment give the same summary.
        handle.summaries = {key: (chase.summarize(frame, as_of=moment), chase.chased_agencies(frame, as_of=moment))}
    summarized, chased = handle.summaries[key]
    return summarized, chased, problem


def progress_sentence(outcome) -> str | None:
    """`ติดตามแล้ว N จาก M หน่วยงานที่ยังไม่ส่งหรือส่งล่าช้า`: what everyone (the wall too) may see of the log
    (None when the log cannot be read: the HR pages say why)."""
    _, chased, problem = summary(outcome.deadline, outcome.as_of)
    return None if problem else views.chase_sentence(*views.chase_progress(outcome.agencies, chased))


def progress_caption(outcome) -> None:
    sentence = progress_sentence(outcome)
    if sentence:
        st.caption(sentence)


def _key(agency_id: str, name: str) -> str:
    return f"chase_{name}_{agency_id}"


def agency_log(agency_id: str, campaign: date, as_of: datetime) -> None:
    """One agency's entries, newest first, as the hr role reads them."""
    frame, problem = entries(campaign)
    if problem:
        st.warning(problem, icon=":material/database:")
    shown = chase.apply_corrections(chase.visible(frame[frame["agency_id"] == agency_id],
                                                  as_of=chase.visible_until(as_of)))
    if shown.empty:
        st.caption("ยังไม่มีบันทึกการติดตามหน่วยงานนี้")
        return
    table = pd.DataFrame({
        ENTRY_HEADERS_TH["at"]: shown["at"].map(lambda t: format_thai_date(t, with_time=True)),
        ENTRY_HEADERS_TH["action"]: shown["action"].map(ACTIONS_TH),
        ENTRY_HEADERS_TH["note"]: shown["note"],
        ENTRY_HEADERS_TH["promised_on"]: shown["promised_on"].map(
            lambda day: format_thai_date(day) if isinstance(day, date) else ""),
        ENTRY_HEADERS_TH["by"]: shown["by"],
    }).iloc[::-1]
    # A table, not a grid: a note is read whole, and typed text is shown as typed (never as Markdown).
    st.table(literal_table(table).set_index(ENTRY_HEADERS_TH["at"]))


def entry_form(agency_id: str, *, campaign: date, known: frozenset[str], who: str, as_of: datetime) -> None:
    """The small form that adds an entry; on any fault the typed text stays in the form, marked unsaved."""
    prefix = f"chase_{agency_id}"
    with st.form(f"{prefix}_form", border=True):
        st.markdown("**เพิ่มบันทึก**")
        left, right = st.columns([1, 1])
        left.selectbox("การติดตาม", list(ACTIONS_TH), format_func=ACTIONS_TH.get, key=_key(agency_id, "action"))
        if who:
            right.text_input("ผู้บันทึก", value=who, disabled=True, key=_key(agency_id, "by_shown"))
        else:
            right.text_input("ผู้บันทึก (ชื่อของคุณ)", key=_key(agency_id, "by"), max_chars=chase.BY_LIMIT)
        st.text_area("บันทึก", key=_key(agency_id, "note"), max_chars=chase.NOTE_LIMIT,
                     placeholder="เช่น คุยกับผู้ประสานงาน จะส่งแบบรายงานภายในวันศุกร์")
        # Days in the Buddhist era with their weekday, never a CE date field: `พรุ่งนี้ · ศ. 4 ธ.ค. 2569`.
        today = datetime.now(BANGKOK).date()
        days = [None, *(today + timedelta(days=ahead) for ahead in range(PROMISE_DAYS + 1))]
        st.selectbox("รับปากจะส่งภายใน", days, key=_key(agency_id, "promise"),
                     format_func=lambda day: "ไม่ได้รับปาก" if day is None else format_day_ahead(day, today))
        st.form_submit_button("บันทึก", icon=":material/save:", type="primary",
                              on_click=_save, args=(agency_id, campaign, known, who, as_of))
    outcome = st.session_state.pop(f"{prefix}_saved", None)
    if outcome:
        st.success(outcome, icon=":material/check_circle:")
    problem = st.session_state.get(f"{prefix}_problem")
    if problem:
        st.error(f"ยังไม่ได้บันทึก — ข้อความที่พิมพ์ยังอยู่ในช่องด้านบน: {literal(problem, limit=400)}",
                 icon=":material/error:")


def _save(agency_id: str, campaign: date, known: frozenset[str], who: str, as_of: datetime) -> None:
    """The form's submit: check, store, and clear the form only once the entry is stored."""
    from kkdash.store import StoreError

    prefix, state = f"chase_{agency_id}", st.session_state
    promise = state.get(_key(agency_id, "promise"))
    try:
        entry = chase.new_entry(campaign=campaign, agency_id=agency_id, action=state.get(_key(agency_id, "action")),
                                note=state.get(_key(agency_id, "note")) or "", promised_on=promise,
                                by=who or state.get(_key(agency_id, "by")) or "",
                                today=datetime.now(BANGKOK).date(), known_agencies=known)
        handle = current_handle()
        log = _open(handle)
        if log is None:
            state[f"{prefix}_problem"] = handle.problem
            return
        stored = log.add(entry)
    except (chase.EntryError, StoreError) as exc:
        state[f"{prefix}_problem"] = str(exc)
        return
    state.pop(f"{prefix}_problem", None)
    # Set (not removed): the browser's copy of the form is then cleared too.
    state[_key(agency_id, "note")], state[_key(agency_id, "promise")] = "", None
    saved = f"บันทึกแล้ว: {ACTIONS_TH[stored.action]} เมื่อ {format_thai_date(stored.at, with_time=True)}"
    if stored.at > chase.visible_until(as_of):  # the page looks at an earlier moment: say where the entry went
        saved += (f" — หน้านี้แสดงสถานะ ณ {format_thai_date(as_of, with_time=True)} จึงยังไม่เห็นบันทึกนี้"
                  " เปิด “ตอนนี้” ที่แถบด้านข้างเพื่อดู")
    state[f"{prefix}_saved"] = saved
