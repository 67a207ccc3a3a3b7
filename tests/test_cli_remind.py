"""`python -m kkdash remind`: a dry run by default, --send through a real SMTP server on loopback, every sent
message in the chase log, nothing twice within 24 hours, and exit codes a scheduled run can act on."""

import csv
import io
import os
import subprocess
import sys
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from kkdash.store import ChaseLog, default_database_url
from tools.smtpserver import Faults, SmtpServer, unused_port

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(120)
GRANUAN = ["--district", "4009", "--as-of", "2023-07-05T16:00", "--status", "missing"]  # three agencies owe
SENDER = "hr@khonkaen.example"


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def kkdash(cache: Path, *args, port: int | None = None):
    """`python -m kkdash ARGS --demo`, with the SMTP server on loopback when ``port`` is given, unpaced."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KKDASH_")},
           "KKDASH_CACHE_DIR": str(cache), "KKDASH_REMINDER_PACE_SECONDS": "0"}
    if port:
        env |= {"KKDASH_SMTP_HOST": "127.0.0.1", "KKDASH_SMTP_PORT": str(port), "KKDASH_SMTP_SECURITY": "none",
                "KKDASH_SMTP_FROM": SENDER}
    done = subprocess.run([sys.executable, "-m", "kkdash", "remind", "--demo", *args], cwd=REPO, env=env,
                          capture_output=True, timeout=90, check=False)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def subject_of(received) -> str:
    return str(make_header(decode_header(received.parsed()["Subject"])))


def test_a_dry_run_writes_every_message_and_sends_nothing(cache, tmp_path):
    out = tmp_path / "messages.csv"
    with SmtpServer() as server:
        code, stdout, stderr = kkdash(cache, *GRANUAN, "--out", str(out), port=server.port)
        assert server.received == [] and server.handler.connections == 0
    assert (code, [line.split("\t")[0] for line in stdout.splitlines()]) == (0, ["D4009", "U4009-1", "U4009-2"])
    assert stderr.endswith("ยังไม่ได้ส่ง (ทดลอง): จะส่ง 3 ฉบับ, ไม่มีอีเมล 0, เว้นไว้ 0 — ใช้ --send เพื่อส่งจริง\n")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["รหัสหน่วยงาน", "หน่วยงาน", "เรียน", "อีเมล", "เรื่อง", "ข้อความ"]
    assert [row[0] for row in rows[1:]] == ["D4009", "U4009-1", "U4009-2"]
    assert "รายงานแถวที่ 28" in rows[1][5]  # D4009's report was rejected: its message says which row and why


def test_send_delivers_logs_and_a_second_run_the_same_day_sends_nothing(cache):
    with SmtpServer() as server:
        code, _, stderr = kkdash(cache, *GRANUAN, "--send", "--by", "สมศรี", port=server.port)
        assert code == 0, stderr
        assert [sorted(r.rcpt_tos) for r in server.received] == [
            ["hr.d4009@khonkaen.example", "saraban.d4009@khonkaen-demo.example"],
            ["saraban.u4009-1@khonkaen-demo.example"], ["saraban.u4009-2@khonkaen-demo.example"]]
        assert subject_of(server.received[0]) == ('ขอให้ดำเนินการประกาศเจตนารมณ์ "จังหวัดคุณธรรม" ให้ครบ:'
                                                  " ที่ว่าการอำเภอกระนวน (กำหนดส่ง 7 ก.ค. 2566)")
        assert "ส่งแล้ว 3 ฉบับ, ไม่สำเร็จ 0, ไม่มีอีเมล 0, เว้นไว้ 0" in stderr
        again = kkdash(cache, *GRANUAN, "--send", port=server.port)
        assert len(server.received) == 3  # nothing new
    assert again[0] == 0 and again[2].count("เว้นไว้: ได้รับอีเมลเตือนภายใน 24 ชั่วโมงที่ผ่านมา") == 3
    from datetime import date

    with ChaseLog(default_database_url(cache)) as log:
        entries = log.entries(campaign=date(2023, 7, 7))
    assert entries[["agency_id", "action", "by"]].values.tolist() == [
        ["D4009", "email", "สมศรี"], ["U4009-1", "email", "สมศรี"], ["U4009-2", "email", "สมศรี"]]
    assert entries["subject"].iloc[1].endswith("สำนักงานสาธารณสุขอำเภอกระนวน (กำหนดส่ง 7 ก.ค. 2566)")
    assert entries["recipients"].iloc[1] == ("saraban.u4009-1@khonkaen-demo.example",)


def test_again_sends_within_the_24_hours_on_purpose(cache):
    with SmtpServer() as server:
        kkdash(cache, *GRANUAN, "--send", port=server.port)
        code, _, _ = kkdash(cache, *GRANUAN, "--send", "--again", port=server.port)
        assert (code, len(server.received)) == (0, 6)


def test_one_refused_recipient_fails_that_agency_only_and_exits_1(cache):
    refused = {"saraban.u4009-1@khonkaen-demo.example": "550 5.1.1 No such user"}
    with SmtpServer(faults=Faults(refuse=refused)) as server:
        code, stdout, stderr = kkdash(cache, *GRANUAN, "--send", port=server.port)
        assert len(server.received) == 2
    assert code == 1
    assert "U4009-1\tเซิร์ฟเวอร์ปฏิเสธ" in stdout
    assert "kkdash: U4009-1 เซิร์ฟเวอร์ปฏิเสธ: saraban.u4009-1@khonkaen-demo.example: 550 5.1.1 No such user" in stderr


def test_a_server_that_is_down_sends_nothing_and_exits_1(cache):
    code, stdout, stderr = kkdash(cache, *GRANUAN, "--send", port=unused_port())
    assert (code, stdout, stderr.startswith("kkdash: ส่งไม่ได้ ยังไม่ได้ส่งฉบับใด: ")) == (1, "", True)


def test_send_without_a_server_configured_is_bad_input(cache):
    code, stdout, stderr = kkdash(cache, *GRANUAN, "--send")
    assert (code, stdout, stderr.strip().splitlines()[-1].startswith("kkdash: ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล")) == (
        2, "", True)


@pytest.mark.parametrize(("args", "message"), [
    (["--status", "overdue"], "--status รู้จักเฉพาะ"),
    (["--out", "x.pdf"], "--out ต้องเป็นไฟล์ .csv หรือ .txt"),
])
def test_bad_input_exits_2(cache, args, message):
    code, stdout, stderr = kkdash(cache, *GRANUAN, *args)
    assert (code, stdout, message in stderr, "Traceback" in stderr) == (2, "", True, False)
