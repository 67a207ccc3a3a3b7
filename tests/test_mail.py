"""kkdash.mail against a real SMTP server on loopback (tests/smtpserver.py), faults injected there."""

import email
import email.policy
import logging
from email.header import decode_header, make_header
from email.utils import getaddresses

import pytest

from kkdash import mail, reminders
from kkdash.mail import Delivery, MailConnectError, MailLoginError, MailTlsError
from kkdash.reminders import Campaign, Message
from kkdash.settings import SettingsError, SmtpSettings, load_smtp
from tools.smtpserver import HOST, Faults, SilentServer, SmtpServer, make_certificate, unused_port

# aiosmtpd's own deprecation notice when it accepts a login; not about kkdash.
pytestmark = pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")

USER, PASSWORD = "hr-login-4711", "Pa55-w0rd-kkdash"
SENDER = "hr@khonkaen.example"
CAMPAIGN = Campaign(form_url="https://forms.example/kkdash", hr_contact="กลุ่มงานบริหารทรัพยากรบุคคล โทร 0 4300 0000")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def templates():
    return reminders.load_templates()


def settings(server, **fields) -> SmtpSettings:
    base = {"host": HOST, "port": server.port, "security": "none", "sender": SENDER,
            "sender_name": "กลุ่มงานบริหารทรัพยากรบุคคล", "timeout": 5.0}
    return SmtpSettings(**{**base, **fields})


def secure(server, cert, **fields) -> SmtpSettings:
    return settings(server, **{"security": "starttls", "user": USER, "password": PASSWORD, "ca_file": str(cert[0]),
                               **fields})


def compose(templates, agency_id, name, *addresses, reporter="") -> Message:
    row = {"agency_id": agency_id, "name_th": name, "district_name_th": "พล", "status": "missing",
           "email": ", ".join(addresses), "reporter_email": reporter}
    return reminders.compose(row, reminders.owed_items(row), CAMPAIGN, templates)


@pytest.fixture
def three(templates):
    return [compose(templates, "D01", "ที่ว่าการอำเภอพล", "phon@district.example"),
            compose(templates, "D02", "ที่ว่าการอำเภอชุมแพ", "chumphae@district.example", reporter="r@chumphae.example"),
            compose(templates, "D03", "ที่ว่าการอำเภอน้ำพอง", "namphong@district.example")]


