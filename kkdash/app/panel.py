"""One agency, opened from the follow-up list: whom to call, what was rejected, every row it sent, and
(for the hr role) its chase log with the form to add to it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kkdash import views
from kkdash.app import chaselog, tables
from kkdash.app.state import Campaign
from kkdash.dates import format_thai_date
from kkdash.formats import phone_for_people
from kkdash.labels import CALL_SOURCE_TH
from kkdash.redaction import mask_personal
from kkdash.text import literal


def agency_panel(campaign: Campaign, picked: pd.DataFrame, *, personal: bool, who: str,
                 known: frozenset[str]) -> None:
    """The selected agency's panel (``picked``: its one row); contacts and the chase log only when ``personal``."""
    outcome, agency = campaign.outcome, picked.iloc[0]
    status = views.status_words(picked).iloc[0]
    st.subheader(f"{literal(agency['name_th'])} · {status}")
    if personal:
        st.markdown(contact_line(agency))
    if agency["needs_correction"]:
        # The reason quotes typed text: a phone or a name typed into the wrong box reaches a viewer masked.
        reason = agency["rejected_reason"] if personal else mask_personal(agency["rejected_reason"])
        st.warning(f"ส่งแล้วแต่ต้องแก้ไข — แถว {int(agency['rejected_row'])} ในชีต"
                   f" (ส่งเมื่อ {format_thai_date(agency['rejected_at'], with_time=True)}):"
                   f" {literal(reason, limit=600)}", icon=":material/edit_note:")
    tables.agency_history(outcome, agency, include_personal=personal)
    if personal:
        st.markdown("##### บันทึกการติดตาม")
        chaselog.agency_log(agency["agency_id"], outcome.deadline, outcome.as_of)
        chaselog.entry_form(agency["agency_id"], campaign=outcome.deadline, known=known, who=who,
                            as_of=outcome.as_of)


def contact_line(agency: pd.Series) -> str:
    """Whom to call, as Markdown: name, position, a tel: link per number, e-mail, and where it comes from."""
    if not agency["call_source"]:
        return "ผู้ที่ต้องติดต่อ: ยังไม่มีข้อมูลติดต่อ — เพิ่มเบอร์โทรและผู้ประสานงานในทะเบียนหน่วยงาน"
    phones = [phone.strip() for phone in agency["call_phone"].split(",") if phone.strip()]
    links = " · ".join(f"[{literal(phone_for_people(phone))}]({views.tel_link(phone)})"
                       if views.tel_link(phone) else literal(phone) for phone in phones)
    parts = [literal(agency["call_name"]) or "-", literal(agency["call_position"]), links,
             literal(agency["call_email"])]
    source = CALL_SOURCE_TH.get(agency["call_source"], "")
    return f"ผู้ที่ต้องติดต่อ ({source}): " + " · ".join(part for part in parts if part) + (
        "" if phones else " · ไม่มีเบอร์โทร")

