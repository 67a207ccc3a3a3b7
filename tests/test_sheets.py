"""Google Sheets source against the fake Sheets server, through real gspread."""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import UTC, datetime

import pytest

from kkdash.settings import SheetSettings
from kkdash.sheets import (
    SheetCredentialsError,
    SheetEmpty,
    SheetError,
    SheetForbidden,
    SheetHeaderError,
    SheetMalformed,
    SheetNotFound,
    SheetTables,
    SheetUnavailable,
    fetch_tables,
)
from tools.fakesheets import BlockedRequest, FakeSheets, fake_session, make_service_account_info

pytestmark = pytest.mark.timeout(60)

RESPONSES = [
    ["ประทับเวลา", "ชื่อ-นามสกุล", "อำเภอ", "เบอร์โทร", "หมายเหตุ"],
    ["26/6/2566, 9:15:02", "สมชาย ใจดี", "เมืองขอนแก่น", "0812345678", "ปฏิญาณแล้ว"],
    ["26/6/2566, 10:01:44", "สมหญิง รักดี", "บ้านฝาง", "0098765432"],
    [],
    ["45103.5", "นายทดสอบ", "ชุมแพ", "", ""],
]
REGISTRY = [
    ["อำเภอ", "จำนวนครัวเรือน"],
    ["เมืองขอนแก่น", "120,345"],
    ["บ้านฝาง"],
]
PADDED_RESPONSES = [
    ["ประทับเวลา", "ชื่อ-นามสกุล", "อำเภอ", "เบอร์โทร", "หมายเหตุ"],
    ["26/6/2566, 9:15:02", "สมชาย ใจดี", "เมืองขอนแก่น", "0812345678", "ปฏิญาณแล้ว"],
    ["26/6/2566, 10:01:44", "สมหญิง รักดี", "บ้านฝาง", "0098765432", ""],
    ["", "", "", "", ""],
    ["45103.5", "นายทดสอบ", "ชุมแพ", "", ""],
]
PADDED_REGISTRY = [
    ["อำเภอ", "จำนวนครัวเรือน"],
    ["เมืองขอนแก่น", "120,345"],
    ["บ้านฝาง", ""],
]


@pytest.fixture(scope="module")
def key_info():
    return make_service_account_info()


@pytest.fixture
def fake():
    with FakeSheets({"Form Responses 1": RESPONSES, "Registry": REGISTRY}, slow_seconds=1.5) as server:
        yield server


@pytest.fixture
def settings(fake, key_info):
    return SheetSettings(sheet_key=fake.key, registry_worksheet="Registry", service_account_info=key_info)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def fetch(fake, sleeps):
    """Fetch through the fake server, recording back-off sleeps instead of waiting."""

    def run(settings, **options):
        options.setdefault("sleep", sleeps.append)
        return fetch_tables(settings, session=fake.session(), **options)

    return run


def test_reads_both_worksheets_in_one_batch_get(fake, settings, fetch, sleeps):
    before = datetime.now(UTC)
    tables = fetch(settings)
    assert tables == SheetTables(PADDED_RESPONSES, PADDED_REGISTRY, tables.fetched_at)
    assert before <= tables.fetched_at <= datetime.now(UTC)
    assert tables.fetched_at.tzinfo is UTC
    assert fake.count(fake.batch_get_path) == 1
    assert fake.count(fake.metadata_path) == 0
    assert sleeps == []
    (batch,) = [entry for entry in fake.log if entry["path"] == fake.batch_get_path]
    assert batch["authorized"] is True
    assert batch["query"] == {
        "valueRenderOption": ["FORMATTED_VALUE"],
        "majorDimension": ["ROWS"],
        "ranges": ["'Form Responses 1'", "'Registry'"],
    }


def test_token_is_requested_with_read_only_scope_and_reused(fake):
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info())
    fetch_tables(settings, session=fake.session())
    fetch_tables(settings, session=fake.session())
    assert fake.count("/token") == 1
    assert fake.count(fake.batch_get_path) == 2
    (claims,) = fake.token_claims
    assert claims["iss"] == "kkdash-reader@kkdash-test.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/spreadsheets.readonly"