def addresses(received, header) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header, decoded as RFC 2047 section 6.2 says.

    Python 3.11's modern parser leaves a space between two adjacent encoded words in a display name
    (CPython gh-128110), which real mail readers remove: a long Thai name must span several encoded
    words, so the header is read with the standard library's older, RFC-faithful decoder.
    """
    raw = email.message_from_bytes(received.data, policy=email.policy.compat32).get_all(header, [])
    return [(str(make_header(decode_header(name))), address) for name, address in getaddresses(raw)]


def sent(message: Message, *recipients) -> Delivery:
    return Delivery(message.agency_id, "sent", "", recipients or message.recipients, message.subject)


def test_messages_arrive_in_thai_over_one_paced_connection(three):
    sleeps = []
    with SmtpServer() as server:
        deliveries = mail.send_batch(three, settings(server, reply_to="help@khonkaen.example"), sleep=sleeps.append)
    assert deliveries == [sent(m) for m in three]
    assert sleeps == [1.0, 1.0]  # one message a second: a pause between messages, none before the first
    assert server.handler.connections == 1
    assert [(r.mail_from, r.rcpt_tos) for r in server.received] == [
        (SENDER, ("phon@district.example",)),
        (SENDER, ("chumphae@district.example", "r@chumphae.example")),
        (SENDER, ("namphong@district.example",))]
    for message, received in zip(three, server.received, strict=True):
        parsed = received.parsed()
        assert parsed["Subject"] == message.subject
        assert addresses(received, "From") == [("กลุ่มงานบริหารทรัพยากรบุคคล", SENDER)]
        assert addresses(received, "To") == [(message.agency_name, address) for address in message.recipients]
        assert parsed["Reply-To"] == "help@khonkaen.example"
        assert parsed.get_content_type() == "multipart/alternative"
        assert parsed.get_body(("plain",)).get_content() == message.text
        assert parsed.get_body(("html",)).get_content() == message.html
    raw_headers = server.received[0].data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # Thai travels RFC 2047-encoded, never as raw 8-bit header bytes
    assert b"=?utf-8?b?" in raw_headers


def test_pace_is_configurable(three):
    for pace, expected in ((2.5, [2.5, 2.5]), (0, [])):
        sleeps = []
        with SmtpServer() as server:
            mail.send_batch(three, settings(server), pace_seconds=pace, sleep=sleeps.append)
        assert sleeps == expected
        assert len(server.received) == 3


def test_progress_follows_each_message_and_stop_ends_the_batch(three):
    seen = []
    with SmtpServer() as server:
        deliveries = mail.send_batch(three, settings(server), sleep=lambda _: None,
                                     progress=lambda done, total, d: seen.append((done, total, d.agency_id)),
                                     should_stop=lambda: len(seen) == 2)
    assert seen == [(1, 3, "D01"), (2, 3, "D02")]
    assert [d.agency_id for d in deliveries] == ["D01", "D02"]
    assert len(server.received) == 2


def test_no_address_is_reported_without_contacting_the_server(templates):
    nobody = compose(templates, "D04", "ที่ว่าการอำเภอพล", "not-an-address")
    with SmtpServer() as server:
        deliveries = mail.send_batch([nobody], settings(server), sleep=lambda _: None)
    assert deliveries == [Delivery("D04", "no_address", "ไม่มีอีเมลที่ใช้ได้; ข้ามอีเมล 'not-an-address' ของ "
                                   "ที่ว่าการอำเภอพล: รูปแบบอีเมลไม่ถูกต้อง", (), nobody.subject)]
    assert server.handler.connections == 0


def test_a_5xx_for_one_recipient_fails_that_agency_and_the_others_go_on(three):
    refuse = {"phon@district.example": "550 5.1.1 <phon@district.example>: Recipient address rejected",
              "r@chumphae.example": "550 5.1.1 No such user"}
    sleeps = []
    with SmtpServer(faults=Faults(refuse=refuse)) as server:
        deliveries = mail.send_batch(three, settings(server), sleep=sleeps.append)
    assert deliveries == [
        Delivery("D01", "refused", "phon@district.example: 550 5.1.1 <phon@district.example>: Recipient address "
                 "rejected", ("phon@district.example",), three[0].subject),
        Delivery("D02", "sent", "r@chumphae.example: 550 5.1.1 No such user", ("chumphae@district.example",),
                 three[1].subject),
        sent(three[2])]
    assert sleeps == [1.0, 1.0]  # a refusal is final: no back-off
    assert [r.rcpt_tos for r in server.received] == [("chumphae@district.example",), ("namphong@district.example",)]


def test_a_4xx_is_retried_with_back_off_then_sent(three):
    sleeps = []
    with SmtpServer(faults=Faults(tempfail_data=2)) as server:
        deliveries = mail.send_batch(three[:2], settings(server), sleep=sleeps.append)
    assert deliveries == [sent(three[0]), sent(three[1])]
    assert sleeps == [2.0, 4.0, 1.0]  # back-off 2 s then 4 s for the first message, then the pace
    assert server.handler.data_commands == 4
    assert [r.rcpt_tos for r in server.received] == [three[0].recipients, three[1].recipients]


def test_a_4xx_forever_is_reported_will_retry(three):
    sleeps = []
    with SmtpServer(faults=Faults(tempfail_data=100)) as server:
        deliveries = mail.send_batch(three[:2], settings(server), sleep=sleeps.append)
    assert deliveries == [Delivery(m.agency_id, "will_retry", "451 4.7.1 Greylisted, try again later", m.recipients,
                                   m.subject) for m in three[:2]]
    assert sleeps == [2.0, 4.0, 1.0, 2.0, 4.0]
    assert server.handler.data_commands == 6
    assert server.received == []


def test_a_4xx_for_every_recipient_is_retried_then_reported(three):
    busy = {"phon@district.example": "450 4.2.1 Mailbox busy"}
    sleeps = []
    with SmtpServer(faults=Faults(refuse=busy)) as server:
        deliveries = mail.send_batch(three[:2], settings(server), sleep=sleeps.append, attempts=2,
                                     backoff_seconds=0.5)
    assert deliveries == [
        Delivery("D01", "will_retry", "phon@district.example: 450 4.2.1 Mailbox busy", ("phon@district.example",),
                 three[0].subject),
        sent(three[1])]
    assert sleeps == [0.5, 1.0]


def test_a_dropped_connection_is_opened_again(three):
    sleeps = []
    with SmtpServer(faults=Faults(drop_on_mail=frozenset({2}))) as server:
        deliveries = mail.send_batch(three, settings(server), sleep=sleeps.append)
    assert deliveries == [sent(m) for m in three]
    assert server.handler.connections == 2
    assert sleeps == [1.0, 2.0, 1.0]
    assert len(server.received) == 3


def test_server_gone_mid_batch_reports_the_rest_without_trying(three):
    server = SmtpServer()
    seen = []

    def stop_after_first(done, total, delivery):
        seen.append(delivery.status)
        if done == 1:
            server.stop()

    sleeps = []
    with server:
        deliveries = mail.send_batch(three, settings(server, timeout=1.0), sleep=sleeps.append,
                                     progress=stop_after_first)
    gone = f"เชื่อมต่อเซิร์ฟเวอร์ {HOST}:{server.port} ไม่ได้ (Connection refused)"
    assert deliveries == [
        sent(three[0]),
        Delivery("D02", "will_retry", gone, three[1].recipients, three[1].subject),
        Delivery("D03", "will_retry", f"ยังไม่ได้ส่ง: {gone}", three[2].recipients, three[2].subject)]
    assert seen == ["sent", "will_retry", "will_retry"]
    assert sleeps == [1.0, 2.0, 4.0]


def test_slow_server_mid_send_is_reported_will_retry(three):
    sleeps = []
    with SmtpServer(faults=Faults(data_delay=3.0)) as server:
        deliveries = mail.send_batch(three[:2], settings(server, timeout=0.5), sleep=sleeps.append, attempts=2)
    slow = f"เซิร์ฟเวอร์ {HOST}:{server.port} ไม่ตอบภายใน 0.5 วินาที"
    assert deliveries == [
        Delivery("D01", "will_retry", slow, three[0].recipients, three[0].subject),
        Delivery("D02", "will_retry", f"ยังไม่ได้ส่ง: {slow}", three[1].recipients, three[1].subject)]
    assert sleeps == [2.0]
    assert server.handler.data_commands == 2


def test_starttls_with_login_sends(three, cert):
    with SmtpServer(tls="starttls", cert=cert, login=(USER, PASSWORD)) as server:
        deliveries = mail.send_batch(three[:1], secure(server, cert), sleep=lambda _: None)
    assert deliveries == [sent(three[0])]
    assert server.handler.logins == ["ok"]
    assert server.received[0].parsed()["Subject"] == three[0].subject


def test_implicit_ssl_with_login_sends(three, cert):
    with SmtpServer(tls="implicit", cert=cert, login=(USER, PASSWORD)) as server:
        deliveries = mail.send_batch(three[:1], secure(server, cert, security="ssl"), sleep=lambda _: None)
    assert deliveries == [sent(three[0])]
    assert server.handler.logins == ["ok"]


def test_bad_credentials_stop_before_anything_is_sent(three, cert, caplog):
    caplog.set_level(logging.DEBUG)
    with SmtpServer(tls="starttls", cert=cert, login=(USER, "the-real-one")) as server, \
            pytest.raises(MailLoginError) as caught:
        mail.send_batch(three, secure(server, cert), sleep=lambda _: None)
    assert str(caught.value) == (f"เซิร์ฟเวอร์ {HOST}:{server.port} ไม่รับชื่อผู้ใช้หรือรหัสผ่าน SMTP (535) "
                                 "จึงยังไม่ส่งอีเมลฉบับใด ตรวจ [smtp] user และ password")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert server.handler.logins == ["refused"]
    assert (server.handler.mail_commands, server.received) == (0, [])
    assert_no_credentials(caught.value, caplog)


def test_tls_required_but_not_offered_stops_before_anything_is_sent(three, cert, caplog):
    caplog.set_level(logging.DEBUG)
    with SmtpServer(login=None) as server, pytest.raises(MailTlsError) as caught:
        mail.send_batch(three, secure(server, cert), sleep=lambda _: None)
    assert str(caught.value) == (f"เซิร์ฟเวอร์ {HOST}:{server.port} ไม่รองรับการเข้ารหัส STARTTLS จึงยังไม่ส่งอีเมล "
                                 "(ตรวจ [smtp] security และ port กับผู้ดูแลเซิร์ฟเวอร์)")
    assert (server.handler.mail_commands, server.received) == (0, [])
    assert_no_credentials(caught.value, caplog)


def test_an_untrusted_certificate_is_refused(three, cert):
    with SmtpServer(tls="starttls", cert=cert, login=(USER, PASSWORD)) as server, \
            pytest.raises(MailTlsError) as caught:
        mail.send_batch(three, secure(server, cert, ca_file=None), sleep=lambda _: None)
    assert str(caught.value) == (f"เข้ารหัสกับเซิร์ฟเวอร์ {HOST}:{server.port} ไม่สำเร็จ (ใบรับรองของเซิร์ฟเวอร์"
                                 "ไม่ผ่านการตรวจ: self-signed certificate) จึงยังไม่ส่งอีเมล")
    assert server.handler.logins == []


def test_server_down_is_a_clear_error(three, caplog):
    caplog.set_level(logging.DEBUG)
    port = unused_port()
    down = SmtpSettings(HOST, port, "ssl", user=USER, password=PASSWORD, sender=SENDER, timeout=1.0)
    with pytest.raises(MailConnectError) as caught:
        mail.send_batch(three, down, sleep=lambda _: None)
    assert str(caught.value) == f"เชื่อมต่อเซิร์ฟเวอร์ {HOST}:{port} ไม่ได้ (Connection refused)"
    assert_no_credentials(caught.value, caplog)


def test_server_that_never_answers_times_out(three):
    with SilentServer() as server, pytest.raises(MailConnectError) as caught:
        mail.send_batch(three, settings(server, timeout=0.5), sleep=lambda _: None)
    assert str(caught.value) == f"เซิร์ฟเวอร์ {HOST}:{server.port} ไม่ตอบภายใน 0.5 วินาที"


def test_server_replies_never_echo_the_credentials(three, cert, caplog):
    caplog.set_level(logging.DEBUG)
    echo = {"phon@district.example": f"550 5.7.1 {USER} with {PASSWORD} may not send here"}
    with SmtpServer(tls="starttls", cert=cert, login=(USER, PASSWORD), faults=Faults(refuse=echo)) as server:
        deliveries = mail.send_batch(three[:1], secure(server, cert), sleep=lambda _: None)
    assert deliveries[0].reason == "phon@district.example: 550 5.7.1 *** with *** may not send here"
    assert_no_credentials(deliveries, caplog)


def assert_no_credentials(what, caplog):
    """Neither the user name nor the password in the text, nor in any record kkdash (or smtplib) logged."""
    texts = [str(what), repr(what)]
    # aiosmtpd ("mail.log") is the test server: it may log what the client sent it; it is not kkdash.
    texts += [r.getMessage() for r in caplog.records if r.name != "mail.log"]
    for text in texts:
        assert PASSWORD not in text and USER not in text


def test_header_injection_through_names_and_subjects_is_impossible(templates):
    message = Message(agency_id="X1", subject="เตือน\r\nBcc: evil@evil.example", text="ข้อความ\n", html="",
                      recipients=("phon@district.example", "victim@x.example\r\nBcc: evil@evil.example"),
                      agency_name="อำเภอพล\nBcc: evil@evil.example")
    with SmtpServer() as server:
        deliveries = mail.send_batch([message], settings(server), sleep=lambda _: None)
    assert deliveries == [Delivery("X1", "sent", "", ("phon@district.example",), message.subject)]
    parsed = server.received[0].parsed()
    assert server.received[0].rcpt_tos == ("phon@district.example",)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "เตือน Bcc: evil@evil.example"
    assert addresses(server.received[0], "To") == [("อำเภอพล Bcc: evil@evil.example", "phon@district.example")]
    assert parsed.get_content_type() == "text/plain"  # no HTML part when there is no HTML
    assert parsed.get_content() == "ข้อความ\n"


def test_build_email_headers(three):
    built = mail.build_email(three[0], SmtpSettings("smtp.example", 587, sender=SENDER, sender_name="ฝ่ายบุคคล"))
    assert built["Subject"] == three[0].subject
    assert built["From"] == f"ฝ่ายบุคคล <{SENDER}>"
    assert built["To"] == "ที่ว่าการอำเภอพล <phon@district.example>"
    assert built["Reply-To"] is None
    assert built["Message-ID"].endswith("@khonkaen.example>")
    assert built["Date"].endswith("+0700")


# --- settings ---------------------------------------------------------------------------------------------

TABLE = {"host": "smtp.khonkaen.example", "port": 587, "security": "starttls", "user": USER, "password": PASSWORD,
         "from": "กลุ่มงานบริหารทรัพยากรบุคคล <HR@KhonKaen.example>", "reply_to": "help@khonkaen.example",
         "timeout": 20}


def test_load_smtp_reads_the_table():
    assert load_smtp(TABLE, {}) == SmtpSettings(
        host="smtp.khonkaen.example", port=587, security="starttls", user=USER, password=PASSWORD,
        sender="HR@khonkaen.example", sender_name="กลุ่มงานบริหารทรัพยากรบุคคล", reply_to="help@khonkaen.example",
        timeout=20.0)


def test_load_smtp_nothing_configured_is_none():
    assert load_smtp({}, {}) is None
    assert load_smtp(None, {"KKDASH_SMTP_HOST": "  "}) is None


def test_environment_overrides_the_table():
    environ = {"KKDASH_SMTP_HOST": "mail.example", "KKDASH_SMTP_PORT": "465", "KKDASH_SMTP_SECURITY": "SSL",
               "KKDASH_SMTP_USER": "other", "KKDASH_SMTP_PASSWORD": "pw2", "KKDASH_SMTP_FROM": "a@mail.example",
               "KKDASH_SMTP_REPLY_TO": "", "UNRELATED": "x"}
    assert load_smtp(TABLE, environ) == SmtpSettings(
        host="mail.example", port=465, security="ssl", user="other", password="pw2", sender="a@mail.example",
        reply_to="help@khonkaen.example", timeout=20.0)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_default_port_follows_security(security, port):
    assert load_smtp({"host": "smtp.example", "security": security, "from": SENDER}, {}).port == port


@pytest.mark.parametrize(("table", "environ", "message"), [
    ({"port": "abc"}, {}, "[smtp] port ต้องเป็นเลขพอร์ต 1 ถึง 65535 เช่น 587 (ได้ค่า 'abc')"),
    ({}, {"KKDASH_SMTP_PORT": "70000"}, "KKDASH_SMTP_PORT ต้องเป็นเลขพอร์ต 1 ถึง 65535 เช่น 587 (ได้ค่า '70000')"),
    ({"security": "tls"}, {}, "[smtp] security ต้องเป็น starttls, ssl หรือ none (ได้ค่า 'tls')"),
    ({"from": "hr at khonkaen"}, {}, "[smtp] from ต้องเป็นอีเมล เช่น hr@khonkaen.go.th หรือ "
                                     "กลุ่มงาน <hr@khonkaen.go.th> (ได้ค่า 'hr at khonkaen')"),
    ({"from": None}, {}, "[smtp] from: ต้องระบุอีเมลผู้ส่ง เช่น hr@khonkaen.go.th"),
    ({"reply_to": "x@y"}, {}, "[smtp] reply_to ต้องเป็นอีเมล เช่น hr@khonkaen.go.th หรือ "
                              "กลุ่มงาน <hr@khonkaen.go.th> (ได้ค่า 'x@y')"),
    ({"timeout": 0}, {}, "[smtp] timeout ต้องเป็นจำนวนวินาที มากกว่า 0 ไม่เกิน 300 (ได้ค่า 0)"),
    ({"host": "smtp example"}, {}, "[smtp] host ต้องเป็นชื่อเครื่อง เช่น smtp.khonkaen.go.th (ได้ค่า 'smtp example')"),
    ({"host": None}, {}, "[smtp] host: ต้องระบุชื่อเซิร์ฟเวอร์ SMTP เมื่อตั้งค่า [smtp] ส่วนอื่นไว้"),
    ({"password": None}, {}, "[smtp] password: ต้องระบุรหัสผ่านเมื่อระบุชื่อผู้ใช้ SMTP"),
    ({"user": None}, {}, "[smtp] user: ต้องระบุชื่อผู้ใช้ SMTP เมื่อระบุรหัสผ่าน"),
    ({"security": "none"}, {}, "[smtp] security: ไม่ส่งรหัสผ่านผ่านการเชื่อมต่อที่ไม่เข้ารหัส ให้ใช้ starttls หรือ ssl"),
    ({"password": 271828}, {}, "[smtp] password ต้องเป็นข้อความ (ใส่ในเครื่องหมายคำพูด)"),
])
def test_bad_settings_name_the_key(table, environ, message):
    with pytest.raises(SettingsError) as caught:
        load_smtp({**TABLE, **table}, environ)
    assert str(caught.value) == message
    assert PASSWORD not in str(caught.value) and "271828" not in str(caught.value)


def test_settings_repr_hides_the_credentials():
    shown = repr(load_smtp(TABLE, {}))
    assert PASSWORD not in shown and USER not in shown
    assert shown == ("SmtpSettings(host='smtp.khonkaen.example', port=587, security='starttls', login=<hidden>, "
                     "sender='HR@khonkaen.example', sender_name='กลุ่มงานบริหารทรัพยากรบุคคล', "
                     "reply_to='help@khonkaen.example', timeout=20.0, ca_file=None)")
