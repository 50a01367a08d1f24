"""Identity bound to credentials, end to end: personal logins (raw psycopg, the client, a real
`vestige-mcp` over stdio), service sessions, API keys (the client and the `vestige key` commands).

The attacker is a team member with a personal login (a member of vestige_app bound to their own
user): every attempt to act as someone else fails with VS015 and changes nothing. Logins are
real roles on the test server (cluster-wide, so named uniquely and dropped at the end).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql
from test_cli import Vestige
from test_client import settings_for
from test_mcp import mcp_server

from vestige_client import errors, keys, local_postgres
from vestige_client.client import Client, NewMemory
from vestige_client.db import scalar
from vestige_client.deployer.deploy import bundled_plan, deploy

REPO = Path(__file__).resolve().parent.parent
KEY = re.compile(r"vst_[A-Za-z0-9_-]{43}")
Login = Callable[..., str]


@pytest.fixture
def login(database: str, server_conninfo: str) -> Iterator[Login]:
    """Make a login role in `database`: `login(in_role="vestige_app")` -> its conninfo."""
    made: list[str] = []

    def make(in_role: str = "vestige_app") -> str:
        name = f"tap_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(
                pgsql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw' IN ROLE {}").format(
                    pgsql.Identifier(name), pgsql.Identifier(in_role)
                )
            )
        made.append(name)
        return psycopg.conninfo.make_conninfo(database, user=name, password="pw")

    yield make
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        for name in made:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %(n)s", {"n": name}
            )
            admin.execute(pgsql.SQL("DROP ROLE {}").format(pgsql.Identifier(name)))


def role_of(conninfo: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(conninfo)["user"]  # type: ignore[return-value]


@pytest.fixture
def team(conn: psycopg.Connection[Any]) -> dict[str, uuid.UUID]:
    """Users alice and bob, and bob's private memory (stored as bob by the superuser)."""
    ids = {h: scalar(conn, "SELECT vestige.create_user(%(h)s)", {"h": h}) for h in ("alice", "bob")}
    with conn.transaction():
        conn.execute("SELECT set_config('vestige.user_id', %(id)s, true)", {"id": str(ids["bob"])})
        ids["bob_private"] = scalar(
            conn, "SELECT vestige.insert_memory(p_content => 'bob''s salary is 1000')"
        )
    return ids


def digest(conn: psycopg.Connection[Any]) -> str:
    """Everything a caller could change, as one hash (the superuser sees every row)."""
    return str(
        scalar(
            conn,
            "SELECT md5(concat_ws('|',"
            " (SELECT string_agg(n::text, ',' ORDER BY id) FROM vestige.knowledge_nodes AS n),"
            " (SELECT string_agg(s::text, ',' ORDER BY memory_id) FROM vestige.scheduling AS s),"
            " (SELECT string_agg(u::text, ',' ORDER BY id) FROM vestige.users AS u),"
            " (SELECT string_agg(g::text, ',' ORDER BY group_id) FROM vestige.group_memberships AS g)))",
        )
    )


def test_a_personal_login_over_raw_psycopg_cannot_act_as_another_user(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], login: Login
) -> None:
    alice = login()
    conn.execute("SELECT vestige.bind_login(%(u)s, %(r)s)", {"u": team["alice"], "r": role_of(alice)})
    before = digest(conn)
    with psycopg.connect(alice) as attacker:
        for statement in (
            "SELECT * FROM vestige.get_memory(%(m)s)",
            "SELECT vestige.delete_memory(%(m)s)",
            "SELECT vestige.share_memory(%(m)s, 'public')",
            "SELECT count(*) FROM vestige.knowledge_nodes WHERE id = %(m)s",
        ):
            with pytest.raises(psycopg.Error) as refused, attacker.transaction():
                attacker.execute("SELECT set_config('vestige.user_id', %(b)s, true)", {"b": str(team["bob"])})
                attacker.execute("SET LOCAL ROLE vestige_app")
                attacker.execute(statement, {"m": team["bob_private"]})
            assert refused.value.sqlstate == "VS015", statement
            assert "is bound to user alice: it may not act as" in str(refused.value)
        # As herself, bob's private memory does not exist for her.
        with pytest.raises(psycopg.Error) as hidden:
            attacker.execute("SELECT * FROM vestige.get_memory(%(m)s)", {"m": team["bob_private"]})
        assert hidden.value.sqlstate == "VS008"
        attacker.rollback()
        assert attacker.execute("SELECT vestige.current_user_id()").fetchone() == (team["alice"],)
    assert digest(conn) == before


