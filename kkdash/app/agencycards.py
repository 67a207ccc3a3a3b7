"""The follow-up list on a phone: a card per agency (name, status, whom to call) instead of the wide table.

Both are sent; the CSS in frame.PHONE_CSS shows the cards below 640 px and the table above, so a
phone never scrolls sideways to find the phone number of the agency it is looking at.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from kkdash.app import frame
from kkdash.formats import phone_for_people
from kkdash.labels import district_label

CARD_LIMIT = 60  # a phone scrolls through this many; more is a sign the filters should narrow the list


def agency_cards(table: pd.DataFrame, *, include_personal: bool) -> None:
    """Cards for the first CARD_LIMIT rows of the follow-up table (views.followup_table), in its order,
    in place of the table the page keeps under frame.wide("followup") on a phone."""
    more = (f"แสดง {CARD_LIMIT:,} จาก {len(table):,} หน่วยงาน — เลือกสถานะหรืออำเภอ หรือค้นหาชื่อ เพื่อดูหน่วยงานอื่น"
            if len(table) > CARD_LIMIT else "")
    frame.phone_cards("followup", cards_html(table.head(CARD_LIMIT), include_personal=include_personal), caption=more)


def cards_html(table: pd.DataFrame, *, include_personal: bool) -> str:
    """views.followup_table rows -> one card each: name, status, district and progress, whom to call."""
    return '<div class="kk-cards">' + "".join(
        _card(row, include_personal=include_personal) for _, row in table.iterrows()) + "</div>"


def _card(row: pd.Series, *, include_personal: bool) -> str:
    details = [district_label(str(row.get("district") or ""))]
    if row.get("signed") and row["signed"] != "-":
        details.append(f"ลงนาม {row['signed']} คน")
    return ('<div class="kk-card">'
            f'<div class="kk-card-name">{escape(str(row["name_th"]))}</div>'
            f'<div class="kk-card-status">{escape(str(row["status"]))} · {escape(" · ".join(details))}</div>'
            f'<div class="kk-card-call">{_whom_to_call(row, include_personal)}</div>'
            f"{_last_chase(row)}</div>")


def _last_chase(row: pd.Series) -> str:
    """`ติดตามล่าสุด: โทรแล้ว สัญญาว่าจะส่ง · 3 ก.ค. 2566 …` (the HR role's table has these columns)."""
    action = str(row.get("last_action") or "")
    if not action:
        return ""
    when = " · ".join(str(row.get(column) or "") for column in ("last_at", "last_by") if row.get(column))
    promised = f" · สัญญาว่าจะส่ง {row['promised_on']}" if row.get("promised_on") else ""
    return f'<div class="kk-card-status">ติดตามล่าสุด: {escape(action)}{escape(promised)} ({escape(when)})</div>'


def _whom_to_call(row: pd.Series, include_personal: bool) -> str:
    """`โทร นายสมชาย ใจดี 081-234-5678` with a `tel:` link; a plain sentence when there is no one to show."""
    if not include_personal:
        return "ข้อมูลติดต่อเห็นได้เฉพาะฝ่ายบุคคล"
    name = str(row.get("call_name") or "").strip()
    link = str(row.get("call_phone") or "")  # followup_table's `tel:` link
    if not link.startswith("tel:"):
        return escape(f"ติดต่อ {name} (ไม่มีเบอร์โทรศัพท์)") if name else "ยังไม่มีชื่อและเบอร์ผู้ติดต่อ"
    digits = link.removeprefix("tel:")
    shown = phone_for_people(digits)
    who = f"{escape(name)} " if name else ""
    return f'โทร {who}<a href="tel:{escape(digits)}">{escape(str(shown))}</a>'
