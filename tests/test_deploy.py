"""The deployer applies the Sqitch plan without sqitch, and real sqitch (1.3.1) agrees with it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from vestige_client import local_postgres
from vestige_client.deployer.deploy import (
    Plan,
    bundled_plan,
    default_committer,
    deploy,
    require_current,
    status,
    verify,
)
from vestige_client.errors import DeployFailed, SchemaNewer, SchemaNotDeployed, SchemaOutOfDate

REPO = Path(__file__).resolve().parent.parent
NAME, EMAIL = "Carl Committer", "carl@example.invalid"
SQITCH_ENV = {**os.environ, "SQITCH_FULLNAME": NAME, "SQITCH_EMAIL": EMAIL}
PLANNER = "Pat Planner <pat@example.invalid>"

# Every registry table, its columns minus the clock times, and an order that both deployers share.
REGISTRY_QUERIES = {
    "releases": "SELECT version, installer_name, installer_email FROM sqitch.releases ORDER BY version",
    "projects": "SELECT project, uri, creator_name, creator_email FROM sqitch.projects ORDER BY project",
    "changes": """SELECT change_id, script_hash, change, project, note, committer_name, committer_email,
                         planned_at, planner_name, planner_email
                    FROM sqitch.changes ORDER BY committed_at""",
    "tags": """SELECT tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at,
                      planner_name, planner_email
                 FROM sqitch.tags ORDER BY tag""",
    "dependencies": """SELECT change_id, type, dependency, dependency_id
                         FROM sqitch.dependencies ORDER BY change_id, dependency""",
    "events": """SELECT event, change_id, change, project, note, requires, conflicts, tags, committer_name,
                        committer_email, planned_at, planner_name, planner_email
                   FROM sqitch.events ORDER BY committed_at""",
    "schema comment": "SELECT obj_description('sqitch'::regnamespace, 'pg_namespace')",
}
# The registry's shape: columns, types, defaults and constraints (comments are our own words).
SHAPE_QUERIES = {
    "columns": """SELECT table_name, ordinal_position, column_name, data_type, column_default, is_nullable
                    FROM information_schema.columns WHERE table_schema = 'sqitch' ORDER BY 1, 2""",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                        FROM pg_constraint WHERE connamespace = 'sqitch'::regnamespace ORDER BY 1, 2""",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'sqitch' ORDER BY 1",
}


# --- helpers -------------------------------------------------------------------------------------


