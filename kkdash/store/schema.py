"""The chase log's table as the code reads and writes it (the schema at the newest migration)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UtcDateTime(TypeDecorator):
    """An aware datetime <-> UTC in the database: timestamptz on PostgreSQL, UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """An aware datetime -> UTC (naive on SQLite, whose text has no offset); naive is refused."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("chase log times must be timezone-aware")
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """A stored time -> an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


chase_log = Table(
    "chase_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign", Date, nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("promised_on", Date, nullable=True),
    Column("author", String(200), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("corrects", Integer, ForeignKey("chase_log.id"), nullable=True),
    Column("subject", Text, nullable=False, server_default=""),
    Column("recipients", Text, nullable=False, server_default="[]"),  # a JSON list of addresses
    sqlite_autoincrement=True,
)
