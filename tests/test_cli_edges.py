"""The `vestige` command as a new user meets it (issue 12): one line and a documented exit code for
every failure, tables readable at 80 columns, flags shown as flags, hints in the CLI's words,
groups by name, `user list` and `group list`, the numbers explained, and `search` the same recall
as the MCP `search` tool.

Most commands run in-process (typer's CliRunner); bytes that are not UTF-8 can only reach argv
through a real process, so that case runs the console script.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from test_cli import Vestige
from test_mcp import mcp_server
from typer.main import get_command
from typer.testing import Result

from vestige_client import cli, config
from vestige_client.embed import SentenceTransformerEmbedder
from vestige_client.models import RecallHit, SearchHit

NOWHERE = "postgresql://vestige@127.0.0.1:9/none?connect_timeout=1"  # never reached by these tests
CONTENT = (
    "The staging database is rebuilt every Monday morning by the ops team, after the nightly "
    "backups have finished and the replicas have caught up with the primary"
)


@pytest.fixture
def vestige(database: str, tmp_path: Path) -> Vestige:
    return Vestige(database, tmp_path)


@pytest.fixture
def offline(tmp_path: Path) -> Vestige:
    """The CLI configured with a database that is never reached."""
    return Vestige(NOWHERE, tmp_path)


def one_line(result: Result, code: int) -> str:
    """The stderr of a failure, checked to be one `error:` line with that exit code."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def flat(text: str) -> str:
    return " ".join(text.split())


