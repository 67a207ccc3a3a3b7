"""The response form's fields and how sheet headers map onto them (contract section 1)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kkdash.errors import InputError
from kkdash.labels import PERSONNEL_TH
from kkdash.parsing import ZERO_WIDTH

PERSONNEL_TYPES = tuple(PERSONNEL_TH)
COUNT_FIELDS = tuple(f"{kind}_{part}" for kind in PERSONNEL_TYPES for part in ("total", "signed"))

HEADERS_TH = {
    "submitted_at": "ประทับเวลา",
    "agency_name": "ชื่อหน่วยงาน",
    "district": "อำเภอ",
    "declared_on": "วันที่ประกาศเจตนารมณ์",
    "head_signed": "หัวหน้าหน่วยงานร่วมลงนาม",
    **{
        f"{kind}_{part}": f"{label} ({'ทั้งหมด' if part == 'total' else 'ลงนาม'})"
        for kind, label in PERSONNEL_TH.items()
        for part in ("total", "signed")
    },
    "published_url": "ลิงก์ประกาศบนเว็บไซต์",
    "reporter_name": "ชื่อผู้รายงาน",
    "reporter_position": "ตำแหน่ง",
    "reporter_phone": "เบอร์โทรศัพท์",
    # Google Forms adds this column when the form collects e-mail addresses (optional).
    "reporter_email": "ที่อยู่อีเมล",
}
# Other headers the same questions arrive under: the English Forms column for the collected address.
OTHER_HEADERS = {"email address": "reporter_email"}
FIELDS = tuple(HEADERS_TH)
REQUIRED_FIELDS = ("submitted_at", "agency_name", *COUNT_FIELDS)


class SchemaError(InputError):
    """The sheet's header row cannot be mapped onto the form's fields."""


@dataclass(frozen=True)
class HeaderMap:
    """Which sheet column (by position) holds each field; ``None`` when the sheet lacks it."""

    positions: Mapping[str, int | None]

    def column(self, field: str) -> int | None:
        """Field name -> column position in the sheet, or None."""
        return self.positions.get(field)


def normalize_header(text: str) -> str:
    """A header as typed -> a comparison key: no zero-width, single spaces, case-folded."""
    text = str(text).translate(ZERO_WIDTH)
    return re.sub(r"\s+", " ", text).strip().casefold()


def header_lookup(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Known header keys -> field: Thai defaults, canonical names, then configured extras."""
    lookup = {normalize_header(th): field for field, th in HEADERS_TH.items()}
    lookup.update({normalize_header(field): field for field in FIELDS})
    lookup.update(OTHER_HEADERS)
    for header, field in (extra or {}).items():
        if field not in FIELDS:
            raise SchemaError(f"การตั้งค่าหัวคอลัมน์ '{header}' ชี้ไปยังช่อง '{field}' ซึ่งไม่มีในแบบฟอร์ม")
        lookup[normalize_header(header)] = field
    return lookup


def map_headers(headers: Sequence[str], *, extra: Mapping[str, str] | None = None) -> HeaderMap:
    """The sheet's header row -> a HeaderMap; raises SchemaError naming missing or doubled fields."""
    lookup = header_lookup(extra)
    positions: dict[str, int | None] = dict.fromkeys(FIELDS)
    for index, header in enumerate(headers):
        field = lookup.get(normalize_header(header))
        if field is None:
            continue  # Extra questions in the form are kept in the sheet and ignored here.
        if positions[field] is not None:
            raise SchemaError(
                f"หัวคอลัมน์ '{header}' ซ้ำกับคอลัมน์ที่ {positions[field] + 1} "
                f"(ทั้งสองหมายถึง '{HEADERS_TH[field]}') — กรุณาลบหรือเปลี่ยนชื่อคอลัมน์หนึ่ง"
            )
        positions[field] = index
    missing = [field for field in REQUIRED_FIELDS if positions[field] is None]
    if missing:
        names = ", ".join(f"'{HEADERS_TH[field]}' ({field})" for field in missing)
        raise SchemaError(f"ไม่พบคอลัมน์ที่จำเป็นในแผ่นงานคำตอบ: {names}")
    return HeaderMap(positions)
