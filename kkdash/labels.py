"""The codes kkdash computes with, and the one Thai word or header for each.

Codes stay English (they are in URLs, JSON and the CLI's options); everything a person reads
is looked up here, so a page, an export and the CLI never word the same thing two ways.
"""

from __future__ import annotations

# An agency's reporting status (contract section 4).
ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATUS_TH = {ON_TIME: "ส่งตรงเวลา", LATE: "ส่งล่าช้า", MISSING: "ยังไม่ส่ง"}

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
    MISSING: "ยังไม่ส่ง", LATE: "ส่งล่าช้า", ON_TIME: "ส่งตรงเวลา",
    NOT_FULLY_SIGNED: "ลงนามไม่ครบ", NOT_PUBLISHED: "ยังไม่เผยแพร่",
}
STATUS_BADGES = {ON_TIME: "🟢 ส่งตรงเวลา", LATE: "🟡 ส่งล่าช้า", MISSING: "🔴 ยังไม่ส่ง"}
# Not sent and past the deadline: the page's badge and the export's status say it in the same words.
OVERDUE_TH = "ยังไม่ส่ง (เลยกำหนด)"
OVERDUE_BADGE = f"🔴 {OVERDUE_TH}"

YES_TH, NO_TH = "ใช่", "ไม่ใช่"

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
    "reporter_name": "ชื่อผู้รายงาน",
    "reporter_position": "ตำแหน่งผู้รายงาน",
    "reporter_phone": "เบอร์โทรศัพท์ผู้รายงาน",
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
}

# What became of one reminder e-mail.
SENT, NO_ADDRESS, REFUSED, WILL_RETRY = "sent", "no_address", "refused", "will_retry"
DELIVERY_TH = {SENT: "ส่งแล้ว", NO_ADDRESS: "ไม่มีอีเมล", REFUSED: "เซิร์ฟเวอร์ปฏิเสธ", WILL_RETRY: "จะลองส่งใหม่"}
