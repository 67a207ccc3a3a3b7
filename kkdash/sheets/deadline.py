"""A whole-read time limit for one sheet read: token, connect, headers and body together.

requests' ``timeout`` bounds each socket operation, so a server that sends a byte every few
seconds never trips it, and retries add up. A ReadDeadline bounds the whole read instead: the read
runs in a worker thread and the caller gets its answer (or a time-out) by the deadline; while the
read runs, every connection it opens or reuses is registered, each connect waits at most the time
left, no request starts after the deadline, and at the deadline a timer shuts the registered
sockets down under any blocked read, so the worker ends too instead of lingering.

``track`` installs the registering connection classes on a session's adapters (the caller's own,
so routing and proxies keep working); connections made outside an armed read behave as usual.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError

T = TypeVar("T")
_ARMED: ContextVar[ReadDeadline | None] = ContextVar("kkdash_read_deadline", default=None)


class ReadDeadline:
    """The time one read may take, and the sockets to cut when it is up."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = float(seconds)
        self._clock = clock
        self._ends = clock() + self.seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.fired = False  # the timer cut the read's connections

    def remaining(self) -> float:
        """Seconds left (never below 0)."""
        return max(0.0, self._ends - self._clock())

    @property
    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.fired or self.remaining() <= 0

    def watch(self, sock: socket.socket | None) -> None:
        """Cut ``sock``'s connection at the deadline (a duplicate handle, so TLS wrapping cannot hide it)."""
        if sock is None:
            return
        try:
            handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except (OSError, ValueError):
            return  # already closed: nothing left to cut
        with self._lock:
            if not self.fired:
                self._sockets.append(handle)
                return
        _shut(handle)  # the deadline passed while this connection was being made
        handle.close()

    def _cut(self) -> None:
        with self._lock:
            self.fired = True
            handles = list(self._sockets)
        for handle in handles:
            _shut(handle)

    @contextlib.contextmanager
    def armed(self) -> Iterator[ReadDeadline]:
        """Within this block (in this thread), connections register with this deadline; cut them when it passes."""
        timer = threading.Timer(self.remaining(), self._cut)
        timer.daemon = True
        token = _ARMED.set(self)
        timer.start()
        try:
            yield self
        finally:
            timer.cancel()
            _ARMED.reset(token)
            with self._lock:
                handles, self._sockets = self._sockets, []
            for handle in handles:
                handle.close()

    def run(self, read: Callable[[], T], *, on_time_out: Callable[[], BaseException]) -> T:
        """``read()`` in a worker thread, armed; its result or error, or ``on_time_out()`` raised at the deadline."""
        outcome: dict[str, object] = {}
        done = threading.Event()

        def work() -> None:
            try:
                with self.armed():
                    outcome["value"] = read()
            except BaseException as exc:  # handed to the caller below
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="kkdash-sheet-read", daemon=True).start()
        if not done.wait(self.remaining()):
            raise on_time_out()
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["value"]  # type: ignore[return-value]


def _shut(handle: socket.socket) -> None:
    with contextlib.suppress(OSError):
        handle.shutdown(socket.SHUT_RDWR)


def current() -> ReadDeadline | None:
    """The deadline armed in this thread, if any."""
    return _ARMED.get()


def _clamped(timeout: object, remaining: float) -> float:
    """A connection's timeout, no longer than the time left."""
    return min(float(timeout), remaining) if isinstance(timeout, int | float) else remaining


class _DeadlineMixin:
    """Registers the connection's socket with the armed deadline; refuses to start after it."""

    sock: socket.socket | None
    timeout: object

    def _new_conn(self) -> socket.socket:
        deadline = current()
        if deadline is not None:
            if deadline.expired:
                raise ConnectTimeoutError(self, "the sheet read's deadline has passed")
            self.timeout = _clamped(self.timeout, deadline.remaining())
        sock = super()._new_conn()  # type: ignore[misc]
        if deadline is not None:
            deadline.watch(sock)
        return sock

    def request(self, *args, **kwargs) -> None:
        deadline = current()
        if deadline is not None:
            if deadline.expired:
                raise TimeoutError("the sheet read's deadline has passed")
            deadline.watch(self.sock)  # a kept-alive connection from an earlier read
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_PLAIN_POOLS = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}
_TRACKED_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


def _track_manager(manager: object) -> None:
    """Use the registering pools in a urllib3 PoolManager (or ProxyManager) that uses the plain ones."""
    pools = getattr(manager, "pool_classes_by_scheme", None)
    if pools is None or any(pools.get(scheme) not in (_PLAIN_POOLS[scheme], _TRACKED_POOLS[scheme])
                            for scheme in _PLAIN_POOLS):
        return  # a SOCKS or otherwise special manager: its own pools stay
    if dict(pools) != _TRACKED_POOLS:
        manager.pool_classes_by_scheme = dict(_TRACKED_POOLS)  # a copy: the module's dict is shared
        manager.clear()  # pools made before would keep the plain connections


def track(session: requests.Session) -> requests.Session:
    """Make every HTTP adapter of ``session`` register its connections with an armed deadline; returns it."""
    for adapter in session.adapters.values():
        if not isinstance(adapter, HTTPAdapter) or getattr(adapter, "_kkdash_tracked", False):
            continue
        _track_manager(adapter.poolmanager)
        for manager in adapter.proxy_manager.values():
            _track_manager(manager)
        make_proxy_manager = adapter.proxy_manager_for

        def proxy_manager_for(proxy, _make=make_proxy_manager, **kwargs):
            manager = _make(proxy, **kwargs)
            _track_manager(manager)
            return manager

        adapter.proxy_manager_for = proxy_manager_for
        adapter._kkdash_tracked = True
    return session
