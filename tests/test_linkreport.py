"""What a link check found, in one sentence; the demo's reserved `.example` links named as what they are."""

import pytest

from kkdash import links
from kkdash.linkreport import found_sentence, is_sample_url, only_sample_links


@pytest.mark.parametrize(("url", "sample"), [
    ("https://www.d4024.khonkaen.example/news/426", True), ("www.d4024.khonkaen.example/x", True),
    ("http://EXAMPLE./", True), ("https://x.invalid", True), ("https://www.example.go.th/x", False),
    ("https://example.com", False), ("https://a.test/", False), ("not a url", False), (None, False),
])
def test_is_sample_url(url, sample):
    assert is_sample_url(url) is sample


def test_found_sentence_counts_what_the_check_found():
    results = [("https://a.go.th", "ok"), ("https://b.go.th", "ok"), ("https://c.go.th", "unreachable"),
               ("https://d.go.th", "no_declaration")]
    assert found_sentence(results) == "ตรวจ 4 ลิงก์: ใช้ได้ 2 · เปิดไม่ได้ 1 · ไม่พบเนื้อหาประกาศ 1"
    assert found_sentence([*results, ("https://e.khonkaen.example", "unreachable")]) == (
        "ตรวจ 4 ลิงก์: ใช้ได้ 2 · เปิดไม่ได้ 1 · ไม่พบเนื้อหาประกาศ 1 (และลิงก์สมมติ .example 1 ลิงก์"
        " ซึ่งเปิดไม่ได้โดยตั้งใจ)")
    assert found_sentence([]) == "ยังไม่มีลิงก์ให้ตรวจ"


def test_only_sample_links():
    assert only_sample_links(["https://a.example", None, "https://b.example/x"])
    assert not only_sample_links(["https://a.example", "https://b.go.th"])
    assert not only_sample_links([None])


def test_a_sample_link_is_refused_without_asking_dns():
    asked = []
    result = links.check_url("https://www.d4001.khonkaen.example/x", resolver=lambda host: asked.append(host) or [])
    assert (result.status, result.error, asked) == ("unreachable", "โดเมนสมมติ (.example) ไม่มีอยู่จริง", [])
