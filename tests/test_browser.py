"""The running app in headless Chromium: every page renders, charts and map draw, the CSV downloads.

Starts `streamlit run app.py` on a free port and drives Debian's Chromium with Playwright. Waits
only on Streamlit's own signals: `/_stcore/health`, then the app's script state `notRunning`.
Screenshots land in screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from kkdash import pipeline, views
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_districts, load_registry
from kkdash.sources import read_responses_csv
from tools.browsing import chromium, needs_chromium, screenshot, streamlit_server, wait_idle
from tools.fakesheets import FakeSheets
from tools.smtpserver import SmtpServer

PAGES = {"overview": "ภาพรวม", "followup": "ติดตามหน่วยงาน", "quality": "คุณภาพข้อมูล"}
SIZES = [(1366, 768), (1920, 1080)]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240), needs_chromium]


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = {"KKDASH_CACHE_DIR": str(folder / "cache"), "KKDASH_PUBLISHED_CSV_URL": "", "KKDASH_SHEET_URL": ""}
    with streamlit_server(env, folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def demo_kpis() -> dict[str, str]:
    districts = load_districts()
    outcome = pipeline.run(read_responses_csv(DEMO_RESPONSES_PATH), load_registry(districts=districts), districts,
                           as_of=DEMO_AS_OF.replace(second=59))
    return {kpi.label: kpi.value for kpi in views.headline(outcome)}


def open_page(browser, url: str, *, width: int = 1366, height: int = 768):
    """A new tab at ``url``, once the script has finished and every plotly chart has drawn."""
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.goto(url)
    wait_idle(page)
    for chart in page.locator(".js-plotly-plot").all():
        chart.locator(".main-svg").first.wait_for(timeout=30_000)
    return page


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.content()


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("slug", list(PAGES))
def test_every_page_renders_at_both_sizes(browser, demo_server, slug, width, height):
    page = open_page(browser, f"{demo_server}/{slug}", width=width, height=height)
    try:
        assert_no_exception(page)
        nav = page.locator("[data-testid='stSidebarNav'] a")
        assert [nav.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in range(nav.count())] == [
            "", "followup", "quality"]  # the default page lives at the root
        assert all(title in nav.nth(i).inner_text() for i, title in enumerate(PAGES.values()))
        screenshot(page, f"{slug}-{width}x{height}")
    finally:
        page.close()


def test_overview_shows_the_pipeline_kpis_and_draws_every_chart(browser, demo_server, demo_kpis):
    page = open_page(browser, demo_server, height=2400)
    try:
        cards = page.locator("[data-testid='stMetric']")
        shown = {cards.nth(i).locator("[data-testid='stMetricLabel']").inner_text():
                 cards.nth(i).locator("[data-testid='stMetricValue']").inner_text() for i in range(cards.count())}
        assert shown == demo_kpis
        charts = page.locator(".js-plotly-plot")
        assert charts.count() == 3  # district progress, timeline, signing rate
        bars = charts.nth(0).locator("g.trace.bars path")
        assert bars.count() >= 27 * 2  # on-time and missing bars for 26 districts and the province group
        assert page.locator(".kk-map path.kk-district").count() == 26  # the offline map: one shape per district
        assert charts.nth(1).locator("g.trace.scatter path.js-line").count() >= 1
        screenshot(page, "overview-full")
    finally:
        page.close()


def test_a_first_visit_is_timed_step_by_step_as_the_benchmark_reports_it(browser, demo_server):
    from benchmarks.bench import _open_overview

    visit = _open_overview(browser, demo_server, limit=120)
    # Each step waits on the one before: the chart's code is asked for when a chart arrives over the WebSocket,
    # and a chart is drawn once that code has loaded and run (the longest task, far over 50 ms).
    assert 0 < visit["socket_s"] < visit["code_requested_s"] < visit["code_loaded_s"] < visit["chart_s"]
    assert visit["chart_s"] < visit["visit_s"] and visit["longest_task_s"] > 0.05


WALL_SIZES = [(1280, 720), (1366, 768), (1920, 1080), (3840, 2160)]
# Everything the wall shows must be on the screen whole: the page does not scroll, no card text ends
# in "…" or runs past its card, the title line is not clipped, and every chart text is inside its chart.
WALL_FIT = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const cut = [...document.querySelectorAll('[data-testid=stMetric]')].flatMap(card =>
    [...card.querySelectorAll('p')].filter(p => p.scrollWidth > p.clientWidth + 1
      || p.getBoundingClientRect().right > card.getBoundingClientRect().right + 0.5).map(p => p.innerText));
  const title = document.querySelector('.kk-wall-title');
  if (title.scrollWidth > title.clientWidth + 1) cut.push(title.innerText);
  const outside = [...document.querySelectorAll('.kk-svg svg')].flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
      return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1; })
      .map(t => t.textContent); });
  const sizes = [...document.querySelectorAll('.kk-svg text')].map(t =>
    parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
  const lowest = Math.max(...[...document.querySelectorAll('[data-testid=stMain] [data-testid=stElementContainer]')]
    .map(e => e.getBoundingClientRect().bottom));
  return {scroll: main.scrollHeight - main.clientHeight, lowest, height: innerHeight, cut, outside,
          smallest: Math.min(...sizes), cards: [...document.querySelectorAll('[data-testid=stMetric]')]
          .map(c => Math.round(c.getBoundingClientRect().top))};
}"""


