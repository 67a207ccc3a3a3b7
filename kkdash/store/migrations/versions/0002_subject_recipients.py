"""E-mail reminders written into the chase log: their subject and recipients.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add subject (text) and recipients (a JSON list); entries already there get '' and []."""
    # A constant default fills old rows without an UPDATE, which the append-only triggers would refuse.
    op.add_column("chase_log", sa.Column("subject", sa.Text, nullable=False, server_default=""))
    op.add_column("chase_log", sa.Column("recipients", sa.Text, nullable=False, server_default="[]"))


def downgrade() -> None:
    """Drop subject and recipients (the entries themselves stay)."""
    op.drop_column("chase_log", "recipients")
    op.drop_column("chase_log", "subject")
