"""The app's guards in AppTest: an unreadable secrets file stops it, an odd character breaks no download and
reaches no log, and typed text that looks personal reaches a viewer masked."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import openpyxl
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from kkdash import access
from kkdash.paths import DEMO_RESPONSES_PATH
from tools.apptest import serialised
from tools.fakesheets import FakeSheets

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("app_env")]

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
HR_PASSWORD = "รหัสผ่านฝ่ายบุคคล"
PAGES = ["pages/overview.py", "pages/followup.py", "pages/quality.py"]


def demo_rows() -> list[list[str]]:
    with open(DEMO_RESPONSES_PATH, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def typed(rows: list[list[str]], column: str, value: str, *, row: int = 1) -> list[list[str]]:
    """The rows with ``value`` typed into ``column`` of answer ``row``."""
    rows = [list(r) for r in rows]
    rows[row][rows[0].index(column)] = value
    return rows


def app(fake: FakeSheets, *, hr: bool = False) -> AppTest:
    """The app on the fake sheet's published CSV; signed in as hr with the shared password when asked."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["sheet"] = {"published_csv_url": fake.published_csv_url(), "deadline": "2023-07-07"}
    if hr:
        at.secrets["access"] = {"hr_password_sha256": access.hash_password(HR_PASSWORD)}
        at.run()
        at.sidebar.text_input(key="access_password").input(HR_PASSWORD)
        at.sidebar.button[-1].click()
    return at.run()


# --- an unreadable secrets file: fail closed --------------------------------------------------------------------


@pytest.fixture
def secrets_file(tmp_path):
    """Point Streamlit's secrets.files at a file of the test's own; restored afterwards."""
    before = config.get_option("secrets.files")
    path = tmp_path / "secrets.toml"
    config.set_option("secrets.files", [str(path)])
    yield path
    config.set_option("secrets.files", before)


@pytest.mark.parametrize("page", PAGES)
def test_a_typo_in_secrets_toml_stops_every_page_naming_the_file_and_the_line(secrets_file, page):
    secrets_file.write_text('[sheet]\npublished_csv_url = "https://docs.google.com/x.csv"\n'
                            '[access]\nhr_emails = ["hr@khonkaen.go.th"\nviewer_domains = []\n', encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    at.run()
    assert not at.exception
    (error,) = at.error
    assert str(secrets_file).replace(".", "") in error.value.replace("\\", "").replace("\u2060", "").replace(".", "")
    assert "บรรทัดที่ 5" in error.value
    # Neither the demo nor a page without sign-in: nothing at all.
    assert not at.metric and not at.dataframe and not at.sidebar.toggle and not at.caption


def test_a_readable_secrets_file_runs_the_app(secrets_file):
    secrets_file.write_text('[sheet]\ndeadline = "2023-07-07"\n', encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error and len(at.metric) == 8


# --- one odd character: no exception box, no personal data in the log -----------------------------------------


def test_a_control_character_in_a_reporters_name_breaks_no_page_and_no_download(downloads, caplog):
    rows = typed(typed(demo_rows(), "ชื่อผู้รายงาน", "นายสมชาย\x0bใจดีมาก"), "ลิงก์ประกาศบนเว็บไซต์",
                 "https://www.example.go.th/\x01x")
    with caplog.at_level(logging.DEBUG), FakeSheets({"Form Responses 1": rows}) as fake:
        at = app(fake, hr=True)
        for page in PAGES:
            at.switch_page(page).run()
            assert not at.exception, page
    excel = [blob for blob in downloads if blob.startswith(b"PK")]
    assert excel
    cells = [value for row in openpyxl.load_workbook(io.BytesIO(excel[-1])).worksheets[0].iter_rows(values_only=True)
             for value in row if isinstance(value, str)]
    assert cells and not [cell for cell in cells if any(ch in cell for ch in "\x0b\x01")]
    assert "ใจดีมาก" not in caplog.text


# --- typed text that looks personal reaches a viewer masked ---------------------------------------------------


def personal_rows() -> list[list[str]]:
    """The demo, with a reporter's name and phone typed as an agency name and an e-mail as a link."""
    rows = typed(demo_rows(), "ชื่อหน่วยงาน", "นางสาวสมหญิง รักงาน 089-765-4321", row=1)
    return typed(rows, "ลิงก์ประกาศบนเว็บไซต์", "ส่งทาง somying.r@khonkaen.go.th", row=3)


PERSONAL = ("สมหญิง", "รักงาน", "089-765-4321", "somying.r@khonkaen.go.th")


def test_a_viewer_sees_personal_looking_typed_text_masked_on_the_quality_page_and_its_csv(downloads):
    with FakeSheets({"Form Responses 1": personal_rows()}) as fake:
        at = app(fake)
        at.switch_page("pages/quality.py").run()
    assert not at.exception
    shown = serialised(at)
    assert [text for text in PERSONAL if text.encode() in shown + b"".join(downloads)] == []
    frames = [table.value for table in at.table] + [frame.value for frame in at.dataframe]
    cells = " ".join(str(value) for frame in frames for value in frame.to_numpy().ravel()).replace("\\", "")
    assert "'[ชื่อบุคคล] [เบอร์โทร]' ในทะเบียน" in cells and "ลิงก์ประกาศ 'ส่งทาง [อีเมล]' ใช้ไม่ได้" in cells


def test_hr_sees_the_typed_text_as_typed(downloads):
    with FakeSheets({"Form Responses 1": personal_rows()}) as fake:
        at = app(fake, hr=True)
        at.switch_page("pages/quality.py").run()
    assert not at.exception
    csv_text = b"".join(downloads).decode("utf-8", errors="ignore")
    assert all(text in csv_text for text in PERSONAL)


def test_a_thai_windows_responses_file_is_read_with_a_note_on_every_page(tmp_path, monkeypatch):
    path = tmp_path / "จาก Excel.csv"
    # errors="ignore": the demo's pasted zero-width spaces have no Windows-874 byte, as in a real Excel save.
    with open(path, "w", encoding="cp874", errors="ignore", newline="") as handle:
        csv.writer(handle).writerows(demo_rows())
    monkeypatch.setenv("KKDASH_RESPONSES_PATH", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "TIS\\-620/Windows\\-874" in at.info[0].value
    assert {m.label: m.value for m in at.metric}["ส่งรายงานแล้ว"].endswith("/154")
