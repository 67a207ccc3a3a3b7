"""The codes kkdash computes with, and the one Thai word or header for each.

Codes stay English (they are in URLs, JSON and the CLI's options); everything a person reads
is looked up here, so a page, an export and the CLI never word the same thing two ways.
"""

from __future__ import annotations

# An agency's reporting status (contract section 4).
ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATUS_TH = {ON_TIME: "ส่งตรงเวลา", LATE: "ส่งล่าช้า", MISSING: "ยังไม่ส่ง"}

# A missing agency that sent only rejected reports: still missing in every figure, but HR calls it about
# what to fix. A follow-up status (and filter) of its own, beside the three statuses above.
NEEDS_CORRECTION = "needs_correction"
NEEDS_CORRECTION_TH = "ส่งแล้วแต่ต้องแก้ไข"
NEEDS_CORRECTION_BADGE = "🟠 ส่งแล้วแต่ต้องแก้ไข"

# A sheet row's fate.
USED, SUPERSEDED, REJECTED, AFTER_AS_OF = "used", "superseded", "rejected", "after_as_of"
FATES_TH = {
    USED: "ใช้เป็นข้อมูลล่าสุด",
    SUPERSEDED: "ถูกแทนที่ด้วยรายงานที่ส่งภายหลัง",
    REJECTED: "ถูกปฏิเสธ",
    AFTER_AS_OF: "ส่งหลังเวลาที่เลือกดู",
}
# A note on a row: a reason it is rejected, or a warning about a row that still counts.
WARNING = "warning"

# The registry's kinds of agency, and the group of agencies with no district.
KINDS_TH = {
    "provincial": "ส่วนราชการประจำจังหวัด",
    "central": "ส่วนราชการส่วนกลางในจังหวัด",
    "district_office": "ที่ว่าการอำเภอ",
    "district_unit": "หน่วยงานระดับอำเภอ",
    "other": "อื่น ๆ",
}
PROVINCE_GROUP_TH = "ระดับจังหวัด"
DISTRICT_PREFIX = "อ."  # a district as people write it: อ.พล


def district_label(name: str | None) -> str:
    """A district's name -> `อ.พล`; the province-level group (no name, or its own) -> `ระดับจังหวัด`."""
    return f"{DISTRICT_PREFIX}{name}" if name and name != PROVINCE_GROUP_TH else PROVINCE_GROUP_TH

# The four kinds of personnel the form counts.
PERSONNEL_TH = {
    "civil": "ข้าราชการ",
    "govemp": "พนักงานราชการ",
    "permanent": "ลูกจ้างประจำ",
    "staff": "เจ้าหน้าที่อื่น",
}

# What the link checker found at an agency's published link.
LINK_OK, UNREACHABLE, NO_DECLARATION, UNCHECKED, NO_LINK = (
    "ok", "unreachable", "no_declaration", "unchecked", "no_link")
LINK_STATUS_TH = {
    LINK_OK: "ใช้งานได้",
    UNREACHABLE: "เปิดไม่ได้",
    NO_DECLARATION: "ไม่พบเนื้อหาประกาศ",
    UNCHECKED: "ยังไม่ตรวจ",
    NO_LINK: "ไม่มีลิงก์",
}

# The follow-up list's status filter: the statuses, and two things a reported agency may still owe.
NOT_FULLY_SIGNED, NOT_PUBLISHED = "not_fully_signed", "not_published"
FILTER_STATUS_TH = {
    MISSING: "ยังไม่ส่ง", NEEDS_CORRECTION: NEEDS_CORRECTION_TH, LATE: "ส่งล่าช้า", ON_TIME: "ส่งตรงเวลา",
    NOT_FULLY_SIGNED: "ลงนามไม่ครบ", NOT_PUBLISHED: "ยังไม่เผยแพร่",
}
STATUS_BADGES = {ON_TIME: "🟢 ส่งตรงเวลา", LATE: "🟡 ส่งล่าช้า", MISSING: "🔴 ยังไม่ส่ง"}
# Not sent and past the deadline: the page's badge and the export's status say it in the same words.
OVERDUE_TH = "ยังไม่ส่ง (เลยกำหนด)"
OVERDUE_BADGE = f"🔴 {OVERDUE_TH}"

YES_TH, NO_TH = "ใช่", "ไม่ใช่"

# The follow-up list's chase-log filter (hr only): nobody has chased it yet; it promised and is still missing.
NOT_CHASED, PROMISE_PASSED = "not_chased", "promise_passed"
CHASE_FILTER_TH = {NOT_CHASED: "ยังไม่ได้ติดตาม", PROMISE_PASSED: "เลยวันที่รับปาก"}

# Where "whom to call" comes from: the latest report's reporter, or the registry's coordinator.
REPORTER, REGISTRY = "reporter", "registry"
CALL_SOURCE_TH = {REPORTER: "ผู้รายงาน", REGISTRY: "ทะเบียน"}

# Who may see what.
HR, VIEWER = "hr", "viewer"
ROLE_TH = {HR: "ฝ่ายบุคคล (เห็นข้อมูลติดต่อผู้รายงาน)", VIEWER: "ผู้ชม (ภาพรวมและสถานะหน่วยงาน)"}

