"""The operator commands (`vestige db`, `vestige migrate`) connect one way and fail as one line.

Each runs in process through typer's CliRunner against a refused server, or on a fresh database
as a login that lacks a role: the error is one `error: ...` line on stderr and exit code 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner, Result

from vestige_client.cli import app

REFUSED = "postgresql://vestige@127.0.0.1:1/vestige?connect_timeout=5"  # nothing listens on port 1
SMALL = "sentence-transformers/all-MiniLM-L6-v2@256"


def vestige(url: str, home: Path, *args: str, **env: str) -> Result:
    base = {"VESTIGE_DATABASE_URL": url, "XDG_CONFIG_HOME": str(home), "VESTIGE_CONFIG": ""}
    return CliRunner().invoke(app, list(args), env={**base, **env})


def one_error_line(result: Result) -> str:
    """The only line on stderr, without its `error: ` prefix (the command must have exited 1)."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0].removeprefix("error: ")


OPERATOR_COMMANDS = [
    ["db", "status"],
    ["db", "deploy"],
    ["db", "verify"],
    ["migrate", "status"],
    ["migrate", "cleanup"],
    ["migrate", "rollback"],
    ["migrate", "reembed", "--model", SMALL, "--yes", "--no-backup-check"],
]


@pytest.mark.parametrize("command", OPERATOR_COMMANDS, ids=" ".join)
def test_a_refused_connection_is_one_line_that_says_what_to_check(command: list[str], tmp_path: Path) -> None:
    message = one_error_line(vestige(REFUSED, tmp_path, *command))
    assert message.startswith("cannot connect to PostgreSQL: ")
    assert "Connection refused" in message and "check VESTIGE_DATABASE_URL" in message


def test_a_refused_copy_target_is_one_line(tmp_path: Path) -> None:
    store = tmp_path / "vestige.db"
    store.write_bytes(b"")
    result = vestige("", tmp_path, "migrate", "copy", "--from", str(store), "--to", REFUSED, "--dry-run")
    assert one_error_line(result).startswith("cannot connect to PostgreSQL: ")


def test_db_status_of_an_embedded_server_that_is_not_running_starts_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "pg"
    env = {"VESTIGE_STORAGE__EMBEDDED__DATA_DIR": str(data_dir), "VESTIGE_DATABASE_URL": ""}
    result = CliRunner().invoke(
        app, ["db", "status"], env={"XDG_CONFIG_HOME": str(tmp_path), "VESTIGE_CONFIG": "", **env}
    )
    assert result.exit_code == 0, result.stderr
    assert "schema: unknown (not running)" in result.stdout
    assert not data_dir.exists()


@pytest.fixture
def login(server_conninfo: str, database: str) -> Iterator[Callable[[str], str]]:
    """Make a login role (`IN ROLE ...` or '' for none) and return a URL of the database for it."""
    made: list[str] = []

    def make(membership: str) -> str:
        role = f"vestige_test_login_{uuid.uuid4().hex[:8]}"
        statement = sql.SQL("CREATE ROLE {} LOGIN " + membership).format(sql.Identifier(role))
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(statement)
        made.append(role)
        return psycopg.conninfo.make_conninfo(database, user=role)

    yield make
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        for role in made:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.mark.parametrize("command", [["migrate", "cleanup"], ["migrate", "rollback"]], ids=" ".join)
def test_an_application_login_is_told_the_owner_role_in_one_line(
    login: Callable[[str], str], command: list[str], tmp_path: Path
) -> None:
    message = one_error_line(vestige(login("IN ROLE vestige_app"), tmp_path, *command))
    assert message.startswith("switching models changes the schema: it needs the owner role vestige_owner")


def test_an_application_login_reads_the_migrate_status(login: Callable[[str], str], tmp_path: Path) -> None:
    result = vestige(login("IN ROLE vestige_app"), tmp_path, "migrate", "status", "--json")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(["migrate", "status"], "the login role vestige_test_login_", id="migrate status"),
        pytest.param(["db", "status"], "permission denied for schema sqitch", id="db status"),
        pytest.param(["db", "verify"], "permission denied for schema sqitch", id="db verify"),
        pytest.param(["db", "deploy"], "permission denied for schema sqitch", id="db deploy"),
    ],
)
def test_a_login_outside_vestige_app_gets_one_line(
    login: Callable[[str], str], command: list[str], expected: str, tmp_path: Path
) -> None:
    message = one_error_line(vestige(login(""), tmp_path, *command))
    assert message.startswith(expected), message