@pytest.mark.parametrize(("width", "height"), WALL_SIZES)
def test_the_wall_fits_its_screen_with_nothing_cut_and_labels_to_read_across_a_room(browser, demo_server,
                                                                                    width, height):
    page = open_page(browser, f"{demo_server}/?view=wall", width=width, height=height)
    try:
        assert_no_exception(page)
        assert page.locator("[data-testid='stSidebar']").is_hidden()
        fit = page.evaluate(WALL_FIT)
        assert (fit["scroll"], fit["lowest"] <= height, fit["cut"], fit["outside"]) == (0, True, [], [])
        assert len(fit["cards"]) == 8 and len(set(fit["cards"])) == 1  # eight figures in one row
        # Chart labels of 18 px on a 1080-line screen, in proportion on the others (12 px on a 720-line TV).
        assert fit["smallest"] >= 17.5 * height / 1080
        assert page.locator(".kk-bars .kk-label").first.text_content() == "ระดับจังหวัด (75 หน่วยงาน)"
        assert page.locator(".kk-map .kk-note").first.text_content().startswith("หน่วยงานระดับจังหวัด 75 แห่ง")
        screenshot(page, f"wall-{width}x{height}")
    finally:
        page.close()


def test_on_a_phone_the_four_figures_come_first_then_who_is_missing(browser, demo_server):
    page = open_page(browser, demo_server, width=390, height=844)
    try:
        cards = [page.locator("[data-testid='stMetric']").nth(i).bounding_box() for i in range(8)]
        first = cards[:4]
        assert len({round(c["y"]) for c in first}) == 2 and len({round(c["x"]) for c in first}) == 2  # 2×2
        assert max(c["y"] + c["height"] for c in first) < 844  # on the first screen
        chart = page.locator(".js-plotly-plot").first.bounding_box()
        assert max(c["y"] + c["height"] for c in first) < chart["y"] < min(c["y"] for c in cards[4:])
        assert chart["y"] < 2 * 844  # the district chart starts on the second screen at the latest
        map_box = page.locator(".kk-map svg").bounding_box()
        drawn = page.locator(".kk-map svg > g").bounding_box()
        assert map_box["height"] - drawn["height"] < 80  # no blank band: only the note under the map
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "overview-390x844")
    finally:
        page.close()


def test_on_a_phone_the_quality_lists_are_cards_not_wide_tables(browser, demo_server):
    page = open_page(browser, f"{demo_server}/quality", width=390, height=844)
    try:
        assert page.locator("[data-testid='stTable']").first.is_hidden()
        cards = page.locator(".kk-card")
        assert cards.count() == 6 + 49 + 2 + 1 and cards.first.is_visible()
        assert cards.first.inner_text() == "แถว 3 · 28/6/2566, 9:58:34\nศูนย์สุขภาพจิตที่ 7\nจำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = cards.nth(1).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        screenshot(page, "quality-390x844")
    finally:
        page.close()
    assert_wide_table_on_a_desktop(browser, f"{demo_server}/quality", "[data-testid='stTable']")


def test_on_a_phone_the_follow_up_list_is_cards_with_numbers_to_call(browser, demo_server):
    page = open_page(browser, f"{demo_server}/followup?status=on_time&district=4012", width=390, height=844)
    try:
        assert page.locator("[data-testid='stDataFrame']").first.is_hidden()
        cards = page.locator(".kk-card")
        assert cards.count() == 2 and cards.first.is_visible()
        call = cards.first.locator("a")
        assert (call.get_attribute("href"), call.inner_text()) == ("tel:0844893244", "084-489-3244")
        box = call.bounding_box()
        assert box["x"] + box["width"] <= 390  # no scrolling sideways to reach the number
        screenshot(page, "followup-390x844")
    finally:
        page.close()
    assert_wide_table_on_a_desktop(browser, f"{demo_server}/followup?status=on_time&district=4012",
                                   "[data-testid='stDataFrame']")


