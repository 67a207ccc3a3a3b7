"""Reminders: what each agency still owes, and its message in Thai from templates HR can edit.

Pure: an agency (a mapping of its status and contacts) in, message text out. Nothing here opens a
network connection; sending lives in kkdash.mail. Templates are Jinja2 files in a sandbox with
StrictUndefined, so a typo in a template is an error naming the file and line, raised while the
templates are loaded or the messages composed, that is before anything is sent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

import pandas as pd
from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateNotFound, TemplateSyntaxError, meta, nodes
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from kkdash.contacts import check_addresses
from kkdash.dates import format_thai_date
from kkdash.errors import InputError
from kkdash.export import csv_bytes
from kkdash.labels import MISSING, NO_DECLARATION, PROVINCE_GROUP_TH, REJECTED, REPORTER, UNREACHABLE
from kkdash.text import one_line

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "data" / "templates"
SUBJECT_TEMPLATE = "reminder.subject.j2"
TEXT_TEMPLATE = "reminder.txt.j2"
HTML_TEMPLATE = "reminder.html.j2"
# The names a template may use; anything else is a typo HR should hear about before sending.
TEMPLATE_NAMES = frozenset({"agency", "owed", "campaign", "whom"})

LETTER_REF = "ขก ๐๐๓๗.๕/ว๑๗๐๙๕"
LETTER_DATE = "๒๖ มิถุนายน ๒๕๖๖"
LETTER_TITLE = 'การประกาศเจตนารมณ์ขับเคลื่อนจังหวัดขอนแก่น เป็น "จังหวัดคุณธรรม"'
DEADLINE = date(2023, 7, 7)

NOT_REPORTED = "not_reported"
NEEDS_CORRECTION = "needs_correction"
NOT_FULLY_SIGNED = "not_fully_signed"
NOT_PUBLISHED = "not_published"
LINK_BROKEN = "link_broken"
LINK_NO_DECLARATION = "link_no_declaration"

MERGE_HEADERS_TH = {
    "agency_id": "รหัสหน่วยงาน",
    "agency_name": "หน่วยงาน",
    "whom": "เรียน",
    "address": "อีเมล",
    "subject": "เรื่อง",
    "text": "ข้อความ",
}


class TemplateError(InputError):
    """A reminder template that cannot be used: the Thai message names the file and the line."""


@dataclass(frozen=True)
class Owed:
    """One thing an agency still owes: its code, a Thai sentence, and detail lines (rejected rows)."""

    code: str
    text: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    """What every message cites: the letter, the deadline, the form's link and HR's contact line."""

    form_url: str
    hr_contact: str
    deadline: date = DEADLINE
    letter_ref: str = LETTER_REF
    letter_date: str = LETTER_DATE
    letter_title: str = LETTER_TITLE

    @property
    def deadline_th(self) -> str:
        """The deadline as Thai readers write it: `7 ก.ค. 2566`."""
        return format_thai_date(self.deadline)

    @property
    def letter(self) -> str:
        """The letter's full citation: `ที่ ขก … ลงวันที่ … เรื่อง …`."""
        return f"ที่ {self.letter_ref} ลงวันที่ {self.letter_date} เรื่อง {self.letter_title}"


@dataclass(frozen=True)
class Message:
    """One agency's reminder: subject, plain text, HTML, the addresses to send to and those dropped."""

    agency_id: str
    subject: str
    text: str
    html: str
    recipients: tuple[str, ...]
    agency_name: str = ""
    whom: str = ""
    dropped: tuple[str, ...] = ()  # Thai notes, one per malformed address that will not be written to


@dataclass(frozen=True)
class Templates:
    """The three compiled templates (subject, plain text, HTML) and the folder they came from."""

    subject: Template
    text: Template
    html: Template
    folder: Path = field(default=TEMPLATES_DIR)


