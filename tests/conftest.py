"""Shared fixtures: one test server per run, a template database deployed once with Sqitch,
and a fresh database per test cloned from that template.

The server is, in this order: VESTIGE_TEST_DSN when set (an external server, with a superuser
DSN: tests create databases); a pgvector container through testcontainers when
VESTIGE_TEST_SERVER=container (needs a Docker engine; the image is VESTIGE_TEST_IMAGE, default
pgvector/pgvector:pg17); otherwise the embedded PostgreSQL, started in VESTIGE_TEST_PGDATA
(default /tmp/vestige-test-pg), and stopped at the end when the run started it. Nothing falls
back silently: a container that cannot start fails the session.

Under pytest-xdist (`pytest -n N`, as scripts/test runs it) the controller starts the server and
deploys the template once, before any worker starts, and hands both to the workers; each worker
only clones (databases are named by uuid). Without xdist the session does both itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from vestige_client import local_postgres
from vestige_client.deployer.deploy import bundled_plan, default_committer, deploy

LOCAL_USER = uuid.UUID("00000000-0000-0000-0000-000000000001")
# The reliability suite's `reliability:` summary: a plugin, since the xdist controller loads no
# conftest below tests/ (tests/reliability/figures.py says more).
pytest_plugins = ["reliability.figures"]
# The files that take longest, run first: with one file per worker (--dist loadfile) a long file
# handed out last would keep one worker busy while the others idle.
SLOW_FIRST = [  # longest first (measured per file, 2026-12-07 12:20), so the two workers end together
    "test_deploy.py", "test_migrate_reembed.py", "test_fuzz_mcp.py", "test_runbook.py", "test_secrets.py",
    "test_onnx_embed.py", "test_mcp.py", "test_local_postgres.py", "test_serve.py", "test_migrate_copy.py",
    "test_database_down.py", "test_identity.py", "test_client.py", "test_cli_edges.py", "test_cli.py",
    "test_dashboard.py", "test_dashboard_browser.py", "test_replicas.py", "test_kill.py",
    "test_concurrency.py",
]  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the tests of SLOW_FIRST first, in that order; the rest keep theirs."""
    items.sort(key=lambda item: SLOW_FIRST.index(item.path.name) if item.path.name in SLOW_FIRST else 99)


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
        data_dir = Path(os.environ.get("VESTIGE_TEST_PGDATA", "/tmp/vestige-test-pg"))
        started_here = not local_postgres.status(data_dir).running
        try:
            yield local_postgres.start(data_dir).conninfo()
        finally:
            if started_here:  # a server this run started is stopped; one already running is left
                local_postgres.stop(data_dir)


def _with_dbname(conninfo: str, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(conninfo, dbname=dbname)


def _admin(conninfo: str, statement: sql.Composed) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def _template(server: str) -> Iterator[str]:
    """A database with the whole Sqitch plan deployed, to clone (dropped at the end).

    Deployed by the Python deployer, the one the embedded default runs, in a second where `sqitch
    deploy` takes ten: tests/test_deploy.py proves both write the same registry and schema, and
    scripts/test runs the Sqitch round trip itself.
    """
    name = f"vestige_template_{os.getpid()}"
    _admin(server, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    _admin(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        committer, email = default_committer()
        deploy(_with_dbname(server, name), bundled_plan(), committer_name=committer, committer_email=email)
        yield name
    finally:
        _admin(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class _SharedServer:
    """The xdist controller's plugin: one server and one template for every worker."""

    def __init__(self) -> None:
        self._resources = ExitStack()
        self._shared: dict[str, str] | None = None

    def pytest_configure_node(self, node: Any) -> None:
        if self._shared is None:
            server = self._resources.enter_context(contextmanager(_server_conninfo)())
            self._shared = {"server": server, "template": self._resources.enter_context(_template(server))}
        node.workerinput["vestige_test"] = self._shared

    def pytest_unconfigure(self) -> None:
        self._resources.close()


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_SharedServer(), "vestige_shared_server")


def _shared(config: pytest.Config) -> dict[str, str] | None:
    """The server and template the xdist controller made (None: not a worker)."""
    shared: dict[str, str] | None = getattr(config, "workerinput", {}).get("vestige_test")
    return shared


@pytest.fixture(scope="session")
def server_conninfo(pytestconfig: pytest.Config) -> Iterator[str]:
    """Conninfo of the test server's maintenance database (superuser)."""
    shared = _shared(pytestconfig)
    if shared is not None:
        yield shared["server"]
    else:
        yield from _server_conninfo()


@pytest.fixture(scope="session")
def template_db(pytestconfig: pytest.Config, server_conninfo: str) -> Iterator[str]:
    """Name of a database with the whole Sqitch plan deployed, used as a template."""
    shared = _shared(pytestconfig)
    if shared is not None:
        yield shared["template"]
    else:
        with _template(server_conninfo) as name:
            yield name


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
