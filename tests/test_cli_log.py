"""`python -m kkdash log add|list`: the chase log from the command line, on SQLite and with bad input."""

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kkdash.dates import BANGKOK
from kkdash.labels import ENTRY_HEADERS_TH

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def kkdash(tmp_path):
    """`python -m kkdash ARGS --demo` with a private cache folder (and so a private SQLite chase log)."""
    def run(*args, database=None):
        extra = ["--database", database] if database else []
        env = {"KKDASH_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        return subprocess.run([sys.executable, "-m", "kkdash", *args, "--demo", *extra], cwd=REPO, env=env,
                              capture_output=True, timeout=60, check=False)
    return run


def text(done) -> tuple[int, str, str]:
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def test_add_then_list_as_json_csv_and_a_table(kkdash):
    promise = datetime.now(BANGKOK).date() + timedelta(days=30)
    typed = f"{promise.day}/{promise.month}/{promise.year + 543}"  # a Buddhist-Era date, as HR types it
    added = text(kkdash("log", "add", "--agency", "D4009", "--action", "no_answer", "--note", "=HYPERLINK(\"x\")",
                        "--promise", typed, "--by", "สมศรี"))
    assert added == (0, "", "บันทึกแล้ว ลำดับที่ 1: D4009 โทรไม่ติด\n")
    code, out, _ = text(kkdash("log", "list", "--format", "json"))
    (entry,) = json.loads(out)
    assert (code, {k: entry[k] for k in ("id", "agency_id", "action", "note", "promised_on", "by", "corrects")}) == (
        0, {"id": 1, "agency_id": "D4009", "action": "no_answer", "note": "=HYPERLINK(\"x\")",
            "promised_on": promise.isoformat(), "by": "สมศรี", "corrects": None})
    raw = kkdash("log", "list", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0] == [ENTRY_HEADERS_TH[c] for c in ("id", "agency_id", "action", "note", "promised_on", "by", "at",
                                                    "corrects")]
    assert rows[1][:6] == ["1", "D4009", "โทรไม่ติด", "'=HYPERLINK(\"x\")", promise.isoformat(), "สมศรี"]
    code, out, _ = text(kkdash("log", "list", "--agency", "P01"))
    assert (code, out) == (0, "ยังไม่มีบันทึกการติดตามในรอบนี้\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--agency", "X99", "--action", "called"], "ไม่พบหน่วยงานรหัส 'X99' ในทะเบียนหน่วยงาน"),
    (["--agency", "D4009", "--action", "fly"], "ไม่รู้จักการติดตาม 'fly'"),
    (["--agency", "D4009", "--action", "called", "--promise", "2020-01-01"], "ผ่านมาแล้ว"),
    (["--agency", "D4009", "--action", "called", "--promise", "พรุ่งนี้"], "--promise ต้องเป็นวันที่"),
    (["--agency", "D4009", "--action", "called", "--note", "ก" * 10_000], "2,000"),
])
def test_bad_input_is_one_thai_line_and_exit_2(kkdash, args, message):
    code, out, err = text(kkdash("log", "add", "--by", "สมศรี", *args))
    assert (code, out, err.count("\n"), err.startswith("kkdash: "), message in err, "Traceback" in err) == (
        2, "", 1, True, True, False)


def test_a_database_that_cannot_be_opened_is_one_thai_line_and_exit_2(kkdash, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = text(kkdash("log", "list", database=f"sqlite:///{blocker}/chase.sqlite3"))
    assert (code, out, err.count("\n"), err.startswith("kkdash: เปิดฐานข้อมูลบันทึกการติดตามไม่ได้"),
            "Traceback" in err) == (2, "", 1, True, False)
