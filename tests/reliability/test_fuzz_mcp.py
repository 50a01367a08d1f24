"""Every MCP tool called with arguments generated from its own input schema (Hypothesis and
hypothesis-jsonschema), over stdio (`vestige-mcp`) and over Streamable HTTP (`vestige serve`).

Each call must succeed or be refused with a typed tool error: one line, no crash text, and an
SQLSTATE (when the message ends in one) of our own (`VSnnn`, docs/errors.md), never a raw database
error. A call that errs changes nothing (the store's fingerprint, conftest.FINGERPRINT, is the same
after it), and the server is still up at the end (its process runs, it answers a ping and lists
its tools, and its log tells of no crash).

The arguments are mostly valid for the schema, so the tools really run (ids are drawn, half the
time, from memories, an intention and a group that exist); one call in five is broken on purpose
(a wrong type, a required argument dropped, an unknown one added, made-up arguments or a tool
that does not exist). The runs are seeded: the same calls every run (for the same schemas), after
the EXPLICIT ones, values that broke a door once or sit on an edge.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from mcp_types import CallToolResult, Tool

from reliability.conftest import (
    FINGERPRINT,
    Running,
    Store,
    http_server,
    server_crashes,
    stdio_server,
)
from reliability.figures import record

CASES = 500  # generated, per transport: with the EXPLICIT ones, more than 1,000 a run across the two
SEED = 14_2026
BROKEN_ONE_IN = 5
CALL_WITHIN = 120.0  # seconds: a call that hangs fails the run instead of the CI job
BATCH = 3  # items in a generated batch, kept short (embedding 20 texts takes time); test_kill sends 20
SEEDED = [
    "The release train leaves every second Thursday",
    "Grafana dashboards for the payment service live in the ops folder",
    "Our style guide forbids abbreviations in public function names",
    "The staging cluster runs on three ARM nodes in Frankfurt",
    "Customer exports are written as gzip-compressed JSON lines",
    "The design review for a new service needs two senior engineers",
]
# What each action needs besides the tool's required arguments (the descriptions say so; the schema
# cannot, without a top-level oneOf that assistants' APIs refuse): the valid calls are drawn from
# the tool's schema narrowed to one action, so most of them really run.
NEEDS: dict[str, dict[str, list[str]]] = {
    "memory": {
        "get": ["id"], "get_batch": ["ids"], "edit": ["id", "content"], "delete": ["id"],
        "promote": ["id"], "demote": ["id"], "state": ["id"], "share": ["id", "visibility"],
    },
    "codebase": {
        "remember_pattern": ["name", "description"], "remember_decision": ["decision", "rationale"],
        "get_context": [],
    },
    "intention": {"set": ["content"], "check": ["context"], "update": ["id"], "list": []},
    "smart_ingest": {"content": ["content"], "items": ["items"]},  # exactly one of the two
}  # fmt: skip
TOOLS = ["search", "smart_ingest", "memory", "codebase", "intention", "memory_status", "graph", "review"]
NOBODY = "00000000-0000-0000-0000-000000000000"


def nested(depth: int) -> Any:
    """A JSON object nested `depth` deep."""
    value: Any = "leaf"
    for _ in range(depth):
        value = {"deeper": value}
    return value


# Calls made first, every run, each a value that broke a door once or sits on an edge.
EXPLICIT: list[tuple[str, dict[str, Any]]] = [
    ("intention", {"action": "set", "content": "Watch the nightly job", "trigger_type": "context",
                   "trigger_data": {"keywords": ["nul\x00"]}}),
    ("intention", {"action": "set", "content": "Deeply nested trigger", "trigger_data": nested(100)}),
    ("intention", {"action": "set", "content": "Due at the end", "deadline": "9999-12-31T23:59:59-14:00"}),
    ("smart_ingest", {"content": "a NUL \x00 inside"}),
    ("smart_ingest", {"content": "Thirty-three tags", "tags": ["t"] * 33}),
    ("smart_ingest", {"content": "A blank tag", "tags": [""]}),
    ("smart_ingest", {"items": [{"content": f"item {i}"} for i in range(21)]}),
    ("search", {"query": "before time", "created_after": "0001-01-01T00:00:00+14:00"}),
    ("search", {"query": "a huge limit", "limit": 2**70}),
    ("review", {"memory_id": NOBODY, "rating": 5}),
    ("graph", {"memory_id": NOBODY, "depth": 3}),
    ("memory", {"action": "get_batch", "ids": [NOBODY] * 100}),
]  # fmt: skip
SQLSTATE_AT_END = re.compile(r"\[([0-9A-Z]{5})\]$")
CRASH_TEXT = ("Error executing tool", "Traceback", "psycopg", "NoneType", "object has no attribute")

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@dataclass
class Tally:
    """What a fuzz run did: calls per tool and outcome."""

    transport: str
    outcomes: Counter[str] = field(default_factory=Counter)
    tools: Counter[str] = field(default_factory=Counter)

    @property
    def cases(self) -> int:
        return sum(self.outcomes.values())

    def line(self) -> str:
        return (
            f"{self.cases} calls over {self.transport} ({len(EXPLICIT)} fixed, the rest generated from the"
            f" schemas; {len(self.tools)} tool names): {self.outcomes['ok']} succeeded,"
            f" {self.outcomes['refused']} typed errors, 0 crashes, 0 writes by a refused call, server up"
        )


def untyped(text: str) -> str | None:
    """Why a tool error's text is not a typed error (None: it is one)."""
    if not text.strip():
        return "it is empty"
    if "\n" in text:
        return "it is more than one line"
    if any(mark in text for mark in CRASH_TEXT):
        return "it is a crash's text"
    code = SQLSTATE_AT_END.search(text)
    if code and not code.group(1).startswith("VS"):
        return f"it is a raw database error (SQLSTATE {code.group(1)}, not one of ours)"
    return None


