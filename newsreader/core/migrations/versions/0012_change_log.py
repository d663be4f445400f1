"""The search queue becomes a change log each member of a team archive reads on its own

On PostgreSQL every row records the transaction that wrote it (`txid`, from
pg_current_xact_id()), so a member reading from its cursor up to the oldest transaction
still running never skips a row whose transaction commits after a later one (sequence
numbers are handed out in insert order, not in commit order); `seq` becomes 64-bit, since
nothing is deleted there. On SQLite the writer is serialized, `seq` order is commit
order, and the one index beside the file keeps draining the queue: `txid` stays empty.
Every archive also gets an id of its own, so a member's index knows which archive it is.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ARCHIVE_ID_KEY = "archive_id"  # as in newsreader/core/search/changelog.py


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "search_queue",
        sa.Column("txid", sa.BigInteger(), nullable=True, server_default=(
            sa.text("(pg_current_xact_id()::text::bigint)") if postgresql else None
        )),
    )  # fmt: skip
    if postgresql:
        op.alter_column("search_queue", "seq", type_=sa.BigInteger())
    op.create_index("ix_search_queue_txid_seq", "search_queue", ["txid", "seq"])
    op.execute(
        sa.text("INSERT INTO archive_meta (key, value) VALUES (:key, :value)").bindparams(
            key=ARCHIVE_ID_KEY, value=str(uuid.uuid4())
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM archive_meta WHERE key = :key").bindparams(key=ARCHIVE_ID_KEY))
    op.drop_index("ix_search_queue_txid_seq", "search_queue")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("search_queue", "seq", type_=sa.Integer())
    op.drop_column("search_queue", "txid")
