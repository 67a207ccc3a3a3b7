"""Reminder messages -> e-mail through the office's SMTP server: one paced connection, bounded retries.

The edge of the reminders: a MIME message per reminder, and a batch sender that reports a Delivery
for every message. Credentials stay inside SmtpSettings (kkdash/settings/smtp.py): no repr, log
record or error text carries the user name or password.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from kkdash.contacts import valid_address
from kkdash.dates import BANGKOK
from kkdash.labels import NO_ADDRESS, REFUSED, SENT, WILL_RETRY
from kkdash.reminders import Message
from kkdash.settings.smtp import SSL, STARTTLS, SmtpSettings
from kkdash.text import one_line

log = logging.getLogger(__name__)

SEVEN_BIT = email.policy.default.clone(cte_type="7bit")


class MailError(Exception):
    """Sending cannot go on; the message is Thai and never carries the SMTP user name or password."""


class MailConnectError(MailError):
    """The server cannot be reached, refuses the connection or does not answer in time."""


class MailLoginError(MailError):
    """The server refuses the user name and password (535), or offers no login at all."""


class MailTlsError(MailError):
    """Encryption was asked for and the server does not offer it, or its certificate fails."""


@dataclass(frozen=True)
class Delivery:
    """What became of one message: sent / no_address / refused / will_retry, the reason, the addresses."""

    agency_id: str
    status: str
    reason: str
    recipients: tuple[str, ...]
    subject: str = ""


def build_email(message: Message, settings: SmtpSettings) -> EmailMessage:
    """A reminder and the sender's settings -> a UTF-8 MIME message (plain text + HTML), headers on one line."""
    # 7bit: Thai bodies travel base64-encoded, so no server needs to accept 8-bit data (8BITMIME).
    mime = EmailMessage(policy=SEVEN_BIT)
    mime["Subject"] = one_line(message.subject)
    mime["From"] = Address(settings.sender_name, addr_spec=settings.sender)
    to = [Address(one_line(message.agency_name), addr_spec=a) for a in _valid(message.recipients)]
    if to:
        mime["To"] = to
    if settings.reply_to:
        mime["Reply-To"] = Address(addr_spec=settings.reply_to)
    mime["Date"] = format_datetime(datetime.now(BANGKOK))
    mime["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime


def _valid(addresses: Iterable[str]) -> list[str]:
    """The addresses that are well formed, in ASCII form, each once."""
    seen, valid = set(), []
    for address in addresses:
        checked = valid_address(address) if isinstance(address, str) else None
        if checked and checked.lower() not in seen:
            seen.add(checked.lower())
            valid.append(checked)
    return valid


class _Temporary(Exception):
    """A failure worth trying again: a 4xx answer, a dropped connection or a timeout."""

    def __init__(self, reason: str, *, connection: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.connection = connection  # the server itself is gone, not just this message refused


class _Connection:
    """One SMTP session, opened on first use and re-opened after it drops."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def session(self) -> smtplib.SMTP:
        """The open session, connecting (TLS, login) when there is none."""
        if self.smtp is None or self.smtp.sock is None:
            self.smtp = _connect(self.settings)
        return self.smtp

    def drop(self) -> None:
        """Forget a session that failed mid-way; the next message connects again."""
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    def close(self) -> None:
        """Say goodbye politely; a server already gone is fine."""
        if self.smtp is not None and self.smtp.sock is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
        self.drop()


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """Connect, greet, encrypt and log in as the settings say; a MailError subclass when any step fails."""
    where = f"{settings.host}:{settings.port}"
    smtp = None
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
        if settings.security == SSL:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        _secure_and_login(smtp, settings, context)
        return smtp
    except MailError:
        _close_quietly(smtp)
        raise
    except Exception as exc:  # every failure leaves as a MailError: the raw one may quote the login
        _close_quietly(smtp)
        raise _connect_error(exc, where, settings) from None


def _secure_and_login(smtp: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext) -> None:
    """EHLO, STARTTLS when asked (refusing to go on without it), then AUTH when a user is set."""
    smtp.ehlo()
    if settings.security == STARTTLS:
        if not smtp.has_extn("starttls"):
            raise MailTlsError(f"เซิร์ฟเวอร์ {settings.host}:{settings.port} ไม่รองรับการเข้ารหัส STARTTLS "
                               "จึงยังไม่ส่งอีเมล (ตรวจ [smtp] security และ port กับผู้ดูแลเซิร์ฟเวอร์)")
        smtp.starttls(context=context)
        smtp.ehlo()
    if settings.user:
        if not smtp.has_extn("auth"):
            raise MailLoginError(f"เซิร์ฟเวอร์ {settings.host}:{settings.port} ไม่เปิดให้เข้าสู่ระบบ (AUTH) "
                                 "จึงยังไม่ส่งอีเมล")
        _login(smtp, settings)


def _login(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    """AUTH PLAIN or LOGIN, tried once: smtplib's login() would try every method, and each refusal
    counts towards the office server locking the account."""
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in offered), None)
    if mechanism is None:
        smtp.login(settings.user, settings.password)  # only CRAM-MD5 on offer: smtplib's own choice
        return
    smtp.user, smtp.password = settings.user, settings.password
    smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))


def _connect_error(exc: Exception, where: str, settings: SmtpSettings) -> MailError:
    """A low-level failure while connecting -> the MailError an officer can act on."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailLoginError(f"เซิร์ฟเวอร์ {where} ไม่รับชื่อผู้ใช้หรือรหัสผ่าน SMTP ({exc.smtp_code}) "
                              "จึงยังไม่ส่งอีเมลฉบับใด ตรวจ [smtp] user และ password")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return MailTlsError(f"เข้ารหัสกับเซิร์ฟเวอร์ {where} ไม่สำเร็จ ({_tls_reason(exc)}) จึงยังไม่ส่งอีเมล")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailConnectError(f"เซิร์ฟเวอร์ {where} ตอบ {exc.smtp_code} {_server_text(exc.smtp_error, settings)}")
    if _timed_out(exc):
        return MailConnectError(f"เซิร์ฟเวอร์ {where} ไม่ตอบภายใน {settings.timeout:g} วินาที")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailConnectError(f"เซิร์ฟเวอร์ {where} ตัดการเชื่อมต่อ")
    if isinstance(exc, OSError):
        return MailConnectError(f"เชื่อมต่อเซิร์ฟเวอร์ {where} ไม่ได้ ({exc.strerror or type(exc).__name__})")
    return MailConnectError(f"เชื่อมต่อเซิร์ฟเวอร์ {where} ไม่ได้ ({type(exc).__name__})")


def _timed_out(exc: BaseException) -> bool:
    """True when a failure is a timeout (smtplib reports one while reading a reply as a disconnection)."""
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _tls_reason(exc: Exception) -> str:
    """Why TLS failed, in words that do not quote the server's data."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"ใบรับรองของเซิร์ฟเวอร์ไม่ผ่านการตรวจ: {exc.verify_message}"
    return getattr(exc, "reason", None) or type(exc).__name__


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    """Close a half-open session without raising."""
    if smtp is not None:
        smtp.close()


def _server_text(raw: bytes | str, settings: SmtpSettings) -> str:
    """A server's reply text, one line, with anything equal to the credentials masked."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    for secret in (settings.password, settings.user):
        if secret:
            text = text.replace(secret, "***")
    return one_line(text)


def send_batch(
    messages: Sequence[Message],
    settings: SmtpSettings,
    *,
    pace_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int, Delivery], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    attempts: int = 3,
    backoff_seconds: float = 2.0,
) -> list[Delivery]:
    """Messages -> one Delivery each, sent over one paced connection; MailError before the first when unusable.

    A message the server answers 4xx (or whose connection drops) is tried `attempts` times, waiting
    backoff_seconds, then twice that, ...; when the server itself stays gone the rest are not tried
    and are reported will_retry. `progress(done, total, delivery)` follows each message, so a caller
    can record every sent message as it goes; `should_stop()` true ends the batch early (the list
    then covers the messages handled so far).
    """
    connection = _Connection(settings)
    if any(_valid(m.recipients) for m in messages):
        connection.session()  # bad login, no TLS, no server: raised here, before anything is sent
    retrying = Retrying(stop=stop_after_attempt(attempts), wait=wait_exponential(multiplier=backoff_seconds),
                        retry=retry_if_exception_type(_Temporary), sleep=sleep, reraise=True)
    deliveries: list[Delivery] = []
    gone = ""  # why the server is out of reach: the messages left are reported, not tried
    try:
        for message in messages:
            if should_stop is not None and should_stop():
                break
            delivery, gone = _deliver(message, settings, connection, retrying, gone=gone, pace=pace_seconds,
                                      sleep=sleep, first=not any(d.status != NO_ADDRESS for d in deliveries))
            deliveries.append(delivery)
            log.info("อีเมลเตือน %s: %s", delivery.agency_id, delivery.status)
            if progress is not None:
                progress(len(deliveries), len(messages), delivery)
    finally:
        connection.close()
    return deliveries