# --- every failure is one line with a documented exit code ----------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", "x", "--limt", "3"], "no such option: --limt"),
        (["serch", "x"], "no such command 'serch'"),
        (["search"], "missing argument 'QUERY'"),
        (["search", "x", "--limit", "abc"], "'--limit'"),
        (["review", str(uuid.uuid4())], "missing argument 'RATING'"),
        (["group", "add", "platform"], "missing argument 'USER'"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_help_and_exit_2(
    offline: Vestige, args: list[str], says: str
) -> None:
    line = one_line(offline(*args), 2)
    assert says in line and "--help" in line


def test_bad_bytes_in_an_argument_are_one_line_and_store_nothing(vestige: Vestige, database: str) -> None:
    script = Path(sys.executable).parent / "vestige"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VESTIGE_")} | vestige.env
    run = subprocess.run(
        [os.fsencode(script), b"ingest", b"abc\xffdef"], env=env, capture_output=True, timeout=120
    )
    stderr = run.stderr.decode()
    assert run.returncode == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("error: an argument is not UTF-8 text: byte 0xff") and "Traceback" not in stderr
    assert vestige.json("stats")["total"] == 0


def test_an_unexpected_error_is_one_line_and_vestige_debug_shows_the_traceback(
    offline: Vestige, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path | None) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(config, "load_settings", broken)
    line = one_line(offline("stats"), 1)
    assert "unexpected RuntimeError: boom" in line and "VESTIGE_DEBUG=1" in line
    debug = offline("stats", VESTIGE_DEBUG="1")
    assert debug.exit_code == 1 and isinstance(debug.exception, RuntimeError)


def test_bare_vestige_prints_the_help_with_the_exit_codes(offline: Vestige) -> None:
    result = offline()
    assert result.exit_code == 0 and result.stdout.startswith("Usage: vestige")
    text = flat(result.stdout)
    assert "Exit codes: 0 done; 1 failed" in text and "2 wrong command line" in text
    assert "VESTIGE_DEBUG=1 prints the traceback" in text


@pytest.mark.parametrize("args", [["search", "x", "--limit", "0"], ["due", "--limit", "0"]])
def test_a_limit_out_of_range_is_one_line_in_the_cli_words(vestige: Vestige, args: list[str]) -> None:
    line = one_line(vestige(*args), 1)
    assert "limit" in line and "between 1 and 1000" in line and "p_limit" not in line


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_refused_by_both_searches(vestige: Vestige, query: str) -> None:
    vestige("ingest", "Something to find")
    for plain in ([], ["--plain"]):
        line = one_line(vestige("search", query, *plain), 1)
        assert "the query is empty" in line and "[VS006]" in line


def test_what_the_database_refuses_is_refused_before_the_model_loads(
    vestige: Vestige, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(self: SentenceTransformerEmbedder) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(SentenceTransformerEmbedder, "_load", no_model)
    big = "word " * 420_000  # 2.1 MB on one line
    assert "more than the 1 MiB" in one_line(vestige("ingest", "-", input=big + "\n"), 1)
    assert "content is empty" in one_line(vestige("ingest", " "), 1)
    assert "the query is empty" in one_line(vestige("search", " "), 1)
    assert "invalid limit 0" in one_line(vestige("search", "x", "--limit", "0"), 1)
    assert vestige.json("stats")["total"] == 0


# --- hints in the CLI's words, complete parse messages --------------------------------------------


def test_hints_name_cli_arguments_and_commands_not_sql_parameters(vestige: Vestige) -> None:
    memory_id = vestige.json("ingest", "Ratings are checked")["id"]
    rating = one_line(vestige("review", memory_id, "9"), 1)
    assert "Pass RATING between 1 and 4" in rating and "p_rating" not in rating
    stranger = one_line(vestige("stats", VESTIGE_USER__ID=str(uuid.uuid4())), 1)
    assert "`vestige user create HANDLE`" in stranger and "p_handle" not in stranger
    word = one_line(vestige("review", memory_id, "great"), 1)
    assert "'great'" in word


@pytest.mark.parametrize(
    ("sql_hint", "cli_hint"),
    [
        ("Pass p_rating between 1 and 4.", "Pass RATING between 1 and 4."),
        ("Pass p_limit between 1 and 1000.", "Pass --limit between 1 and 1000."),
        ("keep the full text elsewhere (p_source).", "keep the full text elsewhere (--source)."),
        ("Pass the text to remember in p_content.", "Pass the text to remember in TEXT."),
        ("Pass the group ids in p_shared_with_groups (or p_groups).", "Pass the group ids with --group."),
        ("Create the user first with vestige.create_user(p_handle => ...).", "Create the user first with "
         "`vestige user create HANDLE`."),
        ("Join the group first (vestige.add_group_member by one of its admins)", "Join the group first "
         "(`vestige group add` by one of its admins)"),
        ("invalid p_limits", "invalid p_limits"),
    ],
)  # fmt: skip
def test_the_one_mapping_puts_cli_names_in_place_of_sql_ones(sql_hint: str, cli_hint: str) -> None:
    assert cli._cli_words(sql_hint) == cli_hint


def test_a_bad_json_line_says_where_and_what(vestige: Vestige) -> None:
    line = one_line(vestige("ingest", "-", input='good line\n{"content": "abc\n'), 1)
    assert "line 2 is not valid JSON: unterminated string starting at column 13; nothing was stored" in line
    assert "starts with {" in line
    assert vestige.json("stats")["total"] == 0


# --- tables at 80 and 120 columns ----------------------------------------------------------------


def shown_content(stdout: str) -> str:
    """The memory's text as the table shows it, wrapped lines joined (up to `…` when clipped)."""
    text = flat(stdout)
    start = text.index("The staging")
    end = text.find("…", start)
    return text[start:end] if end >= 0 else CONTENT if CONTENT in text else text[start:]


def check_table(result: Result, width: int, memory_id: str) -> str:
    assert result.exit_code == 0, result.stderr
    assert all(len(line) <= width for line in result.stdout.splitlines())
    assert memory_id[:8] in result.stdout and memory_id not in result.stdout  # the short id, whole
    shown = shown_content(result.stdout)
    if shown != CONTENT:  # only a narrow table clips, at a word boundary, never mid-word
        assert width < 120 and CONTENT.startswith(shown) and CONTENT[len(shown)] == " " and len(shown) > 60
    return flat(result.stdout)


@pytest.mark.parametrize("width", [80, 120])
def test_the_search_table_keeps_short_ids_words_and_columns(vestige: Vestige, width: int) -> None:
    memory_id = vestige.json("ingest", CONTENT, "--tags", "ops,db")["id"]
    result = vestige("search", "when is staging rebuilt?", COLUMNS=str(width))
    text = check_table(result, width, memory_id)
    assert text.startswith("id score memory") and "fact · ops, db" in text
    plain = vestige("search", "when is staging rebuilt?", "--plain", COLUMNS=str(width))
    assert "fact · ops, db" in check_table(plain, width, memory_id)


@pytest.mark.parametrize("width", [80, 120])
def test_due_rows_are_whole(vestige: Vestige, width: int) -> None:
    memory_id = vestige.json("ingest", CONTENT)["id"]
    text = check_table(vestige("due", COLUMNS=str(width)), width, memory_id)
    assert text.startswith("id memory") and "fact · new, due 20" in text and text.endswith("UTC")


def test_a_memory_is_named_by_the_short_id_the_tables_show(vestige: Vestige, database: str) -> None:
    memory_id = vestige.json("ingest", CONTENT)["id"]
    short = memory_id[:8]
    assert vestige.json("get", short)["id"] == memory_id
    assert vestige.json("review", short.upper(), "good")["memory_id"] == memory_id
    assert "at least its first 4 hex digits" in one_line(vestige("get", "abc"), 1)
    with psycopg.connect(database, autocommit=True) as admin:  # a second id sharing those 8 digits
        admin.execute("SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', false)")
        twin = f"{short}-0000-4000-8000-000000000000"
        admin.execute("SELECT vestige.insert_memory(p_content => 'Another memory', p_id => %s)", (twin,))
    assert "more than one memory has an id starting with" in one_line(vestige("get", short), 1)
    assert vestige.json("delete", memory_id[:13])["id"] == memory_id


def test_a_bad_date_is_one_line_naming_the_option_and_changes_nothing(vestige: Vestige) -> None:
    vestige.json("ingest", "A memory to keep as it is")
    memory = vestige.json("search", "memory", "--plain")[0]
    line = one_line(vestige("search", "memory", "--after", "2020-13-01"), 2)
    assert "'--after'" in line and "2020-13-01" in line and "see vestige search --help" in line
    assert vestige.json("get", memory["id"])["access_count"] == 0, "nothing was recalled or touched"


SUPERSEDE_BY_THE_OTHER = (
    "UPDATE vestige.knowledge_nodes SET superseded_by = (SELECT id FROM vestige.knowledge_nodes"
    " WHERE id <> %(old)s) WHERE id = %(old)s"
)


def test_search_takes_the_filters_recall_takes(vestige: Vestige) -> None:
    old = vestige.json("ingest", "Nightly backups of the billing database run at 02:00 UTC")["id"]
    vestige.json("ingest", "Nightly backups of the billing database run at 03:00 UTC")
    with psycopg.connect(vestige.env["VESTIGE_DATABASE_URL"], autocommit=True) as admin:
        admin.execute(SUPERSEDE_BY_THE_OTHER, {"old": old})
    query = "billing database backups"
    assert old not in [h["id"] for h in vestige.json("search", query)]
    assert old in [h["id"] for h in vestige.json("search", query, "--include-superseded")]
    assert vestige.json("search", query, "--after", "2999-01-01") == []
    assert len(vestige.json("search", query, "--before", "2999-01-01T00:00:00+0000")) == 1
    assert vestige.json("search", query, "--min-retention", "0.99") == []


# --- flags shown as flags, numbers explained -------------------------------------------------------


def command_paths() -> list[list[str]]:
    """Every command of the CLI, as the words that call it."""
    root = get_command(cli.app)
    paths = []
    for name, command in getattr(root, "commands", {}).items():
        children = getattr(command, "commands", None)
        paths += [[name, child] for child in children] if children else [[name]]
    return paths


def test_help_shows_flags_as_flags_everywhere(offline: Vestige) -> None:
    assert len(command_paths()) > 20
    for path in command_paths():
        result = offline(*path, "--help")
        assert result.exit_code == 0, path
        assert "<bool>" not in result.stdout, path
        assert "--help" in result.stdout
    assert "--json  " in offline("search", "--help").stdout.replace("--json      ", "--json  ")


def test_help_of_search_get_and_due_says_what_the_numbers_mean(offline: Vestige) -> None:
    search = flat(offline("search", "--help").stdout)
    assert "score, 0 to 1 = 0.5 relevance + 0.3 importance + 0.2 recency" in search
    assert "relative to the best match" in search and "testing effect" in search and "--plain" in search
    get = flat(offline("get", "--help").stdout)
    assert "A new memory shows 0.73" in get and "retrievability_now" in get and "not a probability" in get
    due = flat(offline("due", "--help").stdout)
    assert "A new memory is due at once" in due and "first review immediately" in due


# --- groups by name, user list, group list ---------------------------------------------------------


def test_groups_are_named_where_an_id_is_asked(vestige: Vestige) -> None:
    dana = vestige.json("user", "create", "dana", "--name", "Dana")
    group = vestige.json("group", "create", "platform")
    added = vestige.json("group", "add", "platform", "dana")
    assert added == {"group_id": group["id"], "user_id": dana["id"], "role": "member"}
    shared = vestige.json("ingest", "The team owns CI", "--visibility", "group", "--group", "platform")
    line = json.dumps({"content": "The team owns the runners", "visibility": "group", "groups": ["platform"]})
    bulk = vestige.json("ingest", "-", input=line + "\n")
    for memory_id in (shared["id"], bulk["ids"][0]):
        as_dana = vestige("get", memory_id, "--json", VESTIGE_USER__ID="dana")
        assert as_dana.exit_code == 0, as_dana.stderr
        assert json.loads(as_dana.stdout)["shared_with_groups"] == [group["id"]]
    unknown = one_line(vestige("ingest", "x", "--visibility", "group", "--group", "nope"), 1)
    assert "no group named 'nope'" in unknown and "vestige group list" in unknown
    bad_line = json.dumps({"content": "y", "visibility": "group", "groups": ["nope"]})
    assert "line 2:" in one_line(vestige("ingest", "-", input=f"x\n{bad_line}\n"), 1)
    assert vestige.json("stats")["total"] == 2


def test_user_list_and_group_list(vestige: Vestige) -> None:
    dana = vestige.json("user", "create", "dana", "--name", "Dana Scully")
    group = vestige.json("group", "create", "platform")
    vestige.json("group", "create", "search-quality")
    vestige.json("group", "add", "platform", "dana")
    users = vestige.json("user", "list")
    assert [u["handle"] for u in users] == ["dana", "local"]
    assert users[0]["id"] == dana["id"] and users[0]["display_name"] == "Dana Scully"
    groups = vestige.json("group", "list")
    assert [(g["name"], g["role"], g["members"]) for g in groups] == [
        ("platform", "admin", 2), ("search-quality", "admin", 1)
    ]  # fmt: skip
    assert vestige.json("group", "list", VESTIGE_USER__ID="dana") == [{**groups[0], "role": "member"}]
    table = vestige("user", "list", COLUMNS="80")
    assert table.exit_code == 0 and dana["id"] in table.stdout and "Dana Scully" in table.stdout
    table = vestige("group", "list", COLUMNS="80")
    assert table.exit_code == 0 and group["id"] in table.stdout and "search-quality" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())


# --- search is the recall of the MCP tool -----------------------------------------------------------

MEMORIES = [
    "The staging database is rebuilt every Monday morning",
    "Backups of the production database run nightly at 02:00",
    "The database migration scripts live in db/deploy",
    "Database credentials are kept in the team vault",
    "Use ruff for linting Python code",
    "The cat is called Miso",
    "Coffee beans are stored in the left cupboard",
    "Monday standups start at 09:30",
]


def test_search_is_recall_and_plain_search_touches_nothing(vestige: Vestige) -> None:
    memory_id = vestige.json("ingest", "The staging database is rebuilt every Monday")["id"]
    plain = vestige.json("search", "staging database", "--plain")
    assert set(plain[0]) == {f.name for f in dataclasses.fields(SearchHit)}
    assert vestige.json("get", memory_id)["access_count"] == 0
    recalled = vestige.json("search", "staging database")
    assert set(recalled[0]) == {f.name for f in dataclasses.fields(RecallHit)}
    assert recalled[0]["id"] == memory_id and 0 < recalled[0]["score"] <= 1
    assert vestige.json("get", memory_id)["access_count"] == 1


@pytest.fixture
def twin(server_conninfo: str) -> Iterator[str]:
    """The conninfo of a database the test creates as a copy of its own (dropped afterwards)."""
    name = f"vestige_twin_{uuid.uuid4().hex[:12]}"
    yield psycopg.conninfo.make_conninfo(server_conninfo, dbname=name)
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def copy_database(server_conninfo: str, source: str, target: str) -> None:
    """CREATE DATABASE target TEMPLATE source (no session may be connected to source)."""
    names = [str(psycopg.conninfo.conninfo_to_dict(c)["dbname"]) for c in (target, source)]
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(*map(sql.Identifier, names)))