def owed_items(agency: Mapping) -> list[Owed]:
    """An agency's status -> what it still owes, in the order a reader acts on them (empty: nothing)."""
    if agency["status"] == MISSING:
        if agency.get("needs_correction"):
            return [_needs_correction(agency.get("rejected_rows") or [])]
        return [Owed(NOT_REPORTED, "ยังไม่ได้รายงานผลการประกาศเจตนารมณ์ผ่านแบบรายงานออนไลน์")]
    items = []
    if not agency.get("fully_signed"):
        items.append(_not_fully_signed(_count(agency.get("personnel_signed")), _count(agency.get("personnel_total"))))
    if not agency.get("published"):
        items.append(Owed(NOT_PUBLISHED, "ยังไม่มีลิงก์ประกาศเจตนารมณ์บนเว็บไซต์ของหน่วยงาน"))
    elif agency.get("link_status") == UNREACHABLE:
        items.append(Owed(LINK_BROKEN, "ลิงก์ประกาศเจตนารมณ์บนเว็บไซต์ที่รายงานไว้เปิดไม่ได้", _url_detail(agency)))
    elif agency.get("link_status") == NO_DECLARATION:
        items.append(Owed(LINK_NO_DECLARATION, "เปิดลิงก์ที่รายงานไว้ได้ แต่ไม่พบประกาศเจตนารมณ์ในหน้านั้น",
                          _url_detail(agency)))
    return items


def _needs_correction(rows: Iterable[Mapping]) -> Owed:
    """Rejected rows -> the item asking the agency to report again, one detail line per row."""
    details = []
    for row in rows:
        when = row.get("submitted_at")
        sent = f" (ส่งเมื่อ {format_thai_date(when, with_time=True)})" if _is_moment(when) else ""
        details.append(f"รายงานแถวที่ {int(row['row_number'])}{sent} ใช้ไม่ได้ เพราะ{_text(row.get('reason'))}")
    return Owed(NEEDS_CORRECTION, "ส่งรายงานแล้วแต่ต้องแก้ไข: ข้อมูลที่ส่งมาใช้ไม่ได้ กรุณารายงานใหม่", tuple(details))


def _not_fully_signed(signed: int | None, total: int | None) -> Owed:
    """Signed X of Y -> the item asking for the remaining signatures."""
    if signed is None or total is None:
        return Owed(NOT_FULLY_SIGNED, "บุคลากรยังลงนามไม่ครบทุกคน")
    return Owed(NOT_FULLY_SIGNED,
                f"บุคลากรลงนามแล้ว {signed:,} จาก {total:,} คน ยังขาดอีก {max(total - signed, 0):,} คน")


def _url_detail(agency: Mapping) -> tuple[str, ...]:
    """The reported link, as a detail line, when the agency row carries it."""
    url = _text(agency.get("published_url"))
    return (f"ลิงก์ที่รายงาน: {url}",) if url else ()


def _count(value: object) -> int | None:
    """A count from a table cell (int, float or NaN/None) -> int or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return int(value)


def _text(value: object) -> str:
    """A table cell -> stripped text; None and NaN -> ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _is_moment(value: object) -> bool:
    """True for a real date-time (not None, NaT or NaN)."""
    return isinstance(value, datetime | date) and not pd.isna(value)


def load_templates(folder: Path | str = TEMPLATES_DIR) -> Templates:
    """A folder of templates -> compiled Templates, checked by rendering samples; TemplateError if unusable."""
    folder = Path(folder)
    env = _environment(folder)
    templates = Templates(*(_compile(env, name) for name in (SUBJECT_TEMPLATE, TEXT_TEMPLATE, HTML_TEMPLATE)),
                          folder=folder)
    campaign = Campaign(form_url="https://forms.example/form", hr_contact="กลุ่มงาน โทร 0 4300 0000")
    for sample in _SAMPLES:
        compose(sample, owed_items(sample), campaign, templates)
    return templates