def _admin(conninfo: str, statement: sql.Composed) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture(scope="module")
def new_database(server_conninfo: str) -> Iterator[Callable[[], str]]:
    """Make empty databases with unique names (conninfo returned); all are dropped at the end."""
    names: list[str] = []

    def create() -> str:
        name = f"vestige_deploy_{uuid.uuid4().hex[:12]}"
        _admin(server_conninfo, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        names.append(name)
        return psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)

    yield create
    for name in names:
        _admin(
            server_conninfo, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _sqitch(project_dir: Path, conninfo: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run real sqitch against `conninfo` in `project_dir`; fail the test on a non-zero exit."""
    result = subprocess.run(
        ["sqitch", *args[:1], local_postgres.sqitch_target(conninfo), *args[1:]],
        cwd=project_dir,
        env=SQITCH_ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _python_deploy(conninfo: str, plan: Plan) -> list[str]:
    return deploy(conninfo, plan, committer_name=NAME, committer_email=EMAIL)


def _query(conninfo: str, queries: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(conninfo) as conn:
        return {name: conn.execute(query.encode()).fetchall() for name, query in queries.items()}


def _status(conninfo: str, plan: Plan) -> Any:
    with psycopg.connect(conninfo) as conn:
        return status(conn, plan)


def _project_copy(tmp_path: Path) -> Path:
    """Copy the Sqitch project (sqitch.conf, sqitch.plan, db/) to tmp_path."""
    for name in ("sqitch.conf", "sqitch.plan"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "db", tmp_path / "db", ignore=shutil.ignore_patterns("tests"))
    return tmp_path


def _add_change(project: Path, name: str, deploy_sql: str, revert_sql: str, verify_sql: str) -> None:
    """Append a change to a project copy's plan, with its three scripts."""
    with (project / "sqitch.plan").open("a") as plan:
        plan.write(f"{name} 2030-01-01T00:00:00Z {PLANNER} # Add {name} for a test.\n")
    for kind, body in (("deploy", deploy_sql), ("revert", revert_sql), ("verify", verify_sql)):
        (project / "db" / kind / f"{name}.sql").write_text(body)


def _load(project: Path) -> Plan:
    return Plan.load(project / "sqitch.plan", project / "db")


def _sqitch_id(project: Path, kind: str, name: str) -> str:
    """The id sqitch gives a change or tag: SHA-1 of the INFO that `sqitch show` prints."""
    info = subprocess.run(["sqitch", "show", kind, name], cwd=project, capture_output=True, check=True).stdout
    info = info.removesuffix(b"\n")
    return hashlib.sha1(f"{kind} {len(info)}\0".encode() + info).hexdigest()


REWORK_PLAN = f"""%syntax-version=1.0.0
%project=flipr
%uri=https://Example.COM:443/flipr/

users 2024-01-01T00:00:00Z {PLANNER} # Créer la table users — ü
userfn 2024-01-02T00:00:00Z {PLANNER} #   Line one\\nline two \\\\ done
widgets [users flipr:userfn !otherproj:legacy] 2024-01-03T00:00:00Z {PLANNER} # Add widgets.
@v1.0 2024-01-04T00:00:00Z {PLANNER} # First release.
userfn [userfn@v1.0] 2024-01-05T00:00:00Z {PLANNER} # Rework userfn.
"""


@pytest.fixture
def rework_project(tmp_path: Path) -> Path:
    """A small project with a %uri, escaped and non-ASCII notes, a tag, dependencies and a rework."""
    (tmp_path / "sqitch.conf").write_text(
        "[core]\n\tengine = pg\n\ttop_dir = db\n\tplan_file = sqitch.plan\n"
    )
    (tmp_path / "sqitch.plan").write_text(REWORK_PLAN)
    function = "CREATE OR REPLACE FUNCTION userfn() RETURNS int LANGUAGE sql AS $$ SELECT {} $$;"
    scripts = {
        "users": ("CREATE TABLE users (id int);", "DROP TABLE users;", "SELECT id FROM users;"),
        "widgets": ("CREATE TABLE widgets (id int);", "DROP TABLE widgets;", "SELECT id FROM widgets;"),
        "userfn@v1.0": (function.format(1), "DROP FUNCTION userfn();", "SELECT userfn();"),
        "userfn": (function.format(2), function.format(1), "SELECT 1 / (userfn() - 1);"),
    }
    for name, bodies in scripts.items():
        for kind, body in zip(("deploy", "revert", "verify"), bodies, strict=True):
            (tmp_path / "db" / kind).mkdir(parents=True, exist_ok=True)
            end = "ROLLBACK" if kind == "verify" else "COMMIT"
            (tmp_path / "db" / kind / f"{name}.sql").write_text(f"BEGIN;\n{body}\n{end};\n")
    return tmp_path


@pytest.fixture(scope="module")
def sqitch_deployed(new_database: Callable[[], str]) -> str:
    """A database the whole plan was deployed to by real `sqitch deploy` (as Carl Committer)."""
    conninfo = new_database()
    _sqitch(REPO, conninfo, "deploy")
    return conninfo


# --- plan and ids --------------------------------------------------------------------------------


def _middle(plan: Plan) -> int:
    """The index of a change about the middle of the plan whose name no rework repeats (so the
    name alone names it, for `sqitch deploy --to`)."""
    names = [change.name for change in plan.changes]
    return next(i for i in range(len(names) // 2, len(names)) if names.count(names[i]) == 1)


def test_change_ids_and_script_hashes_equal_sqitchs() -> None:
    plan = bundled_plan()
    for change in (*plan.changes[:3], plan.changes[_middle(plan)], plan.changes[-1]):
        # @HEAD: the latest instance of a name (a reworked name is ambiguous without a tag).
        assert change.change_id == _sqitch_id(REPO, "change", f"{change.name}@HEAD")
        assert (
            change.script_hash
            == hashlib.sha1((REPO / "db/deploy" / f"{change.name}.sql").read_bytes()).hexdigest()
        )


def test_bundled_plan_in_a_checkout_is_the_repo_plan_with_scripts_under_db() -> None:
    plan = bundled_plan()
    assert (plan.project, plan.top_dir) == ("vestige", REPO / "db")
    assert plan.changes[0].deploy_script == REPO / "db/deploy/role_vestige_owner.sql"
    assert plan.changes[-1].name == (REPO / "sqitch.plan").read_text().splitlines()[-1].split()[0]


def test_ids_match_sqitch_with_uri_escaped_notes_tags_dependencies_and_reworks(rework_project: Path) -> None:
    plan = _load(rework_project)
    users, userfn_v1, widgets, userfn = plan.changes
    assert users.change_id == _sqitch_id(rework_project, "change", "users")
    assert userfn_v1.change_id == _sqitch_id(rework_project, "change", "userfn@v1.0")
    assert widgets.change_id == _sqitch_id(rework_project, "change", "widgets")
    assert userfn.change_id == _sqitch_id(rework_project, "change", "userfn@HEAD")
    assert widgets.tags[0].tag_id == _sqitch_id(rework_project, "tag", "@v1.0")
    assert userfn_v1.note == "Line one\nline two \\ done"
    assert (widgets.requires, widgets.conflicts) == (("users", "userfn"), ("otherproj:legacy",))
    assert (userfn_v1.deploy_script.name, userfn.deploy_script.name) == ("userfn@v1.0.sql", "userfn.sql")


def test_default_committer_is_the_os_user_at_this_host() -> None:
    name, email = default_committer()
    assert name
    assert email.endswith(f"@{os.uname().nodename}")


# --- status --------------------------------------------------------------------------------------


def test_empty_database_is_not_deployed(new_database: Callable[[], str]) -> None:
    plan = bundled_plan()
    with psycopg.connect(new_database()) as conn:
        current = status(conn, plan)
        with pytest.raises(SchemaNotDeployed, match="vestige db deploy"):
            require_current(conn, plan)
    assert (current.state, current.deployed, current.planned) == ("not-deployed", 0, len(plan.changes))
    assert current.pending == tuple(change.name for change in plan.changes)


def test_database_deployed_by_sqitch_is_up_to_date_and_deploy_does_nothing(database: str) -> None:
    plan = bundled_plan()
    with psycopg.connect(database) as conn:
        current = status(conn, plan)
        require_current(conn, plan)
    assert (current.state, current.last_change, current.pending) == ("up-to-date", plan.changes[-1].name, ())
    assert current.deployed == len(plan.changes)
    assert _python_deploy(database, plan) == []


# --- deploy, then sqitch -------------------------------------------------------------------------


def test_python_deploy_passes_sqitch_status_verify_revert_and_deploys_again(
    new_database: Callable[[], str],
) -> None:
    plan = bundled_plan()
    conninfo = new_database()
    assert _python_deploy(conninfo, plan) == [change.name for change in plan.changes]
    assert "Nothing to deploy (up-to-date)" in _sqitch(REPO, conninfo, "status").stdout
    assert "Verify successful" in _sqitch(REPO, conninfo, "verify").stdout
    _sqitch(REPO, conninfo, "revert", "-y")
    assert _status(conninfo, plan).state == "not-deployed"
    assert len(_python_deploy(conninfo, plan)) == len(plan.changes)
    assert "Nothing to deploy (up-to-date)" in _sqitch(REPO, conninfo, "status").stdout
    assert all(result.ok for result in verify(conninfo, plan))  # the same verify scripts, without Perl


def test_registry_rows_and_shape_equal_those_of_sqitch_deploy(
    new_database: Callable[[], str], sqitch_deployed: str
) -> None:
    conninfo = new_database()
    _python_deploy(conninfo, bundled_plan())
    assert _query(conninfo, REGISTRY_QUERIES) == _query(sqitch_deployed, REGISTRY_QUERIES)
    assert _query(conninfo, SHAPE_QUERIES) == _query(sqitch_deployed, SHAPE_QUERIES)


def test_registry_rows_equal_sqitchs_for_a_project_with_tags_reworks_and_uri(
    new_database: Callable[[], str], rework_project: Path
) -> None:
    by_python, by_sqitch = new_database(), new_database()
    plan = _load(rework_project)
    assert _python_deploy(by_python, plan) == ["users", "userfn", "widgets", "userfn"]
    _sqitch(rework_project, by_sqitch, "deploy")
    rows = _query(by_python, REGISTRY_QUERIES)
    assert rows == _query(by_sqitch, REGISTRY_QUERIES)
    assert rows["projects"][0][1] == "https://Example.COM:443/flipr/"
    assert "Verify successful" in _sqitch(rework_project, by_python, "verify").stdout
    assert [result.ok for result in verify(by_python, plan)] == [True, True, True]
    _sqitch(rework_project, by_python, "revert", "-y")


def test_partial_sqitch_deploy_is_out_of_date_until_python_finishes_it(
    new_database: Callable[[], str],
) -> None:
    plan = bundled_plan()
    middle = _middle(plan)
    conninfo = new_database()
    _sqitch(REPO, conninfo, "deploy", "--to", plan.changes[middle].name)
    rest = [change.name for change in plan.changes[middle + 1 :]]
    with psycopg.connect(conninfo) as conn:
        current = status(conn, plan)
        with pytest.raises(SchemaOutOfDate, match=f"{middle + 1} of {len(plan.changes)} changes deployed"):
            require_current(conn, plan)
    assert (current.state, current.last_change, current.pending) == (
        "out-of-date",
        plan.changes[middle].name,
        tuple(rest),
    )
    assert _python_deploy(conninfo, plan) == rest
    assert "Nothing to deploy (up-to-date)" in _sqitch(REPO, conninfo, "status").stdout
    assert all(result.ok for result in verify(conninfo, plan))
    assert _status(conninfo, plan).state == "up-to-date"


# --- what the database has and the plan lacks ------------------------------------------------------


def test_change_unknown_to_the_plan_makes_status_newer_and_deploy_refuse(
    database: str, tmp_path: Path
) -> None:
    project = _project_copy(tmp_path)
    _add_change(
        project,
        "extra_table",
        "BEGIN; CREATE TABLE extra (); COMMIT;",
        "BEGIN; DROP TABLE extra; COMMIT;",
        "",
    )
    _sqitch(project, database, "deploy")
    plan = bundled_plan()
    with psycopg.connect(database) as conn:
        current = status(conn, plan)
        with pytest.raises(SchemaNewer, match="upgrade vestige-postgres"):
            require_current(conn, plan)
    assert (current.state, current.unknown, current.last_change) == ("newer", ("extra_table",), "extra_table")
    assert "extra_table" in current.message
    with pytest.raises(SchemaNewer):
        _python_deploy(database, plan)


def test_tag_added_to_the_deployed_last_change_is_recorded_on_the_next_deploy(
    database: str, tmp_path: Path
) -> None:
    project = _project_copy(tmp_path)
    with (project / "sqitch.plan").open("a") as plan_file:
        plan_file.write(f"@v9.9 2030-01-01T00:00:00Z {PLANNER} # A late tag.\n")
    plan = _load(project)
    assert _python_deploy(database, plan) == []
    tags = _query(database, {"tags": "SELECT tag_id, tag, change_id FROM sqitch.tags WHERE tag = '@v9.9'"})[
        "tags"
    ]
    assert tags == [(_sqitch_id(project, "tag", "@v9.9"), "@v9.9", plan.changes[-1].change_id)]


# --- failures ------------------------------------------------------------------------------------


def test_failing_script_logs_fail_reverts_the_run_and_names_the_change(database: str, tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    _add_change(
        project,
        "extra_ok",
        "BEGIN; CREATE TABLE extra_ok (); COMMIT;",
        "BEGIN; DROP TABLE extra_ok; COMMIT;",
        "",
    )
    _add_change(
        project, "extra_broken", "BEGIN; DO $$ BEGIN RAISE 'the server says no'; END $$; COMMIT;", "", ""
    )
    plan = _load(project)
    with pytest.raises(DeployFailed, match="extra_broken") as failure:
        _python_deploy(database, plan)
    assert "the server says no" in str(failure.value)
    rows = _query(
        database,
        {
            "changes": "SELECT change FROM sqitch.changes WHERE change LIKE 'extra%'",
            "events": """SELECT event, change FROM sqitch.events
                          WHERE change LIKE 'extra%' ORDER BY committed_at""",
            "table": "SELECT to_regclass('public.extra_ok')",
        },
    )
    assert rows == {
        "changes": [],
        "events": [("deploy", "extra_ok"), ("fail", "extra_broken"), ("revert", "extra_ok")],
        "table": [(None,)],
    }
    assert _status(database, bundled_plan()).state == "up-to-date"


def test_script_that_leaves_a_transaction_open_fails_and_is_rolled_back(
    database: str, tmp_path: Path
) -> None:
    project = _project_copy(tmp_path)
    _add_change(project, "extra_open", "BEGIN; CREATE TABLE extra_open ();", "", "")
    with pytest.raises(DeployFailed, match=r"extra_open.*transaction open"):
        _python_deploy(database, _load(project))
    assert _query(database, {"table": "SELECT to_regclass('public.extra_open')"})["table"] == [(None,)]


def test_deploy_gives_up_when_another_deployer_holds_the_lock_past_the_timeout(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(75474063)")
        with pytest.raises(DeployFailed, match="another deploy"):
            deploy(database, bundled_plan(), committer_name=NAME, committer_email=EMAIL, lock_timeout=0.1)


# --- verify --------------------------------------------------------------------------------------


def test_verify_reports_a_failing_verify_script_and_undeployed_changes_without_raising(
    database: str, tmp_path: Path
) -> None:
    project = _project_copy(tmp_path)
    _add_change(project, "extra_a", "BEGIN; COMMIT;", "BEGIN; COMMIT;", "BEGIN; SELECT 1 / 0; ROLLBACK;")
    _add_change(project, "extra_b", "BEGIN; COMMIT;", "BEGIN; COMMIT;", "BEGIN; ROLLBACK;")
    _sqitch(project, database, "deploy", "--to", "extra_a")
    results = verify(database, _load(project))
    failed = [(r.change, r.ok, r.detail) for r in results if not r.ok]
    assert failed == [("extra_a", False, "division by zero"), ("extra_b", False, "not deployed")]
    # One result per change; a reworked change is verified through its latest instance only.
    assert len(results) == len([c for c in bundled_plan().changes if not c.reworked]) + 2
