"""Roles in the running app (AppTest): a viewer never receives a reporter's contact; hr does.

The data source is a real sheet — the fake Sheets server's published CSV carrying the demo rows —
because demo data is open to everyone by design. Downloads are caught where Streamlit stores them
(its media file manager) so their bytes can be searched, and every element sent to the browser is
serialised and searched too.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kkdash import access, export
from kkdash.app import signin
from kkdash.parsing import parse_phone
from kkdash.paths import DEMO_RESPONSES_PATH
from kkdash.registry import load_registry
from kkdash.text import LITERAL_LIMIT, literal
from tools.apptest import serialised
from tools.fakesheets import FakeSheets

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("app_env")]

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ["pages/overview.py", "pages/followup.py", "pages/quality.py"]
CONTACT_COLUMNS = {"call_name", "call_position", "call_phone", "call_source"}
HR_EMAIL, VIEWER_EMAIL, STRANGER = "hr.officer@khonkaen.go.th", "somchai@khonkaen.go.th", "stranger@gmail.com"
HR_PASSWORD = "ขอนแก่น hr passphrase"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-for-apptest",
    "client_id": "kkdash-test",
    "client_secret": "test-client-secret-for-apptest",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
LISTS = {"hr_emails": [HR_EMAIL], "viewer_domains": ["khonkaen.go.th"]}


def demo_rows() -> list[list[str]]:
    with open(DEMO_RESPONSES_PATH, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def contact_strings(rows: list[list[str]]) -> set[str]:
    """Every reporter name and phone in the rows and every registry contact (coordinator, phones, e-mail),
    phones also as the app normalises and dials them."""
    header = rows[0]
    name, phone = header.index("ชื่อผู้รายงาน"), header.index("เบอร์โทรศัพท์")
    registry = load_registry()
    typed = [(row[name], row[phone]) for row in rows[1:]] + list(zip(registry["contact_name"], registry["phone"],
                                                                     strict=True))
    found = set(registry["email"])
    for person, phones in typed:
        found.add(person.strip())
        for number in phones.split(","):
            digits = parse_phone(number)
            found |= {number.strip(), digits, digits.replace("-", ""), export.phone_for_people(digits)}
    return {text for text in found if len(text) >= 6}


@pytest.fixture(scope="module")
def sheet():
    """The fake Sheets server with the demo rows; shared, so the app's Feed is built once."""
    with FakeSheets({"Form Responses 1": demo_rows()}) as fake:
        yield fake


@pytest.fixture(scope="module")
def contacts() -> set[str]:
    return contact_strings(demo_rows())


def app(sheet: FakeSheets | None, *, access_table: dict | None = None, auth: bool = False,
        user: dict | None = None) -> AppTest:
    """The app on the fake sheet (or demo data) with the given access settings and st.user, not yet run."""
    at = AppTest.from_file(APP, default_timeout=60)
    if sheet is not None:
        at.secrets["sheet"] = {"published_csv_url": sheet.published_csv_url(), "deadline": "2023-07-07"}
    if access_table is not None:
        at.secrets["access"] = access_table
    if auth:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return at


def signed_in(email: str) -> dict:
    return {"is_logged_in": True, "email": email, "name": "Test"}


def visit_all(at: AppTest) -> list[bytes]:
    """Run every page; return each run's elements, serialised as the browser receives them."""
    sent = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {at.exception}"
        sent.append(serialised(at))
    return sent


def leaked(contacts: set[str], blobs: list[bytes]) -> set[str]:
    """The contacts found in any of the blobs (UTF-8 and UTF-8 with BOM are the same bytes)."""
    return {text for text in contacts for blob in blobs if text.encode("utf-8") in blob}


def followup_columns(at: AppTest) -> set[str]:
    at.switch_page("pages/followup.py").run()
    assert not at.exception
    return set(at.dataframe(key="followup_table").value.columns)


# --- viewer: aggregates only -----------------------------------------------------------------


def test_a_real_sheet_without_sign_in_shows_no_contacts_anywhere(sheet, contacts, downloads):
    at = app(sheet)
    sent = visit_all(at)
    assert not CONTACT_COLUMNS & followup_columns(at)
    assert len(downloads) >= 3  # follow-up CSV and Excel, quality CSVs
    assert leaked(contacts, downloads + sent) == set()


def test_without_sign_in_the_sidebar_says_how_to_turn_it_on(sheet):
    at = app(sheet).run()
    captions = " ".join(caption.value for caption in at.sidebar.caption)
    assert "docs/access.md" in captions and "[auth]" in captions
    assert "access_login" not in [button.key for button in at.sidebar.button]


def test_a_viewer_email_sees_figures_but_no_contacts(sheet, contacts, downloads):
    at = app(sheet, access_table=LISTS, auth=True, user=signed_in(VIEWER_EMAIL))
    sent = visit_all(at)
    assert not CONTACT_COLUMNS & followup_columns(at)
    assert leaked(contacts, downloads + sent) == set()
    at.switch_page("pages/overview.py").run()
    assert len(at.metric) >= 4


