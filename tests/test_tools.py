"""The tool handlers apart from MCP: they import no MCP type, and every argument set a tool's
published schema admits gets an answer or a clear refusal, never a crash (hypothesis-jsonschema,
in process, on a real database with the real model).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp_types import CallToolResult
from pydantic import ValidationError

from vestige_client import config, tool_arguments, tools
from vestige_client.client import Client
from vestige_client.mcp_server import Runtime, build_server

HANDLER_MODULES = (tools, tool_arguments)
MCP_PACKAGES = ("mcp", "mcp_types")
EXAMPLES = 25  # per tool: enough to reach every action, small enough for a 2-core machine


def test_the_handlers_import_no_mcp_types() -> None:
    for module in HANDLER_MODULES:
        tree = ast.parse(Path(str(module.__file__)).read_text())
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not [name for name in imported if name.split(".")[0] in MCP_PACKAGES], module.__name__
    code = (
        "import sys, vestige_client.tools, vestige_client.tool_arguments; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {MCP_PACKAGES!r}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", "importing the handlers loads no MCP module, not even indirectly"


def test_a_handler_takes_a_client_and_plain_arguments_and_returns_text_and_data(
    database: str, tmp_path: Path
) -> None:
    with Client.open(_settings(database, tmp_path)) as client:
        stored = tools.smart_ingest(client, content="The release train leaves every second Tuesday")
        memory_id = stored.data["results"][0].id
        got = tools.memory_get(client, memory_id)
        assert "release train" in got.text and got.structured()["memory"]["id"] == str(memory_id)
        status = tools.memory_status(client, "health", backend="postgres")
        assert status.structured()["backend"] == "postgres" and status.text.startswith("ok")


def test_search_adds_the_top_hits_associations_read_with_the_hits_in_one_transaction(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Client.open(_settings(database, tmp_path)) as client:
        ids = {}
        for key, text in [
            ("top", "The lighthouse keeper logs the fog horn tests every dawn"),
            ("linked", "Spare bulbs for the lamp room are kept in the north cupboard"),
            ("two hops", "The north cupboard key hangs by the harbour office door"),
            ("unlinked", "Quarterly invoices go to the finance mailbox"),
        ]:
            ids[key] = tools.smart_ingest(client, content=text, force_create=True).data["results"][0].id
        client.add_edge(ids["top"], ids["linked"])
        client.add_edge(ids["linked"], ids["two hops"])
        reads = 0
        read = client._db.read

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return read(*args, **kwargs)

        monkeypatch.setattr(client._db, "read", counted)
        got = tools.search(client, "lighthouse keeper fog horn tests", limit=1).structured()
        assert [r["id"] for r in got["results"]] == [str(ids["top"])]
        assert {a["id"] for a in got["associations"]} == {str(ids["linked"]), str(ids["two hops"])}
        assert reads == 1, "the query's check, the hits and their associations: one transaction"
        both = tools.search(client, "lighthouse keeper fog horn tests", limit=2).structured()
        hits = {r["id"] for r in both["results"]}
        assert not hits & {a["id"] for a in both["associations"]}, "a hit is never also an association"


def _settings(database: str, home: Path) -> config.Settings:
    return config.load_settings(None, env={"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home)})


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without room for unknown arguments (the server ignores them; drawing them is noise)."""
    return {**schema, "additionalProperties": False}


def _assert_clear(name: str, arguments: dict[str, Any], exc: ToolError) -> None:
    text = str(exc)
    assert not isinstance(exc.__cause__, ValidationError), (
        f"{name}: the schema admits what is refused: {text}"
    )
    assert "\n" not in text and "Traceback" not in text and "pydantic" not in text, text
    assert not text.startswith("Error executing tool"), text


@pytest.mark.parametrize("spec", tools.TOOLS, ids=lambda spec: spec.name)
def test_any_arguments_the_schema_admits_get_an_answer_or_a_clear_refusal(
    spec: tools.ToolSpec, database: str, tmp_path: Path
) -> None:
    options = _settings(database, tmp_path)
    with Client.open(options) as client:
        server = build_server(options, Runtime(options, client))
        schema = next(t.input_schema for t in anyio.run(server.list_tools) if t.name == spec.name)
        arguments_of = from_schema(_closed(schema), custom_formats={"uuid": st.uuids().map(str)})

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
        )
        @given(arguments_of)
        def answers_or_refuses(arguments: dict[str, Any]) -> None:
            try:
                result = anyio.run(server.call_tool, spec.name, arguments)
            except UnexpectedToolError as exc:
                raise AssertionError(f"{spec.name} crashed on {arguments!r}") from exc.__cause__
            except ToolError as exc:
                _assert_clear(spec.name, arguments, exc)
            else:
                assert isinstance(result, CallToolResult) and not result.is_error
                assert result.structured_content is not None

        answers_or_refuses()
