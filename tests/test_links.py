"""Tests for the link checker, against a local HTTP server on 127.0.0.1 only.

Every check gets a stub resolver that knows only a fixed set of test host
names, and an autouse guard refuses any TCP connection or DNS lookup that is
not to a loopback literal, so a bug fails a test instead of sending traffic.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import queue
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from kkdash import links
from kkdash.cli.text import format_links_table

pytestmark = pytest.mark.timeout(30)

BANGKOK = ZoneInfo("Asia/Bangkok")
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=BANGKOK)
DECLARATION_HTML = (
    "<html><head><meta charset='utf-8'><title>ประกาศ</title></head>"
    "<body><h1>ประกาศเจตนารมณ์</h1><p>ขอนแก่นเมืองคุณธรรม</p></body></html>"
)
PLAIN_HTML = "<html><body><p>ข่าวประชาสัมพันธ์ทั่วไป กิจกรรมวันเด็ก</p></body></html>"
HUGE_FILLER_BYTES = 16 * 1024 * 1024
LOOPBACK = {"127.0.0.1", "::1"}


class UnexpectedLookup(Exception):
    """A host name the test did not expect was looked up (not an OSError, so it is not swallowed)."""


class StubResolver:
    """Resolver that answers only for known test host names and records every lookup."""

    def __init__(self, mapping: dict[str, list[str] | Exception] | None = None):
        self.mapping = mapping or {}
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        if host not in self.mapping:
            raise UnexpectedLookup(host)
        answer = self.mapping[host]
        if isinstance(answer, Exception):
            raise answer
        return list(answer)


class LinkServer:
    """State shared between the test HTTP server's handler threads and the tests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.inflight = 0
        self.max_inflight = 0
        self.huge_outcome: queue.Queue[str] = queue.Queue()
        self.port = 0

    def url(self, path: str) -> str:
        """Return a URL on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        """Return the paths requested so far."""
        with self.lock:
            return [path for path, _ in self.requests]

    def reset(self) -> None:
        """Forget earlier requests."""
        with self.lock:
            self.requests.clear()
            self.max_inflight = 0


class Handler(BaseHTTPRequestHandler):
    """Serves the fixed set of test pages."""

    server: ThreadingHTTPServer

    def log_message(self, format, *args):
        """Keep test output quiet."""

    @property
    def app(self) -> LinkServer:
        return self.server.app  # type: ignore[attr-defined]

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        with self.app.lock:
            self.app.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        route = ROUTES.get(path)
        if route is None:
            self.reply(404, b"not found")
        else:
            route(self)

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302, **headers):
        self.reply(status, b"", Location=location, **headers)


def _slow(h: Handler) -> None:
    h.app.stop.wait(5)  # longer than the 1 s check time-out
    h.reply(200, DECLARATION_HTML.encode())


def _drip_headers(h: Handler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
    for _ in range(100):
        if h.app.stop.wait(0.05):
            return
        h.wfile.write(b"a")


def _drip_body(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(100):
        if h.app.stop.wait(0.05):
            return
        h.wfile.write(b"a")


def _huge(h: Handler) -> None:
    tail = DECLARATION_HTML.encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(HUGE_FILLER_BYTES + len(tail)))
    h.end_headers()
    chunk = b"x" * 65536
    try:
        for _ in range(HUGE_FILLER_BYTES // len(chunk)):
            h.wfile.write(chunk)
        h.wfile.write(tail)
    except OSError:
        h.app.huge_outcome.put("aborted")
        raise
    h.app.huge_outcome.put("sent everything")


def _concurrent(h: Handler) -> None:
    with h.app.lock:
        h.app.inflight += 1
        h.app.max_inflight = max(h.app.max_inflight, h.app.inflight)
    h.app.stop.wait(0.3)
    with h.app.lock:
        h.app.inflight -= 1
    h.reply(200, DECLARATION_HTML.encode())


TIS620_TEXT = "ประกาศเจตนารมณ์ ขอนแก่นเมืองคุณธรรม"

ROUTES = {
    "/decl": lambda h: h.reply(200, DECLARATION_HTML.encode()),
    "/plain": lambda h: h.reply(200, PLAIN_HTML.encode()),
    "/ประกาศ": lambda h: h.reply(200, DECLARATION_HTML.encode()),
    "/missing": lambda h: h.reply(404, b"gone"),
    "/broken": lambda h: h.reply(500, b"oops"),
    "/r3": lambda h: h.redirect("/r2", 301),
    "/r2": lambda h: h.redirect(h.app.url("/r1"), 307),
    "/r1": lambda h: h.redirect("decl", 308),
    "/loop": lambda h: h.redirect("/loop"),
    "/no-location": lambda h: h.reply(302, b""),
    "/slow": _slow,
    "/drip-headers": _drip_headers,
    "/drip-body": _drip_body,
    "/huge": _huge,
    "/concurrent": _concurrent,
    "/tis620-header": lambda h: h.reply(200, TIS620_TEXT.encode("cp874"), "text/html; charset=TIS-620"),
    "/tis620-meta": lambda h: h.reply(
        200,
        f'<meta http-equiv="Content-Type" content="text/html; charset=windows-874">{TIS620_TEXT}'.encode("cp874"),
        "text/html",
    ),
    "/tis620-bare": lambda h: h.reply(200, TIS620_TEXT.encode("cp874"), "text/html"),
    "/entities": lambda h: h.reply(200, "".join(f"&#{ord(c)};" for c in "เจตนารมณ์").encode()),
    "/gzip": lambda h: h.reply(200, gzip.compress(DECLARATION_HTML.encode()), Content_Encoding="gzip"),
    "/pdf": lambda h: h.reply(200, b"%PDF-1.4\n% no text layer\n%%EOF\n", "application/pdf"),
    "/image": lambda h: h.reply(200, b"\x89PNG\r\n\x1a\n", "image/png"),
    "/to-other": lambda h: h.redirect(f"http://other.test:{h.app.port}/decl"),
    "/to-private": lambda h: h.redirect("http://intranet.test/admin"),
    "/to-file": lambda h: h.redirect("file:///etc/passwd"),
    "/cookie": lambda h: h.redirect("/decl", Set_Cookie="session=secret; Path=/"),
}


@pytest.fixture(scope="module")
def link_server():
    app = LinkServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    httpd.app = app
    # Handlers cut off by the checker raise; that is expected, not a failure.
    httpd.handle_error = lambda request, client_address: None
    app.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield app
    app.stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def server(link_server):
    link_server.reset()
    return link_server


@pytest.fixture(autouse=True)
def network_guard(monkeypatch):
    """Refuse connections to anything but loopback literals, and all real DNS."""
    connections: list[tuple[str, int]] = []
    real_create_connection = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def guarded_create_connection(address, *args, **kwargs):
        if address[0] not in LOOPBACK:
            raise AssertionError(f"test tried to connect to {address!r}")
        connections.append(address)
        return real_create_connection(address, *args, **kwargs)

    def numeric_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", numeric_getaddrinfo)
    return connections


def check(url: str, resolver: StubResolver | None = None, **options) -> dict:
    """Check one URL with loopback allowed and a stub resolver; return the result as a dict."""
    options.setdefault("allow_loopback", True)
    result = links.check_url(url, now=NOW, resolver=resolver or StubResolver(), **options)
    return dataclasses.asdict(result)


def expected(url, *, status, reachable=True, http_status=200, error=None, final_url=None, mentions=True):
    """Build the full expected result dict."""
    return {
        "url": url,
        "checked_at": NOW,
        "reachable": reachable,
        "http_status": http_status,
        "error": error,
        "final_url": final_url or url,
        "mentions_declaration": mentions,
        "status": status,
    }


def test_page_with_declaration_is_ok(server):
    url = server.url("/decl")
    assert check(url) == expected(url, status="ok")
    assert server.paths() == ["/decl"]


def test_page_without_declaration(server):
    url = server.url("/plain")
    assert check(url) == expected(url, status="no_declaration", mentions=False)


@pytest.mark.parametrize(("path", "code"), [("/missing", 404), ("/broken", 500)])
def test_http_error_is_unreachable(server, path, code):
    url = server.url(path)
    assert check(url) == expected(
        url, status="unreachable", reachable=False, http_status=code, error=f"HTTP {code}", mentions=None
    )


def test_redirect_chain_of_three_hops_is_followed(server):
    url = server.url("/r3")
    assert check(url) == expected(url, status="ok", final_url=server.url("/decl"))
    assert server.paths() == ["/r3", "/r2", "/r1", "/decl"]


def test_redirect_loop_stops_after_max_redirects(server):
    url = server.url("/loop")
    assert check(url) == expected(
        url, status="unreachable", reachable=False, http_status=None, error="เปลี่ยนเส้นทางมากเกินไป", mentions=None
    )
    assert server.paths() == ["/loop"] * 6  # the first request plus five redirects


def test_redirect_without_location(server):
    result = check(server.url("/no-location"))
    assert (result["status"], result["error"]) == ("unreachable", "เปลี่ยนเส้นทางโดยไม่ระบุปลายทาง")


@pytest.mark.parametrize("path", ["/slow", "/drip-headers", "/drip-body"])
def test_slow_server_hits_total_deadline(server, path):
    url = server.url(path)
    started = time.monotonic()
    result = check(url, timeout=1.0)
    elapsed = time.monotonic() - started
    assert result == expected(
        url, status="unreachable", reachable=False, http_status=None, error="หมดเวลา", mentions=None
    )
    assert 0.9 <= elapsed < 2.0


def test_huge_page_is_read_only_up_to_cap(server):
    url = server.url("/huge")
    # The declaration sits after 16 MB of filler, beyond the 2 MB cap, so it is not seen.
    assert check(url) == expected(url, status="no_declaration", mentions=False)
    assert server.huge_outcome.get(timeout=10) == "aborted"


@pytest.mark.parametrize("path", ["/tis620-header", "/tis620-meta", "/tis620-bare"])
def test_tis620_page_is_decoded(server, path):
    url = server.url(path)
    assert check(url) == expected(url, status="ok")


@pytest.mark.parametrize("path", ["/entities", "/gzip", "/ประกาศ"])
def test_entities_gzip_and_thai_path(server, path):
    url = server.url(path)
    assert check(url) == expected(url, status="ok")


@pytest.mark.parametrize("path", ["/pdf", "/image"])
def test_non_html_content_is_not_examined(server, path):
    url = server.url(path)
    assert check(url) == expected(url, status="ok", mentions=None)


def test_redirect_to_other_host_is_followed_with_its_host_header(server):
    resolver = StubResolver({"other.test": ["127.0.0.1"]})
    url = server.url("/to-other")
    final = f"http://other.test:{server.port}/decl"
    assert check(url, resolver) == expected(url, status="ok", final_url=final)
    assert resolver.calls == ["other.test"]
    assert server.requests[-1][1]["host"] == f"other.test:{server.port}"


def test_redirect_to_other_host_refused_without_loopback(server, network_guard):
    resolver = StubResolver({"other.test": ["127.0.0.1"]})
    url = f"http://other.test:{server.port}/to-other"
    result = check(url, resolver, allow_loopback=False)
    assert (result["status"], result["error"]) == ("unreachable", "พอร์ตไม่อนุญาตให้ตรวจ")
    assert server.paths() == []
    assert network_guard == []


def test_redirect_to_private_host_is_refused_at_that_hop(server, network_guard):
    resolver = StubResolver({"intranet.test": ["10.0.0.5"]})
    url = server.url("/to-private")
    assert check(url, resolver) == expected(
        url,
        status="unreachable",
        reachable=False,
        http_status=None,
        error="ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ",
        final_url="http://intranet.test/admin",
        mentions=None,
    )
    assert server.paths() == ["/to-private"]
    assert network_guard == [("127.0.0.1", server.port)]


def test_redirect_to_file_scheme_is_refused(server):
    result = check(server.url("/to-file"))
    assert (result["status"], result["error"], result["final_url"]) == (
        "unreachable",
        "ไม่ใช่ลิงก์ http/https",
        "file:///etc/passwd",
    )


def test_no_cookies_or_credentials_are_sent(server):
    assert check(server.url("/cookie"))["status"] == "ok"
    headers = [h for _, h in server.requests]
    assert [sorted(h) for h in headers] == [["accept", "accept-encoding", "connection", "host", "user-agent"]] * 2


def test_same_server_refused_without_loopback(server, network_guard):
    result = check(server.url("/decl"), allow_loopback=False)
    assert (result["status"], result["error"]) == ("unreachable", "พอร์ตไม่อนุญาตให้ตรวจ")
    assert server.paths() == []
    assert network_guard == []


@pytest.mark.parametrize("url", ["http://127.0.0.1/decl", "http://[::1]/decl", "https://localhost.test/"])
def test_loopback_refused_without_loopback(server, network_guard, url):
    resolver = StubResolver({"localhost.test": ["127.0.0.1"]})
    result = check(url, resolver, allow_loopback=False)
    assert (result["status"], result["error"]) == ("unreachable", "ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ")
    assert network_guard == []


REFUSED_ADDRESSES = [
    "10.0.0.5",
    "192.168.1.1",
    "172.16.0.1",
    "169.254.169.254",
    "224.0.0.1",
    "100.64.0.1",
    "0.0.0.0",
    "203.0.113.5",
    "fd00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:10.0.0.5",
    "2002:a00:5::1",
]


@pytest.mark.parametrize("allow_loopback", [False, True])
@pytest.mark.parametrize("address", REFUSED_ADDRESSES)
def test_internal_addresses_refused_before_connecting(network_guard, address, allow_loopback):
    resolver = StubResolver({"inside.test": [address]})
    url = "https://inside.test/page"
    result = check(url, resolver, allow_loopback=allow_loopback)
    assert result == expected(
        url,
        status="unreachable",
        reachable=False,
        http_status=None,
        error="ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ",
        mentions=None,
    )
    assert resolver.calls == ["inside.test"]
    assert network_guard == []


def test_ipv6_loopback_host_refused(network_guard):
    resolver = StubResolver({"v6.test": ["::1"]})
    result = check("http://v6.test/", resolver, allow_loopback=False)
    assert result["error"] == "ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ"
    assert network_guard == []


def test_any_internal_address_among_several_refuses(server, network_guard):
    resolver = StubResolver({"mixed.test": ["127.0.0.1", "10.0.0.5"]})
    result = check(f"http://mixed.test:{server.port}/decl", resolver)
    assert result["error"] == "ที่อยู่ภายในเครือข่าย ไม่อนุญาตให้ตรวจ"
    assert server.paths() == []
    assert network_guard == []


@pytest.mark.parametrize("url", ["http://example.test:8080/", "https://example.test:8443/x", "http://example.test:22/"])
def test_other_ports_refused_before_resolving(network_guard, url):
    resolver = StubResolver()
    assert check(url, resolver, allow_loopback=False)["error"] == "พอร์ตไม่อนุญาตให้ตรวจ"
    assert resolver.calls == []
    assert network_guard == []


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://user:pw@example.test/", "ลิงก์มีชื่อผู้ใช้หรือรหัสผ่าน ไม่อนุญาตให้ตรวจ"),
        ("https://token@example.test/", "ลิงก์มีชื่อผู้ใช้หรือรหัสผ่าน ไม่อนุญาตให้ตรวจ"),
        ("ftp://example.test/file", "ไม่ใช่ลิงก์ http/https"),
        ("file:///etc/passwd", "ไม่ใช่ลิงก์ http/https"),
        ("javascript:alert(1)", "ไม่ใช่ลิงก์ http/https"),
        ("www.example.test/no-scheme", "ไม่ใช่ลิงก์ http/https"),
        ("http:///no-host", "ลิงก์ไม่ถูกต้อง"),
        ("http://example.test:99999/", "ลิงก์ไม่ถูกต้อง"),
        ("http://exa mple.test/", "ลิงก์ไม่ถูกต้อง"),
    ],
)
def test_bad_urls_refused_before_resolving(network_guard, url, error):
    resolver = StubResolver()
    result = check(url, resolver, allow_loopback=False)
    assert (result["status"], result["error"]) == ("unreachable", error)
    assert resolver.calls == []
    assert network_guard == []


def test_unknown_host_name(network_guard):
    resolver = StubResolver({"nxdomain.test": socket.gaierror(socket.EAI_NONAME, "Name or service not known")})
    assert check("https://nxdomain.test/", resolver)["error"] == "หาชื่อโดเมนไม่พบ"
    assert network_guard == []


def test_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    assert check(f"http://127.0.0.1:{closed_port}/")["error"] == "เชื่อมต่อไม่ได้"


def _make_certificates(directory) -> tuple[str, str, str]:
    """Write a throw-away CA and a leaf certificate for secure.test; return (ca, cert, key) paths."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def build(subject, issuer, public_key, signing_key, *, ca, names=()):
        start = datetime.now(BANGKOK) - timedelta(days=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("kkdash test CA", "kkdash test CA", ca_key.public_key(), ca_key, ca=True)
    leaf = build("secure.test", "kkdash test CA", leaf_key.public_key(), ca_key, ca=False, names=["secure.test"])
    paths = [str(directory / name) for name in ("ca.pem", "cert.pem", "key.pem")]
    for path, data in zip(
        paths,
        [
            ca_cert.public_bytes(serialization.Encoding.PEM),
            leaf.public_bytes(serialization.Encoding.PEM),
            leaf_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        ],
        strict=True,
    ):
        with open(path, "wb") as handle:
            handle.write(data)
    return paths[0], paths[1], paths[2]


class TLSServer(ThreadingHTTPServer):
    """The same pages over HTTPS; the handshake runs in the handler thread."""

    daemon_threads = True
    block_on_close = False

    def finish_request(self, request, client_address):
        super().finish_request(self.tls.wrap_socket(request, server_side=True), client_address)

    def handle_error(self, request, client_address):
        """Handshakes the client rejects are expected."""


@pytest.fixture(scope="module")
def tls_server(link_server, tmp_path_factory):
    ca, cert, key = _make_certificates(tmp_path_factory.mktemp("tls"))
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    httpd = TLSServer(("127.0.0.1", 0), Handler)
    httpd.tls = context
    httpd.app = link_server
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield {"port": httpd.server_address[1], "ca": ca, "server_names": server_names}
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_https_connects_to_vetted_address_with_sni_and_host_name_check(server, tls_server, monkeypatch):
    monkeypatch.setattr(links.fetch, "_tls_context", lambda: ssl.create_default_context(cafile=tls_server["ca"]))
    tls_server["server_names"].clear()
    url = f"https://secure.test:{tls_server['port']}/r1"
    resolver = StubResolver({"secure.test": ["127.0.0.1"]})
    assert check(url, resolver) == expected(
        url, status="ok", final_url=f"https://secure.test:{tls_server['port']}/decl"
    )
    assert tls_server["server_names"] == ["secure.test"] * 2
    assert [h["host"] for _, h in server.requests] == [f"secure.test:{tls_server['port']}"] * 2


def test_https_certificate_for_another_name_is_rejected(server, tls_server, monkeypatch):
    monkeypatch.setattr(links.fetch, "_tls_context", lambda: ssl.create_default_context(cafile=tls_server["ca"]))
    resolver = StubResolver({"other.test": ["127.0.0.1"]})
    result = check(f"https://other.test:{tls_server['port']}/decl", resolver)
    assert (result["status"], result["error"]) == ("unreachable", "ใบรับรองความปลอดภัยไม่ถูกต้อง")
    assert server.paths() == []


def test_https_untrusted_certificate_is_rejected(server, tls_server):
    resolver = StubResolver({"secure.test": ["127.0.0.1"]})
    result = check(f"https://secure.test:{tls_server['port']}/decl", resolver)
    assert (result["status"], result["error"]) == ("unreachable", "ใบรับรองความปลอดภัยไม่ถูกต้อง")
    assert server.paths() == []


def test_unexpected_lookup_is_not_swallowed(tmp_path):
    with pytest.raises(UnexpectedLookup):
        check("http://surprise.test/")
    with pytest.raises(UnexpectedLookup):
        links.check_links(
            ["http://surprise.test/"],
            cache_path=tmp_path / "links.json",
            max_age=timedelta(days=1),
            resolver=StubResolver(),
        )


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("not-an-ip", False)],
)
def test_is_address_allowed(address, allowed):
    assert links.is_address_allowed(address) is allowed


