"""Faults of the network and of the sheet, end to end, through the real gspread and google-auth clients.

The fake Google (tools/fakesheets.py) stands behind an HTTPS proxy on loopback, so the app and the CLI
use their own unmodified sessions to https://sheets.googleapis.com and https://oauth2.googleapis.com.
For every fault — the server refusing, answering slowly, dripping a byte at a time, redirecting in a
loop, sending a broken gzip body or hanging up; the sheet losing its answers or a column's name; the
token endpoint failing — the last good figures stay on screen with an honest banner for every viewer,
the CLI ends within its deadline with the last good figures (exit 0, or 2 when there are none), and
the snapshot on disk is still the last good one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kkdash import access
from kkdash.app import data
from kkdash.registry import load_registry
from tools.fakesheets import FakeSheets, make_service_account_info

pytestmark = [pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TAB = "Form Responses 1"
DEADLINE = 3  # seconds for one whole read (KKDASH_READ_DEADLINE_SECONDS), in the app and the CLI
# A CLI run is its read plus starting Python, importing pandas and the Google clients and computing the
# figures: on a busy two-core machine that can take several seconds, never the minutes a fault could.
START_AND_COMPUTE = 15
AS_OF = "2023-07-20T12:00"
HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "อำเภอ", "วันที่ประกาศเจตนารมณ์", "หัวหน้าหน่วยงานร่วมลงนาม",
          "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)", "พนักงานราชการ (ลงนาม)",
          "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)", "เจ้าหน้าที่อื่น (ลงนาม)",
          "ลิงก์ประกาศบนเว็บไซต์", "ชื่อผู้รายงาน", "ตำแหน่ง", "เบอร์โทรศัพท์"]
RENAMED = ["ชื่อหน่วยงาน/สถานศึกษา" if name == "ชื่อหน่วยงาน" else name for name in HEADER]
HR_PASSWORD = "รหัสผ่านฝ่ายบุคคล"

# How each fault is made, and the start of the line that explains it (banner and stderr alike).
FAILED = "ดึงข้อมูลจาก Google Sheet ไม่สำเร็จ: "
FAULTS = {
    "refused": lambda fake: fake.stop(),
    "slow": lambda fake: fake.fail_next("slow", times=100),
    "dripping": lambda fake: fake.fail_next("drip", times=100),
    "redirect loop": lambda fake: fake.fail_next("redirect", times=100),
    "bad gzip": lambda fake: fake.fail_next("gzip", times=100),
    "hang-up": lambda fake: fake.fail_next("hangup", times=100),
    "header only": lambda fake: fake.set_worksheet(TAB, [HEADER]),
    "renamed column": lambda fake: fake.set_worksheet(TAB, [RENAMED, *sheet_rows()[1:]]),
    "token endpoint failing": lambda fake: fake.fail_token("500", times=100),
    "token endpoint dripping": lambda fake: fake.fail_token("drip", times=100),
    "key revoked": lambda fake: fake.fail_token("400", times=100),
}
TRANSPORT = [name for name in FAULTS if name not in ("header only", "renamed column")]


def sheet_rows(count: int = 20) -> list[list[str]]:
    """A clean response sheet: one on-time report from each of the registry's first ``count`` agencies."""
    rows = [HEADER]
    for i, name in enumerate(load_registry()["name_th"][:count]):
        rows.append([f"{1 + i % 6}/7/2566, 10:{i:02d}:00", name, "", "1/7/2566", "ใช่", "10", "10", "2", "2", "1",
                     "1", "3", "3", "https://example.go.th/x", "นายทดสอบ ระบบ", "นักทรัพยากรบุคคล", "0812345678"])
    return rows


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key") / "service-account.json"
    path.write_text(json.dumps(make_service_account_info()), encoding="utf-8")
    return path


@pytest.fixture
def fake():
    # token_lifetime=1: every read asks for a token, as a new CLI process does, so token faults bite the app too.
    with FakeSheets({TAB: sheet_rows()}, slow_seconds=60, drip_seconds=0.5, token_lifetime=1) as server:
        yield server


def sheet_environment(fake: FakeSheets, key_file: Path, cache: Path) -> dict[str, str]:
    """The settings of a real deployment, with Google reached through the fake's proxy."""
    return {"KKDASH_SHEET_URL": fake.sheet_url, "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
            "KKDASH_CACHE_DIR": str(cache), "KKDASH_READ_DEADLINE_SECONDS": str(DEADLINE), **fake.proxy_environment()}


