"""A fake Google Sheets API on 127.0.0.1 for tests: no internet, faults on demand.

Shared by the tests and the benchmarks: ``from tools.fakesheets import FakeSheets, fake_session``.

Two ways to reach it: ``fake_session`` routes a requests session's Google URLs to it, and
``proxy_environment`` makes it an HTTPS proxy for the unmodified clients of another process (or of
this one): it answers CONNECT for Google's hosts with a certificate from its own throwaway CA, so
gspread and google-auth talk to https://sheets.googleapis.com and https://oauth2.googleapis.com as in
production while every byte stays on this machine.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime
import io
import json
import re
import secrets
import ssl
import tempfile
import threading
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter

SHEETS_API = "https://sheets.googleapis.com/"
TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_KEY = "1FakeSheetKey0123456789abcdefghijklmnopqrstu"
DEFAULT_CLIENT_EMAIL = "kkdash-reader@kkdash-test.iam.gserviceaccount.com"
# slow: answer after slow_seconds; drip: a 200 whose body comes one byte every drip_seconds, for ever;
# redirect: a 302 to the same address (a loop); gzip: a body that says gzip and is not; hangup: close
# the connection without a word.
# downgrade: a 302 to a plain-http address elsewhere (a published link must never be followed there).
FAULTS = frozenset({"429", "500", "503", "403", "404", "slow", "garbage", "truncated", "drip", "redirect", "gzip",
                    "hangup", "downgrade"})
DOWNGRADE_TARGET = "http://sheets-mirror.example/pub.csv"
# What the token endpoint can do instead of answering: 500/503 (google-auth retries those itself),
# 400 (invalid_grant: the key was revoked), and the transport faults above.
TOKEN_FAULTS = frozenset({"400", "500", "503", "slow", "drip", "redirect", "hangup"})
GOOGLE_HOSTS = ("sheets.googleapis.com", "oauth2.googleapis.com")

_BATCH_GET = re.compile(r"/v4/spreadsheets/([^/]+)/values:batchGet")
_METADATA = re.compile(r"/v4/spreadsheets/([^/:]+)")
_PUBLISHED = re.compile(r"/pub/([^/]+)\.csv")
_ERRORS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_FAULT_MESSAGES = {
    "429": "Quota exceeded for quota metric 'Read requests'.",
    "500": "Internal error encountered.",
    "503": "The service is currently unavailable.",
    "403": "The caller does not have permission",
    "404": "Requested entity was not found.",
}


class BlockedRequest(AssertionError):
    """A test tried to reach a host other than the fake server."""


class FakeSheets:
    """Threaded fake of the Sheets v4 values API, token endpoint and published CSV."""

    def __init__(
        self,
        worksheets: dict[str, list[list[str]]] | None = None,
        *,
        key: str = DEFAULT_KEY,
        slow_seconds: float = 2.0,
        drip_seconds: float = 0.5,
        csv_bom: bool = False,
        token_lifetime: int = 3600,
    ) -> None:
        self.key = key
        self.slow_seconds = slow_seconds
        self.drip_seconds = drip_seconds
        # 1 second: google-auth takes the token as expired at once and asks for a new one every read.
        self.token_lifetime = token_lifetime
        self.csv_bom = csv_bom
        self.access_token = "ya29.fake-" + secrets.token_urlsafe(24)
        self.token_claims: list[dict] = []
        self.log: list[dict] = []
        self._worksheets = {title: _copy(rows) for title, rows in (worksheets or {}).items()}
        self._counts: Counter[str] = Counter()
        self._faults: deque[str] = deque()
        self._token_faults: deque[str] = deque()
        self._tls: ssl.SSLContext | None = None
        self._ca_folder: tempfile.TemporaryDirectory | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> FakeSheets:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Listen on a random 127.0.0.1 port in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving (from now on connections are refused); slow and dripping answers in flight are dropped."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def close(self) -> None:
        """Stop, and delete the throwaway CA's files."""
        self.stop()
        if self._ca_folder is not None:
            self._ca_folder.cleanup()

    # --- addresses -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT (no trailing slash)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def sheet_url(self) -> str:
        """Return a docs.google.com edit URL carrying this fake's key."""
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit#gid=0"

    @property
    def batch_get_path(self) -> str:
        """Return the request path of values:batchGet for this key."""
        return f"/v4/spreadsheets/{self.key}/values:batchGet"

    @property
    def metadata_path(self) -> str:
        """Return the request path of the spreadsheet metadata for this key."""
        return f"/v4/spreadsheets/{self.key}"

    @property
    def csv_path(self) -> str:
        """Return the request path of the published CSV."""
        return f"/pub/{self.key}.csv"

    def published_csv_url(self, worksheet: str | None = None) -> str:
        """Return the published-CSV URL of a worksheet (the first by default)."""
        query = f"?sheet={worksheet}" if worksheet else ""
        return f"{self.base_url}{self.csv_path}{query}"

    def session(self) -> requests.Session:
        """Return a requests session routed to this server."""
        return fake_session(self.base_url)

    def proxy_environment(self) -> dict[str, str]:
        """Environment variables that send an unmodified client's Google traffic through this server."""
        return {"HTTPS_PROXY": self.base_url, "https_proxy": self.base_url, "REQUESTS_CA_BUNDLE": str(self.ca_path),
                "NO_PROXY": "", "no_proxy": ""}

    @property
    def ca_path(self) -> Path:
        """The throwaway CA certificate (PEM) that signed this server's certificate for Google's hosts."""
        self._tls_context()
        return Path(self._ca_folder.name) / "ca.pem"

    def _tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._ca_folder = tempfile.TemporaryDirectory(prefix="fakesheets-ca-")
                self._tls = _make_tls(Path(self._ca_folder.name))
            return self._tls

    # --- data and faults -----------------------------------------------------------

    def set_worksheet(self, title: str, rows: list[list[str]]) -> None:
        """Create or replace a worksheet's cells while the server runs."""
        with self._lock:
            self._worksheets[title] = _copy(rows)

    def remove_worksheet(self, title: str) -> None:
        """Delete a worksheet."""
        with self._lock:
            del self._worksheets[title]

    def fail_next(self, fault: str, times: int = 1) -> None:
        """Make the next `times` non-token requests fail with `fault` (see FAULTS)."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {sorted(FAULTS)}")
        with self._lock:
            self._faults.extend([fault] * times)

    def fail_token(self, fault: str, times: int = 1) -> None:
        """Make the next `times` token requests fail with `fault` (see TOKEN_FAULTS)."""
        if fault not in TOKEN_FAULTS:
            raise ValueError(f"unknown token fault {fault!r}; choose from {sorted(TOKEN_FAULTS)}")
        with self._lock:
            self._token_faults.extend([fault] * times)

    def count(self, path: str | None = None) -> int:
        """Return how many requests hit `path` (all paths when None)."""
        with self._lock:
            return self._counts[path] if path else sum(self._counts.values())

    @property
    def counts(self) -> dict[str, int]:
        """Return a copy of the per-path request counts."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        """Forget counted requests and the request log."""
        with self._lock:
            self._counts.clear()
            self.log.clear()

    # --- request handling (server threads) -------------------------------------

    def _handle(self, handler: _Handler, method: str) -> None:
        """Route one request; runs on a server thread."""
        url = urlsplit(handler.path)
        path, query = unquote(url.path), parse_qs(url.query)
        authorized = handler.headers.get("Authorization", "").startswith("Bearer ")
        with self._lock:
            self._counts[path] += 1
            self.log.append({"method": method, "path": path, "query": query, "authorized": authorized})
        if path == "/token" and method == "POST":
            with self._lock:
                fault = self._token_faults.popleft() if self._token_faults else None
            if fault == "slow":
                self._stopping.wait(self.slow_seconds)
            elif fault:
                return self._fault(handler, fault)
            return self._token(handler)
        if path.startswith("/v4/") and not authorized:
            return _error(handler, 401, "Request is missing required authentication credential.")
        fault = self._next_fault()
        if fault == "slow":
            self._stopping.wait(self.slow_seconds)
        elif fault:
            return self._fault(handler, fault)
        if method != "GET":
            return _error(handler, 405, "Method not allowed.")
        return self._route(handler, path, query)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _route(self, handler: _Handler, path: str, query: dict) -> None:
        for pattern, answer in (
            (_BATCH_GET, self._batch_get),
            (_METADATA, self._metadata),
            (_PUBLISHED, self._csv),
        ):
            match = pattern.fullmatch(path)
            if match:
                if match.group(1) != self.key:
                    return _error(handler, 404, "Requested entity was not found.")
                return answer(handler, query)
        return _error(handler, 404, "Requested entity was not found.")

    def _token(self, handler: _Handler) -> None:
        """Answer the OAuth token exchange with a fake access token."""
        length = int(handler.headers.get("Content-Length") or 0)
        form = parse_qs(handler.rfile.read(length).decode("utf-8"))
        assertion = form.get("assertion", [""])[0]
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"] or assertion.count(".") != 2:
            return _send_json(handler, 400, {"error": "invalid_grant", "error_description": "Bad request."})
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        with self._lock:
            self.token_claims.append(claims)
        return _send_json(handler, 200, {"access_token": self.access_token, "expires_in": self.token_lifetime,
                                         "token_type": "Bearer"})

    def _batch_get(self, handler: _Handler, query: dict) -> None:
        """Return stored strings per range, trimmed like Google trims them."""
        ranges = query.get("ranges", [])
        if not ranges:
            return _error(handler, 400, "Must specify at least one range.")
        value_ranges = []
        with self._lock:
            for a1 in ranges:
                title = _range_title(a1)
                if title not in self._worksheets:
                    return _error(handler, 400, f"Unable to parse range: {a1}")
                value_ranges.append(_value_range(a1, self._worksheets[title]))
        return _send_json(handler, 200, {"spreadsheetId": self.key, "valueRanges": value_ranges})

    def _metadata(self, handler: _Handler, query: dict) -> None:
        """Return the worksheet titles (the only metadata kkdash asks for)."""
        with self._lock:
            titles = list(self._worksheets)
        sheets = [{"properties": {"title": title}} for title in titles]
        if query.get("fields") != ["sheets.properties.title"]:
            for index, sheet in enumerate(sheets):
                sheet["properties"].update(sheetId=index, index=index)
            return _send_json(
                handler, 200, {"spreadsheetId": self.key, "properties": {"title": "Fake"}, "sheets": sheets}
            )
        return _send_json(handler, 200, {"sheets": sheets})

    def _csv(self, handler: _Handler, query: dict) -> None:
        """Return a worksheet as Google's published CSV: full-width rows."""
        with self._lock:
            title = query.get("sheet", [next(iter(self._worksheets), "")])[0]
            rows = _copy(self._worksheets.get(title, []))
        width = max((len(row) for row in rows), default=0)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(row + [""] * (width - len(row)) for row in rows)
        body = ("\ufeff" if self.csv_bom else "") + buffer.getvalue()
        return _send(handler, 200, body.encode("utf-8"), "text/csv; charset=utf-8")

    def _fault(self, handler: _Handler, fault: str) -> None:
        if fault == "drip":
            return self._drip(handler)
        if fault in ("redirect", "downgrade"):
            handler.send_response(302)
            handler.send_header("Location", handler.path if fault == "redirect" else DOWNGRADE_TARGET)
            handler.send_header("Content-Length", "0")
            return handler.end_headers()
        if fault == "gzip":
            return _send(handler, 200, b"this is not gzip", "application/json", encoding="gzip")
        if fault == "hangup":
            handler.close_connection = True
            return None
        if fault == "400":
            return _send_json(handler, 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if fault in ("500", "503") and handler.path.startswith("/token"):
            return _send_json(handler, int(fault), {"error": "server_error", "error_description": "Try again."})
        if fault == "garbage":
            return _send(handler, 200, b"<!DOCTYPE html><html>\xff oops</html>", "application/json")
        if fault == "truncated":
            body = json.dumps({"spreadsheetId": self.key, "valueRanges": [{"values": [["a", "b"]]}]})
            return _send(handler, 200, body[: len(body) // 2].encode(), "application/json")
        return _error(handler, int(fault), _FAULT_MESSAGES[fault])


    def _drip(self, handler: _Handler) -> None:
        """A 200 that promises a large body and sends it one byte at a time, until the client or the test leaves."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        while not self._stopping.wait(self.drip_seconds):
            handler.wfile.write(b" ")
            handler.wfile.flush()

    def _tunnel(self, handler: _Handler) -> None:
        """CONNECT to one of Google's hosts: answer as that host over TLS, with the throwaway CA's certificate."""
        host = handler.path.rsplit(":", 1)[0]
        with self._lock:
            self._counts[f"CONNECT {host}"] += 1
        if host not in GOOGLE_HOSTS:
            return _error(handler, 403, f"fakesheets only proxies {', '.join(GOOGLE_HOSTS)}")
        context = self._tls_context()
        handler.send_response(200, "Connection established")
        handler.end_headers()
        handler.close_connection = True
        try:
            tunnel = context.wrap_socket(handler.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return None  # the client gave up during the handshake
        _Handler(tunnel, handler.client_address, handler.server)  # serves the tunnelled request(s), then returns
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeSheets


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._guarded("GET")

    def do_POST(self) -> None:
        self._guarded("POST")

    def do_CONNECT(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.server.fake._tunnel(self)

    def _guarded(self, method: str) -> None:
        # The client may give up first (time-out tests); there is nobody to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.server.fake._handle(self, method)

    def finish(self) -> None:
        # After a tunnel the socket belongs to the TLS layer, and a cut connection has nothing to flush.
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


# --- routing session ---------------------------------------------------------------


class _LocalRouter(HTTPAdapter):
    """Send Google URLs to the fake server and refuse everything non-local."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        request.url = self.route(request.url)
        kwargs["proxies"] = {}  # never let an environment proxy see test traffic
        return super().send(request, **kwargs)

    def route(self, url: str) -> str:
        """Rewrite a URL to the fake server, or raise BlockedRequest."""
        if url.startswith(SHEETS_API):
            return f"{self.base_url}/{url[len(SHEETS_API) :]}"
        if url.split("?", 1)[0] == TOKEN_URI:
            return f"{self.base_url}/token"
        if url.startswith(self.base_url + "/"):
            return url
        raise BlockedRequest(f"fakesheets blocked a request to a non-local URL: {url}")


def fake_session(base_url: str) -> requests.Session:
    """Return a session that routes Google API and token calls to base_url only."""
    session = requests.Session()
    session.trust_env = False
    router = _LocalRouter(base_url)
    session.mount("https://", router)
    session.mount("http://", router)
    return session


def make_service_account_info(client_email: str = DEFAULT_CLIENT_EMAIL) -> dict:
    """Return a service-account key dict with a freshly generated test RSA key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return {
        "type": "service_account",
        "project_id": "kkdash-test",
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": client_email,
        "client_id": "100000000000000000000",
        "token_uri": TOKEN_URI,
    }


# --- helpers --------------------------------------------------------------------------


def _copy(rows: list[list[str]]) -> list[list[str]]:
    return [list(row) for row in rows]


def _range_title(a1: str) -> str:
    """Return the worksheet title of an A1 range such as 'It''s'!A1:C."""
    if not a1.startswith("'"):
        return a1.split("!", 1)[0]
    title, index = [], 1
    while index < len(a1):
        char = a1[index]
        if char == "'" and a1[index + 1 : index + 2] == "'":
            title.append("'")
            index += 2
        elif char == "'":
            break
        else:
            title.append(char)
            index += 1
    return "".join(title)


def _value_range(a1: str, rows: list[list[str]]) -> dict:
    """Build one valueRange: trailing empty cells and rows omitted, as Google does."""
    trimmed = [_trim(row) for row in rows]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    value_range = {"range": a1, "majorDimension": "ROWS"}
    if trimmed:
        value_range["values"] = trimmed
    return value_range


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return list(row[:end])


def _error(handler: _Handler, status: int, message: str) -> None:
    body = {"error": {"code": status, "message": message, "status": _ERRORS.get(status, "UNKNOWN")}}
    _send_json(handler, status, body)


def _send_json(handler: _Handler, status: int, document: dict) -> None:
    try:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate travels as the escape `\ud800`, as Google would send it
        body = json.dumps(document).encode("ascii")
    _send(handler, status, body, "application/json; charset=UTF-8")


def _send(handler: _Handler, status: int, body: bytes, content_type: str, *, encoding: str | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    if encoding:
        handler.send_header("Content-Encoding", encoding)
    handler.end_headers()
    handler.wfile.write(body)


def _make_tls(folder: Path) -> ssl.SSLContext:
    """A throwaway CA (ca.pem in ``folder``) and a server context with its certificate for Google's hosts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fakesheets test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, GOOGLE_HOSTS[0])]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in GOOGLE_HOSTS]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "leaf.key").write_bytes(leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    return context