def _environment(folder: Path) -> SandboxedEnvironment:
    """A sandboxed Jinja2 environment: strict names, HTML escaped in .html.j2 files only."""
    return SandboxedEnvironment(
        # utf-8-sig: Windows Notepad may save a BOM, which would otherwise open the subject line.
        loader=FileSystemLoader(folder, encoding="utf-8-sig"),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _compile(env: SandboxedEnvironment, name: str) -> Template:
    """One template file -> a compiled Template whose every name is known; TemplateError otherwise."""
    try:
        source, filename, _ = env.loader.get_source(env, name)
        tree = env.parse(source, name, filename)
        template = env.get_template(name)
    except TemplateNotFound:
        raise TemplateError(f"ไม่พบไฟล์แม่แบบ {name} ในโฟลเดอร์ {env.loader.searchpath[0]}") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"แม่แบบ {name} บรรทัด {exc.lineno}: เขียนไม่ถูกต้อง ({exc.message})") from None
    unknown = sorted(meta.find_undeclared_variables(tree) - TEMPLATE_NAMES)
    if unknown:
        raise TemplateError(f"แม่แบบ {name} บรรทัด {_first_line_of(tree, unknown[0])}: ไม่รู้จักชื่อ '{unknown[0]}' "
                            f"(ใช้ได้: {', '.join(sorted(TEMPLATE_NAMES))})")
    return template


def _first_line_of(tree: nodes.Template, name: str) -> int:
    """The first line where a template reads a name."""
    return min(node.lineno for node in tree.find_all(nodes.Name) if node.name == name and node.ctx == "load")


def compose(agency: Mapping, owed: Sequence[Owed], context: Campaign, templates: Templates) -> Message:
    """An agency, what it owes, the campaign and the templates -> its Message; TemplateError on a bad template."""
    if not owed:
        raise ValueError(f"{agency['agency_id']}: ไม่มีสิ่งที่ค้างส่ง จึงไม่มีข้อความเตือน")
    people = {key: _text(agency.get(key)) for key in ("agency_id", "name_th", "district_name_th", "contact_name",
                                                       "reporter_name", "email", "reporter_email")}
    district = people["district_name_th"]
    people["district"] = f"อำเภอ{district}" if district and district != PROVINCE_GROUP_TH else ""
    whom = people["contact_name"] or people["reporter_name"] or f"หัวหน้า{people['name_th']}"
    values = {"agency": people, "owed": list(owed), "campaign": context, "whom": whom}
    recipients, dropped = recipients_of(agency)
    return Message(
        agency_id=people["agency_id"],
        subject=one_line(_render(templates.subject, values)),
        text=_render(templates.text, values).strip() + "\n",
        html=_render(templates.html, values).strip() + "\n",
        recipients=recipients,
        agency_name=people["name_th"],
        whom=people["contact_name"] or people["reporter_name"],
        dropped=dropped,
    )


def messages_for(agencies: Iterable[Mapping], context: Campaign, templates: Templates) -> list[Message]:
    """Agencies -> one Message for each that still owes something, in the given order."""
    messages = []
    for agency in agencies:
        owed = owed_items(agency)
        if owed:
            messages.append(compose(agency, owed, context, templates))
    return messages


def _render(template: Template, values: Mapping) -> str:
    """Render one template; an unknown attribute or a sandbox refusal -> TemplateError with file and line."""
    try:
        return template.render(values)
    except JinjaError as exc:
        line = _template_line(exc.__traceback__, template.filename)
        where = f" บรรทัด {line}" if line else ""
        raise TemplateError(f"แม่แบบ {template.name}{where}: ใช้ไม่ได้ ({exc})") from None


def _template_line(trace: TracebackType | None, filename: str | None) -> int | None:
    """The last line of the template file in a traceback (Jinja rewrites frames to template lines)."""
    line = None
    while trace is not None:
        if filename and trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def recipients_of(agency: Mapping) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The registry and reporter e-mails -> (valid distinct addresses, Thai notes on those dropped)."""
    recipients, malformed = check_addresses(_text(agency.get("email")), _text(agency.get("reporter_email")))
    name = _text(agency.get("name_th"))
    return tuple(recipients), tuple(f"ข้ามอีเมล {address!r} ของ {name}: รูปแบบอีเมลไม่ถูกต้อง" for address in malformed)


def compose_messages(chosen: pd.DataFrame, rows: pd.DataFrame, *, deadline: date, form_url: str, hr_contact: str,
                     templates: Path | str) -> list[Message]:
    """The agencies listed (kkdash.metrics statuses) and the classified rows -> a message for each that still
    owes something, from HR's templates folder: what the follow-up page and `remind` both write."""
    context = Campaign(form_url=form_url, hr_contact=hr_contact, deadline=deadline)
    return messages_for(agency_records(chosen, rows), context, load_templates(templates))


