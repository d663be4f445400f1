"""Read and starred marks, and the article open last, become each member's own

Until now an article was read or starred for everyone who opened the archive; on a team
archive one member's reading emptied everyone's Unread. The marks move to
`member_states` (one row per member and article that has a mark) and the member's
archive-bound settings to `member_settings`. The marks kept so far become those of the
member upgrading the archive: on a personal archive its reader ($NEWSREADER_CODER or the
login, as Archive.member says before Preferences name one); on a team archive the role
running the upgrade. A change to a mark queues the article for the search index
(`is:unread` is answered there). On a team archive that is already set up, readers get
the right to keep their own marks and row-level security keeps them theirs.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from newsreader.core.db import create_trigger, drop_trigger

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

QUEUE = "INSERT INTO search_queue (article_id) "
OLD_INDEXED = "title, byline, text, section_id, source_id, published_at, is_read, is_starred"
INDEXED = "title, byline, text, section_id, source_id, published_at"
OLD_LIST_ROW = ("id", "title", "section_id", "source_id", "published_at", "saved_at", "is_read",
                "is_starred")  # fmt: skip
LIST_ROW = OLD_LIST_ROW[:-2]


def _requeue_on_update(bind: sa.Connection, columns: str) -> None:
    drop_trigger(bind, "search_queue_update", "articles")
    create_trigger(bind, "search_queue_update", f"UPDATE OF {columns}", "articles",
                   QUEUE + "VALUES (new.id)")  # fmt: skip


def upgrade() -> None:
    from newsreader.core.archive import local_member_name

    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    op.create_table(
        "member_states",
        sa.Column("member", sa.String(length=120), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("is_starred", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            ondelete="CASCADE",
            name=op.f("fk_member_states_article_id_articles"),
        ),
        sa.PrimaryKeyConstraint("member", "article_id", name=op.f("pk_member_states")),
    )
    op.create_index(op.f("ix_member_states_article_id"), "member_states", ["article_id"])
    op.create_index("ix_member_states_starred", "member_states", ["member", "is_starred"])
    op.create_table(
        "member_settings",
        sa.Column("member", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("member", "key", name=op.f("pk_member_settings")),
    )
    member = "current_user" if postgresql else ":member"
    op.execute(
        sa.text(
            "INSERT INTO member_states (member, article_id, is_read, is_starred, changed_at) "
            f"SELECT {member}, id, is_read, is_starred, saved_at FROM articles "
            "WHERE is_read OR is_starred"
        ).bindparams(*([] if postgresql else [sa.bindparam("member", local_member_name())]))
    )
    # The article's own columns go, and the indexes and trigger that named them.
    _requeue_on_update(bind, INDEXED)
    op.drop_index("ix_articles_source_read", "articles")
    op.drop_index("ix_articles_list_row", "articles")
    op.drop_column("articles", "is_read")  # in place: a rebuild would break the triggers
    op.drop_column("articles", "is_starred")
    op.create_index("ix_articles_list_row", "articles", list(LIST_ROW))
    for event, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        create_trigger(bind, f"search_queue_state_{event.lower()}", event, "member_states",
                       QUEUE + f"VALUES ({row}.article_id)")  # fmt: skip
    if postgresql:
        from newsreader.core.team import grant_rights

        grant_rights(bind)  # a team set up before: its readers keep their own marks


def downgrade() -> None:
    bind = op.get_bind()
    for event in ("insert", "update", "delete"):
        drop_trigger(bind, f"search_queue_state_{event}", "member_states")
    op.drop_index("ix_articles_list_row", "articles")
    op.add_column("articles", sa.Column("is_read", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))  # fmt: skip
    op.add_column("articles", sa.Column("is_starred", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))  # fmt: skip
    for column in ("is_read", "is_starred"):  # anyone's mark, as before members had their own
        op.execute(
            f"UPDATE articles SET {column} = true WHERE id IN "
            f"(SELECT article_id FROM member_states WHERE {column})"
        )
    op.create_index("ix_articles_list_row", "articles", list(OLD_LIST_ROW))
    op.create_index("ix_articles_source_read", "articles", ["source_id", "is_read"])
    _requeue_on_update(bind, OLD_INDEXED)
    op.drop_table("member_settings")
    op.drop_table("member_states")