def _deliver(message: Message, settings: SmtpSettings, connection: _Connection, retrying: Retrying, *,
             gone: str, pace: float, sleep: Callable[[float], None], first: bool) -> tuple[Delivery, str]:
    """One message -> its Delivery and why the server is gone ('' while it answers)."""
    recipients = tuple(_valid(message.recipients))
    if not recipients:
        reason = "; ".join(("ไม่มีอีเมลที่ใช้ได้", *message.dropped))
        return Delivery(message.agency_id, NO_ADDRESS, reason, (), message.subject), gone
    if gone:
        return Delivery(message.agency_id, WILL_RETRY, f"ยังไม่ได้ส่ง: {gone}", recipients, message.subject), gone
    if not first and pace > 0:
        sleep(pace)  # an office server throttles or blocks a sender that writes too fast
    mime = build_email(message, settings)
    try:
        accepted, reason = retrying(_attempt, connection, mime, recipients, settings)
    except _Temporary as exc:
        return Delivery(message.agency_id, WILL_RETRY, exc.reason, recipients, message.subject), (
            exc.reason if exc.connection else "")
    except MailError as exc:  # the re-opened connection was refused its login or its encryption
        return Delivery(message.agency_id, WILL_RETRY, str(exc), recipients, message.subject), str(exc)
    if not accepted:
        return Delivery(message.agency_id, REFUSED, reason, recipients, message.subject), gone
    return Delivery(message.agency_id, SENT, reason, accepted, message.subject), gone


