"""Reminders on the follow-up page (hr only): every message previewed first, copied or downloaded, and
e-mailed in the background with a progress bar, each sent one written into the chase log.

The sending runs on a server thread (one job per session at a time) so a long batch never holds a
page; a fragment polls its progress once a second until it ends.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from kkdash import export, outbox, reminders
from kkdash.app import chaselog, data, linkcheck
from kkdash.app.state import Campaign
from kkdash.dates import BANGKOK
from kkdash.labels import DELIVERY_TH
from kkdash.registry import fingerprint
from kkdash.settings.reminders import ReminderSettings
from kkdash.text import literal

PREVIEW_LIMIT = 200  # messages shown one by one; beyond that the downloads carry them all
JOB_KEY = "reminder_job"


@dataclass
class Job:
    """One batch being sent: its size, what became of each message so far, and how it ended."""

    total: int
    names: dict = field(default_factory=dict)  # agency_id -> its name, for the results table
    deliveries: list = field(default_factory=list)
    problem: str | None = None  # the batch could not start (login, TLS, server down) or was cut short
    finished: bool = False
    stop: threading.Event = field(default_factory=threading.Event)


@st.cache_resource(show_spinner=False)
def _jobs() -> dict[str, Job]:
    """Every batch this app process is sending or has sent (by id): a rerun or a reload finds its own."""
    return {}


def reminder_panel(campaign: Campaign, chosen: pd.DataFrame, *, who: str) -> None:
    """The reminder section for the agencies listed (those that still owe something get a message)."""
    settings = data.app_settings()
    key = _content_key(campaign, chosen, settings.reminders)
    try:
        messages = _messages(campaign, chosen, settings.reminders, key=key)
    except reminders.TemplateError as exc:
        st.error(f"แม่แบบข้อความเตือนใช้ไม่ได้ — ยังไม่มีการส่งใด ๆ: {literal(exc, limit=600)}", icon=":material/error:")
        return
    if not messages:
        st.info("หน่วยงานในรายการนี้ไม่มีสิ่งที่ค้าง จึงไม่มีข้อความเตือน", icon=":material/task_alt:")
        return
    _downloads(messages, campaign.outcome.as_of, key=key)
    _email(messages, settings, campaign, who)
    _preview(messages)


def _content_key(campaign: Campaign, chosen: pd.DataFrame, settings: ReminderSettings) -> tuple:
    """What the messages depend on: the data and moment, the agencies listed, the link checks, the settings and
    the template files as HR last saved them."""
    folder = Path(settings.templates)
    saved = tuple(sorted((path.name, path.stat().st_mtime) for path in folder.glob("*.j2"))) if folder.is_dir() else ()
    return (*campaign.key, fingerprint(chosen["agency_id"]), linkcheck.link_results_version(), settings, saved)


def _messages(campaign: Campaign, chosen: pd.DataFrame, settings: ReminderSettings, *,
              key: tuple) -> list[reminders.Message]:
    """Every listed agency's message, composed once per content (``key``): a click elsewhere reuses them."""
    outcome = campaign.outcome
    return data.built_once("reminder-messages", key, lambda: reminders.compose_messages(
        chosen, outcome.rows, deadline=outcome.deadline, form_url=settings.form_url, hr_contact=settings.hr_contact,
        templates=settings.templates))


def _downloads(messages: list[reminders.Message], as_of: datetime, *, key: tuple) -> None:
    """All messages as one text file (for LINE or a letter) and as a mail-merge CSV, built when clicked."""
    left, right, _ = st.columns([1, 1, 2])
    left.download_button("ข้อความทั้งหมด (.txt)",
                         lambda: data.built_once("reminder-text", key, lambda: reminders.paste_text(messages).encode()),
                         file_name=export.export_file_name(as_of, [], ".txt", prefix="kkdash-reminders"),
                         mime="text/plain", icon=":material/download:", key="reminder_txt", width="stretch")
    right.download_button("CSV สำหรับ mail merge",
                          lambda: data.built_once("reminder-csv", key, lambda: reminders.mail_merge_csv(messages)),
                          file_name=export.export_file_name(as_of, [], ".csv", prefix="kkdash-reminders"),
                          mime="text/csv", icon=":material/download:", key="reminder_csv", width="stretch")


def _preview(messages: list[reminders.Message]) -> None:
    """Every message and its recipients, each with a copy button (st.code's), before anything is sent."""
    st.markdown(f"##### ตัวอย่างข้อความ ({len(messages):,} หน่วยงาน)")
    for message in messages[:PREVIEW_LIMIT]:
        to = ", ".join(message.recipients) or "ไม่มีอีเมล — ส่งทาง LINE หรือหนังสือ"
        with st.expander(literal(f"{message.agency_name} — ถึง: {to}", limit=300)):
            for note in message.dropped:
                st.caption(literal(note, limit=300))
            st.markdown(f"**เรื่อง:** {literal(message.subject, limit=300)}")
            st.code(message.text, language=None, wrap_lines=True)
    if len(messages) > PREVIEW_LIMIT:
        st.caption(f"แสดง {PREVIEW_LIMIT:,} ข้อความแรก — ไฟล์ที่ดาวน์โหลดมีครบทั้ง {len(messages):,} ข้อความ")