def test_an_unbound_login_that_is_no_server_has_no_identity(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], login: Login, tmp_path: Path
) -> None:
    stranger = login()
    with (
        Client.open(settings_for(stranger, tmp_path, VESTIGE_USER__ID="bob")) as client,
        pytest.raises(
            errors.IdentityRefused, match="neither bound to a user nor a member of vestige_service"
        ),
    ):
        client.list_memories()
    with psycopg.connect(stranger, autocommit=True) as bare:
        with pytest.raises(psycopg.Error) as refused:
            bare.execute("SELECT * FROM vestige.list_memories()")
        assert refused.value.sqlstate == "VS001"


def test_a_service_login_names_the_caller_and_a_bound_one_is_only_its_user(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], login: Login, tmp_path: Path
) -> None:
    server = login("vestige_service")
    with Client.open(settings_for(server, tmp_path, VESTIGE_USER__ID="bob")) as client:
        assert client.get_memory(team["bob_private"]).content == "bob's salary is 1000"
        assert client.as_user(team["alice"]).list_memories() == []
    # Binding wins over membership: the same login bound to alice is alice only.
    conn.execute("SELECT vestige.bind_login(%(u)s, %(r)s)", {"u": team["alice"], "r": role_of(server)})
    with (
        Client.open(settings_for(server, tmp_path, VESTIGE_USER__ID="bob")) as client,
        pytest.raises(errors.IdentityRefused),
    ):
        client.get_memory(team["bob_private"])
    with (
        Client.open(settings_for(server, tmp_path, VESTIGE_USER__ID="alice")) as client,
        pytest.raises(errors.NotFound),
    ):
        client.get_memory(team["bob_private"])


def test_vestige_mcp_with_a_personal_login_cannot_impersonate(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], login: Login, tmp_path: Path
) -> None:
    alice = login()
    conn.execute("SELECT vestige.bind_login(%(u)s, %(r)s)", {"u": team["alice"], "r": role_of(alice)})
    before = digest(conn)
    with mcp_server(alice, tmp_path, user="bob") as mcp:
        for tool, arguments in (
            ("search", {"query": "salary"}),
            ("memory", {"action": "get", "id": str(team["bob_private"])}),
            ("memory", {"action": "delete", "id": str(team["bob_private"]), "confirm": True}),
            ("smart_ingest", {"content": "planted by alice as bob"}),
        ):
            message = mcp.error(tool, **arguments)
            assert "[VS015]" in message and "is bound to user alice" in message, (tool, message)
            assert '[user] id = "alice"' in message, "the hint says what to configure"
    assert digest(conn) == before
    checked = Vestige(alice, tmp_path)("config", "check", VESTIGE_USER__ID="bob")
    assert checked.exit_code == 1 and "[VS015]" in checked.stderr, "config check tries the identity"
    assert Vestige(alice, tmp_path)("config", "check", VESTIGE_USER__ID="alice").exit_code == 0
    with mcp_server(alice, tmp_path, user="alice") as mcp:
        assert "salary" not in str(mcp.ok("search", query="salary"))
        assert "not found" in mcp.error("memory", action="get", id=str(team["bob_private"]))


def test_api_keys_authenticate_as_their_user_until_revoked(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], database: str, tmp_path: Path
) -> None:
    with Client.open(settings_for(database, tmp_path)) as root:
        key, record = keys.create(conn, team["bob"], "laptop")
        caller = root.authenticate(key)
        assert (caller.key_id, caller.user_id, caller.handle, caller.read_only) == (
            record.id,
            team["bob"],
            "bob",
            False,
        )
        bob = root.as_user(caller.user_id, read_only=caller.read_only)
        assert [k.id for k in bob.my_keys()] == [record.id]
        assert root.as_user(team["alice"]).my_keys() == []
        with pytest.raises(errors.NotFound):
            root.as_user(team["alice"]).revoke_my_key(record.id)
        assert bob.revoke_my_key(record.id).status == "revoked"
        with pytest.raises(errors.Unauthenticated, match="was revoked"):
            root.authenticate(key)
        with pytest.raises(errors.Unauthenticated, match="unknown API key"):
            root.authenticate(keys.new_key())
        with pytest.raises(errors.Unauthenticated, match="not an API key") as malformed:
            root.authenticate("Bearer hunter2")
        assert "hunter2" not in str(malformed.value)
    # The database holds the hash only.
    stored = conn.execute("SELECT k::text, key_hash FROM vestige.api_keys AS k").fetchone()
    assert stored is not None and key not in stored[0] and stored[1] == hashlib.sha256(key.encode()).digest()


