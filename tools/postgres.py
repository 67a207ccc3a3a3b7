"""A throwaway PostgreSQL server on loopback, for tests and benchmarks: initdb + pg_ctl in a temporary folder.

``from tools.postgres import PostgresServer, pg_bin``. The server runs as the
invoking user, or as an unprivileged user (``postgres``) through runuser when that is root, since
PostgreSQL refuses to run as root. Nothing outside its temporary folder is touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER = "kkdash"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
UNPRIVILEGED_USERS = ("postgres", "nobody")
# For tests nothing has to survive a crash; the benchmark keeps the durable defaults.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def pg_bin() -> Path | None:
    """The folder holding initdb and pg_ctl (newest installed version first), or None."""
    candidates = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in map(Path, candidates):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def unprivileged_user() -> pwd.struct_passwd:
    """The account an unprivileged process runs as when the tests run as root."""
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no unprivileged account (postgres or nobody) to run PostgreSQL as")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only, password-protected."""

    def __init__(self, *, durable: bool = False, bin_dir: Path | None = None):
        self.bin_dir = bin_dir or pg_bin()
        if self.bin_dir is None:
            raise RuntimeError("PostgreSQL's initdb and pg_ctl were not found")
        self.durable = durable
        self.password = secrets.token_urlsafe(16)
        self.port: int | None = None
        self.root: Path | None = None
        self._owner = unprivileged_user() if os.geteuid() == 0 else None

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _run(self, *command: str) -> None:
        """Run a PostgreSQL program as the server's owner; raise with its output when it fails."""
        prefix = ["runuser", "-u", self._owner.pw_name, "--"] if self._owner else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _give_away(self, path: Path) -> None:
        """Hand a path to the server's owner (when running as root)."""
        if self._owner:
            os.chown(path, self._owner.pw_uid, self._owner.pw_gid)

    def start(self) -> None:
        """initdb a fresh cluster and start it on a free loopback port (retrying if the port was taken)."""
        self.root = Path(tempfile.mkdtemp(prefix="kkdash-pg-"))
        self._give_away(self.root)
        password_file = self.root / "password"
        password_file.write_text(self.password)
        self._give_away(password_file)
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                  f"--pwfile={password_file}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale")
        password_file.unlink()
        for attempt in range(3):
            self.port = free_port()
            self._configure()
            try:
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.root / "log"),
                          "-w", "-t", "60", "start")
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def _configure(self) -> None:
        """Write the settings: loopback only, no Unix socket, this port; test speed unless durable."""
        settings = {"listen_addresses": "'127.0.0.1'", "port": str(self.port), "unix_socket_directories": "''",
                    "max_connections": "50"}
        if not self.durable:
            settings |= FAST_SETTINGS
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        (self.data_dir / "kkdash.conf").write_text(lines)
        self._give_away(self.data_dir / "kkdash.conf")
        conf = self.data_dir / "postgresql.conf"
        if "include_if_exists = 'kkdash.conf'" not in conf.read_text():
            with conf.open("a") as stream:
                stream.write("\ninclude_if_exists = 'kkdash.conf'\n")

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.root is None:
            return
        with contextlib.suppress(RuntimeError):  # never started, or already gone: the folder goes either way
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def url(self, database: str = "postgres", *, user: str = SUPERUSER, password: str | None = None) -> str:
        """A SQLAlchemy URL for a database on this server (the superuser's password by default)."""
        secret = self.password if password is None else password
        return f"postgresql+psycopg://{user}:{secret}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", **options) -> psycopg.Connection:
        """A psycopg connection as the superuser (autocommit unless told otherwise)."""
        options.setdefault("autocommit", True)
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password,
                               dbname=database, **options)

    def create_database(self, name: str) -> str:
        """Create an empty database; its URL."""
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
