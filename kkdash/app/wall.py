"""The wall screen (`?view=wall`): the whole overview on one screen of any size, with nothing to scroll.

Everything is sized in rem and the wall's root font size follows the screen (frame.WALL_CSS), so
a 1280×720 TV shows what a 1920×1080 one shows, two thirds the size; the charts are SVG drawn in
the units of a 1920×1080 wall (kkdash/svg.py) and scale with it.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from kkdash import views
from kkdash.app import cards, chaselog, figures, frame, state

# The charts' boxes on a 1920×1080 wall, in px there (one rem is 18 px): the SVG viewBoxes.
BARS_WIDTH, MAP_WIDTH, CHART_HEIGHT = 1110, 740, 774
FONT_SIZE = 18


def wall(campaign: state.Campaign, *, refresh_seconds: int) -> None:
    """A title line, the eight figures, district bars beside the map, and a footer — on one screen."""
    _title_line(campaign)
    frame.source_banner(campaign.dataset, demo_note=False)
    if campaign.outcome is None:
        frame.no_data_message(campaign)
        return
    outcome = campaign.outcome
    cards.progress_note(outcome)
    cards.kpi_cards(figures.headline(campaign), per_row=8)
    left, right = st.columns([3, 2], gap="small")
    left.markdown(figures.district_bars(campaign, width=BARS_WIDTH, height=CHART_HEIGHT, font_size=FONT_SIZE),
                  unsafe_allow_html=True)
    right.markdown(figures.coverage_map(campaign, width=MAP_WIDTH, font_size=FONT_SIZE), unsafe_allow_html=True)
    footer = [f"ปรับปรุงอัตโนมัติทุก {refresh_seconds} วินาที", chaselog.progress_sentence(outcome),
              views.row_arithmetic(outcome.counts)]
    st.caption(" · ".join(part for part in footer if part))


def _title_line(campaign: state.Campaign) -> None:
    """The title, the moment shown and (on the demo) that the data is made up, on one line."""
    parts = [frame.subtitle(campaign)]
    if campaign.dataset.is_demo:
        parts.append("🧪 ข้อมูลตัวอย่าง ชื่อและเบอร์โทรเป็นข้อมูลสมมติ")
    st.markdown(f'<div class="kk-wall-title"><b>ภาพรวมการประกาศเจตนารมณ์</b>'
                f'<span>{escape(" · ".join(parts))}</span></div>', unsafe_allow_html=True)
