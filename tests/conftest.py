"""Shared fixtures: one test server per session, a template database deployed once with Sqitch,
and a fresh database per test cloned from that template.

The server is, in this order: VESTIGE_TEST_DSN when set (an external server, with a superuser
DSN: tests create databases); a pgvector container through testcontainers when
VESTIGE_TEST_SERVER=container (needs a Docker engine; the image is VESTIGE_TEST_IMAGE, default
pgvector/pgvector:pg17); otherwise the embedded PostgreSQL, started in VESTIGE_TEST_PGDATA
(default /tmp/vestige-test-pg). Nothing falls back silently: a container that cannot start fails
the session.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from vestige_client import local_postgres

REPO = Path(__file__).resolve().parent.parent
LOCAL_USER = uuid.UUID("00000000-0000-0000-0000-000000000001")


def _server_conninfo() -> Iterator[str]:
    dsn = os.environ.get("VESTIGE_TEST_DSN")
    if dsn:
        yield dsn
    elif os.environ.get("VESTIGE_TEST_SERVER") == "container":
        from testcontainers.community.postgres import PostgresContainer

        image = os.environ.get("VESTIGE_TEST_IMAGE", "pgvector/pgvector:pg17")
        with PostgresContainer(image, driver=None) as container:
            yield container.get_connection_url()
    else:
        yield local_postgres.start(
            Path(os.environ.get("VESTIGE_TEST_PGDATA", "/tmp/vestige-test-pg"))
        ).conninfo()


def _with_dbname(conninfo: str, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(conninfo, dbname=dbname)


@pytest.fixture(scope="session")
def server_conninfo() -> Iterator[str]:
    """Conninfo of the test server's maintenance database (superuser)."""
    yield from _server_conninfo()


def _admin(conninfo: str, statement: sql.Composed) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture(scope="session")
def template_db(server_conninfo: str) -> Iterator[str]:
    """Name of a database with the whole Sqitch plan deployed, used as a template."""
    name = f"vestige_template_{os.getpid()}"
    _admin(server_conninfo, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    _admin(server_conninfo, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    target = local_postgres.sqitch_target(_with_dbname(server_conninfo, name))
    subprocess.run(["sqitch", "deploy", "--quiet", target], cwd=REPO, check=True)
    yield name
    _admin(server_conninfo, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database(server_conninfo: str, template_db: str) -> Iterator[str]:
    """Conninfo of a fresh database cloned from the deployed template (superuser)."""
    name = f"vestige_test_{uuid.uuid4().hex[:12]}"
    _admin(
        server_conninfo,
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template_db)),
    )
    yield _with_dbname(server_conninfo, name)
    _admin(server_conninfo, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def conn(database: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit superuser connection to a fresh deployed database."""
    with psycopg.connect(database, autocommit=True) as connection:
        yield connection
