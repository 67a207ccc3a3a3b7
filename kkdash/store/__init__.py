"""The chase log's storage: SQLAlchemy Core on SQLite (default) or PostgreSQL, schema kept by Alembic."""

from kkdash.store.chaselog import ChaseLog
from kkdash.store.engine import default_database_url
from kkdash.store.errors import StoreError

__all__ = ["ChaseLog", "StoreError", "default_database_url"]