def test_a_read_only_key_reads_and_searches_but_writes_nothing(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], database: str, tmp_path: Path
) -> None:
    with Client.open(settings_for(database, tmp_path, VESTIGE_USER__ID="bob")) as root:
        root.insert_memory(NewMemory("The deploy window is Tuesday at 10:00"))
        key, _ = keys.create(conn, team["bob"], "dashboard", read_only=True)
        caller = root.authenticate(key)
        assert caller.scopes == ["read"] and caller.read_only
        reader = root.as_user(caller.user_id, read_only=True)
        before = digest(conn)
        hits = reader.recall("when is the deploy window?")
        assert hits and hits[0].content.startswith("The deploy window")
        assert digest(conn) == before  # no testing effect written
        with pytest.raises(errors.ReadOnlyKey, match="read-only") as refused:
            reader.insert_memory(NewMemory("planted"))
        assert (
            str(refused.value)
            == "This API key is read-only: it may search and read, not change anything. [25006]"
        )
        assert digest(conn) == before


def test_a_personal_login_may_not_authenticate_keys(
    conn: psycopg.Connection[Any], team: dict[str, uuid.UUID], login: Login, tmp_path: Path
) -> None:
    alice = login()
    conn.execute("SELECT vestige.bind_login(%(u)s, %(r)s)", {"u": team["alice"], "r": role_of(alice)})
    key, _ = keys.create(conn, team["bob"], "laptop")
    with (
        Client.open(settings_for(alice, tmp_path, VESTIGE_USER__ID="alice")) as client,
        pytest.raises(errors.IdentityRefused, match="may not authenticate API keys"),
    ):
        client.authenticate(key)


def test_the_key_commands_show_a_key_once_and_never_again(
    database: str, team: dict[str, uuid.UUID], tmp_path: Path, login: Login
) -> None:
    vestige = Vestige(database, tmp_path)
    created = vestige("key", "create", "--user", "bob", "--label", "laptop", "--expires", "90d")
    assert created.exit_code == 0, created.stderr
    assert KEY.fullmatch(created.stdout.strip()) and created.stdout.count("\n") == 1
    key = created.stdout.strip()
    listed = vestige("key", "list")
    assert "laptop" in listed.stdout and "bob" in listed.stdout and key not in listed.stdout
    [record] = vestige.json("key", "list", "--user", "bob")
    assert record["status"] == "active" and record["scopes"] == ["read", "write"] and record["expires_at"]
    assert key not in str(record) and "hash" not in str(record)
    read_only = vestige.json("key", "create", "--user", "alice", "--label", "ci", "--read-only")
    assert read_only["scopes"] == ["read"] and KEY.fullmatch(read_only["key"])
    revoked = vestige("key", "revoke", record["id"])
    assert revoked.exit_code == 0 and "Revoked key" in revoked.stdout
    assert vestige.json("key", "list", "--user", "bob")[0]["status"] == "revoked"
    bad = vestige("key", "create", "--user", "bob", "--label", "x", "--expires", "soon")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "invalid --expires 'soon'" in bad.stderr
    nobody = vestige("key", "create", "--user", "nobody", "--label", "x")
    assert nobody.exit_code == 1 and "[VS011]" in nobody.stderr
    unlabelled = vestige("key", "create", "--user", "bob", "--label", "")
    assert unlabelled.exit_code == 1 and unlabelled.stderr.count("\n") == 1 and "[VS006]" in unlabelled.stderr
    not_an_id = vestige("key", "revoke", "laptop")
    assert not_an_id.exit_code == 2 and "invalid value for 'ID'" in not_an_id.stderr
    assert len(vestige.json("key", "list")) == 2, "the refused commands stored or revoked nothing"
    # The application's login is no operator: one line saying who may.
    app_login = Vestige(login("vestige_service"), tmp_path)
    refused = app_login("key", "list")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    assert "API keys are managed by the operator" in refused.stderr


