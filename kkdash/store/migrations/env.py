"""Alembic environment: migrate the connection kkdash.store.migration hands over (online only)."""

from alembic import context

if context.is_offline_mode():
    raise RuntimeError("the chase log is migrated online by kkdash.store.migration.upgrade")

context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