# --- hr: everything ------------------------------------------------------------------------------


def test_an_hr_email_sees_the_contact_columns_and_downloads(sheet, contacts, downloads):
    at = app(sheet, access_table=LISTS, auth=True, user=signed_in(HR_EMAIL))
    assert followup_columns(at) >= CONTACT_COLUMNS
    csv_bytes = downloads[-2]
    assert leaked(contacts, [csv_bytes])  # the phones and names are really there
    assert "ฝ่ายบุคคล" in " ".join(caption.value for caption in at.sidebar.caption)


def test_demo_data_without_sign_in_is_open_to_everyone(downloads):
    at = app(None)
    assert followup_columns(at) >= CONTACT_COLUMNS


# --- nobody else -----------------------------------------------------------------------------------


def test_an_unknown_email_is_refused_on_every_page(sheet, contacts, downloads):
    at = app(sheet, access_table=LISTS, auth=True, user=signed_in(STRANGER))
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        assert not at.dataframe and not at.metric and not at.get("plotly_chart")
        assert "ยังไม่มีสิทธิ์" in at.sidebar.warning[0].value
        assert "access_logout" in [button.key for button in at.sidebar.button]  # to switch account
    assert downloads == [] and leaked(contacts, [serialised(at)]) == set()


def test_not_signed_in_sees_only_the_sign_in_button(sheet, downloads):
    at = app(sheet, access_table=LISTS, auth=True, user={"is_logged_in": False}).run()
    assert not at.exception
    assert "access_login" in [button.key for button in at.sidebar.button]
    assert not at.dataframe and not at.metric and downloads == []
    assert "กรุณาเข้าสู่ระบบ" in at.info[0].value


def test_apptests_default_user_is_not_a_login(sheet):
    # AppTest's st.user is {"email": "test@example.com"} without is_logged_in: it must prove nothing.
    at = app(sheet, access_table={"hr_emails": ["test@example.com"]}, auth=True).run()
    assert not at.dataframe and "access_login" in [button.key for button in at.sidebar.button]


def test_broken_access_settings_lock_the_app_and_say_why(sheet):
    at = app(sheet, access_table={"hr_password_sha256": "not-a-hash"}).run()
    assert not at.exception and not at.dataframe
    assert "hr\\_password\\_sha256" in at.sidebar.error[0].value or "hr_password_sha256" in at.sidebar.error[0].value


# --- the shared password -----------------------------------------------------------------------------


def password_app(sheet) -> AppTest:
    table = {"hr_password_sha256": access.hash_password(HR_PASSWORD),
             "viewer_password_sha256": access.hash_password("viewer words")}
    return app(sheet, access_table=table).run()


def submit_password(at: AppTest, password: str) -> AppTest:
    at.sidebar.text_input(key="access_password").input(password)
    at.sidebar.button[-1].click()  # the form's submit button
    return at.run()


def test_the_hr_password_opens_the_contacts_and_stays_out_of_the_url(sheet):
    at = password_app(sheet)
    assert not at.dataframe
    submit_password(at, HR_PASSWORD)
    assert not at.exception
    assert followup_columns(at) >= CONTACT_COLUMNS
    assert HR_PASSWORD not in str(at.query_params)
    assert "access_password" not in at.session_state  # hr sees no password box; nothing kept
    assert HR_PASSWORD not in repr(at.session_state[signin.ACCESS_GRANT_KEY])
    assert "รหัสผ่านร่วม" in " ".join(caption.value for caption in at.sidebar.caption)


def test_the_viewer_password_shows_figures_without_contacts(sheet):
    at = submit_password(password_app(sheet), "viewer words")
    assert not CONTACT_COLUMNS & followup_columns(at)


def test_a_wrong_password_makes_the_visitor_wait_even_after_a_reload(sheet):
    at = submit_password(password_app(sheet), "guess")
    assert "ไม่ถูกต้อง" in at.sidebar.error[0].value
    assert "guess" not in str(at.query_params)
    submit_password(at, HR_PASSWORD)  # at once: refused without being checked
    assert "รอ" in at.sidebar.error[0].value and not at.dataframe
    reloaded = submit_password(password_app(sheet), HR_PASSWORD)  # a new session from the same place
    assert "รอ" in reloaded.sidebar.error[0].value and signin.ACCESS_GRANT_KEY not in reloaded.session_state


def test_signing_out_forgets_the_password(sheet):
    at = submit_password(password_app(sheet), HR_PASSWORD)
    at.sidebar.button(key="access_logout").click().run()
    assert not at.dataframe and signin.ACCESS_GRANT_KEY not in at.session_state


# --- strange text from the sheet -------------------------------------------------------------------

