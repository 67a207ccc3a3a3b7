"""A real sign-in in Chromium: Streamlit's st.login against a mock OpenID Connect provider on loopback.

The test starts three servers on 127.0.0.1: the fake Sheets server (the data is a real sheet, so
roles matter), oidc-provider-mock as the identity provider, and `streamlit run app.py` with its own
secrets file (`--secrets.files`). Chromium clicks the sidebar's sign-in button, types an e-mail
into the provider's form, comes back signed in, and the follow-up page shows contacts to hr only.
Waits only on signals: the health endpoint, page URLs and Streamlit's script state.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kkdash import export
from kkdash.parsing import parse_phone
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_registry
from tools.browsing import chromium, free_port, needs_chromium, screenshot, streamlit_server, wait_idle
from tools.fakesheets import FakeSheets

HR_EMAIL, VIEWER_EMAIL, STRANGER = "hr.officer@khonkaen.go.th", "somchai@khonkaen.go.th", "stranger@gmail.com"
WAIT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    needs_chromium,
]


# --- servers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1: any client id, any e-mail typed into its form signs in."""
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")
    import werkzeug.serving

    # OAuth forbids plain http except when told it is a test: both ends run on loopback.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def sheet() -> Iterator[FakeSheets]:
    with open(DEMO_RESPONSES_PATH, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with FakeSheets({"Form Responses 1": rows}) as fake:
        yield fake


@pytest.fixture(scope="module")
def contacts() -> set[str]:
    """The demo reporters' and registry coordinators' names and phones (as typed and as the app shows them)."""
    with open(DEMO_RESPONSES_PATH, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    registry = load_registry()
    phones = {parse_phone(row["เบอร์โทรศัพท์"]) for row in rows}
    phones |= {number.strip() for numbers in registry["phone"] for number in numbers.split(",")}
    found = {row["ชื่อผู้รายงาน"].strip() for row in rows} | phones | {export.phone_for_people(p) for p in phones}
    found |= set(registry["contact_name"]) | set(registry["email"])
    return {text for text in found if len(text) >= 6}


@pytest.fixture(scope="module")
def app_secrets(tmp_path_factory, provider, sheet) -> dict:
    """The server's port, its secrets file, and the secret values that must never reach a log."""
    port = free_port()
    values = {"cookie_secret": secrets.token_urlsafe(32), "client_secret": "cs-" + secrets.token_urlsafe(24)}
    path = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    path.write_text(f"""
[sheet]
published_csv_url = "{sheet.published_csv_url()}"
deadline = "2023-07-07"

[access]
hr_emails = ["{HR_EMAIL}"]
viewer_domains = ["khonkaen.go.th"]

[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{values['cookie_secret']}"
client_id = "kkdash-browser-test"
client_secret = "{values['client_secret']}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    return {"port": port, "path": path, "values": values}


@pytest.fixture(scope="module")
def server(tmp_path_factory, app_secrets) -> Iterator[dict]:
    """`streamlit run app.py` with the temporary secrets file; yields its base URL and log path."""
    folder = tmp_path_factory.mktemp("server")
    log = folder / "streamlit.log"
    env = {"KKDASH_CACHE_DIR": str(folder / "cache"), "AUTHLIB_INSECURE_TRANSPORT": "1"}
    options = ["--secrets.files", str(app_secrets["path"]), "--logger.level", "debug"]
    with streamlit_server(env, log, port=app_secrets["port"], options=options) as base:
        yield {"base": base, "log": log}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


# --- steps -------------------------------------------------------------------------------------------


def idle(page) -> None:
    """Wait until Streamlit has finished running the script for this page."""
    wait_idle(page, timeout=WAIT_MS)


def sign_in(browser, base: str, email: str):
    """A fresh browser context signs in through the provider's form; returns its page, back on the app."""
    context = browser.new_context(viewport={"width": 1500, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(base)
    page.get_by_text("กรุณาเข้าสู่ระบบก่อนดูข้อมูล").wait_for(timeout=WAIT_MS)
    idle(page)
    page.get_by_role("button", name="เข้าสู่ระบบด้วยบัญชีอีเมล").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=WAIT_MS)
    page.locator("input[name='sub']").fill(email)
    screenshot(page, f"login-provider-{email.split('@')[0]}")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/?(\?.*)?$"), timeout=WAIT_MS)
    idle(page)
    return page


def followup(page, base: str):
    page.goto(f"{base}/followup")
    idle(page)
    page.get_by_text("ติดตามหน่วยงาน").first.wait_for(timeout=WAIT_MS)
    return page


def download_csv(page) -> str:
    """Click the follow-up page's CSV button; return the file's text."""
    with page.expect_download(timeout=WAIT_MS) as caught:
        page.get_by_role("button", name="ดาวน์โหลด CSV").click()
    return Path(caught.value.path()).read_text(encoding="utf-8-sig")


def column_names(page) -> list[str]:
    """The follow-up table's column names, as its own "Show/hide columns" menu lists them (the grid is a canvas)."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.hover()
    page.get_by_role("button", name="Show/hide columns").first.click()
    menu = page.get_by_test_id("stDataFrameColumnVisibilityMenu")
    menu.wait_for(timeout=WAIT_MS)
    names = [box.get_attribute("aria-label") for box in menu.locator("input[type='checkbox']").all()]
    page.keyboard.press("Escape")
    return names


# --- tests -----------------------------------------------------------------------------------------------


def test_hr_signs_in_and_sees_the_contacts(browser, server, contacts):
    page = sign_in(browser, server["base"], HR_EMAIL)
    sidebar = page.get_by_test_id("stSidebar").inner_text().replace("\u2060", "")  # word joiners stop autolinks
    assert HR_EMAIL in sidebar and "ฝ่ายบุคคล" in sidebar
    followup(page, server["base"])
    headers = column_names(page)
    assert {"ผู้ที่ต้องติดต่อ", "โทรศัพท์", "ข้อมูลจาก"} <= set(headers), headers
    page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()
    screenshot(page, "login-hr-followup")
    text = download_csv(page)
    assert "ผู้ที่ต้องติดต่อ" in text and sum(contact in text for contact in contacts) > 10
    page.context.close()


def test_a_viewer_signs_in_and_sees_no_contact_anywhere(browser, server, contacts):
    page = sign_in(browser, server["base"], VIEWER_EMAIL)
    followup(page, server["base"])
    headers = column_names(page)
    assert headers and not {"ผู้ที่ต้องติดต่อ", "ตำแหน่ง", "โทรศัพท์", "ข้อมูลจาก"} & set(headers), headers
    screenshot(page, "login-viewer-followup")
    text = download_csv(page)
    assert "ผู้ที่ต้องติดต่อ" not in text and "เบอร์โทรศัพท์" not in text
    assert not [contact for contact in contacts if contact in text]
    assert not [contact for contact in contacts if contact in page.content()]
    page.context.close()


def test_an_unknown_email_is_refused_and_can_sign_out(browser, server):
    page = sign_in(browser, server["base"], STRANGER)
    followup(page, server["base"])
    assert page.get_by_text("ยังไม่มีสิทธิ์").first.is_visible()
    assert page.get_by_test_id("stDataFrame").count() == 0
    screenshot(page, "login-stranger-refused")
    page.get_by_role("button", name="ออกจากระบบ").click()
    # st.logout also ends the provider's session: the mock asks for a confirmation first.
    page.wait_for_url(re.compile(r".*/oauth2/end_session.*"), timeout=WAIT_MS)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="เข้าสู่ระบบด้วยบัญชีอีเมล").wait_for(timeout=WAIT_MS)
    assert page.get_by_test_id("stDataFrame").count() == 0
    page.context.close()


def test_the_server_log_holds_no_secret(server, app_secrets, sheet):
    log = server["log"].read_text(encoding="utf-8", errors="replace")
    assert "kkdash" in log or "Streamlit" in log or log  # the log was written
    for value in (*app_secrets["values"].values(), sheet.access_token):
        assert value not in log
    assert not re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{40}", log)
    assert not re.search(r"\bya29\.[\w-]{20,}", log)
