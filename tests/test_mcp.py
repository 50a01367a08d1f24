"""vestige-mcp end to end: the real server as a subprocess, spoken to with the MCP SDK's stdio
client, on a real database with the real MiniLM model.

One server per module for the local user (it loads the model once); a second one, for another
user, in the visibility test. Texts are chosen for their measured cosine similarity under
all-MiniLM-L6-v2 (noted next to them), so each gating decision is really exercised.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, Tool
from psycopg import sql

from vestige_client import config, errors
from vestige_client.client import Client

VESTIGE_MCP = Path(sys.executable).parent / "vestige-mcp"


class Mcp:
    """A running vestige-mcp with an initialized client session."""

    def __init__(self, portal: BlockingPortal, session: ClientSession, instructions: str | None) -> None:
        self.portal = portal
        self.session = session
        self.instructions = instructions

    def call(self, tool: str, **arguments: Any) -> CallToolResult:
        result: CallToolResult = self.portal.call(self.session.call_tool, tool, arguments)
        return result

    def ok(self, tool: str, **arguments: Any) -> Any:
        result = self.call(tool, **arguments)
        assert not result.is_error, result.content[0].text  # type: ignore[union-attr]
        return result.structured_content

    def error(self, tool: str, **arguments: Any) -> str:
        result = self.call(tool, **arguments)
        assert result.is_error, f"{tool} {arguments} should have failed"
        text: str = result.content[0].text  # type: ignore[union-attr]
        return text


@contextmanager
def mcp_server(conninfo: str, home: Path, user: str = "local", **extra: str) -> Iterator[Mcp]:
    env = {"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": str(home), "VESTIGE_USER__ID": user, **extra}
    params = StdioServerParameters(command=str(VESTIGE_MCP), env=env)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(stdio_client(params)) as (read, write),
        portal.wrap_async_context_manager(ClientSession(read, write)) as session,
    ):
        init = portal.call(session.initialize)
        yield Mcp(portal, session, init.instructions)


@pytest.fixture(scope="module")
def mcp_db(server_conninfo: str, template_db: str) -> Iterator[str]:
    name = f"vestige_mcp_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_db)
            )
        )
    conninfo = psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute("SELECT vestige.create_user(p_handle => 'bob')")
    yield conninfo
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def mcp(mcp_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mcp]:
    with mcp_server(mcp_db, tmp_path_factory.mktemp("home")) as server:
        yield server


def total(mcp: Mcp) -> int:
    count: int = mcp.ok("memory_status", view="health")["stats"]["total"]
    return count


def test_the_server_lists_its_tools_with_schemas_and_hints(mcp: Mcp) -> None:
    assert (
        mcp.instructions is not None and "search" in mcp.instructions and "smart_ingest" in mcp.instructions
    )
    tools = {tool.name: tool for tool in mcp.portal.call(mcp.session.list_tools).tools}
    assert set(tools) == {
        "search", "smart_ingest", "memory", "codebase", "intention", "memory_status", "graph", "review"
    }  # fmt: skip
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["memory"].annotations is not None and tools["memory"].annotations.destructive_hint
    assert (
        tools["memory_status"].annotations is not None and tools["memory_status"].annotations.read_only_hint
    )
    assert all(tool.description for tool in tools.values())


def tools_of(mcp: Mcp) -> dict[str, Tool]:
    return {tool.name: tool for tool in mcp.portal.call(mcp.session.list_tools).tools}


def test_an_invalid_argument_is_one_sentence_naming_the_field_and_what_it_accepts(mcp: Mcp) -> None:
    a_uuid = str(uuid.uuid4())
    actions = "get, get_batch, edit, delete, promote, demote, state, share"
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("search", {"query": "x", "limit": 0}, "invalid limit 0: must be between 1 and 50"),
        ("search", {"query": "x", "detail_level": "huge"},
         "invalid detail_level 'huge': must be one of brief, summary, full"),
        ("search", {}, "query is required"),
        ("search", {"query": "x", "visibility": "team"},
         "invalid visibility 'team': must be one of private, group, public"),
        ("search", {"query": "x", "limit": "ten"},
         "invalid limit 'ten': must be an integer between 1 and 50"),
        ("review", {"memory_id": a_uuid, "rating": 5}, "invalid rating 5: must be between 1 and 4"),
        ("memory", {"action": "explode"}, f"invalid action 'explode': must be one of {actions}"),
        ("smart_ingest", {"items": [{"content": "a"}] * 21},
         "invalid items: must be a list of at most 20 items (got 21)"),
        ("smart_ingest", {"items": [{"tags": ["ci"]}]}, "items[0].content is required"),
    ]  # fmt: skip
    for tool, arguments, message in cases:
        assert mcp.error(tool, **arguments) == message
    uuid_error = mcp.error("memory", action="get", id="not-a-uuid")
    assert uuid_error.startswith("invalid id 'not-a-uuid': must be a UUID")


def test_tool_descriptions_are_clean_text_without_docstring_indentation(mcp: Mcp) -> None:
    for tool in tools_of(mcp).values():
        description = tool.description or ""
        assert description and description == description.strip(), tool.name
        assert all(line == line.lstrip() for line in description.splitlines()), f"{tool.name} is indented"


def test_every_parameter_of_every_tool_says_what_to_pass(mcp: Mcp) -> None:
    undescribed = []
    for tool in tools_of(mcp).values():
        schema = tool.input_schema
        for owner, model in [(tool.name, schema), *schema.get("$defs", {}).items()]:
            for name, field in model.get("properties", {}).items():
                if len(field.get("description", "")) < 20:
                    undescribed.append(f"{owner}.{name}")
    assert undescribed == []


def test_the_schemas_mark_what_is_required_and_smart_ingest_says_content_or_items(mcp: Mcp) -> None:
    tools = tools_of(mcp)
    assert {name: tool.input_schema.get("required", []) for name, tool in tools.items()} == {
        "search": ["query"], "smart_ingest": [], "memory": ["action"], "codebase": ["action", "codebase"],
        "intention": ["action"], "memory_status": [], "graph": ["memory_id"],
        "review": ["memory_id", "rating"],
    }  # fmt: skip
    # "Exactly one of content or items" needs a top-level oneOf, which the Anthropic API (and others)
    # refuse in a tool's input schema: the top level stays a plain object, and the rule is said in
    # the descriptions and enforced by the tool with a one-sentence error.
    assert all(not {"oneOf", "anyOf", "allOf", "not", "if"} & set(t.input_schema) for t in tools.values())
    ingest = tools["smart_ingest"]
    rule = "exactly one of content (one memory) or items (a batch)"
    for field in ("content", "items"):
        assert rule in ingest.input_schema["properties"][field]["description"].lower()
    assert "exactly one of content" in (ingest.description or "")
    assert ingest.input_schema["$defs"]["IngestItem"]["required"] == ["content"]
    assert mcp.error("smart_ingest", node_type="fact").startswith(f"give {rule}")


def test_the_content_limit_is_described_in_bytes_and_not_restated_in_characters(mcp: Mcp) -> None:
    tools = tools_of(mcp)
    ingest = tools["smart_ingest"].input_schema
    texts = [
        ingest["properties"]["content"], ingest["$defs"]["IngestItem"]["properties"]["content"],
        tools["memory"].input_schema["properties"]["content"],
        tools["intention"].input_schema["properties"]["content"],
        *(tools["codebase"].input_schema["properties"][f] for f in ("description", "decision", "rationale")),
    ]  # fmt: skip
    for field in texts:
        assert "1 MiB of UTF-8 text" in field["description"] and "maxLength" not in json.dumps(field)
    # Fewer than a million characters, more than 1 MiB: the SQL rule counts bytes.
    refused = mcp.error("smart_ingest", content="é" * 600_000)
    assert "1 MiB" in refused and "[VS006]" in refused


def test_a_batch_is_stored_linked_in_order_and_recalled_by_meaning_and_by_identifier(mcp: Mcp) -> None:
    items = [
        {"content": "Error code VX-4471 means the disk quota of the build cache is exceeded", "tags": ["ci"]},
        {"content": "The build cache lives on the shared NFS volume of the runners", "tags": ["ci"]},
        {"content": "Cleaning old artifacts every night keeps the build cache small", "tags": ["ci"]},
    ]
    outcomes = mcp.ok("smart_ingest", items=items)["results"]
    assert [o["decision"] for o in outcomes] == ["create", "create", "create"]
    first, second = outcomes[0]["id"], outcomes[1]["id"]
    edges = mcp.ok("graph", memory_id=first)["edges"]
    assert any(e["edge_type"] == "temporal" and e["other_id"] == second for e in edges)

    literal = mcp.ok("search", query="VX-4471")["results"]
    assert literal[0]["id"] == first and literal[0]["fts_rank"] == 1
    meaning = mcp.ok("search", query="where are the CI runners' cached builds stored?")["results"]
    assert meaning[0]["id"] == second
    assert {"id", "content", "node_type", "tags", "codebase", "score", "created_at"} <= set(meaning[0])


def test_smart_ingest_stores_when_a_memory_happened_apart_from_when_it_was_stored(mcp: Mcp) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    text = "Caroline went to the LGBTQ support group"
    one = mcp.ok("smart_ingest", content=text, valid_from="2023-05-08T13:56:00+02:00")["results"][0]
    items = [
        {"content": "Melanie painted a sunrise over the lake", "valid_from": "2022-07-01T09:00:00Z"},
        {"content": "Melanie plans to run a charity race this weekend"},
    ]
    batch = mcp.ok("smart_ingest", items=items)["results"]
    stored = [mcp.ok("memory", action="get", id=o["id"])["memory"] for o in [one, *batch]]
    assert [m["valid_from"] for m in stored] == ["2023-05-08T11:56:00Z", "2022-07-01T09:00:00Z", None]
    assert all(datetime.fromisoformat(m["created_at"]) >= started for m in stored), "created_at: when stored"

    before = total(mcp)
    zoneless = mcp.error("smart_ingest", items=[{"content": "No zone", "valid_from": "2023-05-08T13:56:00"}])
    assert zoneless.startswith("invalid items[0].valid_from '2023-05-08T13:56:00'") and "timezone" in zoneless
    too_late = mcp.error("smart_ingest", content="Too late", valid_from="9999-12-31T23:00:00-05:00")
    assert too_late.startswith("valid_from") and "between the years 1 and 9999" in too_late
    assert too_late.endswith("[VS006]") and total(mcp) == before


def test_a_duplicate_reinforces_and_a_close_text_updates_a_faded_memory(mcp: Mcp) -> None:
    text = "The staging database is rebuilt every Monday morning"
    created = mcp.ok("smart_ingest", content=text)["results"][0]
    again = mcp.ok("smart_ingest", content=text)["results"][0]
    assert (again["decision"], again["id"]) == ("reinforce", created["id"])
    assert again["similarity"] > 0.99

    # Fresh memories (retrieval strength > 0.85) are not merged into: demote once (-0.30) first.
    mcp.ok("memory", action="demote", id=created["id"])
    close = "The staging database gets rebuilt each Monday morning by the ops team"  # cosine 0.89
    updated = mcp.ok("smart_ingest", content=close)["results"][0]
    assert (updated["decision"], updated["id"]) == ("update", created["id"])
    content = mcp.ok("memory", action="get", id=created["id"])["memory"]["content"]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert content == f"{text}\n\n[Updated {today}] {close}"


def test_a_fresh_close_text_is_created_and_linked_not_merged(mcp: Mcp) -> None:
    first = mcp.ok("smart_ingest", content="The CI pipeline runs unit tests on every push")["results"][0]
    close = "On each push the CI pipeline runs the unit tests and the linters"  # cosine 0.86
    second = mcp.ok("smart_ingest", content=close)["results"][0]
    assert second["decision"] == "create" and second["matched_id"] == first["id"]
    edges = mcp.ok("graph", memory_id=second["id"])["edges"]
    assert any(e["other_id"] == first["id"] for e in edges)


def test_a_contradicted_memory_is_superseded_and_no_longer_recalled(mcp: Mcp) -> None:
    old = mcp.ok("smart_ingest", content="Nightly backups of the billing database run at 02:00 UTC")[
        "results"
    ][0]
    new = mcp.ok("smart_ingest", content="Nightly backups of the billing database run at 03:00 UTC")[
        "results"
    ][0]
    assert new["decision"] == "supersede" and new["matched_id"] == old["id"] and new["id"] != old["id"]
    hits = [h["id"] for h in mcp.ok("search", query="billing database backups")["results"]]
    assert new["id"] in hits and old["id"] not in hits
    everything = mcp.ok("search", query="billing database backups", include_superseded=True)["results"]
    assert old["id"] in [h["id"] for h in everything], "include_superseded reaches recall"
    future = mcp.ok("search", query="billing database backups", created_after="2999-01-01T00:00:00Z")
    assert future["results"] == []
    private = mcp.ok("search", query="billing database backups", visibility="private")["results"]
    assert new["id"] in [h["id"] for h in private] and {h["visibility"] for h in private} == {"private"}
    assert mcp.ok("search", query="billing database backups", visibility="public")["results"] == []


def test_a_protected_memory_is_never_changed(mcp: Mcp, mcp_db: str) -> None:
    text = "Deploys go out from the release branch"
    protected = mcp.ok("smart_ingest", content=text)["results"][0]["id"]
    with psycopg.connect(mcp_db, autocommit=True) as admin:
        admin.execute(
            "UPDATE vestige.knowledge_nodes SET protected = true, retrieval_strength = 0.5 WHERE id = %s",
            [protected],
        )
    close = "Production deploys are cut from the release branch"
    outcome = mcp.ok("smart_ingest", content=close)["results"][0]
    assert outcome["decision"] == "create" and outcome["id"] != protected
    assert mcp.ok("memory", action="get", id=protected)["memory"]["content"] == text


def test_demoting_a_memory_lowers_its_rank(mcp: Mcp) -> None:
    a = mcp.ok("smart_ingest", content="Project Falcon caches sessions in Redis", force_create=True)
    b = mcp.ok("smart_ingest", content="Project Falcon caches sessions in Memcached", force_create=True)
    ids = {a["results"][0]["id"], b["results"][0]["id"]}
    ranked = [
        h["id"] for h in mcp.ok("search", query="Project Falcon session cache")["results"] if h["id"] in ids
    ]
    top, other = ranked
    for _ in range(3):
        mcp.ok("memory", action="demote", id=top)
    mcp.ok("memory", action="promote", id=other)
    reranked = [
        h["id"] for h in mcp.ok("search", query="Project Falcon session cache")["results"] if h["id"] in ids
    ]
    assert reranked == [other, top]


def test_codebase_patterns_and_decisions_come_back_as_context(mcp: Mcp) -> None:
    mcp.ok(
        "codebase", action="remember_pattern", codebase="falcon", name="Repository pattern",
        description="Every table is reached through a repository class", files=["falcon/repo.py"],
    )  # fmt: skip
    mcp.ok(
        "codebase", action="remember_decision", codebase="falcon", decision="Use PostgreSQL",
        rationale="Transactions and pgvector in one place", alternatives=["MongoDB"],
    )  # fmt: skip
    context = mcp.ok("codebase", action="get_context", codebase="falcon")["memories"]
    assert [m["node_type"] for m in context] == ["decision", "pattern"]
    assert "Alternatives considered: MongoDB" in context[0]["content"]


def test_an_intention_fires_in_its_context(mcp: Mcp) -> None:
    created = mcp.ok(
        "intention", action="set", content="Remind the user to rotate the API keys",
        trigger_type="context", trigger_data={"keywords": ["credentials"]}, priority=3,
    )  # fmt: skip
    assert mcp.ok("intention", action="check", context="we talk about the weather")["intentions"] == []
    fired = mcp.ok("intention", action="check", context="let us review the credentials setup")["intentions"]
    assert [i["id"] for i in fired] == [created["id"]] and fired[0]["reason"] == "context"
    mcp.ok("intention", action="update", id=created["id"], status="fulfilled")
    assert mcp.ok("intention", action="check", context="credentials again")["intentions"] == []


def test_review_status_and_token_budget(mcp: Mcp) -> None:
    memory_id = mcp.ok("smart_ingest", content="The on-call rotation changes every Wednesday")["results"][0][
        "id"
    ]
    reviewed = mcp.ok("review", memory_id=memory_id, rating=3)["review"]
    assert reviewed["reps"] == 1 and reviewed["next_review"].endswith("Z")
    assert mcp.ok("memory_status", view="timeline")["timeline"][-1]["memories"] >= 1
    assert mcp.ok("memory_status", view="retention")["avg_retention"] > 0
    full = mcp.ok("search", query="on-call rotation", detail_level="full")
    small = mcp.ok("search", query="on-call rotation", detail_level="brief", token_budget=150)
    assert 0 < len(small["results"]) < len(full["results"]) and small["omitted"] > 0


def test_two_users_see_only_what_is_shared_with_them(mcp: Mcp, mcp_db: str, tmp_path: Path) -> None:
    with mcp_server(mcp_db, tmp_path, user="bob") as bob:
        secret = bob.ok("smart_ingest", content="Bob's salary review is scheduled for March")["results"][0][
            "id"
        ]
        assert secret not in [h["id"] for h in mcp.ok("search", query="salary review March")["results"]]
        assert "not found" in mcp.error("memory", action="get", id=secret)
        assert "not found" in mcp.error("memory", action="edit", id=secret, content="hijacked")
        bob.ok("memory", action="share", id=secret, visibility="public")
        assert "VS009" in mcp.error("memory", action="edit", id=secret, content="hijacked")
        assert secret in [h["id"] for h in mcp.ok("search", query="salary review March")["results"]]
        assert (
            bob.ok("memory", action="get", id=secret)["memory"]["content"]
            == "Bob's salary review is scheduled for March"
        )


def test_a_blank_query_is_refused_by_the_sql_rule_as_on_every_door(mcp: Mcp) -> None:
    for query in ("", "   "):
        refusal = mcp.error("search", query=query)
        assert refusal.startswith("the query is empty") and refusal.endswith("[VS006]")


def test_bad_arguments_are_tool_errors_that_change_nothing(mcp: Mcp) -> None:
    before = total(mcp)
    a_uuid = str(uuid.uuid4())
    bad_calls: list[tuple[str, dict[str, Any]]] = [
        ("no_such_tool", {}),
        ("search", {}),
        ("search", {"query": "x", "limit": "ten"}),
        ("smart_ingest", {"content": "x" * 10_000_000}),
        ("smart_ingest", {"items": [{"content": f"item {i}"} for i in range(21)]}),
        ("smart_ingest", {}),
        ("smart_ingest", {"content": "a", "items": [{"content": "b"}]}),
        ("smart_ingest", {"content": "   "}),
        ("memory", {"action": "get", "id": "not-a-uuid"}),
        ("memory", {"action": "explode", "id": a_uuid}),
        ("memory", {"action": "delete", "id": a_uuid}),
        ("memory", {"action": "get", "id": a_uuid}),
        ("review", {"memory_id": a_uuid, "rating": 5}),
        ("review", {"memory_id": a_uuid, "rating": 3}),
        ("graph", {"memory_id": a_uuid, "depth": 9}),
    ]
    for tool, arguments in bad_calls:
        mcp.error(tool, **arguments)
    assert total(mcp) == before

    injection = "Robert'); DROP TABLE vestige.knowledge_nodes; --"
    stored = mcp.ok("smart_ingest", content=injection, force_create=True)["results"][0]["id"]
    assert mcp.ok("memory", action="get", id=stored)["memory"]["content"] == injection
    assert total(mcp) == before + 1


def test_the_handshake_does_not_wait_for_the_database(tmp_path: Path) -> None:
    nowhere = f"host={tmp_path} port=5999 user=nobody dbname=vestige"
    with mcp_server(nowhere, tmp_path) as server:
        assert len(server.portal.call(server.session.list_tools).tools) == 8
        message = server.error("memory_status")
    assert "could not start" in message and "cannot connect to PostgreSQL" in message


def test_check_config_reports_and_exits(mcp_db: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    good = subprocess.run(
        [str(VESTIGE_MCP), "--check-config"],
        env={**env, "VESTIGE_DATABASE_URL": mcp_db},
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0 and "configuration ok" in good.stderr and good.stdout == ""
    bad_file = tmp_path / "bad.toml"
    bad_file.write_text("[storage.postgres]\nmax_connections = 0\n")
    bad = subprocess.run(
        [str(VESTIGE_MCP), "--config", str(bad_file), "--check-config"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "max_connections" in bad.stderr and str(bad_file) in bad.stderr
    no_log = {**env, "VESTIGE_DATABASE_URL": mcp_db, "VESTIGE_LOG__FILE": str(tmp_path / "missing" / "x.log")}
    unlogged = subprocess.run(
        [str(VESTIGE_MCP), "--check-config"], env=no_log, capture_output=True, text=True
    )
    assert unlogged.returncode == 1 and unlogged.stderr.startswith("error: cannot open [log] file")


def test_a_model_that_does_not_load_leaves_the_other_tools_working(tmp_path: Path, mcp_db: str) -> None:
    with mcp_server(mcp_db, tmp_path, VESTIGE_EMBEDDING__MODEL=str(tmp_path / "no-model")) as server:
        assert server.ok("memory_status", view="timeline")["timeline"] is not None
        assert "cannot load the embedding model" in server.error("search", query="anything")


def test_a_running_server_keeps_answering_through_a_model_switch(
    server_conninfo: str, template_db: str, tmp_path: Path
) -> None:
    name = f"vestige_mcp_switch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_db)
            )
        )
    database = psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
    try:
        with mcp_server(database, tmp_path) as server:
            stored = server.ok(
                "smart_ingest", items=[{"content": "The staging cluster is rebuilt every Monday"}]
            )
            memory = stored["results"][0]["id"]
            assert server.ok("search", query="when is staging rebuilt?")["results"][0]["id"] == memory

            vestige = Path(sys.executable).parent / "vestige"
            model = "sentence-transformers/all-MiniLM-L6-v2@256"
            env = {
                "VESTIGE_DATABASE_URL": database,
                "XDG_CONFIG_HOME": str(tmp_path),
                "PATH": "/usr/bin:/bin",
            }
            args = [str(vestige), "migrate", "reembed", "--model", model, "--yes", "--no-backup-check"]
            switched = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
            assert switched.returncode == 0, switched.stderr

            # The server still embeds with the old model: it follows the switch and answers.
            assert server.ok("search", query="when is staging rebuilt?")["results"][0]["id"] == memory
            added = server.ok("smart_ingest", items=[{"content": "Backups of staging are kept for a week"}])
            assert added["results"][0]["decision"] == "create"
            with psycopg.connect(database) as conn:
                row = conn.execute("SELECT name, generation FROM vestige.registered_model()").fetchone()
                missing = conn.execute("SELECT count(*) FROM vestige.knowledge_nodes WHERE embedding IS NULL")
                assert row == (model, 2) and missing.fetchone() == (0,)
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_graph_tool_advertises_exactly_the_depths_vestige_neighbors_walks(
    mcp: Mcp, mcp_db: str, tmp_path: Path
) -> None:
    # Issue 14: `graph` advertised depth 1-5 and failed on 4 and 5 (fixed before the issue was filed).
    deepest = tools_of(mcp)["graph"].input_schema["properties"]["depth"]["maximum"]
    stored = mcp.ok("smart_ingest", content="The graph tool walks at most its advertised depth")
    memory = stored["results"][0]["id"]
    assert mcp.ok("graph", memory_id=memory, depth=deepest)["neighbors"] == []
    assert mcp.error("graph", memory_id=memory, depth=deepest + 1) == (
        f"invalid depth {deepest + 1}: must be between 1 and {deepest}"
    )
    env = {"VESTIGE_DATABASE_URL": mcp_db, "XDG_CONFIG_HOME": str(tmp_path), "VESTIGE_CONFIG": ""}
    with (  # SQL's own bound: the same
        Client.open(config.load_settings(None, env=env)) as client,
        pytest.raises(errors.InvalidInput, match=f"must be between 1 and {deepest}"),
    ):
        client.neighbors(uuid.UUID(memory), depth=deepest + 1)


def test_the_tag_limits_are_the_same_in_the_tool_schema_and_in_sql(mcp: Mcp, mcp_db: str) -> None:
    # Issue 14: SQL and the CLI accepted 100,000 tags and an empty tag where MCP capped at 32 of
    # 1-64 characters. vestige.check_tags is the rule; the schema advertises exactly it.
    item = tools_of(mcp)["smart_ingest"].input_schema["$defs"]["IngestItem"]["properties"]["tags"]
    most, tag = item["maxItems"], item["items"]
    longest = tag["maxLength"]
    assert (most, tag["minLength"], longest) == (32, 1, 64)
    mcp.ok("smart_ingest", content="Tagged to the limit", tags=[f"t{i}" for i in range(most)])
    too_many = [f"t{i}" for i in range(most + 1)]
    assert "32" in mcp.error("smart_ingest", content="One tag too many", tags=too_many)
    with psycopg.connect(mcp_db) as conn:
        check = "SELECT vestige.check_tags(%s)"
        conn.execute(check, ([f"t{i}" for i in range(most)],))
        conn.execute(check, (["x" * longest],))
        for refused in ([f"t{i}" for i in range(most + 1)], ["x" * (longest + 1)], [""], [" "]):
            with pytest.raises(psycopg.Error, match="tag") as refusal, conn.transaction():
                conn.execute(check, (refused,))
            assert refusal.value.sqlstate == "VS006"
