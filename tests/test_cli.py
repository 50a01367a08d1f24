"""The `vestige` command line end to end, on real databases with the real MiniLM model.

Most commands run in-process through typer's CliRunner (the model then loads once per session);
the console script itself runs in real subprocesses for the ingest → search round trip and for
the embedded default.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from vestige_client import local_postgres
from vestige_client.cli import app

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


class Vestige:
    """Runs `vestige ARGS` in-process against one database, with no user config file."""

    def __init__(self, conninfo: str, home: Path) -> None:
        self.env = {"VESTIGE_DATABASE_URL": conninfo, "XDG_CONFIG_HOME": str(home), "VESTIGE_CONFIG": ""}

    def __call__(self, *args: str, input: bytes | str | None = None, **env: str) -> Result:
        return CliRunner().invoke(app, list(args), input=input, env={**self.env, **env}, prog_name="vestige")

    def json(self, *args: str, input: bytes | str | None = None, **env: str) -> Any:
        result = self(*args, "--json", input=input, **env)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def vestige(database: str, tmp_path: Path) -> Vestige:
    return Vestige(database, tmp_path)


def test_ingest_then_search_returns_the_memory_with_sql_column_names(vestige: Vestige) -> None:
    stored = vestige.json("ingest", "The staging database is rebuilt every Monday", "--tags", "ops,db")
    hits = vestige.json("search", "when is staging rebuilt?")
    assert hits[0]["id"] == stored["id"]
    assert set(hits[0]) == {
        "id", "content", "node_type", "tags", "codebase", "visibility", "score", "relevance", "importance",
        "recency", "fused_score", "fts_rank", "vector_rank", "vector_similarity", "retention", "created_at",
        "updated_at", "last_accessed",
    }  # fmt: skip
    assert hits[0]["tags"] == ["ops", "db"]
    assert ISO_UTC.match(hits[0]["created_at"])
    private = vestige.json("search", "when is staging rebuilt?", "--visibility", "private")
    assert private[0]["id"] == stored["id"] and private[0]["visibility"] == "private"
    assert vestige.json("search", "when is staging rebuilt?", "--visibility", "public") == []
    unknown = vestige("search", "staging", "--visibility", "team")
    assert unknown.exit_code == 1 and "must be private, group or public" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    plain = vestige.json("search", "when is staging rebuilt?", "--plain")
    assert set(plain[0]) == {
        "id", "content", "node_type", "tags", "score", "fts_rank", "fts_score",
        "vector_rank", "vector_similarity", "retention", "created_at",
    }  # fmt: skip


def test_get_review_due_stats_and_delete(vestige: Vestige) -> None:
    memory_id = vestige.json("ingest", "Use ruff for linting", "--type", "decision")["id"]
    memory = vestige.json("get", memory_id)
    assert memory["content"] == "Use ruff for linting"
    assert (memory["node_type"], memory["visibility"]) == ("decision", "private")
    reviewed = vestige.json("review", memory_id, "good")
    assert reviewed["memory_id"] == memory_id and reviewed["reps"] == 1
    assert ISO_UTC.match(reviewed["next_review"])
    assert vestige.json("due") == []
    assert vestige.json("stats")["total"] == 1
    assert vestige.json("delete", memory_id) == {"id": memory_id, "deleted": True}
    missing = vestige("get", memory_id)
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: ") and len(missing.stderr.strip().splitlines()) == 1


def test_human_output_is_a_table(vestige: Vestige) -> None:
    vestige("ingest", "Tables are the default output")
    result = vestige("search", "default output", COLUMNS="200")
    assert result.exit_code == 0
    assert "Tables are the default output" in result.stdout and "score" in result.stdout


def test_bulk_ingest_from_stdin_reads_lines_and_jsonl(vestige: Vestige) -> None:
    jsonl = json.dumps({"content": "second, from JSON", "tags": ["j"]})
    lines = f"first plain memory\n\n{jsonl}\nthird\n"
    result = vestige.json("ingest", "-", "--tags", "bulk", input=lines)
    assert result["count"] == 3
    second = vestige.json("get", result["ids"][1])
    assert (second["content"], second["tags"]) == ("second, from JSON", ["j"])
    assert vestige.json("get", result["ids"][2])["tags"] == ["bulk"]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"good line\n\xff\xfe\x00binary\n", "not UTF-8"),
        (b"good line\nnul\x00byte\n", "NUL"),
        (b'good line\n{"content": 1}\n', "line 2"),
        (b'good line\n{"content": "x", "colour": "red"}\n', "unknown keys colour"),
        (b"\n  \n", "no memories"),
        (b'{"content": "x", "tags": "abc"}\n', "tags must be a list of strings"),
        (b'{"content": "x", "groups": 5}\n', "groups must be a list of strings"),
        (b'{"content": "x", "visibility": 5}\n', "visibility must be a string"),
    ],
)
def test_bad_stdin_stores_nothing(vestige: Vestige, stdin: bytes, message: str) -> None:
    result = vestige("ingest", "-", input=stdin)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert vestige.json("stats")["total"] == 0


def test_a_json_line_stores_when_the_memory_happened(vestige: Vestige) -> None:
    lines = [
        {"content": "We launched the beta in Lisbon", "valid_from": "2023-05-08T15:56:00+02:00"},
        {"content": "The retro was held the next day", "valid_from": "2023-05-09T09:00:00Z"},
        {"content": "Stored now, happened now", "valid_from": None},
    ]
    result = vestige.json("ingest", "-", input="".join(json.dumps(line) + "\n" for line in lines))
    stored = [vestige.json("get", memory_id) for memory_id in result["ids"]]
    assert [m["valid_from"] for m in stored] == ["2023-05-08T13:56:00Z", "2023-05-09T09:00:00Z", None]
    assert stored[0]["created_at"] != stored[0]["valid_from"]


@pytest.mark.parametrize(
    "valid_from",
    [
        '"2023-05-08T13:56:00"',  # no zone: ambiguous
        '"2023-05-08"',
        '"last Tuesday"',
        "1683554160",
        '"0001-01-01T00:00:00+05:00"',  # before the year 1 in UTC
    ],
)
def test_a_bad_valid_from_names_the_line_and_what_to_write_and_stores_nothing(
    vestige: Vestige, valid_from: str
) -> None:
    stdin = 'good line\n{"content": "x", "valid_from": ' + valid_from + "}\n"
    result = vestige("ingest", "-", input=stdin)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    error = result.stderr.strip()
    assert error.startswith(
        f"error: line 2: invalid valid_from {valid_from}: must be an ISO 8601 time with a time zone"
    )
    assert "2024-05-08T13:56:00Z" in error and error.endswith("; nothing was stored [VS006]")
    assert vestige.json("stats")["total"] == 0


def test_a_failing_row_rolls_back_the_whole_bulk_ingest(vestige: Vestige) -> None:
    result = vestige("ingest", "-", "--visibility", "secret", input="one\ntwo\n")
    assert result.exit_code == 1 and "visibility" in result.stderr
    assert vestige.json("stats")["total"] == 0


def test_a_rating_that_is_not_1_to_4_is_refused(vestige: Vestige) -> None:
    memory_id = vestige.json("ingest", "Ratings are checked")["id"]
    for rating in ("²", "9", "great"):
        result = vestige("review", memory_id, rating)
        assert result.exit_code == 1 and result.stderr.startswith("error: ") and "VS006" in result.stderr


def test_empty_text_is_refused(vestige: Vestige) -> None:
    result = vestige("ingest", "  ")
    assert result.exit_code == 1 and "empty" in result.stderr


def test_users_and_groups(vestige: Vestige) -> None:
    dana = vestige.json("user", "create", "dana", "--name", "Dana")
    group = vestige.json("group", "create", "platform")
    added = vestige.json("group", "add", group["id"], "dana")
    assert added == {"group_id": group["id"], "user_id": dana["id"], "role": "member"}
    shared = vestige.json("ingest", "The team owns CI", "--visibility", "group", "--group", group["id"])
    as_dana = vestige("get", shared["id"], "--json", VESTIGE_USER__ID="dana")
    assert as_dana.exit_code == 0, as_dana.stderr
    taken = vestige("user", "create", "dana")
    assert taken.exit_code == 1 and "already taken" in taken.stderr


def test_db_status_deploy_and_verify_on_a_deployed_database(vestige: Vestige) -> None:
    status = vestige.json("db", "status")
    assert status["backend"] == "postgres" and status["schema"]["state"] == "up-to-date"
    assert vestige.json("db", "deploy") == {"deployed": []}
    results = vestige.json("db", "verify")
    assert results and all(r["ok"] for r in results)


def test_config_print_masks_the_password_and_check_connects(vestige: Vestige, database: str) -> None:
    printed = vestige(
        "config", "print", "--json", VESTIGE_DATABASE_URL="postgresql://app:s3cret@db.example/vestige"
    )
    assert printed.exit_code == 0
    assert (
        json.loads(printed.stdout)["storage"]["postgres"]["url"] == "postgresql://app:****@db.example/vestige"
    )
    assert "s3cret" not in printed.stdout
    checked = vestige.json("config", "check")
    assert checked["backend"] == "postgres" and checked["health"]["postgres_version"]


def test_a_malformed_config_file_is_one_line_and_exit_1(vestige: Vestige, tmp_path: Path) -> None:
    bad = tmp_path / "vestige.toml"
    bad.write_text("[storage\nbackend = 'embedded'\n")
    result = vestige("--config", str(bad), "stats")
    assert result.exit_code == 1
    assert str(bad) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    vestige = Path(sys.executable).parent / "vestige"
    base = {key: value for key, value in os.environ.items() if not key.startswith("VESTIGE_")}
    return subprocess.run(
        [str(vestige), *args], env={**base, **env}, input=stdin, capture_output=True, text=True, timeout=300
    )


def test_console_script_round_trip_with_the_real_model(database: str, tmp_path: Path) -> None:
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(tmp_path), "VESTIGE_CONFIG": ""}
    lines = "Coffee beans are stored in the left cupboard\nThe cat is called Miso\n"
    stored = _run(["ingest", "-"], env, stdin=lines)
    assert stored.returncode == 0, stored.stderr
    found = _run(["search", "where is the coffee?", "--limit", "1", "--json"], env)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["content"] == "Coffee beans are stored in the left cupboard"


def test_embedded_default_starts_deploys_and_stops(tmp_path: Path) -> None:
    data_dir = tmp_path / "pg"
    env = {"XDG_CONFIG_HOME": str(tmp_path), "VESTIGE_STORAGE__EMBEDDED__DATA_DIR": str(data_dir)}
    try:
        stored = _run(["ingest", "Embedded memories live in the data directory", "--json"], env)
        assert stored.returncode == 0, stored.stderr
        found = _run(["search", "where do embedded memories live", "--json"], env)
        assert json.loads(found.stdout)[0]["id"] == json.loads(stored.stdout)["id"]
        status = _run(["db", "status", "--json"], env)
        assert json.loads(status.stdout)["schema"]["state"] == "up-to-date"
        stopped = _run(["db", "stop"], env)
        assert stopped.returncode == 0, stopped.stderr
        assert not local_postgres.status(data_dir).running
    finally:
        local_postgres.stop(data_dir)


def test_the_embedded_server_never_starts_when_a_url_is_configured(vestige: Vestige, tmp_path: Path) -> None:
    data_dir = tmp_path / "never"
    result = vestige("db", "start", VESTIGE_STORAGE__EMBEDDED__DATA_DIR=str(data_dir))
    assert result.exit_code == 1 and "external PostgreSQL" in result.stderr
    assert vestige.json("stats")["total"] == 0
    assert not data_dir.exists()
