"""Link checks as people meet them: the CLI's `links` command, the follow-up column and filter, the KPI."""

import csv
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kkdash import links, views
from kkdash.registry import load_registry
from tools.fakesheets import FakeSheets

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parent.parent
HEADER = ["ประทับเวลา", "ชื่อหน่วยงาน", "ข้าราชการ (ทั้งหมด)", "ข้าราชการ (ลงนาม)", "พนักงานราชการ (ทั้งหมด)",
          "พนักงานราชการ (ลงนาม)", "ลูกจ้างประจำ (ทั้งหมด)", "ลูกจ้างประจำ (ลงนาม)", "เจ้าหน้าที่อื่น (ทั้งหมด)",
          "เจ้าหน้าที่อื่น (ลงนาม)", "ลิงก์ประกาศบนเว็บไซต์"]
PAGES = {
    "/declaration": (200, "<html><body><h1>ประกาศเจตนารมณ์ องค์กรคุณธรรม</h1></body></html>"),
    "/other": (200, "<html><body><h1>ข่าวประชาสัมพันธ์</h1></body></html>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = PAGES.get(self.path, (404, "not found"))
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def sheet(site: str) -> list[list[str]]:
    """Four reports: a real declaration, a page without it, a dead link, and no link at all."""
    names = load_registry()["name_th"].tolist()
    urls = [f"{site}/declaration", f"{site}/other", f"{site}/gone", ""]
    return [HEADER] + [[f"{i + 1}/7/2566, 10:00:00", names[i], "10", "10", "1", "1", "1", "1", "1", "1", url]
                       for i, url in enumerate(urls)]


def write_csv(rows, path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_with_link_status_maps_each_agencys_latest_link():
    agencies = pd.DataFrame({"published_url": ["https://a.example/x", "https://b.example/y", None]})
    results = pd.DataFrame({"url": ["https://a.example/x"], "status": ["ok"]})
    assert views.with_link_status(agencies, results)["link_status"].tolist() == ["ok", "unchecked", "no_link"]


def test_the_links_command_checks_and_exports_each_agencys_link(site, tmp_path):
    responses = write_csv(sheet(site), tmp_path / "responses.csv")
    out = tmp_path / "links.csv"
    env = {**os.environ, "KKDASH_CACHE_DIR": str(tmp_path / "cache"), "KKDASH_ALLOW_LOOPBACK": "1"}
    done = subprocess.run([sys.executable, "-m", "kkdash", "links", "--responses", str(responses),
                           "--as-of", "2023-07-10", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "รวม 3 ลิงก์: ใช้งานได้ 1, เปิดไม่ได้ 1, ไม่พบเนื้อหาประกาศ 1, ยังไม่ตรวจ 0"
    exported = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert list(exported[0]) == ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "อำเภอ", "ลิงก์ประกาศบนเว็บไซต์", "ผลตรวจลิงก์"]
    by_url = {row["ลิงก์ประกาศบนเว็บไซต์"]: row["ผลตรวจลิงก์"] for row in exported if row["ลิงก์ประกาศบนเว็บไซต์"]}
    assert by_url == {f"{site}/declaration": "ใช้งานได้", f"{site}/other": "ไม่พบเนื้อหาประกาศ",
                      f"{site}/gone": "เปิดไม่ได้"}
    assert sum(row["ผลตรวจลิงก์"] == "ไม่มีลิงก์" for row in exported) == 154 - 3


def test_without_the_test_switch_the_cli_refuses_loopback_links(site, tmp_path):
    responses = write_csv(sheet(site), tmp_path / "responses.csv")
    env = {**os.environ, "KKDASH_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("KKDASH_ALLOW_LOOPBACK", None)
    done = subprocess.run([sys.executable, "-m", "kkdash", "links", "--responses", str(responses),
                           "--as-of", "2023-07-10"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "รวม 3 ลิงก์: ใช้งานได้ 0, เปิดไม่ได้ 3, ไม่พบเนื้อหาประกาศ 0, ยังไม่ตรวจ 0"
    assert done.stdout.count(links.fetch.ERR_PORT) == 3  # refused before any connection: port, then address


def test_followup_shows_and_filters_link_status_and_the_overview_counts_verified(site, tmp_path, monkeypatch):
    rows = sheet(site)
    cache = tmp_path / "cache"
    links.check_links([r[-1] for r in rows[1:]], cache_path=cache / "links.json",
                      max_age=pd.Timedelta(hours=1), allow_loopback=True)
    monkeypatch.setenv("KKDASH_CACHE_DIR", str(cache))
    st.cache_resource.clear()
    with FakeSheets({"Form Responses 1": rows}) as fake:
        monkeypatch.setenv("KKDASH_PUBLISHED_CSV_URL", fake.published_csv_url())
        monkeypatch.setenv("KKDASH_ALLOW_LOOPBACK", "1")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        published = next(m for m in at.metric if m.label == "เผยแพร่บนเว็บไซต์")
        assert (published.value, published.proto.delta) == ("3", "ลิงก์ใช้ได้จริง 1 หน่วยงาน")
        at.switch_page("pages/followup.py").run()
        at.multiselect(key="followup_link").select("ok").run()
    shown = at.dataframe(key="followup_table").value
    assert shown["link_status"].tolist() == ["ใช้งานได้"]
    assert at.query_params["link"] == "ok"
    st.cache_resource.clear()


def test_after_a_check_the_follow_up_page_says_what_was_found(site, tmp_path, monkeypatch):
    monkeypatch.setenv("KKDASH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KKDASH_ALLOW_LOOPBACK", "1")
    st.cache_resource.clear()
    with FakeSheets({"Form Responses 1": sheet(site)}) as fake:
        monkeypatch.setenv("KKDASH_PUBLISHED_CSV_URL", fake.published_csv_url())
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page("pages/followup.py").run()
        at.button(key="followup_check_links").click().run()
    assert not at.exception
    assert [i.value for i in at.info] == ["ตรวจ 3 ลิงก์: ใช้ได้ 1 · เปิดไม่ได้ 1 · ไม่พบเนื้อหาประกาศ 1"]
    st.cache_resource.clear()


def test_on_the_demo_a_check_says_its_made_up_links_cannot_open_by_design(tmp_path, monkeypatch):
    for name in ("KKDASH_SHEET_URL", "KKDASH_PUBLISHED_CSV_URL", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KKDASH_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/followup.py").run()
    at.button(key="followup_check_links").click().run()
    assert [i.value for i in at.main.info] == [
        "ตรวจ 71 ลิงก์: ทุกลิงก์เป็นโดเมนสมมติ (.example) ของข้อมูลตัวอย่าง จึงเปิดไม่ได้โดยตั้งใจ"
        " — เมื่อเชื่อมแผ่นงานจริงจะเห็นผลตรวจของลิงก์จริง"]
    at.switch_page("pages/overview.py").run()
    published = next(m for m in at.metric if m.label == "เผยแพร่บนเว็บไซต์")
    assert published.proto.delta == "หน่วยงาน · ลิงก์สมมติของข้อมูลตัวอย่าง"  # not "ลิงก์ใช้ได้จริง 0"
    st.cache_resource.clear()