def agency_records(agencies: pd.DataFrame, rows: pd.DataFrame) -> list[dict]:
    """Agency statuses (kkdash.metrics) and the classified rows -> the mappings owed_items and compose read.

    Each agency gets its rejected rows (number, reason, time) and, as its reporter, whom to call when that
    is a reporter (the latest report's, or a rejected report's for an agency that must correct it).
    """
    rejected = rows[rows["fate"].eq(REJECTED) & rows["agency_id"].notna()]
    by_agency = {agency: group.sort_values("row_number")[["row_number", "reason", "submitted_at"]].to_dict("records")
                 for agency, group in rejected.groupby("agency_id")}
    from_reporter = agencies["call_source"].eq(REPORTER)
    # The greeting goes to whom HR would call (kkdash.metrics: the reporter, else the registry's coordinator).
    records = agencies.assign(contact_name=agencies["call_name"],
                              reporter_name=agencies["call_name"].where(from_reporter, ""),
                              reporter_email=agencies["call_email"].where(from_reporter, "")).to_dict("records")
    for record in records:
        record["rejected_rows"] = by_agency.get(record["agency_id"], []) if record["needs_correction"] else []
    return records


def mail_merge_csv(messages: Iterable[Message]) -> bytes:
    """Messages -> a CSV for mail merge (agency, whom, address, subject, message): UTF-8 BOM, formula-safe."""
    rows = [{"agency_id": m.agency_id, "agency_name": m.agency_name, "whom": m.whom,
             "address": ", ".join(m.recipients), "subject": m.subject, "text": m.text} for m in messages]
    frame = pd.DataFrame(rows, columns=list(MERGE_HEADERS_TH), dtype="object")
    return csv_bytes(frame.rename(columns=MERGE_HEADERS_TH))


def paste_text(messages: Iterable[Message]) -> str:
    """Messages -> one text file: each message under a line naming the agency and its addresses."""
    parts = []
    for message in messages:
        to = ", ".join(message.recipients) or "ไม่มีอีเมล"
        parts.append(f"===== {message.agency_name} ({message.agency_id}) ถึง: {to} =====\n"
                     f"เรื่อง: {message.subject}\n\n{message.text}")
    return "\n".join(parts)


def _sample(agency_id: str, status: str, **fields) -> dict:
    """A sample agency for checking templates: every key a template may read, with plausible values."""
    return {"agency_id": agency_id, "name_th": "สำนักงานตัวอย่าง", "district_name_th": "เมืองขอนแก่น",
            "status": status, "needs_correction": False, "rejected_rows": [], "personnel_signed": None,
            "personnel_total": None, "fully_signed": False, "published": False, "link_status": "no_link",
            "email": "", "reporter_email": "", "contact_name": "", "reporter_name": "", **fields}


# Every owed item and both kinds of greeting appear in at least one sample, so a template that
# renders all of them has no misspelt attribute on any branch these items take.
_SAMPLES = (
    _sample("S1", "missing"),
    _sample("S2", "missing", needs_correction=True, contact_name="นางสาวตัวอย่าง",
            rejected_rows=[{"row_number": 3, "reason": "จำนวนบุคลากรทั้งหมดเป็น 0", "submitted_at": None}]),
    _sample("S3", "late", personnel_signed=40, personnel_total=45, reporter_name="นายตัวอย่าง"),
    _sample("S4", "on_time", personnel_signed=45, personnel_total=45, fully_signed=True, published=True,
            link_status="unreachable", published_url="https://agency.example/declaration"),
    _sample("S5", "on_time", personnel_signed=45, personnel_total=45, fully_signed=True, published=True,
            link_status="no_declaration", district_name_th=PROVINCE_GROUP_TH),
)
