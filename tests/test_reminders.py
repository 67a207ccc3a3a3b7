"""kkdash.reminders: what each agency owes, its Thai message from HR's templates, CSV and paste text."""

import csv
import io
import shutil
from datetime import date, datetime

import pytest

from kkdash import paths, pipeline, reminders, sources
from kkdash.dates import BANGKOK
from kkdash.intake import DEMO_AS_OF
from kkdash.reminders import Campaign, Message, Owed, TemplateError

CAMPAIGN = Campaign(form_url="https://forms.example/kkdash", hr_contact="กลุ่มงานบริหารทรัพยากรบุคคล โทร 0 4300 0000")
HEADER = ['รหัสหน่วยงาน', 'หน่วยงาน', 'เรียน', 'อีเมล', 'เรื่อง', 'ข้อความ']


def agency(**fields) -> dict:
    """An agency row as the follow-up table gives it; defaults: reported on time, nothing owed."""
    return {"agency_id": "D0101", "name_th": "ที่ว่าการอำเภอพล", "district_name_th": "พล", "status": "on_time",
            "needs_correction": False, "rejected_rows": [], "personnel_signed": 30, "personnel_total": 30,
            "fully_signed": True, "published": True, "link_status": "ok", "email": "", "reporter_email": "",
            "contact_name": "", "reporter_name": "", **fields}


@pytest.fixture(scope="module")
def templates():
    return reminders.load_templates()


@pytest.fixture
def template_dir(tmp_path):
    """A copy of the shipped templates that a test may break."""
    folder = tmp_path / "templates"
    shutil.copytree(reminders.TEMPLATES_DIR, folder)
    return folder


def test_missing_agency_owes_its_report():
    assert reminders.owed_items(agency(status="missing", fully_signed=False, published=False,
                                       link_status="no_link", personnel_signed=None, personnel_total=None)) == [
        Owed("not_reported", "ยังไม่ได้รายงานผลการประกาศเจตนารมณ์ผ่านแบบรายงานออนไลน์")]


def test_needs_correction_names_each_rejected_row_and_its_reason():
    rows = [{"row_number": 3, "reason": "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท",
             "submitted_at": datetime(2023, 7, 5, 16, 0, tzinfo=BANGKOK)},
            {"row_number": 9, "reason": "อ่านวันที่ส่งไม่ได้", "submitted_at": None}]
    assert reminders.owed_items(agency(status="missing", needs_correction=True, rejected_rows=rows)) == [
        Owed("needs_correction", "ส่งรายงานแล้วแต่ต้องแก้ไข: ข้อมูลที่ส่งมาใช้ไม่ได้ กรุณารายงานใหม่", (
            "รายงานแถวที่ 3 (ส่งเมื่อ 5 ก.ค. 2566 16:00 น.) ใช้ไม่ได้ เพราะจำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท",
            "รายงานแถวที่ 9 ใช้ไม่ได้ เพราะอ่านวันที่ส่งไม่ได้"))]


def test_reported_agency_owes_signatures_and_its_link():
    owed = reminders.owed_items(agency(status="late", personnel_signed=1040, personnel_total=1045, fully_signed=False,
                                       published=False, link_status="no_link"))
    assert owed == [Owed("not_fully_signed", "บุคลากรลงนามแล้ว 1,040 จาก 1,045 คน ยังขาดอีก 5 คน"),
                    Owed("not_published", "ยังไม่มีลิงก์ประกาศเจตนารมณ์บนเว็บไซต์ของหน่วยงาน")]


def test_unknown_counts_still_ask_for_every_signature():
    owed = reminders.owed_items(agency(fully_signed=False, personnel_signed=float("nan"), personnel_total=None))
    assert owed == [Owed("not_fully_signed", "บุคลากรยังลงนามไม่ครบทุกคน")]


@pytest.mark.parametrize(("link_status", "expected"), [
    ("unreachable", [Owed("link_broken", "ลิงก์ประกาศเจตนารมณ์บนเว็บไซต์ที่รายงานไว้เปิดไม่ได้",
                          ("ลิงก์ที่รายงาน: https://phon.example/moral",))]),
    ("no_declaration", [Owed("link_no_declaration", "เปิดลิงก์ที่รายงานไว้ได้ แต่ไม่พบประกาศเจตนารมณ์ในหน้านั้น",
                             ("ลิงก์ที่รายงาน: https://phon.example/moral",))]),
    ("unchecked", []),  # a link nobody has opened yet is not held against the agency
    ("ok", []),
])
def test_a_checked_link_that_fails_is_owed(link_status, expected):
    assert reminders.owed_items(agency(link_status=link_status, published_url="https://phon.example/moral")) == expected