def test_credentials_file_is_used(fake, key_info, tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text(__import__("json").dumps(key_info), encoding="utf-8")
    settings = SheetSettings(sheet_key=fake.key, credentials_path=str(key_file))
    assert fetch_tables(settings, session=fake.session()).responses == PADDED_RESPONSES


def test_without_registry_worksheet_registry_is_none(fake, key_info, fetch):
    tables = fetch(SheetSettings(sheet_key=fake.key, service_account_info=key_info))
    assert tables.registry is None
    assert tables.responses == PADDED_RESPONSES
    assert fake.log[-1]["query"]["ranges"] == ["'Form Responses 1'"]


def test_worksheet_title_with_quote_is_escaped(fake, key_info, fetch):
    fake.set_worksheet("Tom's list", [["ชื่อ"], ["ต้อม"]])
    tables = fetch(SheetSettings(sheet_key=fake.key, responses_worksheet="Tom's list", service_account_info=key_info))
    assert tables.responses == [["ชื่อ"], ["ต้อม"]]
    assert fake.log[-1]["query"]["ranges"] == ["'Tom''s list'"]


def test_refresh_sees_data_replaced_on_the_server(fake, settings, fetch):
    assert len(fetch(settings).responses) == 5
    fake.set_worksheet("Form Responses 1", [*RESPONSES, ["27/6/2566, 8:00:00", "ใหม่"]])
    assert fetch(settings).responses[-1] == ["27/6/2566, 8:00:00", "ใหม่", "", "", ""]
    assert fake.count(fake.batch_get_path) == 2


def test_header_only_sheet_means_no_responses_yet(fake, settings, fetch):
    fake.set_worksheet("Form Responses 1", [["ประทับเวลา", "ชื่อ"]])
    assert fetch(settings).responses == [["ประทับเวลา", "ชื่อ"]]


@pytest.mark.parametrize("bom", [False, True])
def test_published_csv_mode(bom):
    with FakeSheets({"Form Responses 1": RESPONSES}, csv_bom=bom) as fake:
        settings = SheetSettings(published_csv_url=fake.published_csv_url(), allow_loopback=True)
        tables = fetch_tables(settings, session=fake.session())
        assert tables.responses == PADDED_RESPONSES
        assert tables.registry is None
        assert fake.counts == {fake.csv_path: 1}
        assert fake.log[0]["authorized"] is False


def test_published_csv_drops_trailing_blank_rows_and_columns(fake):
    fake.set_worksheet("Form Responses 1", [["a", "b", ""], ["1", "", ""], ["", "", ""]])
    settings = SheetSettings(published_csv_url=fake.published_csv_url(), allow_loopback=True)
    assert fetch_tables(settings, session=fake.session()).responses == [["a", "b"], ["1", ""]]


def test_published_csv_retries_then_recovers(fake, sleeps):
    fake.fail_next("503")
    settings = SheetSettings(published_csv_url=fake.published_csv_url(), allow_loopback=True)
    tables = fetch_tables(settings, session=fake.session(), sleep=sleeps.append)
    assert tables.responses == PADDED_RESPONSES
    assert fake.count(fake.csv_path) == 2
    assert len(sleeps) == 1


def test_published_csv_not_found(fake):
    settings = SheetSettings(published_csv_url=fake.base_url + "/pub/wrong.csv", allow_loopback=True)
    with pytest.raises(SheetNotFound) as caught:
        fetch_tables(settings, session=fake.session())
    assert "published_csv_url" in caught.value.message_th


def test_429_then_success_recovers(fake, settings, fetch, sleeps):
    fake.fail_next("429")
    assert fetch(settings).responses == PADDED_RESPONSES
    assert fake.count(fake.batch_get_path) == 2
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 1.0


def test_500_forever_gives_up_after_max_attempts(fake, settings, fetch, sleeps):
    fake.fail_next("500", times=10)
    with pytest.raises(SheetUnavailable) as caught:
        fetch(settings, max_attempts=4)
    assert caught.value.kind == "unavailable"
    assert "4 ครั้ง" in caught.value.message_th
    assert fake.count(fake.batch_get_path) == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0 <= delay <= 2**attempt  # full jitter under 1 s, 2 s, 4 s


def test_slow_answer_times_out_and_is_retried(fake, settings, fetch, sleeps):
    fake.fail_next("slow")
    assert fetch(settings, timeout=0.3).responses == PADDED_RESPONSES
    assert fake.count(fake.batch_get_path) == 2
    assert len(sleeps) == 1


def test_server_down_is_unavailable(key_info, sleeps):
    with FakeSheets({"Form Responses 1": RESPONSES}) as fake:
        session = fake.session()
        settings = SheetSettings(sheet_key=fake.key, service_account_info=key_info)
    with pytest.raises(SheetUnavailable):
        fetch_tables(settings, session=session, max_attempts=2, sleep=sleeps.append)
    assert len(sleeps) == 1


def test_403_names_the_service_account_email(fake, settings, fetch, sleeps):
    fake.fail_next("403")
    with pytest.raises(SheetForbidden) as caught:
        fetch(settings)
    assert caught.value.kind == "forbidden"
    assert "kkdash-reader@kkdash-test.iam.gserviceaccount.com" in caught.value.message_th
    assert "แชร์" in caught.value.message_th
    assert fake.count(fake.batch_get_path) == 1
    assert sleeps == []


def test_wrong_worksheet_lists_existing_worksheets(fake, key_info, fetch):
    settings = SheetSettings(
        sheet_key=fake.key,
        responses_worksheet="Form Responses 2",
        registry_worksheet="Registry",
        service_account_info=key_info,
    )
    with pytest.raises(SheetNotFound) as caught:
        fetch(settings)
    assert caught.value.message_th == (
        "ไม่พบแท็บ (worksheet) ชื่อ 'Form Responses 2' ในชีตนี้ แท็บที่มีอยู่: 'Form Responses 1', 'Registry'"
    )
    assert fake.count(fake.batch_get_path) == 1
    assert fake.count(fake.metadata_path) == 1
    assert fake.log[-1]["query"] == {"fields": ["sheets.properties.title"]}


def test_injected_404_is_not_found_and_not_retried(fake, settings, fetch, sleeps):
    fake.fail_next("404")
    with pytest.raises(SheetNotFound):
        fetch(settings)
    assert fake.count(fake.batch_get_path) == 1
    assert fake.count(fake.metadata_path) == 1
    assert sleeps == []


def test_unknown_key_is_not_found(fake, key_info, fetch):
    wrong = "1WrongKey" + "x" * 35
    settings = SheetSettings(sheet_key=wrong, service_account_info=key_info)
    with pytest.raises(SheetNotFound) as caught:
        fetch(settings)
    assert wrong in caught.value.message_th
    assert fake.count(f"/v4/spreadsheets/{wrong}") == 1


@pytest.mark.parametrize("fault", ["garbage", "truncated"])
def test_unreadable_answer_is_malformed(fake, settings, fetch, sleeps, fault):
    fake.fail_next(fault)
    with pytest.raises(SheetMalformed) as caught:
        fetch(settings)
    assert caught.value.kind == "malformed"
    assert fake.count(fake.batch_get_path) == 1
    assert sleeps == []


def test_empty_worksheet_is_an_error(fake, settings, fetch):
    fake.set_worksheet("Registry", [])
    with pytest.raises(SheetEmpty) as caught:
        fetch(settings)
    assert caught.value.kind == "empty"
    assert "'Registry'" in caught.value.message_th


def test_blank_first_row_above_data_is_a_header_error(fake, settings, fetch):
    fake.set_worksheet("Form Responses 1", [[], ["26/6/2566, 9:15:02", "สมชาย"]])
    with pytest.raises(SheetHeaderError, match="แถวที่ 1"):
        fetch(settings)


def test_duplicate_and_blank_headers_are_named(fake, settings, fetch):
    fake.set_worksheet(
        "Form Responses 1",
        [
            ["ประทับเวลา", "ชื่อ", "", "ชื่อ ", "", "อำเภอ"],
            ["26/6/2566, 9:15:02", "ก", "x", "ข", "", "ชุมแพ", "เกิน"],
        ],
    )
    with pytest.raises(SheetHeaderError) as caught:
        fetch(settings)
    assert caught.value.kind == "header"
    assert caught.value.message_th == (
        "แท็บ 'Form Responses 1': หัวคอลัมน์ 'ชื่อ' ซ้ำกัน (คอลัมน์ B, D); คอลัมน์ที่มีข้อมูลแต่ไม่มีหัวคอลัมน์: C, G ให้แก้แถวที่ 1 ในชีต"
    )


def test_blank_header_over_an_empty_column_is_fine(fake, settings, fetch):
    fake.set_worksheet("Form Responses 1", [["ก", "", "ข"], ["1", "", "2"]])
    assert fetch(settings).responses == [["ก", "", "ข"], ["1", "", "2"]]


def test_broken_private_key_is_a_credentials_error(fake, fetch):
    info = {
        "type": "service_account",
        "client_email": "broken@kkdash-test.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nTOPSECRETGARBAGE\n-----END PRIVATE KEY-----\n",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    with pytest.raises(SheetCredentialsError) as caught:
        fetch(SheetSettings(sheet_key=fake.key, service_account_info=info))
    assert caught.value.kind == "credentials"
    assert "TOPSECRET" not in "".join(traceback.format_exception(caught.value))
    assert fake.count() == 0


def test_fake_session_refuses_the_internet(fake):
    session = fake_session(fake.base_url)
    with pytest.raises(BlockedRequest):
        session.get("https://example.com/")
    with pytest.raises(BlockedRequest):
        session.get("https://docs.google.com/spreadsheets/d/e/x/pub?output=csv")
    assert fake.count() == 0


def test_demo_settings_cannot_fetch():
    with pytest.raises(SheetError) as caught:
        fetch_tables(SheetSettings())
    assert caught.value.kind == "not_configured"


def test_no_secret_leaks_into_errors_or_logs(fake, fetch, caplog):
    caplog.set_level(logging.DEBUG)
    info = make_service_account_info()
    settings = SheetSettings(sheet_key=fake.key, registry_worksheet="Registry", service_account_info=info)
    fetch(settings)  # a fresh key, so a real token exchange happens here
    assert fake.count("/token") == 1
    errors = []
    scenarios = [
        lambda: fake.fail_next("403"),
        lambda: fake.fail_next("500", times=4),
        lambda: fake.fail_next("garbage"),
        lambda: fake.fail_next("404"),
        lambda: fake.set_worksheet("Registry", [["x", "x"]]),
    ]
    for arrange in scenarios:
        arrange()
        with pytest.raises(SheetError) as caught:
            fetch(settings)
        errors.append(caught.value)
    texts = [repr(settings), str(settings), caplog.text]
    texts += ["".join(traceback.format_exception(error)) for error in errors]
    texts += [repr(error) for error in errors]
    assert "attempt 1/4 failed" in caplog.text  # the logs were really captured
    key_body = info["private_key"].splitlines()[5]
    for text in texts:
        assert fake.access_token not in text
        assert info["private_key"] not in text
        assert key_body not in text


# --- every transport failure is a SheetError, bounded in requests and in time ---------------------------------


@pytest.fixture
def published(fake):
    return SheetSettings(published_csv_url=fake.published_csv_url(), allow_loopback=True)


@pytest.mark.parametrize("mode", ["published", "service_account"])
def test_a_redirect_loop_is_a_sheet_error_after_a_bounded_number_of_requests(fake, settings, published, sleeps, mode):
    fake.fail_next("redirect", times=100)
    chosen, path = (published, fake.csv_path) if mode == "published" else (settings, fake.batch_get_path)
    with pytest.raises(SheetError) as caught:
        fetch_tables(chosen, session=fake.session(), sleep=sleeps.append)
    assert caught.value.kind == "redirects"
    assert "redirect" in caught.value.message_th
    assert (fake.count(path), sleeps) == (6, [])  # the first request and five redirects, never retried


@pytest.mark.parametrize("mode", ["published", "service_account"])
def test_a_broken_gzip_body_is_malformed_and_not_retried(fake, settings, published, sleeps, mode):
    fake.fail_next("gzip", times=10)
    chosen, path = (published, fake.csv_path) if mode == "published" else (settings, fake.batch_get_path)
    with pytest.raises(SheetMalformed) as caught:
        fetch_tables(chosen, session=fake.session(), sleep=sleeps.append)
    assert "gzip" in caught.value.message_th
    assert (fake.count(path), sleeps) == (1, [])


def test_a_server_that_hangs_up_is_unavailable_after_its_retries(fake, settings, fetch, sleeps):
    fake.fail_next("hangup", times=10)
    with pytest.raises(SheetUnavailable) as caught:
        fetch(settings, max_attempts=3)
    assert caught.value.message_th == ("ติดต่อ Google Sheets ไม่ได้ หลังลองแล้ว 3 ครั้ง (เชื่อมต่อไม่ได้)"
                                       " จะลองใหม่ในรอบรีเฟรชถัดไป")
    assert fake.count(fake.batch_get_path) == 3


@pytest.mark.parametrize("mode", ["published", "service_account"])
def test_a_dripping_server_is_cut_at_the_whole_read_deadline(fake, settings, published, mode):
    fake.fail_next("drip", times=100)  # a byte every 0.5 s, for ever: no per-read time-out ever trips
    chosen = published if mode == "published" else settings
    with pytest.raises(SheetUnavailable) as caught:
        fetch_tables(chosen, session=fake.session(), deadline=1.5)
    assert caught.value.kind == "deadline"
    assert caught.value.message_th.endswith("อ่านข้อมูลไม่เสร็จภายใน 1.5 วินาที จะลองใหม่ในรอบรีเฟรชถัดไป")


def test_retries_stop_at_the_deadline(fake, settings, sleeps):
    fake.fail_next("slow", times=100)  # each answer takes 1.5 s; each attempt gives up after 1 s
    with pytest.raises(SheetUnavailable) as caught:
        fetch_tables(settings, session=fake.session(), sleep=sleeps.append, timeout=1.0, max_attempts=10,
                     deadline=2.5)
    assert caught.value.kind == "deadline"
    assert fake.count(fake.batch_get_path) <= 3  # not the ten attempts allowed


def test_a_failing_token_endpoint_costs_three_token_requests_not_twelve(fake, sleeps):
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info())
    fake.fail_token("500", times=100)
    with pytest.raises(SheetUnavailable) as caught:
        fetch_tables(settings, session=fake.session(), sleep=sleeps.append)
    assert caught.value.message_th.startswith("บริการออกสิทธิ์เข้าใช้ (token) ของ Google ขัดข้อง")
    assert (fake.count("/token"), fake.count(fake.batch_get_path)) == (3, 0)  # google-auth's own three tries


def test_a_revoked_key_is_a_credentials_error_after_one_token_request(fake):
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info())
    fake.fail_token("400")
    with pytest.raises(SheetCredentialsError):
        fetch_tables(settings, session=fake.session())
    assert fake.count("/token") == 1