def test_the_cli_and_the_mcp_search_tool_return_the_same_ids_in_the_same_order(
    vestige: Vestige, database: str, server_conninfo: str, twin: str, tmp_path: Path
) -> None:
    query = "when is the database rebuilt or backed up?"
    assert vestige.json("ingest", "-", input="\n".join(MEMORIES))["count"] == len(MEMORIES)
    fused = [hit["id"] for hit in vestige.json("search", query, "--limit", "5", "--plain")]
    with psycopg.connect(database, autocommit=True) as admin:  # the best match has faded
        faded = "UPDATE vestige.knowledge_nodes SET retention_strength = 0.05 WHERE id = %s"
        admin.execute(faded, [fused[0]])
    # Recall strengthens what it returns: each door searches its own copy of the same data.
    copy_database(server_conninfo, database, twin)
    from_cli = [hit["id"] for hit in vestige.json("search", query, "--limit", "5")]
    with mcp_server(twin, tmp_path / "mcp") as mcp:
        from_mcp = [hit["id"] for hit in mcp.ok("search", query=query, limit=5)["results"]]
    assert len(from_cli) == 5 and from_cli == from_mcp
    assert from_cli != fused and from_cli[0] != fused[0]  # the blend, not the plain ranking


# --- issue 14: bulk ingest lines, deep JSON, ratings as typed -------------------------------------


