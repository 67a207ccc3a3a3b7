"""The quality lists on a phone: a card per row (its sheet row and time, then each field under its name)
instead of a table whose narrow columns wrap every word onto its own line.

Both are sent; the CSS in frame.PHONE_CSS shows the cards below 640 px and the table above.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from kkdash.app import frame
from kkdash.app.agencycards import CARD_LIMIT  # as many cards as a phone scrolls through, on every page
from kkdash.labels import ROW_HEADERS_TH

HEAD_COLUMNS = ("row_number", "submitted_at", "agency_id")  # the first line: which row (or agency), and when
NAME_COLUMNS = ("agency", "name_th", "typed_name")  # the bold line: the registry's name when the row matched one
PLAIN_COLUMNS = ("reason", "warning")  # what the list is about: shown without a header, the list's title says it


def row_cards(rows: pd.DataFrame, *, key: str) -> None:
    """Cards for the first CARD_LIMIT rows of a quality list, in place of its table on a phone."""
    more = first_rows_caption(CARD_LIMIT, len(rows)) if len(rows) > CARD_LIMIT else ""
    frame.phone_cards(key, cards_html(rows.head(CARD_LIMIT)), caption=more)


def first_rows_caption(shown: int, total: int) -> str:
    """What a list cut to its first rows says under them (the CSV under the list holds every row)."""
    return f"แสดง {shown:,} แถวแรกจาก {total:,} แถว — ดาวน์โหลด CSV ด้านล่างเพื่อดูทั้งหมด"


def cards_html(frame: pd.DataFrame) -> str:
    """Rows of a quality list -> one card each; typed text escaped, so it shows exactly as typed."""
    return '<div class="kk-cards">' + "".join(_card(row) for row in frame.to_dict("records")) + "</div>"


def _card(row: dict) -> str:
    cells = {column: _text(value) for column, value in row.items()}
    head = " · ".join(_head_part(column, cells[column]) for column in HEAD_COLUMNS if cells.get(column))
    name = next((cells[column] for column in NAME_COLUMNS if cells.get(column)), "")
    lines = [f'<div class="kk-card-status">{escape(head)}</div>', f'<div class="kk-card-name">{escape(name)}</div>']
    if cells.get("typed_name") and cells["typed_name"] != name:
        lines.append(f'<div class="kk-card-status">กรอกว่า {escape(cells["typed_name"])}</div>')
    lines += [f"<div>{escape(cells[column])}</div>" for column in PLAIN_COLUMNS if cells.get(column)]
    shown = {*HEAD_COLUMNS, *NAME_COLUMNS, *PLAIN_COLUMNS}
    lines += [f'<div class="kk-card-status">{escape(ROW_HEADERS_TH.get(column, column))}: {escape(text)}</div>'
              for column, text in cells.items() if column not in shown and text]
    return f'<div class="kk-card">{"".join(lines)}</div>'


def _head_part(column: str, text: str) -> str:
    return {"row_number": f"แถว {text}", "agency_id": f"รหัส {text}"}.get(column, text)


def _text(value: object) -> str:
    """A cell as read: whole numbers without `.0`; nothing for an empty cell."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value).strip()
