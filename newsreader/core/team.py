"""A team archive on PostgreSQL: its members, and what each may do — enforced by the server.

Four roles, each a group role of the server named after the database, each with the rights
of the one before it:

- *reader* reads everything (and keeps their own read and starred marks and the article
  open last, and the similar-articles lists computed while reading);
- *annotator* also makes highlights and notes, and changes or deletes only its own;
- *editor* also imports, tags and deletes articles, edits the codebook and feeds, and may
  re-anchor anyone's highlights when an article's text changes;
- *owner* also adds and removes members.

GRANTs give each role its tables; row-level security keeps each highlight its author's
and each member's marks their own (no member sees another's), so a member connecting
with `psql` is held to the same rules as the app. `init` can be run again at any time
(after an upgrade added tables, say): it only ever adds what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Connection, text

from newsreader.core import db
from newsreader.core.errors import ArchiveError

if TYPE_CHECKING:
    from newsreader.core.archive import Archive

Role = Literal["reader", "annotator", "editor", "owner"]
ROLES: tuple[Role, ...] = ("reader", "annotator", "editor", "owner")
ROLE_DESCRIPTIONS: dict[Role, str] = {
    "reader": "reads everything; marks read and starred",
    "annotator": "also highlights and writes notes; changes or deletes only their own",
    "editor": "also imports, tags and deletes articles; edits the codebook and feeds",
    "owner": "also adds and removes members",
}
# What a reader writes just by reading: its marks, the similar-articles lists (computed
# when an article is first opened), and the change log those writes append to.
READER_WRITES = ("similar_cache", "related_links", "search_queue", "member_states",
                 "member_settings")  # fmt: skip
ANNOTATOR_WRITES = ("annotations", "annotation_codes")


class TeamError(ArchiveError):
    """A team command that cannot be carried out; the message says why."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    role: Role


def group_role(database: str, role: Role) -> str:
    """The server's group role for one team role of one archive (e.g. "lab_editor")."""
    return f"{database}_{role}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connection_facts(conn: Connection) -> tuple[str, str]:
    database, user = conn.execute(text("SELECT current_database(), current_user")).one()
    return str(database), str(user)


def _require_postgresql(archive: Archive) -> None:
    if archive.writer.dialect.name != "postgresql":
        raise TeamError(
            "members and roles belong to team archives on a PostgreSQL server; a personal "
            "archive file has one reader — copy it to a server first (newsreader copy)"
        )


def init(archive: Archive) -> list[Member]:
    """Make the archive a team archive: its four group roles, their rights, row-level
    security on highlights; the member running it becomes an owner. Run by the owner of
    the archive's tables (who created it)."""
    _require_postgresql(archive)
    with archive.writer.begin() as conn:
        database, user = _connection_facts(conn)
        roles = {role: _quoted(group_role(database, role)) for role in ROLES}
        for role, name in roles.items():
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                                  {"n": group_role(database, role)}).first()  # fmt: skip
            if exists is None:
                conn.execute(text(f"CREATE ROLE {name} NOLOGIN"))
        for lower, higher in pairwise(ROLES):
            conn.execute(text(f"GRANT {roles[lower]} TO {roles[higher]}"))
        grant_rights(conn)
        for role in ("reader", "annotator", "editor"):  # owners manage the members
            conn.execute(text(f"GRANT {roles[role]} TO {roles['owner']} WITH ADMIN OPTION"))
        conn.execute(text(f"GRANT {roles['owner']} TO {_quoted(user)} WITH ADMIN OPTION"))
    return members(archive)


def grant_rights(conn: Connection) -> None:
    """Give the team's roles their rights on every table and the row-level security of
    highlights and marks: by `init`, and by an upgrade that adds tables to an archive
    whose team is set up (a personal or not-yet-shared archive has no roles: nothing)."""
    database, _user = _connection_facts(conn)
    roles = {role: _quoted(group_role(database, role)) for role in ROLES}
    found = conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)"),
                         {"names": [group_role(database, r) for r in ROLES]}).scalar()  # fmt: skip
    if found != len(ROLES):
        return
    for statement in _grants(roles):
        conn.execute(text(statement))
    for statement in _policies(group_role(database, "editor")):
        conn.execute(text(statement))


def _grants(roles: dict[Role, str]) -> list[str]:
    reader, annotator, editor = roles["reader"], roles["annotator"], roles["editor"]
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {reader}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}",
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {editor}",
        # UPDATE: undoing a delete puts an article back under its id, and moves the
        # sequence past it (setval).
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {editor}",
        # Tables a later upgrade adds: readable by all, writable by editors.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {reader}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT, UPDATE, DELETE ON TABLES "
        f"TO {editor}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES "
        f"TO {editor}",
    ]
    for role, tables in ((reader, READER_WRITES), (annotator, ANNOTATOR_WRITES)):
        statements += [f"GRANT INSERT, UPDATE, DELETE ON {table} TO {role}" for table in tables]
    # Ids come from sequences: anyone who may add a row may draw one (drawing one tells
    # nothing and changes nothing else).
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {reader}")
    return statements