def test_an_agency_that_owes_nothing_gets_no_message(templates):
    complete = agency(email="phon@district.example")
    assert reminders.owed_items(complete) == []
    assert reminders.messages_for([complete], CAMPAIGN, templates) == []
    with pytest.raises(ValueError, match="ไม่มีสิ่งที่ค้างส่ง"):
        reminders.compose(complete, [], CAMPAIGN, templates)


def test_campaign_cites_the_letter_and_the_deadline_in_the_buddhist_era():
    assert CAMPAIGN.deadline == date(2023, 7, 7)
    assert CAMPAIGN.deadline_th == "7 ก.ค. 2566"
    assert CAMPAIGN.letter == ('ที่ ขก ๐๐๓๗.๕/ว๑๗๐๙๕ ลงวันที่ ๒๖ มิถุนายน ๒๕๖๖ เรื่อง '
                               'การประกาศเจตนารมณ์ขับเคลื่อนจังหวัดขอนแก่น เป็น "จังหวัดคุณธรรม"')


def test_message_from_the_shipped_templates(templates):
    row = agency(status="missing", needs_correction=True, contact_name="นางสาวใจดี มีสุข",
                 email="phon@district.example", reporter_email="ใจดี@district.example",
                 rejected_rows=[{"row_number": 3, "reason": "จำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท", "submitted_at": None}])
    message = reminders.compose(row, reminders.owed_items(row), CAMPAIGN, templates)
    assert message.subject == ('ขอให้ดำเนินการประกาศเจตนารมณ์ "จังหวัดคุณธรรม" ให้ครบ: ที่ว่าการอำเภอพล '
                               '(กำหนดส่ง 7 ก.ค. 2566)')
    assert message.text == (
        "เรียน นางสาวใจดี มีสุข\n"
        "\n"
        "ตามหนังสือจังหวัดขอนแก่น ที่ ขก ๐๐๓๗.๕/ว๑๗๐๙๕ ลงวันที่ ๒๖ มิถุนายน ๒๕๖๖ เรื่อง การประกาศเจตนารมณ์"
        'ขับเคลื่อนจังหวัดขอนแก่น เป็น "จังหวัดคุณธรรม" ขอให้ทุกส่วนราชการให้หัวหน้าส่วนราชการและบุคลากรทุกคน'
        "ลงนามประกาศเจตนารมณ์ เผยแพร่ประกาศบนเว็บไซต์ของหน่วยงาน และรายงานผลผ่านแบบรายงานออนไลน์ "
        "ภายในวันที่ 7 ก.ค. 2566 นั้น\n"
        "\n"
        "ขณะนี้ ที่ว่าการอำเภอพล อำเภอพล ยังต้องดำเนินการดังนี้\n"
        "1. ส่งรายงานแล้วแต่ต้องแก้ไข: ข้อมูลที่ส่งมาใช้ไม่ได้ กรุณารายงานใหม่\n"
        "   - รายงานแถวที่ 3 ใช้ไม่ได้ เพราะจำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท\n"
        "\n"
        "รายงานหรือแก้ไขผลได้ที่ https://forms.example/kkdash\n"
        "หากดำเนินการเรียบร้อยแล้ว ขอขอบคุณและขออภัยมา ณ โอกาสนี้\n"
        "\n"
        "สอบถามเพิ่มเติม: กลุ่มงานบริหารทรัพยากรบุคคล โทร 0 4300 0000\n")
    assert "<li>รายงานแถวที่ 3 ใช้ไม่ได้ เพราะจำนวนบุคลากรทั้งหมดเป็น 0 ทุกประเภท</li>" in message.html
    assert message.recipients == ("phon@district.example",)
    assert message.dropped == ("ข้ามอีเมล 'ใจดี@district.example' ของ ที่ว่าการอำเภอพล: รูปแบบอีเมลไม่ถูกต้อง",)
    assert (message.agency_id, message.agency_name, message.whom) == ("D0101", "ที่ว่าการอำเภอพล", "นางสาวใจดี มีสุข")


