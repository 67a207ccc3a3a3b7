"""Odd command lines and odd text: every option ends in a result or one Thai line and exit 2, and nothing
typed reaches the terminal as a control sequence."""

import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kkdash import cli
from kkdash.cli.text import format_links_table
from kkdash.schema import HEADERS_TH

REPO = Path(__file__).resolve().parent.parent
CLEAN = ["1/7/2566, 9:00:00", "สำนักงานจังหวัดขอนแก่น", "", "1/7/2566", "ใช่", "10", "10", "2", "2", "0", "0", "3", "3",
         "", "นายสมชาย ใจดี", "เจ้าพนักงานธุรการ", "0812345678"]  # no link: the links command stays offline
CONTROLS = [chr(code) for code in [*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]]


def run(*argv: str) -> tuple[int, str, str]:
    """`python -m kkdash ARGV` in this process -> (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as stop:  # argparse's own exits (--help, a bad option)
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def one_thai_line(err: str) -> bool:
    return err.endswith("\n") and err.count("\n") == 1 and err.startswith("kkdash: ") and any(
        "\u0e00" <= ch <= "\u0e7f" for ch in err)


@pytest.fixture(scope="module")
def responses(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "responses.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([list(HEADERS_TH.values()), CLEAN])
    return str(path)


# --- Buddhist-era dates: the year is made CE before the calendar is asked ---------------------------------------


def test_as_of_the_29th_of_february_2567_is_a_real_day(responses):
    code, out, err = run("summary", "--responses", responses, "--format", "json", "--as-of", "2567-02-29")
    assert (code, err, json.loads(out)["as_of"]) == (0, "", "2024-02-29T23:59:59+07:00")


def test_a_deadline_on_the_29th_of_february_2567_is_a_real_day(responses):
    code, out, err = run("summary", "--responses", responses, "--format", "json", "--as-of", "2567-03-01",
                         "--deadline", "2567-02-29")
    assert (code, err, json.loads(out)["deadline"]) == (0, "", "2024-02-29")


@pytest.mark.parametrize(("option", "value"), [
    ("--deadline", "2568-02-29"), ("--as-of", "2568-02-29"),  # 2025 CE: no 29 February
    ("--deadline", "2566-13-01"), ("--as-of", "2566-13-01"), ("--deadline", "2566-02-30"),
    ("--deadline", "0001-01-01"), ("--deadline", "พรุ่งนี้"), ("--as-of", "yesterday"),
])
def test_a_date_that_names_no_day_is_one_thai_line_and_exit_2(responses, option, value):
    code, out, err = run("summary", "--responses", responses, option, value)
    assert (code, out) == (2, "")
    assert one_thai_line(err) and option in err and value in err


# --- options with odd values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "message"), [
    (["--max-age", "inf"], "kkdash: --max-age ต้องเป็นช่วงเวลา 0 ถึง 3650d เช่น 30m, 24h หรือ 7d (ได้รับ 'inf')\n"),
    (["--max-age", "1e20h"], "kkdash: --max-age ต้องเป็นช่วงเวลา 0 ถึง 3650d เช่น 30m, 24h หรือ 7d (ได้รับ '1e20h')\n"),
    (["--max-age", "nan"], "kkdash: --max-age ต้องเป็นช่วงเวลา 0 ถึง 3650d เช่น 30m, 24h หรือ 7d (ได้รับ 'nan')\n"),
    (["--max-age=-5m"], "kkdash: --max-age ต้องเป็นช่วงเวลา 0 ถึง 3650d เช่น 30m, 24h หรือ 7d (ได้รับ '-5m')\n"),
    (["--workers", "0"], "kkdash: คำสั่งไม่ถูกต้อง: argument --workers: ต้องเป็นจำนวนเต็ม 1 ถึง 64 (ได้รับ '0')"
                         " (ดูวิธีใช้: python -m kkdash --help)\n"),
    (["--workers", "-3"], "kkdash: คำสั่งไม่ถูกต้อง: argument --workers: ต้องเป็นจำนวนเต็ม 1 ถึง 64 (ได้รับ '-3')"
                          " (ดูวิธีใช้: python -m kkdash --help)\n"),
])
def test_the_links_options_that_used_to_crash(responses, argv, message):
    assert run("links", "--responses", responses, *argv) == (2, "", message)


ODD_VALUES = ["", " ", "\x1b[31m", "-1", "0", "nan", "inf", "1e309", "9" * 40, "2567-02-30", "0001-01-01",
              "9999-12-31", "/", "/dev/zero", "/dev/null", "😀", "ก" * 300]
SHARED = ["--responses", "--registry", "--districts", "--deadline", "--as-of", "--header-map", "--threshold",
          "--secrets"]
OWN = {"summary": ["--format"], "export": ["--status", "--district", "--out"], "links": ["--max-age", "--workers"]}


def odd_command_lines():
    for option in SHARED:
        yield "summary", option
    for command, options in OWN.items():
        for option in options:
            yield command, option


@pytest.mark.parametrize(("command", "option"), list(odd_command_lines()))
def test_every_option_with_odd_values_ends_in_a_result_or_one_thai_line(responses, tmp_path, command, option):
    folder = tmp_path / "folder"
    folder.mkdir()
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)))
    needed = {"export": ["--out", str(tmp_path / "out.csv")]}.get(command, [])
    for value in [*ODD_VALUES, str(folder), str(binary)]:
        argv = [command, "--responses", responses, "--as-of", "2023-07-20T12:00", *needed, option, value]
        code, out, err = run(*argv)
        assert code in (0, 1) or (code == 2 and one_thai_line(err)), (argv, code, err)
        assert "Traceback" not in err and "\x1b" not in out + err, argv


# --- nothing typed reaches the terminal as a control character -------------------------------------------------


def test_check_prints_no_control_character_typed_into_the_sheet(tmp_path):
    path = tmp_path / "responses.csv"
    rejected = [*CLEAN[:1], "หน่วยงาน\x1b[2J\x1b]0;pwned\x07ปลอม", *CLEAN[2:]]
    warned = [*CLEAN[:13], "www.example.go.th/\x1b[31m\x9b", *CLEAN[14:]]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([list(HEADERS_TH.values()), rejected, warned])
    code, out, err = run("check", "--responses", str(path), "--as-of", "2023-07-20T12:00")
    assert code == 1
    assert [ch for ch in out + err if ch in CONTROLS] == []
    assert "หน่วยงาน[2J]0;pwnedปลอม" in out  # the visible text stays


def test_an_escape_in_a_bad_option_value_is_printed_escaped(responses):
    code, out, err = run("export", "--responses", responses, "--out", "x.csv", "--status", "\x1b[2Jmissing")
    assert (code, out) == (2, "")
    assert err.startswith("kkdash: --status รู้จักเฉพาะ ") and err.endswith(" (ได้รับ \\u001b[2Jmissing)\n")


def test_the_links_table_escapes_typed_text():
    results = pd.DataFrame({"url": ["https://a.example/\x1b[31m\tx"], "status": ["unreachable"], "http_status": [None],
                            "checked_at": [pd.Timestamp("2023-07-10 10:00", tz="Asia/Bangkok")],
                            "error": ["เปิดไม่ได้\x1b[0m\n"]})
    table = format_links_table(results)
    assert [ch for ch in table if ch in CONTROLS] == []
    assert "https://a.example/\\u001b[31m\\u0009x" in table and "เปิดไม่ได้\\u001b[0m\\u000a" in table


# --- files -----------------------------------------------------------------------------------------------------------


def test_an_unreadable_secrets_file_is_named_with_its_line_and_exit_2(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[sheet]\nurl = "https://docs.google.com/spreadsheets/d/x/edit"\nrefresh_seconds = \n',
                       encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kkdash", "summary", "--secrets", str(secrets)], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"kkdash: อ่านไฟล์ตั้งค่า {secrets} ไม่ได้: บรรทัดที่ 3 (ตำแหน่งที่ 19) เขียนผิดรูปแบบ TOML"
                           " (Invalid value) — แก้บรรทัดนั้นแล้วเริ่มใหม่\n")


def test_a_thai_windows_csv_is_read_with_a_note_on_stderr(tmp_path):
    path = tmp_path / "excel.csv"
    with open(path, "w", encoding="cp874", newline="") as handle:
        csv.writer(handle).writerows([list(HEADERS_TH.values()), CLEAN])
    code, out, err = run("summary", "--responses", str(path), "--format", "json", "--as-of", "2023-07-20T12:00")
    assert (code, json.loads(out)["agencies_reported"]) == (0, 1)
    assert err == ("kkdash: ไฟล์ excel.csv บันทึกเป็นภาษาไทยแบบ Windows (TIS-620/Windows-874) จึงอ่านด้วยรหัสนั้น"
                   " — ถ้าตัวอักษรเพี้ยน ให้เปิดใน Excel แล้วบันทึกใหม่เป็นชนิด 'CSV UTF-8'\n")
