"""A real SMTP server on loopback (aiosmtpd) that records what it receives, with faults to inject.

Faults: refuse given recipients (550), answer 451 to the first N messages, require a login and
refuse wrong ones (535), offer STARTTLS or not, implicit TLS, answer slowly, cut the connection at
a given MAIL FROM. `SilentServer` accepts connections and never speaks; `unused_port()` is a port
nothing listens on. Certificates are made here, self-signed, for 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server got it: envelope sender, envelope recipients, raw bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    def parsed(self) -> email.message.EmailMessage:
        """The raw bytes parsed by the standard library, headers decoded."""
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Faults:
    """What the server does wrong, and when."""

    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply, e.g. "550 5.1.1 No such user"
    tempfail_data: int = 0  # answer 451 to the first N messages (after DATA)
    drop_on_mail: frozenset[int] = frozenset()  # cut the connection at the Nth MAIL FROM (1-based)
    data_delay: float = 0.0  # seconds before answering a message (a slow server)


class Recorder:
    """The aiosmtpd handler: applies the faults and records the messages and the commands seen."""

    def __init__(self, faults: Faults):
        self.faults = faults
        self.received: list[Received] = []
        self.connections = 0
        self.mail_commands = 0
        self.data_commands = 0
        self.logins: list[str] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_commands += 1
        if self.mail_commands in self.faults.drop_on_mail:
            server.transport.close()
            return "421 4.3.2 closing"  # never reaches the client: the connection is already gone
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.faults.refuse:
            return self.faults.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.faults.data_delay:
            await asyncio.sleep(self.faults.data_delay)
        if self.data_commands <= self.faults.tempfail_data:
            return "451 4.7.1 Greylisted, try again later"
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Message accepted"


class _CountingController(Controller):
    """A Controller that counts the connections it serves."""

    def factory(self):
        self.handler.connections += 1
        with warnings.catch_warnings():
            # Login over implicit TLS: aiosmtpd cannot see that TLS and warns of a plain-text login.
            warnings.simplefilter("ignore", UserWarning)
            return SMTP(self.handler, **self.SMTP_kwargs)


def _authenticator(user: str, password: str, logins: list[str]):
    """An aiosmtpd authenticator accepting exactly one user and password."""

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and (
            auth_data.password == password.encode())
        logins.append("ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)

    return check


class SmtpServer:
    """The loopback server: `with SmtpServer(...) as server:` then server.port, server.received."""

    def __init__(self, *, faults: Faults | None = None, tls: str | None = None, cert: tuple[Path, Path] | None = None,
                 login: tuple[str, str] | None = None):
        self.handler = Recorder(faults or Faults())
        self.port = unused_port()
        kwargs: dict = {"hostname": HOST, "port": self.port, "ready_timeout": 5.0}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
            kwargs["ssl_context" if tls == "implicit" else "tls_context"] = context
        if login:
            kwargs.update(authenticator=_authenticator(*login, self.handler.logins), auth_required=True,
                          auth_require_tls=tls == "starttls")  # implicit TLS is encrypted from the start
        self.controller = _CountingController(self.handler, **kwargs)

    @property
    def received(self) -> list[Received]:
        """Every message accepted so far."""
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        self.handler.connections = 0  # the controller's own start-up probe is not a client
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening (idempotent): afterwards the port refuses connections."""
        if self.controller._thread is not None:
            self.controller.stop()


class SilentServer:
    """Accepts TCP connections and never answers: a server that hangs before its greeting."""

    def __init__(self):
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                self.clients.append(client)

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.listener.close()
        for client in self.clients:
            client.close()


def unused_port() -> int:
    """A loopback port nothing listens on (taken from the system, then released)."""
    with socket.create_server((HOST, 0)) as probe:
        return probe.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate and key for 127.0.0.1 -> (cert.pem, key.pem) in folder."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kkdash test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