def expected_line(fault: str) -> str:
    if fault == "header only":
        return "ชีตที่อ่านล่าสุด ("
    if fault == "renamed column":
        return "การอ่านชีตล่าสุดใช้ไม่ได้: ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ: 'ชื่อหน่วยงาน' (agency_name)"
    return FAILED


# --- the CLI ---------------------------------------------------------------------------------------------------


def kkdash(*args: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m kkdash ARGS` with ``env`` over a clean environment -> (the run, seconds it took)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KKDASH_", "GOOGLE_APPLICATION", "HTTP"))}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kkdash", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, encoding="utf-8", timeout=90, check=False)
    return done, time.monotonic() - started


def figures(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    return {key: summary[key] for key in ("agencies_reported", "personnel_total", "rows_total")}


@pytest.fixture(scope="module")
def good_snapshot(tmp_path_factory, key_file) -> Path:
    """A cache folder holding the last good read, made by a CLI run on a healthy sheet."""
    cache = tmp_path_factory.mktemp("good-cache")
    with FakeSheets({TAB: sheet_rows()}) as healthy:
        done, _ = kkdash("summary", "--format", "json", "--as-of", AS_OF,
                         env=sheet_environment(healthy, key_file, cache))
    assert figures(done) == {"agencies_reported": 20, "personnel_total": 320, "rows_total": 20}
    return cache / "last-good-sheet.json"


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_cli_ends_within_its_deadline_with_the_last_good_figures(fault, fake, key_file, good_snapshot, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(good_snapshot, cache / "last-good-sheet.json")
    FAULTS[fault](fake)
    done, seconds = kkdash("summary", "--format", "json", "--as-of", AS_OF,
                           env=sheet_environment(fake, key_file, cache))
    assert figures(done) == {"agencies_reported": 20, "personnel_total": 320, "rows_total": 20}
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    if fault in TRANSPORT:
        assert done.stderr.startswith("kkdash: อ่าน Google Sheet ไม่ได้ (")
        assert " — ใช้ข้อมูลล่าสุดที่ดึงได้ ณ " in done.stderr
    else:
        assert done.stderr.startswith("kkdash: " + expected_line(fault))
    assert seconds < DEADLINE + START_AND_COMPUTE
    assert (cache / "last-good-sheet.json").read_bytes() == good_snapshot.read_bytes()


@pytest.mark.parametrize("fault", ["refused", "dripping", "token endpoint failing", "renamed column"])
def test_the_cli_with_no_good_read_saved_is_one_line_and_exit_2(fault, fake, key_file, tmp_path):
    FAULTS[fault](fake)
    done, seconds = kkdash("summary", "--as-of", AS_OF, env=sheet_environment(fake, key_file, tmp_path / "cache"))
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1)
    assert done.stderr.startswith("kkdash: ") and "Traceback" not in done.stderr
    assert seconds < DEADLINE + START_AND_COMPUTE
    assert not (tmp_path / "cache" / "last-good-sheet.json").exists()


def test_the_cli_takes_a_shrunken_sheet_only_when_told(fake, key_file, good_snapshot, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(good_snapshot, cache / "last-good-sheet.json")
    FAULTS["header only"](fake)
    env = sheet_environment(fake, key_file, cache)
    held, _ = kkdash("summary", "--format", "json", "--as-of", AS_OF, env=env)
    assert figures(held)["agencies_reported"] == 20
    assert held.stderr.endswith("(ฝ่ายบุคคลยืนยันได้ในหน้าเว็บ หรือรันคำสั่งนี้อีกครั้งพร้อม --accept-drop)\n")
    accepted, _ = kkdash("summary", "--format", "json", "--as-of", AS_OF, "--accept-drop", env=env)
    assert (figures(accepted)["agencies_reported"], accepted.stderr) == (0, "")
    assert json.loads((cache / "last-good-sheet.json").read_text(encoding="utf-8"))["responses"] == [HEADER]


# --- the app: every viewer --------------------------------------------------------------------------------------


@pytest.fixture
def app_sheet(fake, key_file, app_env, monkeypatch):
    """The app's environment pointed at the fake sheet; yields (fake, snapshot path)."""
    for name, value in sheet_environment(fake, key_file, app_env).items():
        monkeypatch.setenv(name, value)
    yield fake, app_env / "last-good-sheet.json"
    st.cache_resource.clear()


def viewer(page: str | None = None, *, secrets: dict | None = None) -> AppTest:
    """A new visitor (a new session of the same server process), run once."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(secrets or {})
    if page:
        at.switch_page(page)
    return at.run()


def reported(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["ส่งรายงานแล้ว"]


def plain(markdown: str) -> str:
    """Text shown through kkdash.text.literal, as the reader sees it: without its escapes and word joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def banner(at: AppTest, fault: str) -> str:
    """The text of the banner that explains ``fault`` (warning or error), as read; '' when there is none."""
    texts = [plain(element.value) for element in [*at.warning, *at.error]]
    return next((text for text in texts if text.startswith(expected_line(fault))), "")


def shown_on(at: AppTest) -> dict:
    """What a page run showed, for a failing assertion's message."""
    return {"exception": [e.value for e in at.exception], "buttons": [b.key for b in at.button],
            "banners": [e.value for e in [*at.warning, *at.error]],
            "feed": getattr(data.sheet_feed(), "state", None)}


def settle() -> None:
    """Wait for the background read under way: the feed's signal, not a sleep."""
    assert data.sheet_feed().wait(timeout=60)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_viewer_keeps_the_last_good_figures_with_an_honest_banner(fault, app_sheet):
    fake, snapshot_path = app_sheet
    first = viewer()
    assert reported(first) == "20/154"
    good = snapshot_path.read_bytes()
    FAULTS[fault](fake)
    first.button(key="sidebar_refresh").click().run()  # the read runs in the background; the page does not wait
    assert reported(first) == "20/154"
    settle()
    for at in (first.run(), viewer(), viewer("pages/followup.py")):
        assert not at.exception
        if at.metric:
            assert reported(at) == "20/154"
        else:
            assert len(at.dataframe(key="followup_table").value) == 154
        shown = banner(at, fault)
        assert shown, [e.value for e in [*at.warning, *at.error]]
        assert "ณ " in shown  # the age of what is shown
        if fault in TRANSPORT:
            assert "กำลังแสดงข้อมูลล่าสุดที่ดึงได้" in shown
    assert snapshot_path.read_bytes() == good


@pytest.mark.parametrize("fault", ["dripping", "header only", "renamed column"])
def test_a_restart_during_the_fault_still_shows_the_last_good_snapshot(fault, app_sheet):
    fake, snapshot_path = app_sheet
    assert reported(viewer()) == "20/154"
    good = snapshot_path.read_bytes()
    FAULTS[fault](fake)
    st.cache_resource.clear()  # a new server process: nothing in memory, the snapshot on disk
    at = viewer()
    assert reported(at) == "20/154"  # at once, from disk, while the new process's first read runs
    settle()
    at.run()
    assert (reported(at), bool(banner(at, fault))) == ("20/154", True)
    assert snapshot_path.read_bytes() == good


def test_hr_confirms_a_shrunken_sheet_for_every_viewer(app_sheet):
    fake, snapshot_path = app_sheet
    secrets = {"access": {"hr_password_sha256": access.hash_password(HR_PASSWORD),
                          "viewer_password_sha256": access.hash_password("ผู้ชม")}}
    hr = viewer(secrets=secrets)
    hr.sidebar.text_input(key="access_password").input(HR_PASSWORD)
    hr.sidebar.button[-1].click().run()
    assert reported(hr) == "20/154"
    FAULTS["header only"](fake)
    hr.button(key="sidebar_refresh").click().run()
    settle()
    someone = viewer(secrets=secrets)
    someone.sidebar.text_input(key="access_password").input("ผู้ชม")
    someone.sidebar.button[-1].click().run()
    assert "จากเดิม 20 แถว" in banner(someone, "header only")
    assert "source_confirm_held" not in [button.key for button in someone.button]  # a viewer cannot confirm
    hr.run()  # HR looks again once the read is held back for everyone
    assert "จากเดิม 20 แถว" in banner(hr, "header only"), shown_on(hr)
    hr.button(key="source_confirm_held").click().run()
    assert (reported(hr), banner(hr, "header only")) == ("0/154", "")
    assert (reported(someone.run()), banner(someone, "header only")) == ("0/154", "")
    assert json.loads(snapshot_path.read_text(encoding="utf-8"))["responses"] == [HEADER]