def _attempt(connection: _Connection, mime: EmailMessage, recipients: tuple[str, ...],
             settings: SmtpSettings) -> tuple[tuple[str, ...], str]:
    """Send once -> (accepted addresses, note on the refused ones); _Temporary when worth another try."""
    try:
        smtp = connection.session()
    except MailConnectError as exc:
        raise _Temporary(str(exc), connection=True) from None
    try:
        refused = smtp.send_message(mime, from_addr=settings.sender, to_addrs=list(recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        return _all_refused(exc.recipients, settings, connection)
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return _refused_message(exc, settings, connection)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        connection.drop()
        why = f"ไม่ตอบภายใน {settings.timeout:g} วินาที" if _timed_out(exc) else "ตัดการเชื่อมต่อ"
        raise _Temporary(f"เซิร์ฟเวอร์ {settings.host}:{settings.port} {why}", connection=True) from None
    accepted = tuple(a for a in recipients if a not in refused)
    return accepted, _refusals(refused, settings)


def _all_refused(refused: Mapping, settings: SmtpSettings, connection: _Connection) -> tuple[tuple, str]:
    """Every recipient refused: permanent when all answers are 5xx, otherwise worth another try."""
    reason = _refusals(refused, settings)
    if all(code >= 500 for code, _ in refused.values()):
        return (), reason
    if any(code == 421 for code, _ in refused.values()):
        connection.drop()
    raise _Temporary(reason)


def _refused_message(exc: smtplib.SMTPResponseException, settings: SmtpSettings,
                     connection: _Connection) -> tuple[tuple, str]:
    """The sender or the message refused: 5xx is final, 4xx (421 closes the session) is tried again."""
    reason = f"{exc.smtp_code} {_server_text(exc.smtp_error, settings)}"
    if exc.smtp_code >= 500:
        return (), reason
    if exc.smtp_code == 421:
        connection.drop()
    raise _Temporary(reason)


def _refusals(refused: Mapping, settings: SmtpSettings) -> str:
    """Refused recipients -> `a@x: 550 reason; b@y: 451 reason` ('' when none)."""
    return "; ".join(f"{address}: {code} {_server_text(text, settings)}" for address, (code, text) in refused.items())
