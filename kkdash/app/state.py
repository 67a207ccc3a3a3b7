"""The campaign as a page shows it: the dataset, the deadline and the as-of moment, kept in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import streamlit as st

from kkdash.app import data
from kkdash.dates import BANGKOK, format_thai_date
from kkdash.errors import InputError
from kkdash.intake import DEMO_AS_OF, Dataset
from kkdash.metrics import DEFAULT_DEADLINE
from kkdash.moments import EXAMPLES, campaign_days, moment_text, read_moment
from kkdash.parsing import parse_datetime
from kkdash.pipeline import Outcome
from kkdash.text import one_line

AS_OF_PARAM = "as_of"
TYPED_KEY, TYPED_ERROR_KEY = "sidebar_as_of_text", "sidebar_as_of_text_error"


@dataclass(frozen=True)
class Campaign:
    """What a page shows: the dataset in use and the campaign computed as of the chosen time."""

    dataset: Dataset
    outcome: Outcome | None

    @property
    def key(self) -> tuple:
        """What the campaign's figures depend on: the data version, the moment and the deadline."""
        outcome = self.outcome
        return (self.dataset.version, outcome.as_of, outcome.deadline) if outcome else (self.dataset.version,)


def deadline(dataset: Dataset) -> date:
    """The deadline from the settings, or the letter's 7 July 2566."""
    return dataset.deadline or DEFAULT_DEADLINE


def as_of_now() -> datetime:
    """This minute, in Bangkok."""
    return datetime.now(BANGKOK).replace(second=0, microsecond=0)


def _seed_as_of(dataset: Dataset) -> None:
    """Start the as-of control from the link (`?as_of=2023-07-07T17:00`), else now (demo: mid-campaign)."""
    linked = parse_datetime(st.query_params.get(AS_OF_PARAM, ""))
    start = linked or (DEMO_AS_OF if dataset.is_demo else None)
    moment = (start or as_of_now()).astimezone(BANGKOK)
    st.session_state.setdefault("sidebar_live", start is None)
    st.session_state.setdefault("sidebar_as_of_date", moment.date())
    st.session_state.setdefault("sidebar_as_of_time", time(moment.hour, moment.minute))


def chosen_as_of(dataset: Dataset) -> datetime:
    """The as-of moment selected in the sidebar or the link: now, or a chosen date and time."""
    _seed_as_of(dataset)
    if st.session_state["sidebar_live"]:
        return as_of_now()
    day, moment = st.session_state["sidebar_as_of_date"], st.session_state["sidebar_as_of_time"]
    return datetime.combine(day, moment, tzinfo=BANGKOK)


def as_of_controls(dataset: Dataset) -> None:
    """The sidebar's "as of" block: now, or a chosen moment in the Buddhist era (a campaign day and a time,
    or typed: `5/7/2566 16:00`, `5 ก.ค. 66`), and a jump to the deadline."""
    st.markdown("### ดูสถานะ ณ เวลา")
    _seed_as_of(dataset)
    st.toggle("ตอนนี้", key="sidebar_live",
              help="ปิดเพื่อเลือกดูสถานะย้อนหลัง ณ วันและเวลาใดก็ได้ รวมถึงวันครบกำหนด")
    if not st.session_state["sidebar_live"]:
        days = campaign_days(deadline(dataset), including=st.session_state["sidebar_as_of_date"])
        st.selectbox("วันที่", days, key="sidebar_as_of_date", format_func=format_thai_date)
        st.time_input("เวลา", key="sidebar_as_of_time", step=1800)
        # The box always shows the chosen moment; typing another moves the controls above to it.
        st.session_state[TYPED_KEY] = moment_text(chosen_as_of(dataset))
        st.text_input("หรือพิมพ์วันเวลา (พ.ศ.)", key=TYPED_KEY, on_change=_read_typed_moment,
                      help=f"เช่น {EXAMPLES} — พิมพ์แต่วันที่ หมายถึงสิ้นวันนั้น")
        if TYPED_ERROR_KEY in st.session_state:
            st.error(st.session_state.pop(TYPED_ERROR_KEY), icon=":material/event_busy:")
        st.button("ดู ณ เวลาครบกำหนด", icon=":material/event:", key="sidebar_at_deadline", on_click=_go_to_deadline,
                  args=(deadline(dataset),),
                  help="สถานะเมื่อสิ้นวันกำหนดส่ง (23:59 น.) — ใครส่งหลังจากนี้นับว่าล่าช้า")
    moment = chosen_as_of(dataset)
    _write_as_of_param(None if st.session_state["sidebar_live"] else moment)
    st.caption(f"แสดงสถานะ ณ {format_thai_date(moment, with_time=True)}")


def _read_typed_moment() -> None:
    """The typed moment -> the day and time controls; unreadable text -> a Thai message quoting it, nothing moved."""
    typed = st.session_state.get(TYPED_KEY, "")
    moment = read_moment(typed)
    if moment is None:
        st.session_state[TYPED_ERROR_KEY] = f"อ่านวันเวลา “{one_line(typed)}” ไม่ออก — พิมพ์เช่น {EXAMPLES}"
        return
    st.session_state["sidebar_as_of_date"] = moment.date()
    st.session_state["sidebar_as_of_time"] = time(moment.hour, moment.minute)


def _go_to_deadline(day: date) -> None:
    """The moment that decides on time or late: the last minute of the deadline day."""
    st.session_state["sidebar_as_of_date"] = day
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


def load_campaign() -> Campaign:
    """The dataset and the campaign as of the sidebar's moment (cached; cheap on every rerun)."""
    dataset = data.current_dataset()
    if dataset.sheet is None:
        return Campaign(dataset, None)
    try:
        outcome = data.compute_outcome(dataset, as_of=chosen_as_of(dataset), deadline=deadline(dataset))
    except InputError as exc:
        return Campaign(dataset.with_problem(str(exc)), None)
    return Campaign(dataset, outcome)