def tool_calls(tools: list[Tool], ids: list[str]) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """A tool and its arguments: valid for its schema, or (one in BROKEN_ONE_IN) broken."""
    uuids = st.sampled_from(ids) | st.uuids().map(str)
    valid = st.one_of(
        [
            st.tuples(
                st.just(tool.name),
                st.one_of([from_schema(s, custom_formats={"uuid": uuids}) for s in narrowed(tool)]),
            )
            for tool in tools
        ]
    )
    names = [tool.name for tool in tools]
    broken = st.one_of(
        valid.flatmap(lambda call: broken_arguments(call, tools)),
        st.tuples(st.sampled_from(names), st.dictionaries(st.text(max_size=12), JSON, max_size=4)),
        st.tuples(st.text(min_size=1, max_size=20).filter(lambda name: name not in names), st.just({})),
    )
    return st.integers(1, BROKEN_ONE_IN).flatmap(lambda draw: broken if draw == 1 else valid)


def narrowed(tool: Tool) -> list[dict[str, Any]]:
    """The tool's schema, or one schema per action (NEEDS) where what an action needs is required."""
    schema = tool.input_schema
    if tool.name not in NEEDS:
        return [schema]
    variants = []
    for variant, needs in NEEDS[tool.name].items():
        properties = dict(schema["properties"])
        if "action" in properties:
            properties["action"] = {"const": variant}
        else:  # smart_ingest: content or items, never both
            properties.pop("items" if variant == "content" else "content")
        for need in needs:  # required, and not null
            branches = properties[need].get("anyOf", [properties[need]])
            properties[need] = next(b for b in branches if b.get("type") != "null")
        if "items" in properties and "items" in needs:  # batches of up to BATCH here (time)
            properties["items"] = {**properties["items"], "maxItems": BATCH}
        required = sorted({*schema.get("required", []), *needs})
        variants.append({**schema, "properties": properties, "required": required})
    return variants