STRANGE = [
    "ก" * 10_000,
    "🏛️👩‍👩‍👧 หน่วยงาน 🇹🇭",
    "\u202eกขค\u202c \u200fمرحبا\u200f",
    "nul\x00byte",
    "**bold** [click](https://evil.example) ![px](https://evil.example/p.gif) :red[x] $x$ <b>html</b>",
    '=HYPERLINK("https://evil.example","x")',
]


def strange_rows() -> list[list[str]]:
    """The demo header and first row, then each strange text as a typed agency name and as a reporter."""
    rows = demo_rows()
    header, first = rows[0], rows[1]
    name_at, reporter_at, link_at = (header.index(h) for h in ("ชื่อหน่วยงาน", "ชื่อผู้รายงาน", "ลิงก์ประกาศบนเว็บไซต์"))
    strange = [header, first]
    for typed in STRANGE:
        typed_name = list(first)
        typed_name[name_at] = typed  # unmatched: a rejected row listed on the quality page
        contact = list(first)
        contact[reporter_at], contact[link_at] = typed, "javascript:alert(1)"
        strange += [typed_name, contact]
    return strange


@pytest.fixture
def strange_app(monkeypatch, tmp_path) -> AppTest:
    """The app signed in as hr on a sheet of strange text, with a registry whose P01 name is markdown."""
    registry = (ROOT / "data" / "agencies.csv").read_text(encoding="utf-8").splitlines()
    registry[1] = "P01," + STRANGE[4].replace(",", " ") + ",,provincial,"
    (tmp_path / "agencies.csv").write_text("\n".join(registry) + "\n", encoding="utf-8")
    monkeypatch.setenv("KKDASH_REGISTRY_PATH", str(tmp_path / "agencies.csv"))
    with FakeSheets({"Form Responses 1": strange_rows()}) as fake:
        at = app(fake, access_table={"hr_password_sha256": access.hash_password(HR_PASSWORD)}).run()
        yield submit_password(at, HR_PASSWORD)


def test_strange_sheet_text_breaks_no_page_and_headings_show_it_literally(strange_app):
    at = strange_app
    visit_all(at)
    at.switch_page("pages/followup.py").run()
    table = at.dataframe(key="followup_table").value
    assert not table["published_url"].astype(str).str.contains("javascript").any()
    p01 = table.index[table["agency_id"] == "P01"][0]
    at.session_state["followup_table"] = {"selection": {"rows": [int(p01)], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    heading = at.subheader[0].value
    assert heading == literal(STRANGE[4].replace(",", " ")) + " · ส่งตรงเวลา"
    assert "\\[click\\]\\(https\\:\u2060//" in heading  # neither a markdown link nor an autolink


def test_quality_tables_show_typed_markdown_literally(strange_app):
    at = strange_app.switch_page("pages/quality.py").run()
    cells = [str(value) for element in at.table for value in element.value.to_numpy().ravel()]
    cells += [str(value) for element in at.table for value in element.value.index]
    markdown = [cell for cell in cells if "[click]" in cell or "**bold**" in cell]
    assert markdown == []
    cards = "".join(e.proto.body for e in at.get("html") if "kk-card" in e.proto.body)
    assert "&lt;b&gt;html&lt;/b&gt;" in cards and "<b>" not in cards  # the phone's cards show it as typed too


@pytest.mark.parametrize("text", STRANGE)
def test_literal_is_one_escaped_line_of_bounded_length(text):
    shown = literal(text)
    assert len(shown) <= 2 * LITERAL_LIMIT and "\n" not in shown and "\x00" not in shown
    assert "\u202e" not in shown
    assert "://" not in shown and "www." not in shown.lower()  # no GFM autolink either
    for special in "*[]()!:$<>=":
        assert shown.count(special) == shown.count("\\" + special)


def test_the_app_logs_no_secret(sheet, caplog):
    with caplog.at_level(logging.DEBUG):
        at = app(sheet, access_table=LISTS, auth=True, user=signed_in(HR_EMAIL))
        visit_all(at)
    for secret in (AUTH["client_secret"], AUTH["cookie_secret"], sheet.access_token):
        assert secret not in caplog.text


def test_the_wall_screen_shows_nothing_before_sign_in(sheet):
    at = app(sheet, access_table=LISTS, auth=True)
    at.query_params["view"] = "wall"
    at.run()
    assert not at.exception
    assert len(at.metric) == 0
    assert at.info[0].value.endswith("เปิดหน้าปกติ (ไม่มี ?view=wall) เพื่อเข้าสู่ระบบก่อน")


def test_the_wall_screen_shows_the_overview_once_signed_in(sheet):
    at = app(sheet, access_table=LISTS, auth=True, user=signed_in(HR_EMAIL))
    at.query_params["view"] = "wall"
    at.run()
    assert not at.exception
    assert len(at.metric) == 8