def assert_wide_table_on_a_desktop(browser, url: str, table: str) -> None:
    """At 1366 px the same page shows its table and hides the phone's cards."""
    desktop = open_page(browser, url)
    try:
        assert desktop.locator(".kk-card").first.is_hidden()
        assert desktop.locator(table).first.is_visible()
    finally:
        desktop.close()


def test_no_english_in_the_menu_or_the_filters(browser, demo_server):
    page = open_page(browser, f"{demo_server}/followup")
    try:
        assert page.locator("[data-testid='stMainMenu']").count() == 0  # no Print / Record / Made with Streamlit
        page.locator("[data-testid='stMultiSelect']").first.click()
        page.get_by_role("option").first.wait_for()
        assert page.get_by_text("Select all").count() == 0
        assert "ยังไม่ส่ง" in page.get_by_role("listbox").inner_text()
    finally:
        page.close()


def test_followup_filters_from_the_url_and_downloads_that_list(browser, demo_server):
    page = open_page(browser, f"{demo_server}/followup?status=missing")
    try:
        assert_no_exception(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="ดาวน์โหลด CSV").click()
        assert download.value.suggested_filename == "kkdash-ยังไม่ส่ง-2566-07-05-1600.csv"
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        # Missing, one of them with a report that must be corrected (still missing in every figure).
        assert sorted({row["สถานะการส่ง"] for row in rows}) == ["ยังไม่ส่ง", "ส่งแล้วแต่ต้องแก้ไข"]
        assert page.get_by_text(f"{len(rows)} จาก 154 หน่วยงาน").count() == 1
        screenshot(page, "followup-missing")
    finally:
        page.close()


def test_the_governors_brief_downloads_from_the_overview_as_a_one_page_pdf(browser, demo_server):
    page = open_page(browser, demo_server)
    try:
        with page.expect_download() as download:
            page.get_by_role("button", name="ดาวน์โหลดสรุปสำหรับผู้บริหาร (PDF)").click()
        assert download.value.suggested_filename == "kkdash-สรุปผู้บริหาร-2566-07-05-1600.pdf"
        pdf = PdfReader(download.value.path())
        text = pdf.pages[0].extract_text()
        assert (len(pdf.pages), "สถานะ ณ 5 ก.ค. 2566 16:00 น." in text, "ข้อมูลตัวอย่าง" in text) == (1, True, True)
    finally:
        page.close()


def test_the_quality_lists_download_with_thai_headers_and_their_moment_in_the_name(browser, demo_server):
    page = open_page(browser, f"{demo_server}/quality")
    try:
        with page.expect_download() as download:
            page.get_by_role("button", name="ดาวน์โหลดแถวที่ถูกปฏิเสธ (CSV)").click()
        assert download.value.suggested_filename == "kkdash-แถวที่ถูกปฏิเสธ-2566-07-05-1600.csv"
        header = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()[0]
        assert header == "แถวในชีต,เวลาประทับ,ชื่อที่กรอก,เหตุที่ปฏิเสธ,ชื่อในทะเบียนที่ใกล้เคียง"
    finally:
        page.close()


def test_against_the_fake_sheet_the_pages_show_the_sheets_data(browser, tmp_path):
    registry = load_registry()
    header = ["ประทับเวลา", "ชื่อหน่วยงาน", "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)",
              "พนักงานราชการ (ลงนาม)", "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)",
              "เจ้าหน้าที่อื่น (ลงนาม)", "ลิงก์ประกาศบนเว็บไซต์"]
    rows = [header] + [[f"{d}/7/2566, 10:00:00", name, "10", "9", "2", "2", "1", "1", "3", "3", "https://x.go.th/a"]
                       for d, name in zip(range(1, 13), registry["name_th"], strict=False)]
    with FakeSheets({"Form Responses 1": rows}) as fake:
        env = {"KKDASH_CACHE_DIR": str(tmp_path / "cache"), "KKDASH_PUBLISHED_CSV_URL": fake.published_csv_url()}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            page = open_page(browser, url)
            try:
                assert_no_exception(page)
                page.get_by_text("ตอนนี้").first.wait_for()
                values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
                assert values[0] == "12/154"
                assert page.locator("[data-testid='stSidebar']").get_by_text("Google Sheet (ลิงก์เผยแพร่)").count() == 1
                screenshot(page, "overview-fake-sheet")
            finally:
                page.close()
        assert fake.count(fake.csv_path) == 1