def broken_arguments(
    call: tuple[str, dict[str, Any]], tools: list[Tool]
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """The call with one argument of a wrong type, a required one dropped, or an unknown one added."""
    name, arguments = call
    schema = next(tool.input_schema for tool in tools if tool.name == name)
    known = sorted(schema.get("properties", {}))
    required = schema.get("required", [])
    changes = [
        st.tuples(st.sampled_from(known), JSON).map(lambda kv: {**arguments, kv[0]: kv[1]}),
        st.tuples(st.text(min_size=1, max_size=12).filter(lambda k: k not in known), JSON).map(
            lambda kv: {**arguments, kv[0]: kv[1]}
        ),
    ]
    if required:
        changes.append(
            st.sampled_from(required).map(lambda k: {a: v for a, v in arguments.items() if a != k})
        )
    return st.tuples(st.just(name), st.one_of(changes))


def seed_store(target: Running, store: Store) -> list[str]:
    """Memories, an intention and the group to draw ids from (half the drawn ids are real)."""
    items = [{"content": text, "tags": ["seeded"]} for text in SEEDED]
    stored = target.mcp.ok("smart_ingest", items=items, batch_merge_policy="force_create")["results"]
    intention = target.mcp.ok("intention", action="set", content="Ask about the flaky deploy job")
    return [*(item["id"] for item in stored), intention["id"], str(store.group_id)]


def fuzz(target: Running, store: Store, cases: int, run_seed: int) -> Tally:
    """Run `cases` generated calls against a server; fail at the first call that breaks a rule."""
    tools = target.mcp.portal.call(target.mcp.session.list_tools).tools
    assert sorted(tool.name for tool in tools) == sorted(TOOLS), "a tool is missing here or in TOOLS"
    ids = seed_store(target, store)
    tally = Tally(target.transport)
    with psycopg.connect(store.conninfo, autocommit=True) as superuser:

        def state() -> str:
            row = superuser.execute(FINGERPRINT).fetchone()
            assert row is not None
            return str(row[0])

        def one(call: tuple[str, dict[str, Any]]) -> None:
            name, arguments = call
            result: CallToolResult = target.mcp.portal.call(
                target.mcp.session.call_tool, name, arguments, CALL_WITHIN
            )
            tally.tools[name] += 1
            before, after[0] = after[0], state()  # nothing else writes: the state after the last call
            if not result.is_error:
                tally.outcomes["ok"] += 1
                return
            text = "".join(getattr(part, "text", "") for part in result.content)
            reason = untyped(text)
            assert reason is None, f"{name} {arguments!r:.400} answered {text!r:.600}: {reason}"
            assert after[0] == before, f"{name} {arguments!r:.400} failed ({text!r:.300}) but wrote"
            tally.outcomes["refused"] += 1

        after = [state()]
        hypothesis_test(one, tool_calls(tools, ids), cases, run_seed)()
    assert target.alive(), f"the {target.transport} server exited"
    target.mcp.portal.call(target.mcp.session.send_ping)
    assert len(target.mcp.portal.call(target.mcp.session.list_tools).tools) == len(tools)
    assert server_crashes(target.log) == []
    return tally


def hypothesis_test(
    body: Callable[[tuple[str, dict[str, Any]]], None],
    calls: st.SearchStrategy[tuple[str, dict[str, Any]]],
    cases: int,
    run_seed: int,
) -> Callable[[], None]:
    """body as a seeded Hypothesis test: the EXPLICIT calls, then `cases` drawn ones, no shrinking."""
    test = given(call=calls)(body)
    for call in EXPLICIT:
        test = example(call=call)(test)
    test = seed(run_seed)(test)
    return settings(
        max_examples=cases,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # a failing call is reported as drawn, not shrunk
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )(test)


def check_run(tally: Tally, cases: int) -> None:
    """The run made the calls asked for, every tool was called, and a good share got through."""
    assert tally.cases >= cases, f"only {tally.cases} of {cases} calls ran"
    assert set(tally.tools) >= set(TOOLS), f"tools never called: {set(TOOLS) - set(tally.tools)}"
    assert tally.outcomes["ok"] >= tally.cases // 4, f"too few calls got through: {tally.outcomes}"


def test_generated_calls_over_stdio_succeed_or_are_refused_cleanly_and_refusals_write_nothing(
    store: Store, tmp_path: Path
) -> None:
    with stdio_server(store, tmp_path) as target:
        tally = fuzz(target, store, CASES, SEED)
    record("fuzz stdio", tally.line())
    check_run(tally, CASES)


def test_generated_calls_over_http_succeed_or_are_refused_cleanly_and_refusals_write_nothing(
    store: Store, tmp_path: Path
) -> None:
    with http_server(store, tmp_path) as target:
        tally = fuzz(target, store, CASES, SEED + 1)
    record("fuzz http", tally.line())
    check_run(tally, CASES)


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("invalid limit 0: must be between 1 and 50", True),
        ("not found (check the id) [VS008]", True),
        ("Error executing tool search", False),
        ("value too long for type character varying(64) [22001]", False),
        ("first line\nsecond line", False),
        ("PostgreSQL text fields cannot contain NUL (0x00) bytes: psycopg refused it", False),
    ],
)
def test_a_typed_error_is_one_line_without_crash_text_or_a_foreign_sqlstate(text: str, typed: bool) -> None:
    assert (untyped(text) is None) == typed
