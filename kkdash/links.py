"""Link checker: is each published declaration URL alive and does it show the declaration?

The URLs come from an open web form, so every fetch is treated as hostile:
http/https on ports 80/443 only, no credentials, every resolved address
must be public (checked on each redirect hop), and the connection goes to
the vetted address itself so a second DNS answer cannot point it elsewhere.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import html
import http.client
import ipaddress
import json
import logging
import os
import re
import socket
import ssl
import tempfile
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Self
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd

log = logging.getLogger(__name__)

BANGKOK_NAME = "Asia/Bangkok"
BANGKOK = ZoneInfo(BANGKOK_NAME)

STATUS_LABELS_TH = {
    "ok": "ใช้งานได้",
    "unreachable": "เปิดไม่ได้",
    "no_declaration": "ไม่พบเนื้อหาประกาศ",
    "unchecked": "ยังไม่ตรวจ",
}

DECLARATION_KEYWORDS = ("เจตนารมณ์", "คุณธรรม")

COLUMNS = [
    "url",
    "checked_at",
    "reachable",
    "http_status",
    "error",
    "final_url",
    "mentions_declaration",
    "status",
]

_COLUMN_TYPES = {
    "url": "str",
    "reachable": "boolean",
    "http_status": "Int64",
    "error": "str",
    "final_url": "str",
    "mentions_declaration": "boolean",
    "status": "str",
}

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_REDIRECTS = 5
ALLOWED_PORTS = frozenset({80, 443})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Mozilla/5.0 (compatible; kkdash-linkcheck/0.1)"
CACHE_VERSION = 1

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

# Thai sites label cp874 in several ways; cp874 is a superset of all of them.
_THAI_CHARSETS = {
    "tis-620",
    "tis620",
    "tis_620",
    "iso-8859-11",
    "iso8859-11",
    "windows-874",
    "cp874",
    "x-windows-874",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# NAT64 wraps any IPv4 address, so the wrapped one is what really gets reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Characters that may stay as they are in a request target; everything else is percent-encoded.
_SAFE_URL_CHARS = "/?@!$&'()*+,;=-._~%:"

Resolver = Callable[[str], list[str]]
Progress = Callable[[int, int], None]


class LinkCheckError(Exception):
    """A URL or hop that is refused or cannot be followed; args[0] is the Thai reason."""


@dataclass(frozen=True)
class LinkResult:
    """Outcome of checking one URL."""

    url: str
    checked_at: datetime | None
    reachable: bool | None
    http_status: int | None
    error: str | None
    final_url: str | None
    mentions_declaration: bool | None
    status: str


@dataclass(frozen=True)
class _Target:
    """A vetted hop: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]
    request_target: str
    host_header: str


@dataclass(frozen=True)
class _Page:
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


def _vet(url: str, *, allow_loopback: bool, resolver: Resolver) -> _Target:
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
    addresses = _resolve(host, resolver)
    if not all(is_address_allowed(a, allow_loopback=allow_loopback) for a in addresses):
        raise LinkCheckError(ERR_PRIVATE)
    default_port = 443 if scheme == "https" else 80
    wire_host = f"[{host}]" if ":" in host else host
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(
        scheme=scheme,
        host=host,
        port=port or default_port,
        addresses=tuple(addresses),
        request_target=quote(path, safe=_SAFE_URL_CHARS),
        host_header=wire_host if port in (None, default_port) else f"{wire_host}:{port}",
    )


def _connect(target: _Target, deadline: float) -> _PinnedConnection:
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


def _fetch_hop(target: _Target, deadline: float, max_bytes: int) -> _Page:
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
    return _Page(
        status=response.status,
        location=response.getheader("Location"),
        content_type=response.getheader("Content-Type", ""),
        content_encoding=response.getheader("Content-Encoding", "").strip().lower(),
        body=body,
    )


def _request_headers(target: _Target) -> dict[str, str]:
    """Return the request headers: no cookies, no credentials, nothing compressed."""
    return {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5",
        # Identity, so the size cap counts what is really read.
        "Accept-Encoding": "identity",
        "Connection": "close",
    }


def _location_url(base: str, location: str) -> str:
    """Return the absolute redirect URL, undoing http.client's latin-1 header decoding."""
    with contextlib.suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    return urljoin(base, location.strip())


def _decompress(body: bytes, encoding: str, max_bytes: int) -> bytes:
    """Undo gzip/deflate that a server sent despite asking for identity, within the cap."""
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return body
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits).decompress(body, max_bytes)
    except zlib.error:
        return b""