# The agency export, in column order: a field of the agency table -> the header HR reads.
AGENCY_HEADERS_TH = {
    "agency_id": "รหัสหน่วยงาน",
    "name_th": "ชื่อหน่วยงาน",
    "kind": "ประเภทหน่วยงาน",
    "district_code": "รหัสอำเภอ",
    "district_name_th": "อำเภอ",
    "status": "สถานะการส่ง",
    "first_submitted_at": "ส่งครั้งแรก",
    "last_submitted_at": "ส่งล่าสุด",
    "personnel_total": "บุคลากรทั้งหมด (คน)",
    "personnel_signed": "ลงนามแล้ว (คน)",
    "signing_rate": "ร้อยละผู้ลงนาม",
    "fully_signed": "ลงนามครบทุกคน",
    "published_url": "ลิงก์ประกาศบนเว็บไซต์",
    "rejected": "รายงานที่ถูกปฏิเสธ",
    "call_name": "ผู้ที่ต้องติดต่อ",
    "call_position": "ตำแหน่งผู้ที่ต้องติดต่อ",
    "call_phone": "เบอร์โทรศัพท์",
    "call_email": "อีเมล",
    "call_source": "ข้อมูลติดต่อจาก",
    "last_action": "ติดตามล่าสุด",
    "last_at": "ติดตามเมื่อ",
    "last_by": "ผู้ติดตาม",
    "promised_on": "รับปากจะส่งภายใน",
}

# The link-check export: the agency export's headers for the fields they share, one table for both.
LINK_EXPORT_COLUMNS = ("agency_id", "name_th", "district_name_th", "published_url", "link_status")
COLUMN_HEADERS_TH = {**AGENCY_HEADERS_TH, "link_status": "ผลตรวจลิงก์"}

# The quality page's row lists (rejected, warnings, superseded) and their CSVs.
ROW_HEADERS_TH = {
    "row_number": "แถวในชีต",
    "submitted_at": "เวลาประทับ",
    "typed_name": "ชื่อที่กรอก",
    "reason": "เหตุที่ปฏิเสธ",
    "suggestions": "ชื่อในทะเบียนที่ใกล้เคียง",
    "agency": "หน่วยงานในทะเบียน",
    "warning": "คำเตือน",
    "replaced_by_row": "แทนที่ด้วยแถว",
    "agency_id": "รหัสหน่วยงาน",
    "name_th": "หน่วยงาน",
}

# What became of one reminder e-mail.
SENT, NO_ADDRESS, REFUSED, WILL_RETRY = "sent", "no_address", "refused", "will_retry"
DELIVERY_TH = {SENT: "ส่งแล้ว", NO_ADDRESS: "ไม่มีอีเมล", REFUSED: "เซิร์ฟเวอร์ปฏิเสธ", WILL_RETRY: "จะลองส่งใหม่"}

# The registry's columns and the Thai headers HR's own file may use for them (any of each list).
REGISTRY_HEADERS_TH = {
    "agency_id": ("รหัสหน่วยงาน",),
    "name_th": ("ชื่อหน่วยงาน",),
    "aliases": ("ชื่อเรียกอื่น", "ชื่ออื่น"),
    "kind": ("ประเภทหน่วยงาน", "ประเภท"),
    "district_code": ("รหัสอำเภอ",),
    "phone": ("เบอร์โทรสำนักงาน", "เบอร์โทรศัพท์", "โทรศัพท์"),
    "email": ("อีเมล", "อีเมล์", "e-mail"),
    "contact_name": ("ผู้ประสานงาน", "ชื่อผู้ประสานงาน"),
    "contact_position": ("ตำแหน่งผู้ประสานงาน",),
}

# The kinds of action HR takes, in the order the form offers them: code -> the Thai label.
ACTIONS_TH = {
    "called": "โทรแล้ว",
    "no_answer": "โทรไม่ติด",
    "email": "ส่งอีเมล",
    "letter": "ส่งหนังสือ",
    "line": "ส่งข้อความ LINE",
    "other": "อื่น ๆ",
}
# The chase log as people read it: an entry's fields, and what the follow-up list shows per agency.
ENTRY_HEADERS_TH = {
    "id": "ลำดับบันทึก",
    "campaign": "รอบ (วันครบกำหนด)",
    "agency_id": "รหัสหน่วยงาน",
    "action": "การติดตาม",
    "note": "บันทึก",
    "promised_on": "รับปากจะส่งภายใน",
    "by": "ผู้บันทึก",
    "at": "เวลาที่บันทึก",
    "corrects": "แก้ไขบันทึกลำดับที่",
    "subject": "หัวเรื่อง",
    "recipients": "ผู้รับ",
}
SUMMARY_HEADERS_TH = {
    "last_action": "ติดตามล่าสุด",
    "last_at": "ติดตามเมื่อ",
    "last_by": "ผู้ติดตาม",
    "last_note": "บันทึกล่าสุด",
    "promised_on": "รับปากจะส่งภายใน",
    "entries": "ติดตามแล้ว (ครั้ง)",
}

