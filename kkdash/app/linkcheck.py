"""The link-check panel: stored results beside each agency, and a button that checks on demand."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from kkdash import links, views
from kkdash.app import data
from kkdash.app.state import Campaign
from kkdash.linkreport import found_sentence

LINK_MAX_AGE = timedelta(hours=24)
FOUND_KEY = "linkcheck_found"  # what the last check found, said once on the run after it


def _settings():
    return data.app_settings()


def link_results_version() -> float:
    """When the link-check results last changed (0 before any check): part of what an export holds."""
    path = _settings().link_cache_path
    return path.stat().st_mtime if path.exists() else 0.0


def link_results(agencies: pd.DataFrame) -> pd.DataFrame:
    """Stored link-check results for these agencies' links (never fetches: a render must not wait)."""
    return links.load_link_results(_settings().link_cache_path, urls=agencies["published_url"].dropna())


def agencies_with_links(campaign: Campaign) -> pd.DataFrame:
    """The campaign's agencies with each one's stored link-check status, once per campaign moment and stored
    results (a national registry's 19 000 links take a fifth of a second to look up)."""
    agencies = campaign.outcome.agencies
    return data.built_once("agencies-with-links", (*campaign.key, link_results_version()),
                           lambda: views.with_link_status(agencies, link_results(agencies)))


def found_message() -> None:
    """What the link check just made found (N ใช้ได้, N เปิดไม่ได้ …), once, on the run after it."""
    found = st.session_state.pop(FOUND_KEY, None)
    if found:
        st.info(found, icon=":material/travel_explore:")


def link_check_button(agencies: pd.DataFrame, *, key: str) -> None:
    """Check the published links on demand, with a progress bar (results older than a day re-checked)."""
    urls = agencies["published_url"].dropna()
    if not st.button(f"ตรวจลิงก์ประกาศ ({urls.nunique():,} ลิงก์)", icon=":material/travel_explore:", key=key,
                     help="เปิดแต่ละลิงก์เพื่อดูว่าใช้งานได้และมีเนื้อหาประกาศเจตนารมณ์ ผลที่ตรวจภายใน 24 ชั่วโมงจะใช้ซ้ำ"):
        return
    bar = st.progress(0.0, text="กำลังตรวจลิงก์…")

    def advance(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"ตรวจแล้ว {done:,}/{total:,} ลิงก์")

    settings = _settings()
    results = links.check_links(urls, cache_path=settings.link_cache_path, max_age=LINK_MAX_AGE, progress=advance,
                                allow_loopback=settings.allow_loopback)
    st.session_state[FOUND_KEY] = found_sentence(zip(results["url"], results["status"], strict=True))
    bar.empty()
    st.rerun()
