"""Settings from Streamlit-style secrets and the environment."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from kkdash.settings import SettingsError, SheetSettings, parse_sheet_key, read_secrets_file
from kkdash.settings import load_sheet_settings as load_settings

pytestmark = pytest.mark.timeout(60)

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
EXAMPLE = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.example.toml"
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n"
SERVICE_ACCOUNT = {
    "type": "service_account",
    "project_id": "kkdash",
    "private_key_id": "abc123",
    "private_key": PRIVATE_KEY,
    "client_email": "reader@kkdash.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}
THAI = re.compile("[\u0e00-\u0e7f]")


def secrets(**sheet):
    return {"sheet": sheet, "gcp_service_account": dict(SERVICE_ACCOUNT)}


def test_nothing_configured_is_demo_with_defaults():
    settings = load_settings({}, {})
    assert settings == SheetSettings()
    assert settings.mode == "demo"
    assert settings.responses_worksheet == "Form Responses 1"
    assert settings.refresh_seconds == 60
    assert load_settings(None, {}) == SheetSettings()


def test_full_secrets():
    settings = load_settings(
        secrets(
            url=f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
            responses_worksheet="การตอบแบบฟอร์ม 1",
            registry_worksheet="ทะเบียน",
            refresh_seconds=120,
            deadline="2025-06-30",
        ),
        {},
    )
    assert settings == SheetSettings(
        sheet_key=KEY,
        responses_worksheet="การตอบแบบฟอร์ม 1",
        registry_worksheet="ทะเบียน",
        refresh_seconds=120,
        deadline=date(2025, 6, 30),
        service_account_info=SERVICE_ACCOUNT,
    )
    assert settings.mode == "service_account"


@pytest.mark.parametrize(
    "text",
    [
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing",
        f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/htmlview",
        f"  {KEY}  ",
    ],
)
def test_sheet_key_from_url_or_bare_key(text):
    assert parse_sheet_key(text) == KEY
    assert load_settings(secrets(url=text), {}).sheet_key == KEY


def test_bare_key_setting():
    assert load_settings(secrets(key=KEY), {}).sheet_key == KEY


def test_environment_overrides_secrets(tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(SERVICE_ACCOUNT), encoding="utf-8")
    other = "9" * 44
    environ = {
        "KKDASH_SHEET_URL": f"https://docs.google.com/spreadsheets/d/{other}/edit#gid=0",
        "KKDASH_RESPONSES_WORKSHEET": "Responses",
        "KKDASH_REGISTRY_WORKSHEET": "Targets",
        "KKDASH_PUBLISHED_CSV_URL": "https://docs.google.com/spreadsheets/d/e/2PACX-x/pub?output=csv",
        "KKDASH_REFRESH_SECONDS": "300",
        "KKDASH_DEADLINE": "2025-07-31",
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
    }
    settings = load_settings(
        secrets(key=KEY, responses_worksheet="A", registry_worksheet="B", refresh_seconds=30, deadline="2025-01-01"),
        environ,
    )
    assert settings == SheetSettings(
        sheet_key=other,
        responses_worksheet="Responses",
        registry_worksheet="Targets",
        published_csv_url="https://docs.google.com/spreadsheets/d/e/2PACX-x/pub?output=csv",
        refresh_seconds=300,
        deadline=date(2025, 7, 31),
        service_account_info=SERVICE_ACCOUNT,
        credentials_path=str(key_file),
    )
    assert settings.mode == "service_account"


def test_blank_environment_variables_count_as_unset():
    environ = {"KKDASH_SHEET_URL": "", "KKDASH_REFRESH_SECONDS": "  ", "KKDASH_RESPONSES_WORKSHEET": ""}
    settings = load_settings(secrets(key=KEY, refresh_seconds=90), environ)
    assert (settings.sheet_key, settings.refresh_seconds, settings.responses_worksheet) == (KEY, 90, "Form Responses 1")


def test_environment_alone_with_credentials_file(tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text("{}", encoding="utf-8")
    settings = load_settings({}, {"KKDASH_SHEET_URL": KEY, "GOOGLE_APPLICATION_CREDENTIALS": str(key_file)})
    assert settings.mode == "service_account"
    assert settings.service_account_info is None


def test_published_csv_mode_needs_no_credentials():
    url = "https://docs.google.com/spreadsheets/d/e/2PACX-abc/pub?gid=0&single=true&output=csv"
    settings = load_settings({"sheet": {"published_csv_url": url}}, {})
    assert settings.mode == "published_csv"
    assert settings.published_csv_url == url


def test_private_key_with_literal_backslash_n_is_repaired():
    table = dict(SERVICE_ACCOUNT, private_key=PRIVATE_KEY.replace("\n", "\\n"))
    settings = load_settings({"sheet": {"key": KEY}, "gcp_service_account": table}, {})
    assert settings.service_account_info["private_key"] == PRIVATE_KEY


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2568-06-30", date(2025, 6, 30)), (date(2025, 6, 30), date(2025, 6, 30)), ("2025-6-1", date(2025, 6, 1))],
)
def test_deadline_forms(value, expected):
    assert load_settings({"sheet": {"deadline": value}}, {}).deadline == expected


def test_toml_date_deadline_from_secrets_file(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text("[sheet]\ndeadline = 2025-06-30\nrefresh_seconds = 45\n", encoding="utf-8")
    settings = load_settings(read_secrets_file(path), {})
    assert (settings.deadline, settings.refresh_seconds) == (date(2025, 6, 30), 45)


@pytest.mark.parametrize(
    ("sheet", "environ", "where"),
    [
        ({"refresh_seconds": "abc"}, {}, "[sheet] refresh_seconds"),
        ({"refresh_seconds": 5}, {}, "[sheet] refresh_seconds"),
        ({"refresh_seconds": True}, {}, "[sheet] refresh_seconds"),
        ({}, {"KKDASH_REFRESH_SECONDS": "-60"}, "KKDASH_REFRESH_SECONDS"),
        ({"deadline": "30/06/2025"}, {}, "[sheet] deadline"),
        ({}, {"KKDASH_DEADLINE": "2025-02-30"}, "KKDASH_DEADLINE"),
        ({"url": "https://example.com/sheet"}, {}, "[sheet] url"),
        ({}, {"KKDASH_SHEET_URL": "short"}, "KKDASH_SHEET_URL"),
        ({"url": "https://docs.google.com/spreadsheets/d/e/2PACX-abc/pubhtml"}, {}, "published_csv_url"),
        ({"published_csv_url": "docs.google.com/x.csv"}, {}, "[sheet] published_csv_url"),
        ({"published_csv_url": "https://docs.google.com/spreadsheets/d/e/2PACX-a/pubhtml"}, {}, "pubhtml"),
        ({"responses_worksheet": 3}, {}, "[sheet] responses_worksheet"),
    ],
)
def test_bad_values_raise_thai_errors_naming_the_setting(sheet, environ, where):
    with pytest.raises(SettingsError) as caught:
        load_settings({"sheet": sheet}, environ)
    assert where in str(caught.value)
    assert THAI.search(str(caught.value))


def test_sheet_without_credentials_is_an_error_not_demo():
    with pytest.raises(SettingsError, match="gcp_service_account"):
        load_settings({"sheet": {"key": KEY}}, {})


def test_url_and_key_pointing_to_different_sheets():
    with pytest.raises(SettingsError, match=r"\[sheet\] url"):
        load_settings(secrets(url=KEY, key="8" * 44), {})


def test_same_worksheet_for_responses_and_registry():
    with pytest.raises(SettingsError, match="registry_worksheet"):
        load_settings(secrets(key=KEY, registry_worksheet="Form Responses 1"), {})


def test_incomplete_service_account_names_missing_fields_only():
    table = {"type": "service_account", "private_key": PRIVATE_KEY}
    with pytest.raises(SettingsError) as caught:
        load_settings({"sheet": {"key": KEY}, "gcp_service_account": table}, {})
    assert "client_email, token_uri" in str(caught.value)
    assert "TOPSECRET" not in str(caught.value)


def test_missing_credentials_file(tmp_path):
    with pytest.raises(SettingsError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        load_settings({}, {"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "nope.json")})


def test_repr_hides_the_service_account_key():
    settings = load_settings(secrets(key=KEY), {})
    for text in (repr(settings), str(settings), f"{settings}"):
        assert "TOPSECRET" not in text
        assert "PRIVATE KEY" not in text
        assert "service_account_info=<hidden>" in text
        assert KEY in text
    assert hash(settings) == hash(load_settings(secrets(key=KEY), {}))


def test_streamlit_secrets_without_a_file_count_as_empty():
    class NoSecretsFile(dict):
        def get(self, key, default=None):
            raise FileNotFoundError("No secrets found")

    assert load_settings(NoSecretsFile(), {}) == SheetSettings()


def test_read_secrets_file(tmp_path):
    assert read_secrets_file(tmp_path / "absent.toml") == {}
    bad = tmp_path / "bad.toml"
    bad.write_text("[sheet]\nurl = \n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        read_secrets_file(bad)
    assert str(bad) in str(caught.value) and THAI.search(str(caught.value))


def test_example_secrets_file_is_valid_and_documents_every_key():
    secrets_doc = read_secrets_file(EXAMPLE)
    settings = load_settings(secrets_doc, {})
    assert settings.mode == "service_account"
    assert settings.sheet_key == "REPLACE_WITH_YOUR_SHEET_KEY_0123456789"
    assert (settings.responses_worksheet, settings.registry_worksheet) == ("Form Responses 1", "Registry")
    assert (settings.refresh_seconds, settings.deadline) == (60, date(2023, 7, 7))
    text = EXAMPLE.read_text(encoding="utf-8")
    for name in ("key =", "published_csv_url =", "GOOGLE_APPLICATION_CREDENTIALS", "KKDASH_SHEET_URL"):
        assert name in text


def test_the_example_documents_the_chase_log_mail_and_reminders_too():
    from kkdash.settings import SmtpSettings
    from kkdash.settings import load_settings as load_all

    settings = load_all(read_secrets_file(EXAMPLE), {})
    assert settings.database_url.startswith("postgresql://kkdash:REPLACE_WITH")
    assert settings.smtp == SmtpSettings(host="smtp.example.go.th", port=587, security="starttls", user="hr-reminders",
                                         password="REPLACE_WITH_THE_SMTP_PASSWORD", sender="hr@example.go.th",
                                         sender_name="กลุ่มงานบริหารทรัพยากรบุคคล", reply_to="hr@example.go.th")
    assert (settings.mail_problem, settings.reminders.resend_hours, settings.reminders.pace_seconds) == (None, 24, 1)
    for secret in ("REPLACE_WITH_THE_SMTP_PASSWORD", "REPLACE_WITH_THE_DATABASE_PASSWORD", "hr-reminders"):
        assert secret not in repr(settings.smtp) and secret not in repr(settings)


def test_a_broken_smtp_table_stops_the_mail_only(monkeypatch):
    from kkdash.settings import load_settings as load_all

    settings = load_all({"smtp": {"host": "smtp.example.go.th", "port": "seventy", "from": "hr@example.go.th"}}, {})
    assert (settings.smtp, settings.sheet.mode) == (None, "demo")
    assert settings.mail_problem == "[smtp] port ต้องเป็นเลขพอร์ต 1 ถึง 65535 เช่น 587 (ได้ค่า 'seventy')"


@pytest.mark.parametrize("name", ["smtp", "reminders"])
def test_a_mail_setting_that_is_not_a_table_stops_the_mail_only(name):
    from kkdash.settings import load_settings as load_all

    settings = load_all({name: "smtp.example.go.th"}, {})
    assert (settings.smtp, settings.sheet.mode, settings.mail_problem) == (
        None, "demo", f"[{name}] ในไฟล์ secrets ต้องเป็นตาราง (table) ของ TOML")


def test_a_database_setting_that_is_not_a_table_is_a_setting_to_fix():
    from kkdash.settings import load_settings as load_all

    with pytest.raises(SettingsError, match=re.escape("[database] ในไฟล์ secrets ต้องเป็นตาราง (table) ของ TOML")):
        load_all({"database": "postgresql://kkdash@db/kkdash"}, {})


# --- published CSV links travel over https; the whole-read deadline; secrets files named with their line -----


@pytest.mark.parametrize("url", ["http://docs.google.com/spreadsheets/d/e/2PACX-a/pub?output=csv",
                                 "http://127.0.0.1:8080/pub/x.csv", "ftp://docs.google.com/x.csv"])
def test_a_published_link_must_be_https(url):
    with pytest.raises(SettingsError) as caught:
        load_settings({"sheet": {"published_csv_url": url}}, {})
    assert "https://" in str(caught.value) and THAI.search(str(caught.value))


def test_the_test_switch_allows_plain_http_to_this_machine_only():
    switch = {"KKDASH_ALLOW_LOOPBACK": "1"}
    local = load_settings({"sheet": {"published_csv_url": "http://127.0.0.1:8080/pub/x.csv"}}, switch)
    assert (local.published_csv_url, local.allow_loopback) == ("http://127.0.0.1:8080/pub/x.csv", True)
    with pytest.raises(SettingsError):
        load_settings({"sheet": {"published_csv_url": "http://sheets.example/pub.csv"}}, switch)


@pytest.mark.parametrize(("sheet", "environ", "expected"), [
    ({}, {}, 30), ({"read_deadline_seconds": 5}, {}, 5),
    ({"read_deadline_seconds": 5}, {"KKDASH_READ_DEADLINE_SECONDS": "7"}, 7),
])
def test_the_read_deadline_setting(sheet, environ, expected):
    assert load_settings({"sheet": sheet}, environ).read_deadline_seconds == expected


@pytest.mark.parametrize("value", [0, 301, "soon", 2.5, True])
def test_a_bad_read_deadline_names_the_setting(value):
    with pytest.raises(SettingsError, match=r"\[sheet\] read_deadline_seconds"):
        load_settings({"sheet": {"read_deadline_seconds": value}}, {})


@pytest.mark.parametrize(("content", "expected"), [
    ('[sheet]\nurl = "x"\nrefresh_seconds = \n', "บรรทัดที่ 3"),
    ('[access]\nhr_emails = ["a@b.go.th"\nviewer_emails = []\n', "บรรทัดที่ 3"),
    ("[sheet\n", "บรรทัดที่ 1"),
])
def test_an_unreadable_secrets_file_names_the_file_and_the_line(tmp_path, content, expected):
    path = tmp_path / "secrets.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        read_secrets_file(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


@pytest.mark.parametrize("kind", ["folder", "latin-1"])
def test_a_secrets_path_that_is_no_text_file_is_a_settings_error(tmp_path, kind):
    path = tmp_path / "secrets.toml"
    if kind == "folder":
        path.mkdir()
    else:
        path.write_bytes('[sheet]\nresponses_worksheet = "café"\n'.encode("latin-1"))
    with pytest.raises(SettingsError) as caught:
        read_secrets_file(path)
    assert str(path) in str(caught.value) and THAI.search(str(caught.value))