def _policies(editor_name: str) -> list[str]:
    """Row-level security: everyone reads every row; a highlight (and its codes) is changed
    or deleted by its author, or by an editor (re-anchoring after a text change); the
    links an import found on a page are an editor's, the similar-articles lists anyone's."""
    literal = editor_name.replace("'", "''")
    is_editor = f"pg_has_role(current_user, '{literal}', 'MEMBER')"
    own = f"(author = current_user OR {is_editor})"
    own_annotation = (
        "EXISTS (SELECT 1 FROM annotations a WHERE a.id = annotation_id "
        f"AND (a.author = current_user OR {is_editor}))"
    )
    computed = f"(origin <> 'page' OR {is_editor})"
    mine = "(member = current_user)"
    policies = {
        "annotations": {
            "read": "FOR SELECT USING (true)",
            # An editor puts back anyone's highlights with the article they undeleted.
            "make": f"FOR INSERT WITH CHECK {own}",
            "change": f"FOR UPDATE USING {own} WITH CHECK {own}",
            "remove": f"FOR DELETE USING {own}",
        },
        "annotation_codes": {
            "read": "FOR SELECT USING (true)",
            "make": f"FOR INSERT WITH CHECK ({own_annotation})",
            "remove": f"FOR DELETE USING ({own_annotation})",
        },
        "member_states": {"mine": f"FOR ALL USING {mine} WITH CHECK {mine}"},
        "member_settings": {"mine": f"FOR ALL USING {mine} WITH CHECK {mine}"},
        "related_links": {
            "read": "FOR SELECT USING (true)",
            "make": f"FOR INSERT WITH CHECK {computed}",
            "change": f"FOR UPDATE USING {computed} WITH CHECK {computed}",
            "remove": f"FOR DELETE USING {computed}",
        },
    }
    statements = [  # the marks are private from the tables' owner too (a member as well)
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"
        for table in ("member_states", "member_settings")
    ]
    for table, rules in policies.items():
        statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, rule in rules.items():
            statements.append(f"DROP POLICY IF EXISTS team_{name} ON {table}")
            statements.append(f"CREATE POLICY team_{name} ON {table} {rule}")
    return statements


def add_member(archive: Archive, name: str, role: Role) -> Member:
    """Give `name` (a login role of the server; created without a password if missing —
    the administrator or the member sets one) exactly this role in the team."""
    _require_postgresql(archive)
    if role not in ROLES:
        raise TeamError(f"no role {role!r}: choose one of {', '.join(ROLES)}")
    if not name.strip():
        raise TeamError("a member needs a name (their PostgreSQL login)")
    with archive.writer.begin() as conn:
        database, _user = _connection_facts(conn)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                              {"n": name}).first()  # fmt: skip
        try:
            if exists is None:
                conn.execute(text(f"CREATE ROLE {_quoted(name)} LOGIN"))
            for other in ROLES:
                if other != role:
                    conn.execute(text(
                        f"REVOKE {_quoted(group_role(database, other))} FROM {_quoted(name)}"
                    ))  # fmt: skip
            conn.execute(text(f"GRANT {_quoted(group_role(database, role))} TO {_quoted(name)}"))
        except Exception as error:  # the server's own refusal, said as it is
            raise TeamError(f"could not make {name} a {role}: {db.reason(error)}") from error
    return Member(name, role)


def members(archive: Archive) -> list[Member]:
    """Every login of the team with its highest role, by name."""
    _require_postgresql(archive)
    with archive.reader.connect() as conn:
        database, _user = _connection_facts(conn)
        found: dict[str, Role] = {}
        for role in ROLES:  # lowest first: a higher role overwrites
            rows = conn.execute(text(
                "SELECT m.rolname FROM pg_auth_members am "
                "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
                "WHERE g.rolname = :g AND m.rolcanlogin"
            ), {"g": group_role(database, role)})  # fmt: skip
            for (member,) in rows:
                found[str(member)] = role
    return [Member(name, role) for name, role in sorted(found.items())]


@dataclass(frozen=True, slots=True)
class Reachable:
    """What trying a team archive's address found (before opening it for good)."""

    member: str
    role: Role | None  # None: the archive is not (yet) a team archive, or no role here
    articles: int | None  # None: an empty database — opening makes the archive


class Team:
    """The members of a team archive and their roles, reached as `archive.team`."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def init(self) -> list[Member]:
        """Make the archive a team archive; the member running it becomes an owner."""
        return init(self.archive)

    def add_member(self, name: str, role: Role) -> Member:
        """Give a server login exactly this role in the team."""
        return add_member(self.archive, name, role)

    def members(self) -> list[Member]:
        """Every login of the team with its highest role, by name."""
        return members(self.archive)


def probe(address: str) -> Reachable:
    """Connect to a team archive's address once, as the member would, without opening or
    upgrading it: who we are there, with which role, and how many articles it holds. An
    address that cannot be reached raises TeamError saying why, for a person."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    engine = create_engine(db.server_url(address), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            database, member = _connection_facts(conn)
            role = None
            for candidate in ROLES:  # lowest first: the highest one held wins
                held = conn.execute(
                    text("SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles "
                         "WHERE rolname = :g"),
                    {"g": group_role(database, candidate)},
                ).scalar()  # fmt: skip
                role = candidate if held else role
            has_articles = conn.execute(text("SELECT to_regclass('articles') IS NOT NULL")).scalar()
            articles = (conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
                        if has_articles else None)  # fmt: skip
    except DBAPIError as error:
        host = db.server_url(address).host or "the server"
        raise TeamError(
            f"Could not reach the team archive on {host} — is the server running, and are "
            f"the address, your name and password right? ({db.reason(error)})"
        ) from error
    finally:
        engine.dispose()
    return Reachable(member, role, articles)