def _email(messages, settings, campaign: Campaign, who: str) -> None:
    """E-mail through the office's server: confirm, hold back agencies e-mailed recently, send in the background."""
    st.markdown("##### ส่งทางอีเมล")
    job_id = st.session_state.get(JOB_KEY)
    if job_id in _jobs():
        _progress(job_id)
        return
    if settings.mail_problem:
        st.error(f"การตั้งค่าอีเมลใช้ไม่ได้: {literal(settings.mail_problem, limit=400)}", icon=":material/error:")
        return
    if settings.smtp is None:
        st.info("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล (ตาราง [smtp] ใน .streamlit/secrets.toml — ดู docs/reminders.md)"
                " ใช้ปุ่มคัดลอกหรือไฟล์ด้านบนแทนได้", icon=":material/mail:")
        return
    outcome = campaign.outcome
    entries, problem = chaselog.entries(outcome.deadline)
    if problem:
        st.error(f"ส่งอีเมลไม่ได้ขณะที่บันทึกการติดตามใช้ไม่ได้ (ต้องบันทึกทุกฉบับที่ส่ง): {literal(problem)}")
        return
    hours = settings.reminders.resend_hours
    recent = outbox.recently_emailed(entries, hours=hours, now=datetime.now(BANGKOK))
    again = st.checkbox(f"ส่งซ้ำหน่วยงานที่ได้รับอีเมลเตือนภายใน {hours:g} ชั่วโมงที่ผ่านมา", key="reminder_again")
    to_send, held = outbox.held_back(messages, recent, again=again)
    with_address = [m for m in to_send if m.recipients]
    if held:
        st.caption(f"เว้นไว้ {len(held):,} หน่วยงานที่ได้รับอีเมลเตือนไปแล้วภายใน {hours:g} ชั่วโมง: "
                   + literal(", ".join(m.agency_name for m in held), limit=600))
    if not with_address:
        st.info("ไม่มีข้อความที่จะส่งทางอีเมล", icon=":material/mail:")
        return
    confirmed = st.checkbox(f"ยืนยัน: ส่งอีเมลเตือน {len(with_address):,} ฉบับ จาก {settings.smtp.sender}",
                            key="reminder_confirm")
    st.button("ส่งอีเมล", icon=":material/send:", type="primary", disabled=not confirmed, key="reminder_send",
              on_click=_begin, args=(to_send, settings, outcome.deadline, who,
                                     frozenset(outcome.agencies["agency_id"])))


def _begin(messages, settings, campaign_day, who: str, known: frozenset[str]) -> None:
    """The send button's callback: start the batch, and ask for a new confirmation next time."""
    st.session_state[JOB_KEY] = _start(messages, settings, campaign_day, who, known)
    st.session_state["reminder_confirm"] = False


def _start(messages, settings, campaign_day, who: str, known: frozenset[str]) -> str:
    """Begin sending on a server thread; the job's id."""
    from kkdash import mail

    job_id, job = uuid.uuid4().hex, Job(total=len(messages), names={m.agency_id: m.agency_name for m in messages})
    _jobs()[job_id] = job
    log = chaselog.open_log()

    def run() -> None:
        try:
            outbox.send_and_log(messages, settings.smtp, log, campaign=campaign_day, by=who or "ฝ่ายบุคคล (อีเมลเตือน)",
                                known=known, pace_seconds=settings.reminders.pace_seconds,
                                progress=lambda done, total, delivery: job.deliveries.append(delivery),
                                should_stop=job.stop.is_set)
        except Exception as exc:  # the page must hear of any fault; a MailError's text is written for it
            job.problem = str(exc) if isinstance(exc, mail.MailError) else f"ส่งไม่สำเร็จ ({type(exc).__name__})"
        finally:
            job.finished = True

    threading.Thread(target=run, name=f"kkdash-reminders-{job_id[:8]}", daemon=True).start()
    return job_id


def _progress(job_id: str) -> None:
    """The batch's progress bar and its results so far; refreshed each second until it ends."""
    job = _jobs()[job_id]
    polling = not job.finished

    @st.fragment(run_every=1.0 if polling else None)
    def show() -> None:
        done = len(job.deliveries)
        st.progress(done / job.total if job.total else 1.0, text=f"ส่งแล้ว {done:,}/{job.total:,} ฉบับ")
        if job.problem:
            st.error(literal(job.problem, limit=600), icon=":material/error:")
        if job.deliveries:
            st.dataframe(delivery_table(job.deliveries, job.names), hide_index=True, width="stretch")
        if not job.finished:
            st.button("หยุดส่ง", key="reminder_stop", on_click=job.stop.set)
        elif st.button("เสร็จแล้ว — กลับไปที่ตัวอย่างข้อความ", key="reminder_done"):
            st.session_state.pop(JOB_KEY, None)
            st.rerun()
        if polling and job.finished:
            st.rerun()  # the whole page once more: the fragment then stops polling

    show()


def delivery_table(deliveries, names: dict) -> pd.DataFrame:
    """Deliveries -> what became of each message, in Thai."""
    return pd.DataFrame({
        "หน่วยงาน": [names.get(d.agency_id, d.agency_id) for d in deliveries],
        "ผล": [DELIVERY_TH.get(d.status, d.status) for d in deliveries],
        "ถึง": [", ".join(d.recipients) for d in deliveries],
        "รายละเอียด": [d.reason for d in deliveries],
    })

