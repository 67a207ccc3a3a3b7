"""Retake the README's pictures of the running app: ``python -m tools.readme_images``.

The demo as of 20 ก.ค. 2566 12:00 (after the deadline: late, missing and needs-correction agencies
all show), with a few chase-log entries dated during the campaign, in headless Chromium at the sizes
people use: the overview and the follow-up list at 1366×768, one agency's panel with its chase log,
and the wall at 1920×1080. Everything waits on Streamlit's own signals (tools/browsing.py).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from kkdash.chase import new_entry
from kkdash.dates import BANGKOK
from kkdash.store import ChaseLog, default_database_url
from tools.browsing import ROOT, chromium, streamlit_server, wait_idle

IMAGES = ROOT / "docs" / "images"
AS_OF = "2023-07-20T12:00"
CAMPAIGN = date(2023, 7, 7)
# (agency, action, note, promised on, by, when): what an HR officer would have written that week.
ENTRIES = [
    ("D4009", "called", "คุยกับปลัดอำเภอแล้ว แถว 28 จำนวนบุคลากรพิมพ์ผิด จะส่งแบบรายงานใหม่", date(2023, 7, 21),
     "สมศรี (กลุ่มงาน HR)", datetime(2023, 7, 18, 10, 15)),
    ("D4009", "no_answer", "โทรสองครั้ง ไม่มีผู้รับสาย", None, "สมศรี (กลุ่มงาน HR)", datetime(2023, 7, 17, 14, 40)),
    ("P02", "email", "ส่งอีเมลเตือนถึงสารบรรณ", None, "ฝ่ายบุคคล (อีเมลเตือน)", datetime(2023, 7, 19, 9, 0)),
    ("P05", "called", "ผู้ประสานงานลาพัก ฝากเรื่องไว้กับหัวหน้าฝ่ายบริหาร", date(2023, 7, 24),
     "วิชัย (กลุ่มงาน HR)", datetime(2023, 7, 19, 11, 30)),
]


def seed_chase_log(cache: Path) -> None:
    """The entries above, written as the app would have written them during the campaign."""
    with ChaseLog(default_database_url(cache)) as log:
        for agency, action, note, promised, by, at in ENTRIES:
            entry = new_entry(campaign=CAMPAIGN, agency_id=agency, action=action, note=note, promised_on=promised,
                              by=by, today=at.date(), known_agencies={agency})
            log.add(entry, at=at.replace(tzinfo=BANGKOK))


def take(browser, url: str, name: str, *, width: int, height: int, element: str | None = None) -> Path:
    """One picture of ``url`` once the page is idle: the viewport, or one element of the page."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(url)
        wait_idle(page)
        path = IMAGES / f"{name}.png"
        if element:
            page.locator(element).first.screenshot(path=str(path))
        else:
            page.screenshot(path=str(path))
        return path
    finally:
        page.close()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kkdash-images-") as folder:
        cache = Path(folder)
        seed_chase_log(cache)
        env = {"KKDASH_CACHE_DIR": str(cache)}
        with streamlit_server(env, cache / "server.log") as url, chromium() as browser:
            shots = [
                take(browser, f"{url}/?as_of={AS_OF}", "overview", width=1366, height=768),
                take(browser, f"{url}/followup?as_of={AS_OF}&status=missing,needs_correction,late", "followup",
                     width=1366, height=768),
                take(browser, f"{url}/followup?as_of={AS_OF}&agency=D4009", "agency-panel", width=1366,
                     height=2400, element=".st-key-followup_panel"),
                take(browser, f"{url}/?view=wall&as_of={AS_OF}", "wall", width=1920, height=1080),
            ]
    for path in shots:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
