"""kkdash.parsing: every value form of contract section 2, with exact expected values."""

from datetime import date, datetime

import pandas as pd
import pytest

from kkdash.dates import BANGKOK, format_day_ahead, format_thai_date
from kkdash.parsing import (
    clean_text,
    expand_year,
    has_controls,
    map_unique,
    month_from_thai,
    parse_count,
    parse_date,
    parse_datetime,
    parse_datetime_series,
    parse_phone,
    parse_url,
    parse_url_series,
    parse_yes_no,
    strip_controls,
)


def bkk(*parts):
    return datetime(*parts, tzinfo=BANGKOK)


DATETIMES = [
    # Thai-locale Forms text, day/month/BE year, with and without the comma.
    ("26/6/2566, 9:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("26/6/2566 9:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("26/06/2566, 09:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("๒๖/๖/๒๕๖๖, ๙:๑๕:๐๒", bkk(2023, 6, 26, 9, 15, 2)),
    ("  26/6/2566, 9:15:02\u200b ", bkk(2023, 6, 26, 9, 15, 2)),
    # ISO, naive = Bangkok time; with an offset converted to Bangkok.
    ("2023-06-26 09:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("2023-06-26T09:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("2023-06-26T02:15:02Z", bkk(2023, 6, 26, 9, 15, 2)),
    ("2023-06-26 09:15:02+07:00", bkk(2023, 6, 26, 9, 15, 2)),
    ("2566-06-26 09:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    # Sheets serials: days since 1899-12-30; 0.3854 d = 33 298.56 s = 9:14:58.56 -> rounds to :59.
    ("45103.3854", bkk(2023, 6, 26, 9, 14, 59)),
    ("45103.385416666664", bkk(2023, 6, 26, 9, 15, 0)),
    ("45103", bkk(2023, 6, 26)),
    ("45110.5", bkk(2023, 7, 3, 12, 0, 0)),
    # CE day/month/year text; a year >= 2400 is BE.
    ("26/6/2023 9:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("26/6/2023, 9:15:02", bkk(2023, 6, 26, 9, 15, 2)),
    ("1/1/2443", bkk(1900, 1, 1)),
    ("7/7/2566", bkk(2023, 7, 7)),
    # Thai month names.
    ("26 มิถุนายน 2566", bkk(2023, 6, 26)),
    ("26 มิ.ย. 66", bkk(2023, 6, 26)),
    ("26 มิ.ย. 2566 9:15:02", bkk(2023, 6, 26, 9, 15, 2)),
]

NOT_DATETIMES = [
    "", "   ", "-", "เมื่อวานตอนบ่าย", "9:15:02",
    "31/2/2566, 9:15:02",  # no 31 February
    "26/13/2566",  # no month 13
    "26/6/2566, 25:00:00",  # no hour 25 (the vectorised reader must not roll it into 27 June)
    "26/6/2566, 9:75:00",
    "26/6/2566, 9:15:99",
    "26/6/2399",  # below 2400 so CE, and 2399 CE is no campaign date
    "100000",  # a serial far beyond 2119
    "12",  # a count typed into the time column, not a serial
    "26 ฟักทอง 2566",  # not a month
]


@pytest.mark.parametrize(("text", "expected"), DATETIMES)
def test_parse_datetime_reads_every_contract_form(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", NOT_DATETIMES)
def test_parse_datetime_rejects_unreadable_text(text):
    assert parse_datetime(text) is None


def test_parse_datetime_returns_bangkok_time():
    assert parse_datetime("2023-06-26T02:15:02Z").tzinfo == BANGKOK


def test_parse_datetime_series_agrees_with_the_scalar_parser():
    texts = [text for text, _ in DATETIMES] + NOT_DATETIMES
    parsed = parse_datetime_series(pd.Series(texts, dtype="str"))
    expected = [expected for _, expected in DATETIMES] + [None] * len(NOT_DATETIMES)
    assert [None if pd.isna(v) else v.to_pydatetime() for v in parsed] == expected


DATES = [
    ("26 มิถุนายน 2566", date(2023, 6, 26)),
    ("26 มิ.ย. 66", date(2023, 6, 26)),
    ("26 มิ.ย. 2566", date(2023, 6, 26)),
    ("26 มิย 66", date(2023, 6, 26)),
    ("26มิ.ย.66", date(2023, 6, 26)),
    ("๒๖ มิ.ย. ๖๖", date(2023, 6, 26)),
    ("วันที่ 26 มิถุนายน พ.ศ. 2566", date(2023, 6, 26)),
    ("7 ก.ค. 2566", date(2023, 7, 7)),
    ("7 กรกฎาคม 66", date(2023, 7, 7)),
    ("26/6/2566", date(2023, 6, 26)),
    ("26/6/66", date(2023, 6, 26)),
    ("26-6-2566", date(2023, 6, 26)),
    ("26.6.2566", date(2023, 6, 26)),
    ("2023-06-26", date(2023, 6, 26)),
    ("26/6/2023", date(2023, 6, 26)),
    ("45103", date(2023, 6, 26)),
    ("26/6/2566, 9:15:02", date(2023, 6, 26)),
    ("", None),
    ("ไม่ทราบ", None),
    ("32 มิ.ย. 66", None),
    ("29 ก.พ. 66", None),  # 2023 is no leap year
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


MONTHS = [
    ("มกราคม", "ม.ค.", 1), ("กุมภาพันธ์", "ก.พ.", 2), ("มีนาคม", "มี.ค.", 3), ("เมษายน", "เม.ย.", 4),
    ("พฤษภาคม", "พ.ค.", 5), ("มิถุนายน", "มิ.ย.", 6), ("กรกฎาคม", "ก.ค.", 7), ("สิงหาคม", "ส.ค.", 8),
    ("กันยายน", "ก.ย.", 9), ("ตุลาคม", "ต.ค.", 10), ("พฤศจิกายน", "พ.ย.", 11), ("ธันวาคม", "ธ.ค.", 12),
]


@pytest.mark.parametrize(("full", "abbreviated", "number"), MONTHS)
def test_month_from_thai_full_and_abbreviated(full, abbreviated, number):
    assert (month_from_thai(full), month_from_thai(abbreviated), month_from_thai(abbreviated.replace(".", ""))) \
        == (number, number, number)


@pytest.mark.parametrize(("full", "abbreviated", "number"), MONTHS)
def test_parse_date_with_every_thai_month(full, abbreviated, number):
    assert parse_date(f"1 {full} 2566") == parse_date(f"1 {abbreviated} 66") == date(2023, number, 1)


@pytest.mark.parametrize(("year", "expected"), [
    (66, 2023), (2566, 2023), (2023, 2023), (2400, None), (2443, 1900), (2399, None), (1899, None),
])
def test_expand_year(year, expected):
    assert expand_year(year) == expected


COUNTS = [
    ("12", 12), ("๑๒", 12), ("12 คน", 12), ("12คน", 12), ("๑๒ คน", 12), ("1,234", 1234), ("๑,๒๓๔", 1234),
    ("12,345,678", 12345678), ("12.0", 12), ("12.00", 12), ("1,234.0", 1234), ("  7  ", 7), ("0", 0),
    ("", 0), ("-", 0), (" - ", 0), ("–", 0), (None, 0),
    # invalid: negative, fractional, non-numeric, badly grouped
    ("-3", None), ("12.5", None), ("0.5", None), ("สิบห้า", None), ("abc", None), ("1,23", None),
    ("1.234", None), ("--", None), ("+5", None), ("1e3", None), ("12 13", None),
]


@pytest.mark.parametrize(("text", "expected"), COUNTS)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ใช่", True), (" ใช่ ", True), ("ลงนามแล้ว", True), ("Yes", True), ("TRUE", True), ("y", True),
    ("ไม่ใช่", False), ("ไม่", False), ("ยังไม่ลงนาม", False), ("NO", False), ("false", False),
    ("", None), ("อาจจะ", None), (None, None),
])
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


PHONES = [
    ("0812345678", "0812345678"),
    ("812345678", "0812345678"),  # a spreadsheet dropped the leading zero
    ("43123456", "043123456"),  # a landline that lost its zero
    ("081-234-5678", "0812345678"),
    ("081 234 5678", "0812345678"),
    ("(043) 123-456", "043123456"),
    ("๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
    ("๘๑๒๓๔๕๖๗๘", "0812345678"),
    ("+66 81 234 5678", "0812345678"),
    ("812345678.0", "0812345678"),  # a number cell read as a float
    (812345678, "0812345678"),
    (812345678.0, "0812345678"),
    ("043-123456 ต่อ 12", "043-123456 ต่อ 12"),  # an extension stays as typed
    ("", ""),
    (None, ""),
]


@pytest.mark.parametrize(("typed", "expected"), PHONES)
def test_parse_phone_keeps_text_and_restores_the_zero(typed, expected):
    assert parse_phone(typed) == expected


URLS = [
    ("https://www.example.go.th/moral", "https://www.example.go.th/moral"),
    ("http://www.example.go.th/moral", "http://www.example.go.th/moral"),
    ("  https://www.example.go.th/moral  ", "https://www.example.go.th/moral"),
    ("HTTPS://WWW.EXAMPLE.GO.TH", "HTTPS://WWW.EXAMPLE.GO.TH"),
    ("https://www.example.go.th:8443/a?x=1", "https://www.example.go.th:8443/a?x=1"),
    ("www.example.go.th/moral", "https://www.example.go.th/moral"),
    ("example.go.th", "https://example.go.th"),
    ("https://ขอนแก่น.go.th/ประกาศ", "https://ขอนแก่น.go.th/ประกาศ"),
    # not published
    ("", None),
    ("-", None),
    ("javascript:alert(1)", None),
    ("[ลิงก์]", None),  # urlsplit raises on a lone "[": still just "not published"
    ("JavaScript:alert(1)", None),
    ("file:///etc/passwd", None),
    ("file://server/share/x.pdf", None),
    ("mailto:hr@example.go.th", None),
    ("data:text/html,<b>x</b>", None),
    ("ftp://files.example.go.th/x", None),
    ("www.example .go.th", None),
    ("อยู่ระหว่างดำเนินการ", None),
    ("facebook เพจหน่วยงาน", None),
    ("localhost/moral", None),
    ("https://localhost/moral", None),
    ("https://intranet/moral", None),
    ("https://www..example.go.th", None),
]


@pytest.mark.parametrize(("typed", "expected"), URLS)
def test_parse_url(typed, expected):
    assert parse_url(typed) == expected


# Links the bulk path must leave to parse_url, or read exactly as parse_url does.
TRICKY_URLS = [
    "x.go.th?a=b:c", "x.go.th/a?b:c", "x.go.th#top", "HTTP://X.GO.TH", "hTTps://a-b.go.th/ก", "a.go.th:8080/x",
    "https://user@a.go.th/", "https://[::1]/", "https://a.go.th/ x", " https://a.go.th ", "https://a.go.th/\u200b",
    "https://-a.go.th/", "https://a-.go.th/", "https://a.go.th.", "https://โรงเรียน.ไทย/", "a.b", "a", "http://a.b/%20",
    "javascript:alert(1)", "https://a.go.th/\x7f", "๑.go.th", "https://a..b/", "", None, float("nan"),
]


def test_parse_url_series_agrees_with_parse_url():
    typed = [text for text, _ in URLS] + TRICKY_URLS
    series = pd.Series(typed, dtype="object", index=range(10, 10 + len(typed)))
    assert [None if pd.isna(v) else v for v in parse_url_series(series)] == [parse_url(text) for text in typed]
    assert parse_url_series(series).index.tolist() == series.index.tolist()


@pytest.mark.parametrize(("value", "expected"), [
    ("  ab\u200bc\u200d  ", "abc"), ("๑๒๓", "123"), ("\ufeffชื่อ", "ชื่อ"), (None, ""), (float("nan"), ""), (12, "12"),
])
def test_clean_text(value, expected):
    assert clean_text(value) == expected


def test_map_unique_calls_the_function_once_per_distinct_value():
    calls = []

    def record(value):
        calls.append(value)
        return len(value)

    result = map_unique(pd.Series(["ab", "abc", "ab", "ab", "abc"]), record)
    assert (result.tolist(), sorted(calls)) == ([2, 3, 2, 2, 3], ["ab", "abc"])


@pytest.mark.parametrize(("moment", "with_time", "expected"), [
    (date(2023, 7, 7), False, "7 ก.ค. 2566"),
    (bkk(2023, 7, 7, 14, 5), True, "7 ก.ค. 2566 14:05 น."),
    (bkk(2023, 7, 7, 14, 5), False, "7 ก.ค. 2566"),
    (datetime.fromisoformat("2023-07-06T20:30:00+00:00"), True, "7 ก.ค. 2566 03:30 น."),
    (None, False, "-"),
    (pd.NaT, True, "-"),
])
def test_format_thai_date(moment, with_time, expected):
    assert format_thai_date(moment, with_time=with_time) == expected


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 12, 3), "วันนี้ · พฤ. 3 ธ.ค. 2569"), (date(2026, 12, 4), "พรุ่งนี้ · ศ. 4 ธ.ค. 2569"),
    (date(2026, 12, 5), "มะรืนนี้ · ส. 5 ธ.ค. 2569"), (date(2026, 12, 7), "จ. 7 ธ.ค. 2569"),
    (date(2027, 1, 3), "อา. 3 ม.ค. 2570"),
])
def test_a_promised_day_reads_as_people_say_it(day, expected):
    assert format_day_ahead(day, date(2026, 12, 3)) == expected


# Control characters (C0 but tab/LF/CR, DEL, C1, U+FFFE/U+FFFF): separators become a space, the rest go.
@pytest.mark.parametrize(("typed", "expected"), [
    ("สมชาย\x0bใจดี", "สมชาย ใจดี"),
    ("https://www.example.go.th/x\x01", "https://www.example.go.th/x"),
    ("\x1b[31mแดง\x1b[0m", "[31mแดง[0m"),
    ("a\x85b\x9bc\x7fd\ufffee", "a bcde"),
    ("แถว\tแรก\nแถวสอง\r", "แถว\tแรก\nแถวสอง\r"),
])
def test_strip_controls(typed, expected):
    assert strip_controls(typed) == expected


def test_clean_text_drops_control_characters_too():
    assert clean_text(" นาย\x0bสมชาย\x00 ") == "นาย สมชาย"


def test_has_controls_finds_exactly_the_cells_with_one():
    cells = pd.Series(["ก", "ข\x01", "ค\u00a0", "\ufffe", None, "ง\tจ", "\x9b", "ฉ\x7f", "\ufeffช"], dtype="str")
    assert has_controls(cells).tolist() == [False, True, False, True, False, False, True, True, False]
    assert has_controls(cells.iloc[2:4]).tolist() == [False, True]  # a slice of a larger buffer
