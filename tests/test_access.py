"""Roles, passwords, the retry delay and secret redaction (kkdash.access), plus a repo-wide secrets scan."""

from __future__ import annotations

import hmac
import logging
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from kkdash import access, redaction
from kkdash.access import HR, VIEWER, AccessError, Attempts, Decision, Grant

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[1]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "kkdash-test",
    "client_secret": "test-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
LISTS = {
    "hr_emails": ["HR.Officer@KhonKaen.go.th"],
    "hr_domains": ["@hr.khonkaen.go.th"],
    "viewer_emails": ["guest@gmail.com"],
    "viewer_domains": ["khonkaen.go.th"],
}


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


@pytest.fixture
def oidc():
    """Settings with Google-style sign-in and the four lists, no passwords."""
    return access.load_access({"auth": AUTH, "access": LISTS})


@pytest.fixture
def passwords():
    """Settings with an hr and a viewer password, no OIDC."""
    return access.load_access({"access": {"hr_password_sha256": access.hash_password("hr pass ๑"),
                                          "viewer_password_sha256": access.hash_password("viewer pass")}})


# --- loading the settings ------------------------------------------------------------


def test_nothing_configured_means_no_sign_in():
    for secrets in (None, {}, {"sheet": {"url": "x"}}, {"access": {}}):
        settings = access.load_access(secrets)
        assert not settings.sign_in and not settings.oidc and not settings.passwords


def test_lists_are_lower_cased_and_domains_lose_their_at(oidc):
    assert oidc.hr_emails == {"hr.officer@khonkaen.go.th"}
    assert oidc.hr_domains == {"hr.khonkaen.go.th"}
    assert oidc.viewer_domains == {"khonkaen.go.th"}
    assert oidc.oidc and oidc.sign_in and not oidc.passwords


def test_a_single_string_is_a_list_of_one():
    assert access.load_access({"access": {"hr_emails": "a@b.go.th"}}).hr_emails == {"a@b.go.th"}


@pytest.mark.parametrize("value", [42, [1, 2], {"a": "b"}])
def test_a_list_that_is_not_text_is_an_error(value):
    with pytest.raises(AccessError, match="hr_domains"):
        access.load_access({"access": {"hr_domains": value}})


@pytest.mark.parametrize("value", ["not-a-hash", "ab" * 31, "zz" * 32, 12345])
def test_a_malformed_hash_is_an_error_that_does_not_quote_it(value):
    with pytest.raises(AccessError, match="hr_password_sha256") as caught:
        access.load_access({"access": {"hr_password_sha256": value}})
    assert str(value) not in str(caught.value)


def test_a_plaintext_password_is_refused_without_quoting_it():
    with pytest.raises(AccessError, match="hr_password") as caught:
        access.load_access({"access": {"hr_password": "hunter2-plain"}})
    assert "hunter2-plain" not in str(caught.value)


def test_the_two_passwords_must_differ():
    digest = access.hash_password("same")
    with pytest.raises(AccessError, match="ไม่ซ้ำ"):
        access.load_access({"access": {"hr_password_sha256": digest, "viewer_password_sha256": digest}})


def test_a_blank_hash_turns_that_password_off():
    settings = access.load_access({"access": {"hr_password_sha256": " ", "viewer_password_sha256": ""}})
    assert not settings.passwords and not settings.sign_in


def test_an_upper_case_hash_is_accepted(passwords):
    digest = access.hash_password("x").upper()
    assert access.load_access({"access": {"hr_password_sha256": digest}}).password_hashes[HR] == digest.lower()


def test_a_half_filled_auth_table_names_what_is_missing_and_not_the_values():
    with pytest.raises(AccessError, match="client_secret, server_metadata_url") as caught:
        access.load_access({"auth": {k: v for k, v in AUTH.items() if k not in ("client_secret",
                                                                               "server_metadata_url")}})
    assert "test-cookie-secret" not in str(caught.value)


def test_redirect_uri_must_end_in_oauth2callback():
    with pytest.raises(AccessError, match="oauth2callback"):
        access.load_access({"auth": {**AUTH, "redirect_uri": "http://localhost:8501/"}})


def test_the_committed_example_loads():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    settings = access.load_access(example)
    assert settings.oidc and settings.viewer_domains == {"khonkaen.go.th"}


def test_settings_repr_hides_the_hashes(passwords):
    assert passwords.password_hashes[HR] not in repr(passwords)
    assert passwords.password_hashes[HR] not in repr(Grant(HR, passwords.password_hashes[HR]))


# --- deciding the role -----------------------------------------------------------------


def test_without_sign_in_demo_is_open_to_hr_and_a_real_sheet_to_viewers():
    settings = access.load_access({})
    assert access.decide(settings, {}, demo=True).role == HR
    real = access.decide(settings, signed_in("hr.officer@khonkaen.go.th"), demo=False)
    assert real.role == VIEWER and not real.contacts


