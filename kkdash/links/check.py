"""Is each published declaration URL alive, and does it show the declaration?

Each URL is fetched hop by hop through kkdash.links.fetch (every hop vetted), its page decoded
(Thai sites still use TIS-620) and searched for the declaration's words; many URLs are checked
at once on a thread pool, and the results are kept (kkdash.links.store) with their check times.
"""

from __future__ import annotations

import codecs
import functools
import html
import http.client
import os
import re
import socket
import ssl
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta

import pandas as pd

from kkdash.dates import in_bangkok
from kkdash.dates import now as bangkok_now
from kkdash.labels import LINK_OK, NO_DECLARATION, UNREACHABLE
from kkdash.links.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    ERR_CONNECT,
    ERR_PROTOCOL,
    ERR_REDIRECT_NO_LOCATION,
    ERR_TIMEOUT,
    ERR_TLS,
    ERR_TOO_MANY_REDIRECTS,
    REDIRECT_STATUSES,
    LinkCheckError,
    Page,
    Resolver,
    fetch_hop,
    location_url,
    system_resolver,
    vet,
)
from kkdash.links.store import LinkResult, distinct_urls, is_fresh, read_results, results_frame, write_results

DECLARATION_KEYWORDS = ("เจตนารมณ์", "คุณธรรม")

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

Progress = Callable[[int, int], None]


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


def _page_mentions(page: Page, max_bytes: int) -> bool | None:
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
        return UNREACHABLE
    return NO_DECLARATION if mentions is False else LINK_OK


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
    checked_at = _moment(now)
    resolver = resolver or system_resolver
    deadline = time.monotonic() + timeout
    current = url
    try:
        for _hop in range(max_redirects + 1):
            target = vet(current, allow_loopback=allow_loopback, resolver=resolver)
            page = fetch_hop(target, deadline, max_bytes)
            if page.status not in REDIRECT_STATUSES:
                break
            if not page.location:
                raise LinkCheckError(ERR_REDIRECT_NO_LOCATION)
            current = location_url(current, page.location)
        else:
            raise LinkCheckError(ERR_TOO_MANY_REDIRECTS)
    except (LinkCheckError, OSError, http.client.HTTPException) as exc:
        return LinkResult(url, checked_at, False, None, _error_text(exc), current, None, UNREACHABLE)
    reachable = 200 <= page.status < 300
    mentions = _page_mentions(page, max_bytes) if reachable else None
    error = None if reachable else f"HTTP {page.status}"
    status = _status_of(reachable, mentions)
    return LinkResult(url, checked_at, reachable, page.status, error, current, mentions, status)


def _moment(moment: datetime | None) -> datetime:
    """The given moment (naive means Bangkok time), or now, in Bangkok time."""
    return bangkok_now() if moment is None else in_bangkok(moment)


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
    now = _moment(now)
    wanted = distinct_urls(urls)
    cached = read_results(cache_path)
    todo = [u for u in wanted if not is_fresh(cached.get(u), now, max_age)]
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
                write_results(cache_path, {**cached, **fresh})
    merged = {**cached, **fresh}
    return results_frame([merged[u] for u in wanted])