def test_decode_html_fallbacks():
    assert links.decode_html("\ufeffเจตนารมณ์".encode()) == "เจตนารมณ์"
    assert links.decode_html("คุณธรรม".encode("cp874"), "text/html; charset=x-unknown") == "คุณธรรม"
    assert links.decode_html(b'<meta charset="tis-620">' + "คุณธรรม".encode("cp874")).endswith("คุณธรรม")
    # A UTF-8 character cut in half by the size cap does not make the page look non-UTF-8.
    assert links.decode_html("คุณธรรม".encode()[:-1]) == "คุณธรร"


COLUMN_TYPES = {
    "url": "str",
    "checked_at": "datetime64[us, Asia/Bangkok]",
    "reachable": "boolean",
    "http_status": "Int64",
    "error": "str",
    "final_url": "str",
    "mentions_declaration": "boolean",
    "status": "str",
}


def frame_rows(df: pd.DataFrame) -> list[dict]:
    """Return the DataFrame rows as dicts with missing values as None."""
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def test_check_links_table_and_progress(server, tmp_path):
    decl, plain, missing = server.url("/decl"), server.url("/plain"), server.url("/missing")
    calls = []
    df = links.check_links(
        [decl, f"  {plain} ", None, float("nan"), "", decl, missing],
        cache_path=tmp_path / "links.json",
        max_age=timedelta(days=1),
        now=NOW,
        allow_loopback=True,
        resolver=StubResolver(),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert list(df.columns) == links.COLUMNS
    assert df.dtypes.astype(str).to_dict() == COLUMN_TYPES
    assert frame_rows(df) == [
        expected(decl, status="ok"),
        expected(plain, status="no_declaration", mentions=False),
        expected(missing, status="unreachable", reachable=False, http_status=404, error="HTTP 404", mentions=None),
    ]
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert sorted(server.paths()) == ["/decl", "/missing", "/plain"]


def test_cache_reused_within_max_age_and_rechecked_after(server, tmp_path):
    cache = tmp_path / "cache" / "links.json"
    urls = [server.url("/decl"), server.url("/plain")]
    options = {"cache_path": cache, "max_age": timedelta(hours=6), "allow_loopback": True, "resolver": StubResolver()}

    first = links.check_links(urls, now=NOW, **options)
    assert len(server.paths()) == 2

    calls = []
    second = links.check_links(urls, now=NOW + timedelta(hours=5), progress=lambda *a: calls.append(a), **options)
    assert len(server.paths()) == 2
    assert calls == []
    pd.testing.assert_frame_equal(first, second)

    third = links.check_links(urls, now=NOW + timedelta(hours=7), **options)
    assert len(server.paths()) == 4
    assert list(third["checked_at"]) == [NOW + timedelta(hours=7)] * 2

    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored["results"][urls[0]]["checked_at"] == "2025-03-01T16:30:00+07:00"
    assert [p.name for p in cache.parent.iterdir()] == ["links.json"]  # no temp file left behind


def test_only_new_urls_are_checked(server, tmp_path):
    cache = tmp_path / "links.json"
    options = {
        "cache_path": cache,
        "max_age": timedelta(days=1),
        "now": NOW,
        "allow_loopback": True,
        "resolver": StubResolver(),
    }
    links.check_links([server.url("/decl")], **options)
    df = links.check_links([server.url("/plain"), server.url("/decl")], **options)
    assert server.paths() == ["/decl", "/plain"]
    assert list(df["status"]) == ["no_declaration", "ok"]
    assert set(links.load_link_results(cache)["url"]) == {server.url("/decl"), server.url("/plain")}


def test_load_link_results_never_checks(server, tmp_path):
    cache = tmp_path / "links.json"
    empty = links.load_link_results(cache)
    assert (frame_rows(empty), empty.dtypes.astype(str).to_dict()) == ([], COLUMN_TYPES)
    links.check_links(
        [server.url("/decl")],
        cache_path=cache,
        max_age=timedelta(days=1),
        now=NOW,
        allow_loopback=True,
        resolver=StubResolver(),
    )
    df = links.load_link_results(cache, urls=[server.url("/decl"), "https://new.test/"])
    assert frame_rows(df) == [
        expected(server.url("/decl"), status="ok"),
        {
            "url": "https://new.test/",
            "checked_at": None,
            "reachable": None,
            "http_status": None,
            "error": None,
            "final_url": None,
            "mentions_declaration": None,
            "status": "unchecked",
        },
    ]
    assert df.dtypes.astype(str).to_dict() == COLUMN_TYPES
    assert server.paths() == ["/decl"]


def test_damaged_cache_counts_as_empty(server, tmp_path):
    cache = tmp_path / "links.json"
    cache.write_text("{not json", encoding="utf-8")
    assert links.load_link_results(cache).empty
    df = links.check_links(
        [server.url("/decl")],
        cache_path=cache,
        max_age=timedelta(days=1),
        now=NOW,
        allow_loopback=True,
        resolver=StubResolver(),
    )
    assert list(df["status"]) == ["ok"]
    assert list(json.loads(cache.read_text(encoding="utf-8"))["results"]) == [server.url("/decl")]


def test_workers_bound_concurrency(server, tmp_path):
    urls = [server.url(f"/concurrent?i={i}") for i in range(6)]
    df = links.check_links(
        urls,
        cache_path=tmp_path / "links.json",
        max_age=timedelta(days=1),
        now=NOW,
        workers=2,
        allow_loopback=True,
        resolver=StubResolver(),
    )
    assert list(df["status"]) == ["ok"] * 6
    assert server.max_inflight == 2


def test_format_links_table():
    df = links.results_frame(
        [
            links.LinkResult("https://a.test/", NOW, True, 200, None, "https://a.test/", True, "ok"),
            links.LinkResult("https://b.test/", NOW, False, 404, "HTTP 404", "https://b.test/", None, "unreachable"),
            links.LinkResult("https://c.test/", None, None, None, None, None, None, "unchecked"),
        ]
    )
    assert format_links_table(df) == "\n".join(
        [
            # Padding counts display columns: Thai vowel and tone marks take none; times in the Buddhist era.
            "สถานะ     HTTP  ตรวจเมื่อ               ลิงก์              หมายเหตุ",
            "ใช้งานได้   200   1 มี.ค. 2568 09:30 น.  https://a.test/",
            "เปิดไม่ได้   404   1 มี.ค. 2568 09:30 น.  https://b.test/  HTTP 404",
            "ยังไม่ตรวจ                              https://c.test/",
            "รวม 3 ลิงก์: ใช้งานได้ 1, เปิดไม่ได้ 1, ไม่พบเนื้อหาประกาศ 0, ยังไม่ตรวจ 1",
        ]
    )
    assert format_links_table(links.load_link_results("/nonexistent/links.json")) == "ยังไม่มีผลการตรวจลิงก์"