def test_a_dripping_token_endpoint_is_cut_at_the_deadline(fake):
    settings = SheetSettings(sheet_key=fake.key, service_account_info=make_service_account_info())
    fake.fail_token("drip", times=100)
    with pytest.raises(SheetUnavailable) as caught:
        fetch_tables(settings, session=fake.session(), deadline=1.5)
    assert caught.value.kind == "deadline"
    assert fake.count(fake.batch_get_path) == 0


def test_the_deadline_comes_from_the_settings(fake):
    fake.fail_next("drip", times=100)
    settings = SheetSettings(published_csv_url=fake.published_csv_url(), allow_loopback=True, read_deadline_seconds=1)
    with pytest.raises(SheetUnavailable, match="ไม่เสร็จภายใน 1 วินาที"):
        fetch_tables(settings, session=fake.session())


# --- published CSV links travel over https only -----------------------------------------------------------------


def test_a_plain_http_link_is_refused_without_the_test_switch(fake):
    with pytest.raises(SheetError) as caught:
        fetch_tables(SheetSettings(published_csv_url=fake.published_csv_url()), session=fake.session())
    assert caught.value.kind == "insecure"
    assert fake.count() == 0


def test_a_redirect_to_plain_http_is_not_followed(fake, published):
    fake.fail_next("downgrade")
    with pytest.raises(SheetError) as caught:  # a request there would raise BlockedRequest instead
        fetch_tables(published, session=fake.session())
    assert caught.value.kind == "insecure"
    assert fake.count(fake.csv_path) == 1


def test_a_lone_surrogate_in_googles_answer_becomes_a_replacement_character(fake, settings, fetch):
    fake.set_worksheet("Form Responses 1", [["ก", "ข"], ["x\ud800y", "ok"]])
    assert fetch(settings).responses == [["ก", "ข"], ["x\ufffdy", "ok"]]


def test_the_read_cut_at_its_deadline_does_not_linger(fake, settings):
    fake.fail_next("drip", times=100)
    with pytest.raises(SheetUnavailable):
        fetch_tables(settings, session=fake.session(), deadline=1.0)
    readers = [thread for thread in threading.enumerate() if thread.name == "kkdash-sheet-read"]
    for thread in readers:
        thread.join(timeout=15)  # its sockets were shut down under it: it ends instead of reading for ever
    assert [thread for thread in readers if thread.is_alive()] == []
