"""The CLI against the live sheet: the same settings as the app, the last good read when Google fails."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kkdash.registry import load_registry
from tools.fakesheets import FakeSheets

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent
HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)",
          "พนักงานราชการ (ลงนาม)", "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)",
          "เจ้าหน้าที่อื่น (ลงนาม)", "ลิงก์ประกาศบนเว็บไซต์"]


def rows(count: int) -> list[list[str]]:
    """``count`` on-time reports of 12 people each (the last one 9 July, so late)."""
    names = load_registry()["name_th"].tolist()
    return [HEADER] + [[f"{1 + i % 6}/7/2566, 10:00:00", names[i], "8", "8", "2", "2", "1", "1", "1", "1", ""]
                       for i in range(count - 1)] + [["9/7/2566, 10:00:00", names[count - 1], "8", "7", "2", "2",
                                                      "1", "1", "1", "1", "www.example.go.th/x"]]


def kkdash(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KKDASH_", "GOOGLE_APPLICATION"))}
    return subprocess.run([sys.executable, "-m", "kkdash", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def fake():
    with FakeSheets({"Form Responses 1": rows(5)}) as server:
        yield server


def summary(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return {k: data[k] for k in ("agencies_reported", "agencies_late", "personnel_total", "personnel_signed",
                                 "rows_total")}


def test_summary_reads_the_configured_sheet_then_keeps_the_last_good_read(fake, tmp_path):
    env = {"KKDASH_PUBLISHED_CSV_URL": fake.published_csv_url(), "KKDASH_CACHE_DIR": str(tmp_path),
           "KKDASH_ALLOW_LOOPBACK": "1"}
    first = kkdash("summary", "--format", "json", "--as-of", "2023-07-20T12:00", env=env)
    assert summary(first) == {"agencies_reported": 5, "agencies_late": 1, "personnel_total": 60,
                              "personnel_signed": 59, "rows_total": 5}
    assert fake.count(fake.csv_path) == 1
    fake.fail_next("500", times=20)
    again = kkdash("summary", "--format", "json", "--as-of", "2023-07-20T12:00", env=env)
    assert summary(again) == summary(first)
    assert again.stderr.startswith("kkdash: อ่าน Google Sheet ไม่ได้ (")
    assert "ใช้ข้อมูลล่าสุดที่ดึงได้ ณ " in again.stderr


def test_a_failing_sheet_with_nothing_saved_is_one_line_and_exit_2(fake, tmp_path):
    fake.fail_next("403", times=20)
    env = {"KKDASH_PUBLISHED_CSV_URL": fake.published_csv_url(), "KKDASH_CACHE_DIR": str(tmp_path),
           "KKDASH_ALLOW_LOOPBACK": "1"}
    done = kkdash("summary", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("kkdash: อ่าน Google Sheet ไม่ได้: ")
    assert "Traceback" not in done.stderr


def test_demo_flag_ignores_the_configured_sheet(fake, tmp_path):
    env = {"KKDASH_PUBLISHED_CSV_URL": fake.published_csv_url(), "KKDASH_CACHE_DIR": str(tmp_path),
           "KKDASH_ALLOW_LOOPBACK": "1"}
    done = kkdash("summary", "--demo", "--format", "json", "--as-of", "2023-07-20T12:00", env=env)
    assert json.loads(done.stdout)["agencies_reported"] > 5
    assert fake.count(fake.csv_path) == 0
