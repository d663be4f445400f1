"""The throwaway PostgreSQL server the tests start (newsreader/pgserver.py)."""

import os

import psycopg

from newsreader.pgserver import PostgresServer


def test_the_server_runs_as_an_unprivileged_user_and_answers_on_localhost(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as connection:
        version = connection.execute("SHOW server_version_num").fetchone()
        address = connection.execute("SELECT inet_server_addr()::text").fetchone()
    assert version is not None and int(version[0]) >= 150000
    assert address is not None and address[0].startswith("127.0.0.1")
    owner = (postgres_server.data / "PG_VERSION").stat().st_uid
    assert owner != 0 or os.geteuid() != 0


def test_each_test_gets_a_database_of_its_own(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as connection:
        connection.execute("CREATE TABLE mine (x int)")
    other = postgres_server.create_database()
    try:
        with psycopg.connect(postgres_server.url(other)) as connection:
            found = connection.execute("SELECT to_regclass('mine')").fetchone()
        assert found == (None,)
    finally:
        postgres_server.drop_database(other)
