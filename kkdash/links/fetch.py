"""An SSRF-safe HTTP GET for links typed into an open web form.

The URLs come from an open web form, so every fetch is treated as hostile:
http/https on ports 80/443 only, no credentials, every resolved address
must be public (checked on each redirect hop), and the connection goes to
the vetted address itself so a second DNS answer cannot point it elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self
from urllib.parse import quote, urljoin, urlsplit

from kkdash.linkreport import is_sample_host

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_REDIRECTS = 5
ALLOWED_PORTS = frozenset({80, 443})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Mozilla/5.0 (compatible; kkdash-linkcheck/0.1)"

ERR_NOT_HTTP = "ไม่ใช่ลิงก์ http/https"
ERR_BAD_URL = "ลิงก์ไม่ถูกต้อง"
ERR_USERINFO = "ลิงก์มีชื่อผู้ใช้หรือรหัสผ่าน ไม่อนุญาตให้ตรวจ"
ERR_PORT = "พอร์ตไม่อนุญาตให้ตรวจ"
ERR_DNS = "หาชื่อโดเมนไม่พบ"
ERR_PRIVATE = "ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ"
ERR_CONNECT = "เชื่อมต่อไม่ได้"
ERR_TIMEOUT = "หมดเวลา"
ERR_TLS = "ใบรับรองความปลอดภัยไม่ถูกต้อง"
ERR_PROTOCOL = "เว็บตอบกลับผิดรูปแบบ"
ERR_TOO_MANY_REDIRECTS = "เปลี่ยนเส้นทางมากเกินไป"
ERR_REDIRECT_NO_LOCATION = "เปลี่ยนเส้นทางโดยไม่ระบุปลายทาง"
ERR_SAMPLE_DOMAIN = "โดเมนสมมติ (.example) ไม่มีอยู่จริง"

_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# NAT64 wraps any IPv4 address, so the wrapped one is what really gets reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Characters that may stay as they are in a request target; everything else is percent-encoded.
_SAFE_URL_CHARS = "/?@!$&'()*+,;=-._~%:"

Resolver = Callable[[str], list[str]]


class LinkCheckError(Exception):
    """A URL or hop that is refused or cannot be followed; args[0] is the Thai reason."""


@dataclass(frozen=True)
class Target:
    """A vetted hop: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]
    request_target: str
    host_header: str


@dataclass(frozen=True)
class Page:
    """What one hop answered."""

    status: int
    location: str | None
    content_type: str
    content_encoding: str
    body: bytes


class _Watchdog:
    """Cuts a connection at the deadline so a server that drips bytes cannot stall a worker."""

    def __init__(self, sock: socket.socket, seconds: float):
        # Held directly: http.client drops conn.sock once a "Connection: close" response starts.
        self.sock = sock
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._abort)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _abort(self) -> None:
        """Shut the socket down under any blocked read."""
        self.fired = True
        # The plain-socket shutdown, so a TLS socket is not torn down under its reader.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) connection to an already vetted address; TLS verifies the real host name."""

    def __init__(self, address: str, port: int, timeout: float, tls_hostname: str | None):
        super().__init__(address, port, timeout=timeout)
        self.tls_hostname = tls_hostname

    def connect(self) -> None:
        """Open TCP to the vetted address, then TLS with SNI for the URL's host."""
        super().connect()
        if self.tls_hostname is not None:
            self.sock = _tls_context().wrap_socket(self.sock, server_hostname=self.tls_hostname)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Return the shared, certificate-verifying TLS context."""
    return ssl.create_default_context()


def system_resolver(host: str) -> list[str]:
    """Resolve a host name to its IP addresses with the operating system."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 transition address leads to, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_address_allowed(address: str, *, allow_loopback: bool = False) -> bool:
    """Tell whether an IP address is public enough to be fetched."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if allow_loopback and ip.is_loopback:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_address_allowed(str(inner)):
            return False
    flagged = (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )
    # is_global also rules out shared (100.64/10) and documentation ranges.
    return ip.is_global and not flagged


def _resolve(host: str, resolver: Resolver) -> list[str]:
    """Return the host's addresses, without DNS when it is already an IP literal."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        addresses = list(resolver(host))
    except (OSError, UnicodeError) as exc:
        raise LinkCheckError(ERR_DNS) from exc
    if not addresses:
        raise LinkCheckError(ERR_DNS)
    return addresses


