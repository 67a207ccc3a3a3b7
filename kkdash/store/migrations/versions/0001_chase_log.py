"""The chase log: one row per action HR took about an agency in a campaign; rows are never changed.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REFUSAL = "บันทึกการติดตามแก้ไขหรือลบไม่ได้ ให้เพิ่มบันทึกใหม่ที่แก้ไขรายการเดิมแทน (chase_log is append-only)"
# The database itself refuses to change or remove an entry, whoever connects and however.
APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER chase_log_no_update BEFORE UPDATE ON chase_log BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
        f"CREATE TRIGGER chase_log_no_delete BEFORE DELETE ON chase_log BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION chase_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$",
        "CREATE TRIGGER chase_log_no_change BEFORE UPDATE OR DELETE ON chase_log "
        "FOR EACH ROW EXECUTE FUNCTION chase_log_refuse_change()",
        "CREATE TRIGGER chase_log_no_truncate BEFORE TRUNCATE ON chase_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION chase_log_refuse_change()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER chase_log_no_update", "DROP TRIGGER chase_log_no_delete"],
    "postgresql": ["DROP TRIGGER chase_log_no_change ON chase_log", "DROP TRIGGER chase_log_no_truncate ON chase_log",
                   "DROP FUNCTION chase_log_refuse_change()"],
}


def upgrade() -> None:
    """Create chase_log, its (campaign, agency_id, at) index and the triggers that refuse edits."""
    op.create_table(
        "chase_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign", sa.Date, nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("promised_on", sa.Date, nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrects", sa.Integer, sa.ForeignKey("chase_log.id", name="chase_log_corrects_fkey"),
                  nullable=True),
        sqlite_autoincrement=True,  # an id is never handed out twice
    )
    op.create_index("chase_log_campaign_agency_at", "chase_log", ["campaign", "agency_id", "at"])
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    """Drop the chase log and every entry in it."""
    for statement in DROP_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("chase_log_campaign_agency_at", table_name="chase_log")
    op.drop_table("chase_log")