def test_greeting_falls_back_to_the_reporter_then_the_head(templates):
    owed = [Owed("not_published", "x")]
    by_reporter = reminders.compose(agency(reporter_name="นายสมชาย"), owed, CAMPAIGN, templates)
    by_office = reminders.compose(agency(district_name_th="ระดับจังหวัด", name_th="สำนักงานจังหวัดขอนแก่น"), owed,
                                  CAMPAIGN, templates)
    assert by_reporter.text.splitlines()[0] == "เรียน นายสมชาย"
    assert by_office.text.splitlines()[0] == "เรียน หัวหน้าสำนักงานจังหวัดขอนแก่น"
    assert "ขณะนี้ สำนักงานจังหวัดขอนแก่น ยังต้องดำเนินการดังนี้" in by_office.text  # no "อำเภอระดับจังหวัด"
    assert by_office.whom == ""


def test_line_breaks_in_a_name_do_not_leave_the_subject_line(templates):
    row = agency(name_th="อำเภอพล\r\nBcc: evil@evil.example", published=False)
    message = reminders.compose(row, reminders.owed_items(row), CAMPAIGN, templates)
    assert message.subject == ('ขอให้ดำเนินการประกาศเจตนารมณ์ "จังหวัดคุณธรรม" ให้ครบ: อำเภอพล Bcc: evil@evil.example '
                               '(กำหนดส่ง 7 ก.ค. 2566)')


def test_script_in_a_name_is_inert_in_the_html(templates):
    row = agency(name_th='<script>alert("x")</script>', contact_name="<img src=x onerror=alert(1)>", published=False)
    message = reminders.compose(row, reminders.owed_items(row), CAMPAIGN, templates)
    assert "<script" not in message.html and "<img" not in message.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in message.html
    assert "เรียน &lt;img src=x onerror=alert(1)&gt;" in message.html
    assert message.text.startswith("เรียน <img src=x onerror=alert(1)>\n")  # plain text is not HTML: kept as typed


def test_recipients_are_validated_and_deduplicated():
    row = agency(name_th="อำเภอพล", email="Phon@District.example; bad-address, a@ขอนแก่น.ไทย",
                 reporter_email="phon@district.EXAMPLE\r\nBcc: evil@evil.example")
    recipients, dropped = reminders.recipients_of(row)
    assert recipients == ("Phon@district.example", "a@xn--12cb3eb1hqf1b.xn--o3cw4h")
    assert dropped == ("ข้ามอีเมล 'bad-address' ของ อำเภอพล: รูปแบบอีเมลไม่ถูกต้อง",
                       "ข้ามอีเมล 'phon@district.EXAMPLE\\r\\nBcc: evil@evil.example' ของ อำเภอพล: รูปแบบอีเมลไม่ถูกต้อง")


def test_same_address_in_registry_and_form_is_written_to_once():
    assert reminders.recipients_of(agency(email="phon@district.example", reporter_email="PHON@district.example")) == (
        ("phon@district.example",), ())
    assert reminders.recipients_of(agency(email=float("nan"), reporter_email=None)) == ((), ())


def write(folder, name, text, *, encoding="utf-8"):
    (folder / name).write_text(text, encoding=encoding)


def test_template_syntax_error_names_file_and_line(template_dir):
    write(template_dir, "reminder.txt.j2", "เรียน {{ whom }}\n\n{% for item in owed %}\n{{ item.text }\n{% endfor %}\n")
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value).startswith("แม่แบบ reminder.txt.j2 บรรทัด 4: เขียนไม่ถูกต้อง (")


def test_unknown_name_names_file_and_line_even_on_a_branch_not_taken(template_dir):
    write(template_dir, "reminder.html.j2",
          "<p>{{ whom }}</p>\n{% if false %}\n\n<p>{{ agnecy.name_th }}</p>\n{% endif %}")
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value) == ("แม่แบบ reminder.html.j2 บรรทัด 4: ไม่รู้จักชื่อ 'agnecy' "
                                 "(ใช้ได้: agency, campaign, owed, whom)")


def test_unknown_attribute_names_file_and_line(template_dir):
    write(template_dir, "reminder.subject.j2", "{# หัวเรื่อง #}\nเตือน {{ agency.nmae }}")
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value) == "แม่แบบ reminder.subject.j2 บรรทัด 2: ใช้ไม่ได้ ('dict object' has no attribute 'nmae')"


def test_a_misspelt_attribute_inside_a_loop_is_caught_at_load(template_dir):
    write(template_dir, "reminder.txt.j2",
          "{% for item in owed %}\n{{ item.text }}\n{% for line in item.details %}\n{{ line.row }}\n{% endfor %}\n"
          "{% endfor %}\n")
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value) == "แม่แบบ reminder.txt.j2 บรรทัด 4: ใช้ไม่ได้ ('str object' has no attribute 'row')"