@pytest.mark.parametrize(("email", "role"), [
    ("hr.officer@khonkaen.go.th", HR),
    ("HR.OFFICER@KHONKAEN.GO.TH", HR),
    ("anyone@hr.khonkaen.go.th", HR),
    ("guest@gmail.com", VIEWER),
    ("somchai@khonkaen.go.th", VIEWER),
    ("somchai@moph.khonkaen.go.th", None),  # domains match exactly, not their sub-domains
    ("stranger@gmail.com", None),
    ("hr.officer@khonkaen.go.th.evil.com", None),
])
def test_signed_in_email_gets_the_role_its_lists_give(oidc, email, role):
    decision = access.decide(oidc, signed_in(email))
    assert decision.role == role
    assert decision.contacts is (role == HR)


def test_an_unknown_email_is_refused_and_told_why(oidc):
    decision = access.decide(oidc, signed_in("stranger@gmail.com"))
    assert decision == Decision(None, "stranger@gmail.com", decision.why)
    assert "ยังไม่มีสิทธิ์" in decision.why


def test_roles_apply_to_demo_data_once_sign_in_is_configured(oidc):
    assert access.decide(oidc, {}, demo=True).role is None
    assert access.decide(oidc, signed_in("somchai@khonkaen.go.th"), demo=True).role == VIEWER


@pytest.mark.parametrize("user", [
    None, {}, {"email": "hr.officer@khonkaen.go.th"},  # AppTest's default st.user: no login
    {"is_logged_in": False, "email": "hr.officer@khonkaen.go.th"},
    {"is_logged_in": "true", "email": "hr.officer@khonkaen.go.th"},
    signed_in("hr.officer@khonkaen.go.th", email_verified=False),
    signed_in(None), signed_in(""), signed_in("hr.officer"), signed_in("a@hr.officer@khonkaen.go.th"),
    signed_in("hr officer@khonkaen.go.th"),
])
def test_only_a_real_verified_login_counts(oidc, user):
    assert access.decide(oidc, user).role is None


def test_an_unverified_email_is_told_so(oidc):
    decision = access.decide(oidc, signed_in("hr.officer@khonkaen.go.th", email_verified=False))
    assert decision.role is None and "ยืนยัน" in decision.why


def test_st_user_is_ignored_when_oidc_is_not_configured(passwords):
    assert access.decide(passwords, signed_in("hr.officer@khonkaen.go.th")).role is None


def test_the_better_of_email_and_password_wins():
    digest = access.hash_password("hr")
    settings = access.load_access({"auth": AUTH, "access": {**LISTS, "hr_password_sha256": digest}})
    viewer = signed_in("somchai@khonkaen.go.th")
    assert access.decide(settings, viewer).role == VIEWER
    upgraded = access.decide(settings, viewer, grant=Grant(HR, digest))
    assert upgraded.role == HR and upgraded.who == "รหัสผ่านร่วม"
    assert access.decide(settings, signed_in("stranger@gmail.com"), grant=Grant(HR, digest)).role == HR


def test_a_grant_ends_when_its_password_changes(passwords):
    grant = Grant(HR, passwords.password_hashes[HR])
    assert access.decide(passwords, {}, grant=grant).role == HR
    changed = access.load_access({"access": {"hr_password_sha256": access.hash_password("new")}})
    assert access.decide(changed, {}, grant=grant).role is None
    assert access.decide(passwords, {}, grant=Grant("admin", grant.digest)).role is None


# --- passwords and the delay -------------------------------------------------------------


def test_each_password_gives_its_role(passwords):
    assert access.password_role(passwords, "hr pass ๑") == HR
    assert access.password_role(passwords, "viewer pass") == VIEWER
    assert access.password_role(passwords, "hr pass 1") is None
    assert access.password_role(passwords, "") is None


def test_passwords_are_compared_in_constant_time_against_every_hash(passwords, monkeypatch):
    calls, compare = [], hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", recording)
    access.password_role(passwords, "wrong")
    assert len(calls) == 2


def test_a_password_typed_in_another_unicode_form_still_matches():
    settings = access.load_access({"access": {"hr_password_sha256": access.hash_password("caf\u00e9")}})
    assert access.password_role(settings, "cafe\u0301") == HR


def test_only_hr_when_only_hr_has_a_password():
    settings = access.load_access({"access": {"hr_password_sha256": access.hash_password("x")}})
    assert access.password_role(settings, "x") == HR
    assert access.password_role(settings, "0" * 64) is None


