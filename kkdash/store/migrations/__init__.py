"""Alembic's scripts for the chase log's schema; run by kkdash.store.migration, no alembic.ini needed."""