def _charset(content_type: str, body: bytes) -> str | None:
    """Find the declared charset in the Content-Type header or a meta tag."""
    match = re.search(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", content_type, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    meta = _META_CHARSET.search(body[:4096])
    return meta.group(1).decode("ascii").lower() if meta else None


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode a page body using its declared charset, with Thai and UTF-8 fallbacks."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    charset = _charset(content_type, body)
    if charset in _THAI_CHARSETS:
        charset = "cp874"
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        # Incremental, so a character cut in half by the size cap is not taken for non-UTF-8.
        return codecs.getincrementaldecoder("utf-8")().decode(body)
    except UnicodeDecodeError:
        # Undeclared and not UTF-8: old Thai sites are almost always TIS-620.
        return body.decode("cp874", errors="replace")


def mentions_declaration(text: str) -> bool:
    """Tell whether page text mentions the declaration."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return any(keyword in text for keyword in DECLARATION_KEYWORDS)


def _page_mentions(page: _Page, max_bytes: int) -> bool | None:
    """Check a page's content; None when it is not text (PDFs, images) and so is not examined."""
    media_type = page.content_type.split(";")[0].strip().lower()
    body = _decompress(page.body, page.content_encoding, max_bytes)
    if media_type == "application/pdf" or body.startswith(b"%PDF-"):
        return None
    is_text = not media_type or media_type.startswith("text/") or media_type.endswith(("+xml", "/xml"))
    if not is_text:
        return None
    return mentions_declaration(decode_html(body, page.content_type))


def _status_of(reachable: bool, mentions: bool | None) -> str:
    """Summarise a check as one status code."""
    if not reachable:
        return "unreachable"
    return "no_declaration" if mentions is False else "ok"


def _error_text(exc: BaseException) -> str:
    """Translate a fetch failure into short Thai text."""
    if isinstance(exc, LinkCheckError):
        return exc.args[0]
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return ERR_TIMEOUT
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ERR_TLS
    if isinstance(exc, (http.client.HTTPException, ssl.SSLError)):
        return ERR_PROTOCOL
    return ERR_CONNECT


def check_url(
    url: str,
    *,
    now: datetime | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    allow_loopback: bool = False,
    resolver: Resolver | None = None,
) -> LinkResult:
    """Check one URL, following redirects by hand so every hop is vetted."""
    checked_at = _bangkok(now)
    resolver = resolver or system_resolver
    deadline = time.monotonic() + timeout
    current = url
    try:
        for _hop in range(max_redirects + 1):
            target = _vet(current, allow_loopback=allow_loopback, resolver=resolver)
            page = _fetch_hop(target, deadline, max_bytes)
            if page.status not in REDIRECT_STATUSES:
                break
            if not page.location:
                raise LinkCheckError(ERR_REDIRECT_NO_LOCATION)
            current = _location_url(current, page.location)
        else:
            raise LinkCheckError(ERR_TOO_MANY_REDIRECTS)
    except (LinkCheckError, OSError, http.client.HTTPException) as exc:
        return LinkResult(url, checked_at, False, None, _error_text(exc), current, None, "unreachable")
    reachable = 200 <= page.status < 300
    mentions = _page_mentions(page, max_bytes) if reachable else None
    error = None if reachable else f"HTTP {page.status}"
    status = _status_of(reachable, mentions)
    return LinkResult(url, checked_at, reachable, page.status, error, current, mentions, status)


def _bangkok(moment: datetime | None) -> datetime:
    """Return the given moment (naive means Bangkok time), or now, in Bangkok time."""
    if moment is None:
        return datetime.now(BANGKOK)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BANGKOK)
    return moment.astimezone(BANGKOK)


def distinct_urls(urls: Iterable[object]) -> list[str]:
    """Return the non-empty URLs, stripped, in first-seen order."""
    cleaned = (u.strip() for u in urls if isinstance(u, str))
    return list(dict.fromkeys(u for u in cleaned if u))


def _result_to_json(result: LinkResult) -> dict:
    """Turn a result into a JSON-ready dict."""
    data = asdict(result)
    data["checked_at"] = result.checked_at.isoformat() if result.checked_at else None
    return data


def _result_from_json(data: dict) -> LinkResult:
    """Rebuild a result read from the cache file."""
    checked_at = data.get("checked_at")
    return LinkResult(
        url=data["url"],
        checked_at=_bangkok(datetime.fromisoformat(checked_at)) if checked_at else None,
        reachable=data.get("reachable"),
        http_status=data.get("http_status"),
        error=data.get("error"),
        final_url=data.get("final_url"),
        mentions_declaration=data.get("mentions_declaration"),
        status=data.get("status", "unchecked"),
    )