def test_a_deep_link_to_a_page_on_a_fresh_server_opens_it_in_its_frame(browser, tmp_path):
    # Until st.navigation has run once, Streamlit takes pages/ for a legacy multipage app and would run
    # the page alone (no sidebar, no page config): frame.ensure_framed runs the router first.
    with streamlit_server({"KKDASH_CACHE_DIR": str(tmp_path / "cache")}, tmp_path / "streamlit.log") as url:
        page = open_page(browser, f"{url}/followup")
        try:
            assert_no_exception(page)
            assert page.locator("h1").first.inner_text() == "ติดตามหน่วยงาน"
            nav = page.locator("[data-testid='stSidebarNav'] a")
            assert nav.count() == 3
            assert page.locator("[data-testid='stSidebar']").get_by_text("กำหนดส่ง:").count() == 1
        finally:
            page.close()


def test_hr_records_a_call_in_the_agency_panel_and_finds_it_after_a_reload(browser, demo_server):
    # The demo is open to everyone as hr; a moment an hour ahead shows the campaign as it stands now.
    later = (datetime.now(BANGKOK) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    url = f"{demo_server}/followup?agency=D4009&as_of={later}"
    page = open_page(browser, url)
    try:
        note = f"โทรคุยกับผู้ประสานงาน {uuid.uuid4().hex[:8]}"
        page.get_by_label("ผู้บันทึก (ชื่อของคุณ)").fill("สมศรี")
        page.get_by_label("บันทึก", exact=True).fill(note)
        page.get_by_role("button", name="บันทึก", exact=True).click()
        page.get_by_text("บันทึกแล้ว: โทรแล้ว").wait_for()
        wait_idle(page)
        assert page.get_by_label("บันทึก", exact=True).input_value() == ""  # stored, so the form is empty again
        screenshot(page, "followup-chase-saved")
        page.reload()
        wait_idle(page)
        log = page.get_by_test_id("stTable").filter(has_text="ผู้บันทึก")
        log.get_by_text(note).wait_for()
        assert "สมศรี" in log.inner_text()
        log.scroll_into_view_if_needed()
        screenshot(page, "followup-chase-after-reload")
    finally:
        page.close()


def test_hr_previews_reminders_sends_them_and_a_second_send_is_held_back(browser, tmp_path):
    later = (datetime.now(BANGKOK) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    with SmtpServer() as smtp:
        env = {"KKDASH_CACHE_DIR": str(tmp_path / "cache"), "KKDASH_SMTP_HOST": "127.0.0.1",
               "KKDASH_SMTP_PORT": str(smtp.port), "KKDASH_SMTP_SECURITY": "none",
               "KKDASH_SMTP_FROM": "hr@khonkaen.example", "KKDASH_REMINDER_PACE_SECONDS": "0"}
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            page = open_page(browser, f"{url}/followup?status=missing&district=4009&as_of={later}")
            try:
                page.get_by_text("เขียนข้อความเตือนหน่วยงานในรายการนี้").click()
                page.get_by_text("ตัวอย่างข้อความ (").wait_for()  # the rerun the toggle starts has drawn
                wait_idle(page)
                previews = page.get_by_test_id("stExpander").filter(has_text="ถึง:")
                count = previews.count()
                assert count >= 1
                page.get_by_text("ยืนยัน: ส่งอีเมลเตือน").click()
                page.get_by_role("button", name="ส่งอีเมล").and_(page.locator(":enabled")).wait_for()
                wait_idle(page)
                screenshot(page, "reminders-preview")
                page.get_by_role("button", name="ส่งอีเมล").click()
                page.get_by_text(f"ส่งแล้ว {count}/{count} ฉบับ").wait_for(timeout=60_000)
                page.get_by_role("button", name="เสร็จแล้ว — กลับไปที่ตัวอย่างข้อความ").wait_for()
                assert len(smtp.received) == count
                screenshot(page, "reminders-sent")
                page.get_by_role("button", name="เสร็จแล้ว — กลับไปที่ตัวอย่างข้อความ").click()
                wait_idle(page)
                # Sent minutes ago: held back, and the chase log shows the e-mail.
                page.get_by_text(f"เว้นไว้ {count} หน่วยงานที่ได้รับอีเมลเตือนไปแล้วภายใน 24 ชั่วโมง").wait_for()
                assert page.get_by_role("button", name="ส่งอีเมล").count() == 0
                page.goto(f"{url}/followup?status=missing&district=4009&as_of={later}&agency=D4009")
                wait_idle(page)
                log = page.get_by_test_id("stTable").filter(has_text="ผู้บันทึก")
                log.get_by_text("ส่งอีเมล").first.wait_for()
                assert len(smtp.received) == count
            finally:
                page.close()