def nested(depth: int) -> str:
    """A JSON line whose metadata nests `depth` objects deep."""
    return '{"content": "deep", "metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def test_a_json_line_nested_too_deep_is_one_line_naming_it_and_stores_nothing(vestige: Vestige) -> None:
    # 10,000 deep broke Python's JSON decoder; 975 deep passed it and broke the encoder at the insert.
    for depth in (10_000, 975, cli.MAX_JSON_DEPTH):
        error = one_line(vestige("ingest", "-", input=f'{{"content": "fine"}}\n{nested(depth)}\n'), 1)
        assert error.startswith(f"error: line 2 nests JSON deeper than {cli.MAX_JSON_DEPTH} levels"), error
    assert vestige.json("stats")["total"] == 0
    deepest = nested(cli.MAX_JSON_DEPTH - 1)  # the line's object, then its metadata: MAX_JSON_DEPTH levels
    stored = vestige.json("ingest", "-", input=deepest + "\n")
    assert vestige.json("get", stored["ids"][0])["metadata"] == json.loads(deepest)["metadata"]


def test_bulk_ingest_ends_lines_at_newlines_only(vestige: Vestige) -> None:
    text = '{"content": "left\u2028right"}\r\none\x0ctwo\nthree\x1cfour\u0085five\n'
    stored = vestige.json("ingest", "-", input=text)
    assert stored["count"] == 3
    contents = [vestige.json("get", memory_id)["content"] for memory_id in stored["ids"]]
    assert contents == ["left\u2028right", "one\x0ctwo", "three\x1cfour\u0085five"]


def test_a_refused_rating_is_quoted_as_typed(vestige: Vestige) -> None:
    memory_id = vestige.json("ingest", "Ratings are quoted as typed")["id"]
    for typed in ("superb", "00", "0009", "5"):
        error = one_line(vestige("review", memory_id, typed), 1)
        assert f"'{typed}'" in error and "VS006" in error, error  # as typed: '00', never 0
    assert [due["reps"] for due in vestige.json("due") if due["memory_id"] == memory_id] == [0]
