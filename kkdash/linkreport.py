"""What a link check found, said in one Thai sentence; and which links can never be opened by design.

The demo data's links use the reserved `.example` domain (RFC 2606), so a check of the demo finds
every link unreachable: that is said as what it is, not as "0 links work".
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from kkdash.labels import LINK_OK, LINK_STATUS_TH, NO_DECLARATION, UNREACHABLE

# Names reserved never to resolve (RFC 2606/6761): asking DNS about them is a wasted round trip.
SAMPLE_DOMAINS = ("example", "invalid")


def is_sample_host(host: str) -> bool:
    """True for `example`, `x.example`, `x.invalid` …: a reserved name that no server answers to."""
    return host.rstrip(".").lower().rsplit(".", 1)[-1] in SAMPLE_DOMAINS


def is_sample_url(url: object) -> bool:
    """True when ``url``'s host is a reserved sample domain (see is_sample_host)."""
    if not isinstance(url, str):
        return False
    text = url.strip()
    try:
        host = urlsplit(text if "//" in text else "http://" + text).hostname
    except ValueError:
        return False
    return bool(host) and is_sample_host(host)


def found_sentence(results: Iterable[tuple[str, str]]) -> str:
    """(url, status) of every link checked -> `ตรวจ 71 ลิงก์: ใช้ได้ 60 · เปิดไม่ได้ 8 · ไม่พบเนื้อหาประกาศ 3`.

    Sample links are counted apart: when every link is one, the sentence says the demo's links
    cannot open by design.
    """
    pairs = list(results)
    real = [status for url, status in pairs if not is_sample_url(url)]
    sample = len(pairs) - len(real)
    if not pairs:
        return "ยังไม่มีลิงก์ให้ตรวจ"
    if sample == len(pairs):
        return (f"ตรวจ {len(pairs):,} ลิงก์: ทุกลิงก์เป็นโดเมนสมมติ (.example) ของข้อมูลตัวอย่าง"
                " จึงเปิดไม่ได้โดยตั้งใจ — เมื่อเชื่อมแผ่นงานจริงจะเห็นผลตรวจของลิงก์จริง")
    counts = " · ".join(f"{label} {sum(s == code for s in real):,}" for code, label in
                        ((LINK_OK, "ใช้ได้"), (UNREACHABLE, LINK_STATUS_TH[UNREACHABLE]),
                         (NO_DECLARATION, LINK_STATUS_TH[NO_DECLARATION])))
    extra = f" (และลิงก์สมมติ .example {sample:,} ลิงก์ ซึ่งเปิดไม่ได้โดยตั้งใจ)" if sample else ""
    return f"ตรวจ {len(real):,} ลิงก์: {counts}{extra}"


def only_sample_links(urls: Iterable[object]) -> bool:
    """True when there are links and every one is a sample link (the demo); stops at the first real one."""
    seen = False
    for url in urls:
        if not isinstance(url, str):
            continue
        if not is_sample_url(url):
            return False
        seen = True
    return seen