def test_templates_cannot_reach_python_internals(template_dir):
    write(template_dir, "reminder.txt.j2", "{{ campaign.__class__.__mro__ }}")
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value).startswith("แม่แบบ reminder.txt.j2 บรรทัด 1: ใช้ไม่ได้ (")


def test_missing_template_file_is_named(template_dir):
    (template_dir / "reminder.html.j2").unlink()
    with pytest.raises(TemplateError) as caught:
        reminders.load_templates(template_dir)
    assert str(caught.value) == f"ไม่พบไฟล์แม่แบบ reminder.html.j2 ในโฟลเดอร์ {template_dir}"


def test_templates_saved_by_notepad_work(template_dir):
    """Windows Notepad may save a BOM and CRLF line ends; neither reaches the message."""
    write(template_dir, "reminder.subject.j2", "\ufeffเตือน {{ agency.name_th }}\r\n", encoding="utf-8")
    write(template_dir, "reminder.txt.j2", "เรียน {{ whom }}\r\n{% for item in owed %}\r\n- {{ item.text }}\r\n"
                                           "{% endfor %}\r\n")
    templates = reminders.load_templates(template_dir)
    message = reminders.compose(agency(published=False), [Owed("not_published", "ยังไม่มีลิงก์")], CAMPAIGN, templates)
    assert message.subject == "เตือน ที่ว่าการอำเภอพล"
    assert message.text == "เรียน หัวหน้าที่ว่าการอำเภอพล\n- ยังไม่มีลิงก์\n"


def message(agency_id, name, *, whom="", recipients=(), text="ข้อความ\n") -> Message:
    return Message(agency_id=agency_id, subject=f"เตือน {name}", text=text, html="", recipients=recipients,
                   agency_name=name, whom=whom)


def test_mail_merge_csv_is_excel_safe():
    data = reminders.mail_merge_csv([
        message("D0101", "ที่ว่าการอำเภอพล", whom="นางสาวใจดี", recipients=("a@x.example", "b@x.example"),
                text="เรียน นางสาวใจดี\nบรรทัดสอง\n"),
        message("P99", '=HYPERLINK("http://evil.example","x")', whom="+66 สมชาย", text="-ข้อความ\n"),
    ])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        HEADER,
        ["D0101", "ที่ว่าการอำเภอพล", "นางสาวใจดี", "a@x.example, b@x.example", "เตือน ที่ว่าการอำเภอพล",
         "เรียน นางสาวใจดี\nบรรทัดสอง\n"],
        ["P99", '\'=HYPERLINK("http://evil.example","x")', "'+66 สมชาย", "", 'เตือน =HYPERLINK("http://evil.example","x")',
         "'-ข้อความ\n"],
    ]


def test_mail_merge_csv_with_no_messages_has_the_header_only():
    assert reminders.mail_merge_csv([]) == ("\ufeff" + ",".join(HEADER) + "\r\n").encode("utf-8")


def test_paste_text_holds_every_message():
    text = reminders.paste_text([message("D0101", "อำเภอพล", recipients=("a@x.example",), text="หนึ่ง\n"),
                                 message("D0202", "อำเภอชุมแพ", text="สอง\n")])
    assert text == ("===== อำเภอพล (D0101) ถึง: a@x.example =====\nเรื่อง: เตือน อำเภอพล\n\nหนึ่ง\n\n"
                    "===== อำเภอชุมแพ (D0202) ถึง: ไม่มีอีเมล =====\nเรื่อง: เตือน อำเภอชุมแพ\n\nสอง\n")


def test_demo_campaign_gets_one_message_per_agency_that_owes(registry, districts, templates):
    sheet = sources.read_responses_csv(paths.DEMO_RESPONSES_PATH)
    outcome = pipeline.run(sheet, registry, districts, as_of=DEMO_AS_OF, deadline=date(2023, 7, 7))
    table = outcome.agencies.assign(link_status="unchecked", email="", reporter_email="", contact_name="",
                                    needs_correction=False, rejected_rows=[[]] * len(outcome.agencies))
    messages = reminders.messages_for(table.to_dict("records"), CAMPAIGN, templates)
    missing = table["status"].eq("missing")
    owing = missing | ~table["fully_signed"] | ~table["published"]
    assert [m.agency_id for m in messages] == table.loc[owing, "agency_id"].tolist()
    by_id = {m.agency_id: m for m in messages}
    for row in table[owing & ~missing].itertuples():
        if not row.fully_signed:
            needed = f"บุคลากรลงนามแล้ว {int(row.personnel_signed):,} จาก {int(row.personnel_total):,} คน"
            assert needed in by_id[row.agency_id].text
