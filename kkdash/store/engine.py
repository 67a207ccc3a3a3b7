"""A database URL -> a SQLAlchemy engine set up for the chase log: SQLite (WAL) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import math
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event, make_url

from kkdash.store.errors import CONFIG, store_error

SQLITE_FILE = "chase-log.sqlite3"
# Spellings people copy from hosting panels -> the psycopg 3 driver kkdash installs.
_POSTGRES_NAMES = {"postgres", "postgresql", "postgresql+psycopg"}


def default_database_url(cache_dir: Path) -> str:
    """The folder kkdash keeps its files in -> the URL of the SQLite chase log inside it."""
    return URL.create("sqlite", database=str(Path(cache_dir).resolve() / SQLITE_FILE)).render_as_string()


def parse_url(url: str) -> URL:
    """URL text -> a SQLAlchemy URL for SQLite or PostgreSQL via psycopg 3; raises StoreError(config)."""
    try:
        parsed = make_url(url)
    except Exception:  # whatever the parser disliked, the operator made the same mistake
        raise store_error(CONFIG, "open", "") from None
    if parsed.drivername in _POSTGRES_NAMES:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite") and parsed.database not in (None, "", ":memory:"):
        return parsed.set(drivername="sqlite")
    raise store_error(CONFIG, "open", "")


def where(url: URL) -> str:
    """A URL -> where the database is, for messages: the file, or the server and database, no password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def build_engine(url: URL, *, timeout: float) -> Engine:
    """A parsed URL and the seconds to wait for a lock or a connection -> a ready engine (nothing opened yet)."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout=timeout)
    return _postgres_engine(url, timeout=timeout)


def _sqlite_engine(url: URL, *, timeout: float) -> Engine:
    """A SQLite file URL -> an engine in WAL mode with foreign keys on and a busy timeout."""
    Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling skips BEGIN before DDL; _on_begin emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={math.ceil(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A write takes the lock when it begins: a read-then-write transaction could not wait for it later.
        mode = "IMMEDIATE" if connection.get_execution_options().get("writes") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgres_engine(url: URL, *, timeout: float) -> Engine:
    """A PostgreSQL URL -> an engine that gives up on a lock or a connection after `timeout` seconds."""
    options = f"-c lock_timeout={math.ceil(timeout * 1000)}"
    return create_engine(
        url,
        pool_pre_ping=True,  # a server restarted overnight: reconnect instead of failing the first click
        connect_args={"connect_timeout": max(1, math.ceil(timeout)), "options": options,
                      "application_name": "kkdash"},
    )