def _read_cache(cache_path: str | os.PathLike) -> dict[str, LinkResult]:
    """Read cached results by URL; a missing or damaged file counts as empty."""
    path = Path(cache_path)
    if not path.exists():
        return {}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return {url: _result_from_json(row) for url, row in payload["results"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.warning("Ignoring unreadable link cache %s", path, exc_info=True)
        return {}


def _write_cache(cache_path: str | os.PathLike, results: dict[str, LinkResult]) -> None:
    """Write all results atomically, so a reader never sees half a file."""
    path = Path(cache_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": CACHE_VERSION,
        "results": {u: _result_to_json(r) for u, r in results.items()},
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unchecked(url: str) -> LinkResult:
    """Return the placeholder for a URL that has no result yet."""
    return LinkResult(url, None, None, None, None, None, None, "unchecked")


def results_frame(results: list[LinkResult]) -> pd.DataFrame:
    """Build the results table, one row per result, with the same column types every time."""
    frame = pd.DataFrame([asdict(r) for r in results], columns=COLUMNS, dtype=object)
    stamps = pd.to_datetime(frame["checked_at"], utc=True).dt.tz_convert(BANGKOK_NAME)
    frame["checked_at"] = stamps.astype(f"datetime64[us, {BANGKOK_NAME}]")
    return frame.astype(_COLUMN_TYPES)


def load_link_results(cache_path: str | os.PathLike, *, urls: Iterable[object] | None = None) -> pd.DataFrame:
    """Read cached results without checking anything; with urls, one row each (unchecked if unknown)."""
    cached = _read_cache(cache_path)
    if urls is None:
        return results_frame(list(cached.values()))
    return results_frame([cached.get(u) or _unchecked(u) for u in distinct_urls(urls)])


def _is_fresh(result: LinkResult | None, now: datetime, max_age: timedelta) -> bool:
    """Tell whether a cached result is recent enough to reuse."""
    return result is not None and result.checked_at is not None and now - result.checked_at <= max_age


def check_links(
    urls: Iterable[object],
    *,
    cache_path: str | os.PathLike,
    max_age: timedelta,
    now: datetime | None = None,
    workers: int = 8,
    allow_loopback: bool = False,
    resolver: Resolver | None = None,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> pd.DataFrame:
    """Check every distinct URL not checked within max_age, cache the results, return one row per URL."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    now = _bangkok(now)
    wanted = distinct_urls(urls)
    cached = _read_cache(cache_path)
    todo = [u for u in wanted if not _is_fresh(cached.get(u), now, max_age)]
    fresh: dict[str, LinkResult] = {}
    if todo:
        check = functools.partial(
            check_url,
            now=now,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            allow_loopback=allow_loopback,
            resolver=resolver,
        )
        if progress:
            progress(0, len(todo))
        pool = ThreadPoolExecutor(max_workers=min(workers, len(todo)), thread_name_prefix="kkdash-links")
        try:
            futures = {pool.submit(check, u): u for u in todo}
            # Progress is reported from the caller's thread, where Streamlit allows UI updates.
            for done, future in enumerate(as_completed(futures), start=1):
                fresh[futures[future]] = future.result()
                if progress:
                    progress(done, len(todo))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            # Keep whatever finished, even if the run was interrupted (e.g. a Streamlit rerun).
            if fresh:
                _write_cache(cache_path, {**cached, **fresh})
    merged = {**cached, **fresh}
    return results_frame([merged[u] for u in wanted])


def _display_width(text: str) -> int:
    """Return how many terminal columns text takes; Thai marks above/below take none."""
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    """Pad text to a display width."""
    return text + " " * max(width - _display_width(text), 0)


def format_links_table(df: pd.DataFrame) -> str:
    """Render link results as a plain-text table with a Thai summary line."""
    if df.empty:
        return "ยังไม่มีผลการตรวจลิงก์"
    headers = ["สถานะ", "HTTP", "ตรวจเมื่อ", "ลิงก์", "หมายเหตุ"]
    rows = []
    for row in df.itertuples(index=False):
        checked = "" if pd.isna(row.checked_at) else row.checked_at.strftime("%Y-%m-%d %H:%M")
        rows.append(
            [
                STATUS_LABELS_TH.get(row.status, row.status),
                "" if pd.isna(row.http_status) else str(row.http_status),
                checked,
                row.url,
                "" if pd.isna(row.error) or row.error is None else row.error,
            ]
        )
    widths = [max(_display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers) - 1)]
    lines = [
        "  ".join(_pad(c, w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in [headers, *rows]
    ]
    counts = df["status"].value_counts()
    summary = ", ".join(f"{label} {counts.get(code, 0)}" for code, label in STATUS_LABELS_TH.items())
    lines.append(f"รวม {len(df)} ลิงก์: {summary}")
    return "\n".join(line.rstrip() for line in lines)