def _ascii_host(host: str) -> str:
    """Return the host name in the ASCII form used on the wire."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise LinkCheckError(ERR_BAD_URL) from exc
    if not _HOST_NAME.fullmatch(ascii_host):
        raise LinkCheckError(ERR_BAD_URL)
    return ascii_host


def vet(url: str, *, allow_loopback: bool, resolver: Resolver) -> Target:
    """Check a URL against the safety rules and resolve it, or raise LinkCheckError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise LinkCheckError(ERR_BAD_URL) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise LinkCheckError(ERR_NOT_HTTP)
    if parts.username is not None or parts.password is not None:
        raise LinkCheckError(ERR_USERINFO)
    if not parts.hostname:
        raise LinkCheckError(ERR_BAD_URL)
    if port is not None and port not in ALLOWED_PORTS and not allow_loopback:
        raise LinkCheckError(ERR_PORT)
    host = _ascii_host(parts.hostname)
    if is_sample_host(host):
        raise LinkCheckError(ERR_SAMPLE_DOMAIN)  # reserved never to resolve: no DNS query for it
    addresses = _resolve(host, resolver)
    if not all(is_address_allowed(a, allow_loopback=allow_loopback) for a in addresses):
        raise LinkCheckError(ERR_PRIVATE)
    default_port = 443 if scheme == "https" else 80
    wire_host = f"[{host}]" if ":" in host else host
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        scheme=scheme,
        host=host,
        port=port or default_port,
        addresses=tuple(addresses),
        request_target=quote(path, safe=_SAFE_URL_CHARS),
        host_header=wire_host if port in (None, default_port) else f"{wire_host}:{port}",
    )


def _connect(target: Target, deadline: float) -> _PinnedConnection:
    """Connect to the first vetted address that answers."""
    tls_hostname = target.host if target.scheme == "https" else None
    last_error: OSError | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        conn = _PinnedConnection(address, target.port, remaining, tls_hostname)
        try:
            conn.connect()
            return conn
        except ssl.SSLError:
            conn.close()
            raise
        except OSError as exc:
            conn.close()
            last_error = exc
    raise last_error or ConnectionError()


def _read_capped(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """Read at most max_bytes of the body, one socket read at a time."""
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        chunk = response.read1(min(65536, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def fetch_hop(target: Target, deadline: float, max_bytes: int) -> Page:
    """GET one vetted URL without following redirects."""
    conn = _connect(target, deadline)
    response = None
    with _Watchdog(conn.sock, deadline - time.monotonic()) as watchdog:
        try:
            conn.request("GET", target.request_target, headers=_request_headers(target))
            response = conn.getresponse()
            is_redirect = response.status in REDIRECT_STATUSES
            body = b"" if is_redirect else _read_capped(response, max_bytes)
        except (OSError, http.client.HTTPException):
            if watchdog.fired:
                raise TimeoutError from None
            raise
        finally:
            if response is not None:
                response.close()
            conn.close()
        if watchdog.fired:
            raise TimeoutError
    return Page(
        status=response.status,
        location=response.getheader("Location"),
        content_type=response.getheader("Content-Type", ""),
        content_encoding=response.getheader("Content-Encoding", "").strip().lower(),
        body=body,
    )


def _request_headers(target: Target) -> dict[str, str]:
    """Return the request headers: no cookies, no credentials, nothing compressed."""
    return {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
        # Identity, so the size cap counts what is really read.
        "Accept-Encoding": "identity",
        "Connection": "close",
    }


def location_url(base: str, location: str) -> str:
    """Return the absolute redirect URL, undoing http.client's latin-1 header decoding."""
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    return urljoin(base, location.strip())