def test_the_delay_grows_and_is_capped():
    assert [access.retry_delay(n) for n in range(9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert access.retry_delay(10_000) == 60


def test_wrong_passwords_make_the_session_wait(passwords):
    first = access.try_password(passwords, "guess", Attempts(), now=1000.0)
    assert first.grant is None and first.attempts == Attempts(1, 1001.0)
    # During the wait even the right password is not checked.
    early = access.try_password(passwords, "hr pass ๑", first.attempts, now=1000.5)
    assert early.grant is None and early.attempts == first.attempts and "รอ" in early.message
    second = access.try_password(passwords, "guess2", first.attempts, now=1001.0)
    assert second.attempts == Attempts(2, 1003.0)
    right = access.try_password(passwords, "hr pass ๑", second.attempts, now=1003.0)
    assert right.grant == Grant(HR, passwords.password_hashes[HR]) and right.attempts == Attempts()


def test_an_empty_submit_is_not_counted(passwords):
    result = access.try_password(passwords, "", Attempts(), now=0.0)
    assert result.grant is None and result.attempts == Attempts()


def test_the_messages_never_contain_the_password(passwords):
    for attempt in ("guess-secret-123", "hr pass ๑"):
        result = access.try_password(passwords, attempt, Attempts(), now=0.0)
        assert attempt not in result.message


# --- keeping secrets out of messages and logs -----------------------------------------------


@pytest.mark.parametrize(("text", "secret"), [
    ('client_secret = "GOCSPX-' 'abcdef123456"', "abcdef123456"),
    ('{"client_secret": "GOCSPX-' 'abcdef123456"}', "abcdef123456"),
    ("cookie_secret: s3cr3t-value!", "s3cr3t-value"),
    ('hr_password_sha256 = "' + "ab" * 32 + '"', "ab" * 32),
    ("Authorization: Bearer ya29.a0AfH6SMBxyz_123", "a0AfH6SMBxyz_123"),
    ("token ya29.a0AfH6SMBxyz_123 leaked", "a0AfH6SMBxyz_123"),
    ("GET /oauth2callback?code=4/0AbCdEf&state=xyz123 HTTP/1.1", "4/0AbCdEf"),
    ("id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl", "eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "MIIEvQIBADAN"),
])
def test_redact_hides_keys_and_tokens(text, secret):
    assert secret not in redaction.redact(text)
    assert "<hidden>" in redaction.redact(text) or "hidden>" in redaction.redact(text)


def test_redact_leaves_ordinary_text_alone():
    for text in ("HTTP status code: 500", "ดึงข้อมูลไม่สำเร็จ (HTTP 503)", "แถวที่ 12: ชื่อหน่วยงาน"):
        assert redaction.redact(text) == text


def test_log_records_are_redacted(caplog):
    redaction.install_log_redaction()
    redaction.install_log_redaction()  # idempotent
    logger = logging.getLogger("kkdash.test_access")
    with caplog.at_level(logging.INFO, logger="kkdash.test_access"):
        logger.info("token exchange: %s", '{"access_token": "ya29.a0Secret123", "client_secret": "GOCSPX-1"}')
        try:
            raise RuntimeError("client_secret=GOCSPX-2 rejected")
        except RuntimeError:
            logger.exception("sign-in failed")
    text = caplog.text
    assert "a0Secret123" not in text and "GOCSPX-1" not in text and "GOCSPX-2" not in text
    assert "sign-in failed" in text and "RuntimeError" in text


# --- the repository holds no secret material ---------------------------------------------------

PLACEHOLDER = re.compile(r"REPLACE|your[-_]|example|placeholder|xxx|test|fake|dummy|\{|<", re.I)
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|\s)*([A-Za-z0-9+/=\s\\n]{100,})"),
    "Google access token": re.compile(r"\bya29\.[\w-]{20,}"),
    "OAuth client secret": re.compile(r"\bGOCSPX-[\w-]{10,}"),
}
# Settings keys as secrets.toml spells them (lower case); upper-case test constants are not settings.
SECRET_ASSIGNMENTS = re.compile(r"""(?m)^\s*["']?(client_secret|cookie_secret|\w*password\w*)["']?"""
                                r"""\s*[=:]\s*["']([^"'\n]{6,})["']""")


def tracked_files() -> list[Path]:
    """Files in git plus new files git would add (not ignored) — what a commit could publish."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                         capture_output=True, check=True).stdout.decode()
    return [ROOT / name for name in out.split("\0") if name and (ROOT / name).is_file()]


def secret_findings(text: str) -> list[str]:
    """Text -> descriptions of secret material in it (placeholders and test values allowed)."""
    found = [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    found += [f"{m.group(1)} value" for m in SECRET_ASSIGNMENTS.finditer(text) if not PLACEHOLDER.search(m.group(2))]
    return found


def test_secret_findings_spots_real_looking_material():
    key_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" * 3
    assert secret_findings(f"-----BEGIN PRIVATE KEY-----\n{key_body}\n-----END PRIVATE KEY-----")
    # Split literals: this file must itself pass the scan below.
    assert secret_findings('client_secret = "GOCSPX-' 'realLookingValue1"')
    assert secret_findings("Authorization: Bearer ya29." "a0AfH6SMBxyzxyzxyzxyzxyzxyz")
    assert secret_findings('cookie_secret = "k3J9x-real-random-value"')
    assert not secret_findings('client_secret = "REPLACE_WITH_CLIENT_SECRET"')
    assert not secret_findings('private_key = "-----BEGIN PRIVATE KEY-----\\nREPLACE_WITH_YOUR_PRIVATE_KEY\\n"')


def test_secrets_toml_is_ignored_and_the_example_is_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert ignored.returncode == 0
    assert ROOT / ".streamlit" / "secrets.example.toml" in tracked_files()


def test_no_file_git_would_publish_holds_secret_material():
    findings = {}
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (images, geojson is text and is read)
        if found := secret_findings(text):
            findings[str(path.relative_to(ROOT))] = found
    assert findings == {}
