"""Bring a chase-log database to the schema this code expects, with the Alembic scripts in migrations/."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

SCRIPT_LOCATION = "kkdash.store:migrations"
# Any number, the same in every process: PostgreSQL serialises the app processes that start together.
_PG_MIGRATION_LOCK = 7_401_514


def _config(connection: Connection | None = None) -> Config:
    """A connection -> Alembic's configuration, built in code (no alembic.ini at run time)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


@cache
def revisions() -> tuple[str, ...]:
    """The revisions this code knows, oldest first."""
    scripts = ScriptDirectory.from_config(_config())
    return tuple(reversed([script.revision for script in scripts.walk_revisions()]))


def head() -> str:
    """The newest revision this code knows."""
    return revisions()[-1]


def current(engine: Engine) -> str | None:
    """A database -> the revision its schema is at (None when it has no chase log yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate a database forward to `revision` in one transaction, one process at a time."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take a database's schema back to `revision` (an operator's tool; 0001 -> base drops every entry)."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step, revision: str) -> None:
    """Run an Alembic command on one connection, in one transaction holding the write lock."""
    with engine.connect() as connection:
        connection.execution_options(writes=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            step(_config(connection), revision)