def test_user_bind_makes_a_personal_login_and_unbind_undoes_it(
    database: str, team: dict[str, uuid.UUID], tmp_path: Path, login: Login
) -> None:
    alice = login()
    vestige = Vestige(database, tmp_path)
    bound = vestige("user", "bind", "alice", role_of(alice))
    assert bound.exit_code == 0 and f"alice now logs in as {role_of(alice)}." in bound.stdout
    no_role = vestige("user", "bind", "bob", "no_such_login")
    assert (
        no_role.exit_code == 1
        and "no login role no_such_login" in no_role.stderr
        and "[VS006]" in no_role.stderr
    )
    taken = vestige("user", "bind", "bob", role_of(alice))
    assert (
        taken.exit_code == 1 and "[VS013]" in taken.stderr and "already bound to user alice" in taken.stderr
    )
    with Client.open(settings_for(alice, tmp_path, VESTIGE_USER__ID="alice")) as client:
        assert client.list_memories() == []
    assert vestige.json("user", "unbind", "alice")["login_role"] is None
    with (
        Client.open(settings_for(alice, tmp_path, VESTIGE_USER__ID="alice")) as client,
        pytest.raises(errors.IdentityRefused),
    ):
        client.list_memories()


def test_vestige_serve_refuses_to_start_on_a_login_that_may_not_act_for_key_users(
    database: str, team: dict[str, uuid.UUID], tmp_path: Path, login: Login
) -> None:
    personal = login()
    bound_server = login("vestige_service")
    psycopg.connect(database, autocommit=True).execute(
        "SELECT vestige.bind_login(%(u)s, %(r)s)", {"u": team["alice"], "r": role_of(bound_server)}
    ).connection.close()
    for conninfo in (personal, bound_server):
        refused = subprocess.run(
            [str(Path(sys.executable).parent / "vestige"), "serve", "--port", "1"],
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
                 "VESTIGE_DATABASE_URL": conninfo, "VESTIGE_USER__ID": "alice"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.count("\n") == 1
        assert "not a member of vestige_service" in refused.stderr and "[VS015]" in refused.stderr


def test_an_upgraded_install_keeps_its_application_login_working(tmp_path: Path) -> None:
    """Before role_vestige_service any vestige_app login named the caller; the deploy keeps it so.

    Roles are cluster-wide and the shared test server has vestige_service already: the upgrade
    runs on a cluster of its own, where the role does not exist yet."""
    before = "function_find_memory"  # the last change before role_vestige_service in the plan
    try:
        server = local_postgres.start(tmp_path / "pg")
        local_postgres.ensure_database(server, "vestige")
        database = server.conninfo("vestige")
        plan = bundled_plan()
        old = replace(plan, changes=plan.changes[: plan.changes.index(plan.find(before)) + 1])
        deploy(database, old, committer_name="test", committer_email="test@localhost")
        with psycopg.connect(database, autocommit=True) as admin:  # the runbook's `vestige`, made before
            admin.execute("CREATE ROLE vestige LOGIN PASSWORD 'pw' IN ROLE vestige_app")
        with Client.open(settings_for(database, tmp_path, VESTIGE_STORAGE__POSTGRES__AUTO_DEPLOY="true")):
            pass  # the client deploys the rest of the plan
        application = psycopg.conninfo.make_conninfo(database, user="vestige", password="pw")
        with Client.open(settings_for(application, tmp_path)) as client:
            assert client.is_service_session() and client.stats().own == 0
    finally:
        local_postgres.stop(tmp_path / "pg")


def test_a_later_deploy_never_makes_a_login_created_since_a_service_login(
    server_conninfo: str, login: Login
) -> None:
    """The attacker is a login made after vestige_service exists (a personal one, not bound yet):
    a deploy of Vestige into another database of the cluster must leave it without an identity."""
    personal = login()
    name = f"vestige_other_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    try:
        other = psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
        deploy(other, bundled_plan(), committer_name="test", committer_email="test@localhost")
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            member = admin.execute(
                "SELECT pg_has_role(%(r)s, 'vestige_service', 'MEMBER')", {"r": role_of(personal)}
            ).fetchone()
        assert member == (False,)
        with psycopg.connect(personal) as conn, pytest.raises(psycopg.Error, match="no caller identity"):
            conn.execute("SELECT vestige.current_user_id()")
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
