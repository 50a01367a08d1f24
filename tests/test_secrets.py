"""Secrets at ingest (issue 14): the database's detector on a corpus, the policy in config, and
every door refusing a secret by default and redacting it with `[ingest] secrets = "redact"`.

The corpus holds a true positive of every kind vestige.find_secrets reports, each built here by
concatenation so that the repository holds no string a secret scanner flags, and look-alikes
that must pass: prose about passwords, hashes, uuids, base64 images, placeholder URLs, code that
reads a secret from the environment, short or regular values. The doors (the client, the CLI,
vestige-mcp on stdio, `vestige serve`, `vestige migrate copy`, `vestige secrets`) are each
checked to refuse, to redact, and never to show the value: not in their output, not in a log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from anyio.from_thread import start_blocking_portal
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from psycopg import sql as pgsql
from test_client_contract import NoEmbedding
from test_mcp import VESTIGE_MCP, Mcp
from test_migrate_copy import FIXTURES
from test_serve import Server, assert_problem, free_port, new_key, start, stop, wait_until
from typer.testing import CliRunner, Result

from vestige_client import config, errors
from vestige_client.cli import app
from vestige_client.client import Client, NewMemory

LOCAL_USER = uuid.UUID("00000000-0000-0000-0000-000000000001")

# --- The corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Positive:
    """A text holding one secret: its kind, and the secret itself as find_secrets delimits it."""

    kind: str
    before: str
    secret: str
    after: str = ""

    @property
    def text(self) -> str:
        return self.before + self.secret + self.after

    @property
    def position(self) -> int:
        return len(self.before) + 1


PRIVATE_KEY_BODY = (
    "MIIEowIBAAKCAQEA" + "u1SU1LfVLPHCozMxH2Mo" + "4lgOEePzNm0tRgeLezV6" + "ffAt0gunVTLw7onLRnrq"
)
POSITIVES = [
    Positive("aws_access_key_id", "the deploy user's key id is ", "AK" + "IA" + "Z7QW3ER5TY8UI2OP", " (ops)"),
    Positive(
        "aws_secret_access_key",
        "aws_secret_access_key = ",
        "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYQ8zR4mT2vN",
        "\nregion = eu-west-1",
    ),
    Positive("github_token", "CI pushes with ", "gh" + "p_" + "A1b2" * 9, " since June"),
    Positive("gitlab_token", "the runner token: ", "gl" + "pat-" + "x9Yz" * 5, ""),
    Positive("slack_token", "bot token ", "xo" + "xb-" + "1234567890-" + "AbCdEfGhIjKl", " for #ops"),
    Positive(
        "slack_webhook",
        "alerts go to ",
        "https://hooks.slack.com/services/" + "T0ABCDEF1/B0GHIJKL2/" + "aBcDeFgHiJkLmNoPqRsTuVwX",
        " every night",
    ),
    Positive("stripe_key", "billing uses ", "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "."),
    Positive("google_api_key", "maps key ", "AI" + "za" + "SyD3xK9mQ2vN7pL4wR8tY1uZ6bC5eF0gHjk", " in prod"),
    Positive(
        "openai_key", "OPENAI key ", "sk-" + "proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78", " for evals"
    ),
    Positive(
        "anthropic_key", "the assistant uses ", "sk-" + "ant-" + "api03-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1H", ""
    ),
    Positive(
        "private_key",
        "the deploy key:\n",
        "-----BEGIN " + "RSA PRIVATE KEY-----\n" + PRIVATE_KEY_BODY + "\n-----END " + "RSA PRIVATE KEY-----",
        "\nkeep it safe",
    ),
    Positive(
        "url_credentials",
        "connect with postgresql://vestige:",
        "Tr0ub4dor3xK",
        "@db.example.com:5432/vestige",
    ),
    Positive(
        "jwt",
        "the session cookie was ",
        "ey"
        + "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + "ey"
        + "JzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        " at login",
    ),
    Positive("secret_assignment", "DB_PASSWORD=", "q7#Lm2!vX9pR", "\nDB_HOST=db"),
    Positive("secret_assignment", "client_secret: ", "9fK2mQ7xL4pZ8wR3", ""),
]
KINDS = {
    "aws_access_key_id", "aws_secret_access_key", "github_token", "gitlab_token", "slack_token",
    "slack_webhook", "stripe_key", "google_api_key", "openai_key", "anthropic_key", "private_key",
    "url_credentials", "jwt", "secret_assignment",
}  # fmt: skip

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3).decode()
LOOK_ALIKES = {
    "prose about a password": "the password must be 12 characters, with a digit and a symbol",
    "prose about an api key": "rotate your API key monthly and never paste it into a chat",
    "prose naming a token": "The CI token lives in the vault; ask ops for access.",
    "a sha256": "the release tarball's sha256 is " + hashlib.sha256(b"vestige 0.3.0").hexdigest(),
    "a sha1": "sha1 " + hashlib.sha1(b"vestige").hexdigest() + " matches the mirror",
    "an md5": "md5 checksum " + hashlib.md5(b"vestige").hexdigest(),
    "a git commit": "fixed in commit " + hashlib.sha1(b"commit").hexdigest() + " on main",
    "a commit id assigned": "commit_sha: " + hashlib.sha1(b"head").hexdigest(),
    "a uuid": "the memory " + str(uuid.uuid5(uuid.NAMESPACE_URL, "vestige")) + " was superseded",
    "a base64 image": "the logo: data:image/png;base64," + PNG,
    "a placeholder password in a URL": "postgresql://user:<password>@host:5432/db",
    "a masked password in a URL": "postgresql://vestige:***@db/vestige",
    "a variable in a URL": "postgresql://vestige:${VESTIGE_DB_PASSWORD}@db.example.com/vestige",
    "a shell variable in a URL": "https://deploy:$DEPLOY_PASSWORD@git.example.com/repo.git",
    "a word for a password in a URL": "postgresql://app:password@localhost/app",
    "a URL without a password": "https://user@example.com/path and postgresql://vestige@db/vestige",
    "code reading the environment": 'password = os.environ["DB_PASSWORD"]',
    "code reading a setting": "token = settings.API_TOKEN",
    "code calling getenv": 'api_key = os.getenv("OPENAI_API_KEY")',
    "a placeholder assignment": "password = changeme",
    "a short password": "password: hunter2",
    "a regular value": "token = aaaaaaaaaaaaaaaaaaaa",
    "a number": "password_reset_timeout = 1209600000000",
    "a hyphenated word after sk-": "we use sk-learn-compatible-pipelines-for-every-model-we-train",
    "an AWS prefix in prose": "access key ids start with AKIA followed by 16 characters",
    "a PEM public key": "-----BEGIN "
    + "PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----",
}


def find_secrets(conn: psycopg.Connection[Any], text: str) -> list[tuple[str, int, int]]:
    rows = conn.execute('SELECT kind, "position", length FROM vestige.find_secrets(%s)', [text]).fetchall()
    return [(str(kind), int(position), int(length)) for kind, position, length in rows]


def redact(conn: psycopg.Connection[Any], text: str) -> str:
    row = conn.execute("SELECT vestige.redact_secrets(%s)", [text]).fetchone()
    assert row is not None
    return str(row[0])


def test_the_corpus_has_a_true_positive_of_every_kind() -> None:
    assert {p.kind for p in POSITIVES} == KINDS


@pytest.mark.parametrize("case", POSITIVES, ids=lambda p: p.kind)
def test_find_secrets_flags_each_kind_at_the_secret(conn: psycopg.Connection[Any], case: Positive) -> None:
    assert [(kind, position) for kind, position, _ in find_secrets(conn, case.text)] == [
        (case.kind, case.position)
    ]


@pytest.mark.parametrize("case", POSITIVES, ids=lambda p: p.kind)
def test_redact_secrets_replaces_the_secret_and_leaves_nothing_to_find(
    conn: psycopg.Connection[Any], case: Positive
) -> None:
    redacted = redact(conn, case.text)
    assert redacted == case.before + f"[REDACTED:{case.kind}]" + case.after
    assert find_secrets(conn, redacted) == [], "a redacted text must pass the detector (and check_content)"
    assert redact(conn, redacted) == redacted


@pytest.mark.parametrize("case", POSITIVES, ids=lambda p: p.kind)
def test_check_content_refuses_with_the_kind_and_position_never_the_value(
    conn: psycopg.Connection[Any], case: Positive
) -> None:
    with pytest.raises(psycopg.Error) as refused:
        conn.execute("SELECT vestige.check_content(%s)", [case.text])
    error = refused.value
    assert error.sqlstate == "VS017"
    assert error.diag.message_primary == f"content holds a secret: {case.kind} at character {case.position}"
    shown = " ".join(
        filter(None, [error.diag.message_primary, error.diag.message_detail, error.diag.message_hint])
    )
    assert case.secret not in shown


@pytest.mark.parametrize("name", list(LOOK_ALIKES))
def test_a_look_alike_is_not_a_secret(conn: psycopg.Connection[Any], name: str) -> None:
    text = LOOK_ALIKES[name]
    assert find_secrets(conn, text) == []
    assert redact(conn, text) == text


def test_several_secrets_are_found_in_order_and_all_redacted(conn: psycopg.Connection[Any]) -> None:
    first, second = POSITIVES[2], POSITIVES[0]  # a GitHub token, an AWS key id
    text = "first " + first.secret + " then " + second.secret + " end"
    found = find_secrets(conn, text)
    assert [(kind, position) for kind, position, _ in found] == [
        (first.kind, 7),
        (second.kind, 7 + len(first.secret) + 6),
    ]
    assert redact(conn, text) == f"first [REDACTED:{first.kind}] then [REDACTED:{second.kind}] end"


# --- Config ---------------------------------------------------------------------------------------


def test_the_policy_defaults_to_refuse_and_is_set_by_file_or_environment(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    assert config.load_settings(None, env=env).ingest.secrets == "refuse"
    toml = tmp_path / "vestige.toml"
    toml.write_text('[ingest]\nsecrets = "redact"\n')
    assert config.load_settings(toml, env=env).ingest.secrets == "redact"
    assert (
        config.load_settings(None, env=env | {"VESTIGE_INGEST__SECRETS": "REDACT"}).ingest.secrets == "redact"
    )


def test_an_unknown_policy_is_one_line_naming_the_key_and_the_choices(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "VESTIGE_INGEST__SECRETS": "ignore"}
    with pytest.raises(errors.ConfigError) as refused:
        config.load_settings(None, env=env)
    assert str(refused.value) == (
        "ingest.secrets from environment variable VESTIGE_INGEST__SECRETS must be one of 'refuse', "
        "'redact', not 'ignore'"
    )


# --- The client -----------------------------------------------------------------------------------

TOKEN = POSITIVES[2]  # a GitHub token
AWS_KEY_ID = POSITIVES[0]
URL = POSITIVES[11]  # a password in a URL


def settings_for(database: str, home: Path, policy: str | None = None) -> config.Settings:
    env = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home), "HOME": str(home)}
    return config.load_settings(None, env=env | ({"VESTIGE_INGEST__SECRETS": policy} if policy else {}))


def stored_texts(database: str) -> list[str]:
    """Every memory and intention text in the database, read as the superuser."""
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT content FROM vestige.knowledge_nodes UNION ALL SELECT content FROM vestige.intentions"
        ).fetchall()
    return [str(row[0]) for row in rows]


def test_the_client_refuses_a_secret_before_anything_is_embedded(database: str, tmp_path: Path) -> None:
    with Client.open(settings_for(database, tmp_path)) as client:
        client.embedder = NoEmbedding()
        message = f"content holds a secret: github_token at character {TOKEN.position}"
        with pytest.raises(errors.SecretRefused, match=message):
            client.insert_memories([NewMemory("a plain fact"), NewMemory(TOKEN.text)])
        with pytest.raises(errors.SecretRefused, match=message):
            client.ingest([NewMemory(TOKEN.text)])
        with pytest.raises(errors.SecretRefused, match=message):
            client.update_memory(uuid.uuid4(), content=TOKEN.text)
        with pytest.raises(errors.SecretRefused, match=message):
            client.set_intention(TOKEN.text)
    assert stored_texts(database) == []


def test_with_redact_the_client_stores_and_embeds_the_redacted_text(database: str, tmp_path: Path) -> None:
    with Client.open(settings_for(database, tmp_path, "redact")) as client:
        plain, with_token = client.insert_memories([NewMemory("a plain fact"), NewMemory(TOKEN.text)])
        assert client.get_memory(with_token).content == TOKEN.before + "[REDACTED:github_token]" + TOKEN.after
        [ingested] = client.ingest([NewMemory(AWS_KEY_ID.text)])
        assert ingested.redacted == ["aws_access_key_id"]
        [clean] = client.ingest([NewMemory("nothing to hide here")])
        assert clean.redacted == []
        client.update_memory(plain, content=URL.text)
        assert client.get_memory(plain).content == URL.before + "[REDACTED:url_credentials]" + URL.after
        intention = client.set_intention("rotate " + TOKEN.secret + " on Friday")
        client.update_intention(intention, content="rotate " + AWS_KEY_ID.secret + " too")
        [listed] = client.list_intentions()
        assert listed.content == "rotate [REDACTED:aws_access_key_id] too"
        expected = client.embedder.embed_documents([client.get_memory(with_token).content])[0]
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT embedding::text FROM vestige.knowledge_nodes WHERE id = %s", [with_token]
        ).fetchone()
    assert row is not None
    stored = json.loads(row[0])
    assert stored == pytest.approx([float(x) for x in expected], abs=1e-6), (
        "the vector is of the redacted text"
    )
    texts = "\n".join(stored_texts(database))
    assert all(case.secret not in texts for case in (TOKEN, AWS_KEY_ID, URL))


# --- The CLI --------------------------------------------------------------------------------------


def vestige(database: str, home: Path, *args: str, input: str | None = None, **env: str) -> Result:
    base = {"VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home), "VESTIGE_CONFIG": ""}
    return CliRunner().invoke(app, list(args), input=input, env=base | env, prog_name="vestige")


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0].removeprefix("error: ")


def test_the_cli_refuses_a_secret_in_one_line_that_never_shows_it(database: str, tmp_path: Path) -> None:
    refused = vestige(database, tmp_path, "ingest", TOKEN.text)
    message = one_error_line(refused)
    assert message.startswith(f"content holds a secret: github_token at character {TOKEN.position} (")
    assert message.endswith('[ingest] secrets = "redact".) [VS017]')
    batch = vestige(database, tmp_path, "ingest", "-", input="a plain fact\n" + AWS_KEY_ID.text + "\n")
    assert "aws_access_key_id" in one_error_line(batch)
    for result in (refused, batch):
        assert TOKEN.secret not in result.output and AWS_KEY_ID.secret not in result.output
    assert stored_texts(database) == [], "all or none: the plain line was not stored either"


def test_the_cli_redacts_with_the_policy(database: str, tmp_path: Path) -> None:
    stored = vestige(database, tmp_path, "ingest", TOKEN.text, "--json", VESTIGE_INGEST__SECRETS="redact")
    assert stored.exit_code == 0, stored.stderr
    shown = vestige(database, tmp_path, "get", json.loads(stored.stdout)["id"], "--json")
    assert json.loads(shown.stdout)["content"] == TOKEN.before + "[REDACTED:github_token]" + TOKEN.after
    assert TOKEN.secret not in stored.output + shown.output


# --- vestige-mcp on stdio -------------------------------------------------------------------------


@contextmanager
def stdio_server(database: str, home: Path, **env: str) -> Iterator[Mcp]:
    """vestige-mcp logging at debug level to home/mcp.log, its standard error in home/mcp.stderr."""
    variables = {
        "VESTIGE_DATABASE_URL": database, "XDG_CONFIG_HOME": str(home), "HOME": str(home),
        "VESTIGE_LOG__LEVEL": "debug", "VESTIGE_LOG__FILE": str(home / "mcp.log"), **env,
    }  # fmt: skip
    params = StdioServerParameters(command=str(VESTIGE_MCP), env=variables)
    with (
        (home / "mcp.stderr").open("w") as errlog,
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(stdio_client(params, errlog=errlog)) as (read, write),
        portal.wrap_async_context_manager(ClientSession(read, write)) as session,
    ):
        init = portal.call(session.initialize)
        yield Mcp(portal, session, init.instructions)


def logs(home: Path, *names: str) -> str:
    return "".join((home / name).read_text() for name in names if (home / name).exists())


def test_mcp_tools_refuse_a_secret_with_a_tool_error_that_never_shows_it(
    database: str, tmp_path: Path
) -> None:
    with stdio_server(database, tmp_path) as mcp:
        refusals = [
            mcp.error("smart_ingest", content=TOKEN.text),
            mcp.error("smart_ingest", items=[{"content": "a plain fact"}, {"content": AWS_KEY_ID.text}]),
            mcp.error(
                "codebase", action="remember_decision", codebase="api", decision=URL.text, rationale="ok"
            ),
            mcp.error("intention", action="set", content=TOKEN.text),
        ]
        memory_id = mcp.ok("smart_ingest", content="a plain fact")["results"][0]["id"]
        refusals.append(mcp.error("memory", action="edit", id=memory_id, content=TOKEN.text))
    first = f"content holds a secret: github_token at character {TOKEN.position} ("
    assert refusals[0].startswith(first) and refusals[0].endswith('secrets = "redact".) [VS017]'), refusals[0]
    assert all("content holds a secret: " in text and "\n" not in text for text in refusals), refusals
    assert stored_texts(database) == ["a plain fact"]
    seen = "\n".join(refusals) + logs(tmp_path, "mcp.log", "mcp.stderr")
    assert all(case.secret not in seen for case in (TOKEN, AWS_KEY_ID, URL))


def test_mcp_tools_redact_with_the_policy_and_say_what(database: str, tmp_path: Path) -> None:
    with stdio_server(database, tmp_path, VESTIGE_INGEST__SECRETS="redact") as mcp:
        called = mcp.call("smart_ingest", content=TOKEN.text)
        assert not called.is_error
        text = called.content[0].text  # type: ignore[union-attr]
        [result] = (called.structured_content or {})["results"]
        assert result["redacted"] == ["github_token"] and text.endswith("; redacted 1 secret: github_token")
        batch = mcp.ok("smart_ingest", items=[{"content": "nothing here"}, {"content": AWS_KEY_ID.text}])
        assert [r["redacted"] for r in batch["results"]] == [[], ["aws_access_key_id"]]
        shown = mcp.ok("memory", action="get", id=result["id"])["memory"]["content"]
        assert shown == TOKEN.before + "[REDACTED:github_token]" + TOKEN.after
        mcp.ok("intention", action="set", content="rotate " + TOKEN.secret)
    seen = text + json.dumps(batch) + logs(tmp_path, "mcp.log", "mcp.stderr")
    assert all(case.secret not in seen for case in (TOKEN, AWS_KEY_ID))
    assert all(case.secret not in "\n".join(stored_texts(database)) for case in (TOKEN, AWS_KEY_ID))


# --- vestige serve: the REST API ------------------------------------------------------------------


@contextmanager
def team_server(database: str, home: Path, **env: str) -> Iterator[Server]:
    """`vestige serve` at debug level, its log and standard error in home; stopped at the end."""
    variables = {
        "VESTIGE_DATABASE_URL": database, "VESTIGE_LOG__LEVEL": "debug",
        "VESTIGE_LOG__FILE": str(home / "serve.log"), **env,
    }  # fmt: skip
    port = free_port()
    process = start(variables, home, port)
    running = Server(f"http://127.0.0.1:{port}", home, process)
    try:
        wait_until(running, "/readyz")
        yield running
    finally:
        stop(process)


@pytest.fixture
def alice_db(database: str) -> str:
    with psycopg.connect(database) as conn:
        conn.execute("SELECT vestige.create_user(p_handle => 'alice')")
    return database


def test_rest_refuses_a_secret_with_422_and_never_echoes_or_logs_it(alice_db: str, tmp_path: Path) -> None:
    with team_server(alice_db, tmp_path) as server, server.http(new_key(server, alice_db, "alice")) as http:
        answers = [
            http.post("/api/v1/memories", json={"content": TOKEN.text}),
            http.post("/api/v1/ingest", json={"items": [{"content": AWS_KEY_ID.text}]}),
        ]
        created = http.post("/api/v1/memories", json={"content": "a plain fact"})
        memory_id = created.json()["results"][0]["id"]
        answers.append(http.patch(f"/api/v1/memories/{memory_id}", json={"content": URL.text}))
    bodies = [assert_problem(answer, 422) for answer in answers]
    assert all(body["code"] == "VS017" for body in bodies)
    assert bodies[0]["detail"].startswith(
        f"content holds a secret: github_token at character {TOKEN.position}"
    )
    assert stored_texts(alice_db) == ["a plain fact"]
    seen = "".join(answer.text for answer in answers) + server.output()
    assert all(case.secret not in seen for case in (TOKEN, AWS_KEY_ID, URL))


def test_rest_redacts_with_the_policy(alice_db: str, tmp_path: Path) -> None:
    policy = {"VESTIGE_INGEST__SECRETS": "redact"}
    with (
        team_server(alice_db, tmp_path, **policy) as server,
        server.http(new_key(server, alice_db, "alice")) as http,
    ):
        created = http.post("/api/v1/memories", json={"content": TOKEN.text})
        assert created.status_code == 201, created.text
        [result] = created.json()["results"]
        assert result["redacted"] == ["github_token"]
        edited = http.patch(f"/api/v1/memories/{result['id']}", json={"content": URL.text})
        assert edited.status_code == 200, edited.text
        assert edited.json()["content"] == URL.before + "[REDACTED:url_credentials]" + URL.after
    seen = created.text + edited.text + server.output()
    assert all(case.secret not in seen for case in (TOKEN, URL))


# --- vestige migrate copy -------------------------------------------------------------------------

NOMIC_256 = "nomic-ai/nomic-embed-text-v1.5@256"  # registered by name: the store's vectors are copied


@dataclass(frozen=True)
class Store:
    """A small Vestige store: four memories, two of them with a secret, and two intentions, one with one."""

    path: Path
    memories: list[str]  # ids, in order; memories[1] holds TOKEN, memories[2] AWS_KEY_ID
    intentions: list[str]  # intentions[0] holds URL


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """Cut down from the V18 sample store to a few rows, with secrets written into them."""
    path = tmp_path / "vestige.db"
    shutil.copyfile(FIXTURES / "v18-modern-256.db", path)
    with sqlite3.connect(path) as source:
        memories = [
            row[0]
            for row in source.execute(
                "SELECT id FROM knowledge_nodes WHERE superseded_by IS NULL AND id IN"
                " (SELECT node_id FROM node_embeddings) ORDER BY id LIMIT 4"
            )
        ]
        keep = ",".join("?" * len(memories))
        source.execute(f"DELETE FROM knowledge_nodes WHERE id NOT IN ({keep})", memories)
        source.execute(f"DELETE FROM node_embeddings WHERE node_id NOT IN ({keep})", memories)
        source.execute(
            f"DELETE FROM memory_connections WHERE source_id NOT IN ({keep}) OR target_id NOT IN ({keep})",
            memories + memories,
        )
        intentions = [row[0] for row in source.execute("SELECT id FROM intentions ORDER BY id LIMIT 2")]
        source.execute("DELETE FROM intentions WHERE id NOT IN (?, ?)", intentions)
        source.execute("UPDATE knowledge_nodes SET content = ? WHERE id = ?", (TOKEN.text, memories[1]))
        source.execute("UPDATE knowledge_nodes SET content = ? WHERE id = ?", (AWS_KEY_ID.text, memories[2]))
        source.execute("UPDATE intentions SET content = ? WHERE id = ?", (URL.text, intentions[0]))
    source.close()
    return Store(path, memories, intentions)


def copy(database: str, home: Path, store: Store, *args: str, **env: str) -> tuple[Result, dict[str, Any]]:
    result = vestige(
        database, home, "migrate", "copy", "--from", str(store.path), "--allow-source-upgrade", *args,
        VESTIGE_EMBEDDING__MODEL=NOMIC_256, **env,
    )  # fmt: skip
    return result, json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


def target(database: str) -> dict[str, tuple[str, bool]]:
    """Each copied memory and intention: its text, and whether it has a vector."""
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT id::text, content, embedding IS NOT NULL FROM vestige.knowledge_nodes"
            " UNION ALL SELECT id::text, content, false FROM vestige.intentions"
        ).fetchall()
    return {str(row[0]): (str(row[1]), bool(row[2])) for row in rows}


def test_copy_leaves_out_a_row_with_a_secret_and_lists_it_without_the_value(
    database: str, tmp_path: Path, store: Store
) -> None:
    result, report = copy(database, tmp_path, store, "--json")
    assert result.exit_code == 1, result.stderr  # a row had to be skipped
    found = {(s["table"], s["id"], s["kind"], s["position"], s["action"]) for s in report["secrets"]}
    assert found == {
        ("knowledge_nodes", store.memories[1], "github_token", TOKEN.position, "refused"),
        ("knowledge_nodes", store.memories[2], "aws_access_key_id", AWS_KEY_ID.position, "refused"),
        ("intentions", store.intentions[0], "url_credentials", URL.position, "refused"),
    }
    copied = target(database)
    assert set(copied) == {store.memories[0], store.memories[3], store.intentions[1]}, "the rest is copied"
    counts = {t["table"]: t for t in report["tables"]}
    assert (counts["knowledge_nodes"]["skipped"], counts["knowledge_nodes"]["in_target"]) == (2, 2)
    assert (counts["intentions"]["skipped"], counts["intentions"]["in_target"]) == (1, 1)
    shown = vestige(
        database, tmp_path, "migrate", "copy", "--from", str(store.path), "--dry-run", COLUMNS="500"
    )
    assert "secrets: 3 found; 3 rows not copied, 0 copied redacted" in shown.stdout
    assert (
        f"knowledge_nodes {store.memories[1]} content: holds a secret (github_token at character"
        in shown.stdout
    )
    assert all(case.secret not in result.output + shown.output for case in (TOKEN, AWS_KEY_ID, URL))


def test_copy_with_redact_copies_the_redacted_text_without_the_source_vector(
    database: str, tmp_path: Path, store: Store
) -> None:
    result, report = copy(database, tmp_path, store, "--json", VESTIGE_INGEST__SECRETS="redact")
    assert result.exit_code == 0, result.stderr
    assert {(s["id"], s["kind"], s["action"]) for s in report["secrets"]} == {
        (store.memories[1], "github_token", "redacted"),
        (store.memories[2], "aws_access_key_id", "redacted"),
        (store.intentions[0], "url_credentials", "redacted"),
    }
    copied = target(database)
    assert len(copied) == 6
    assert copied[store.memories[1]] == (TOKEN.before + "[REDACTED:github_token]" + TOKEN.after, False)
    assert copied[store.intentions[0]][0] == URL.before + "[REDACTED:url_credentials]" + URL.after
    assert copied[store.memories[0]][1] and copied[store.memories[3]][1], "the others keep their vectors"
    assert set(report["without_vector"]) == {store.memories[1], store.memories[2]}
    assert all(case.secret not in result.output for case in (TOKEN, AWS_KEY_ID, URL))


# --- vestige secrets scan | redact (operator commands) --------------------------------------------


def plant(database: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A memory and an intention stored before the detector existed: written as the owner, past the API."""
    with psycopg.connect(database) as conn:
        memory = conn.execute(
            "INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES (%s, %s) RETURNING id",
            [TOKEN.text + " and " + AWS_KEY_ID.secret, LOCAL_USER],
        ).fetchone()
        intention = conn.execute(
            "INSERT INTO vestige.intentions (content, owner_user_id, trigger_type)"
            " VALUES (%s, %s, 'manual') RETURNING id",
            ["check " + URL.text, LOCAL_USER],
        ).fetchone()
    assert memory is not None and intention is not None
    return memory[0], intention[0]


def test_secrets_scan_lists_stored_secrets_and_redact_removes_them(database: str, tmp_path: Path) -> None:
    assert vestige(database, tmp_path, "ingest", "a plain fact").exit_code == 0
    clean = vestige(database, tmp_path, "secrets", "scan")
    assert (clean.exit_code, clean.stdout.strip()) == (0, "No secrets found.")
    memory, intention = plant(database)

    scanned = vestige(database, tmp_path, "secrets", "scan", "--json")
    assert scanned.exit_code == 1, scanned.stderr
    assert [
        (s["item"], s["id"], s["owner_user_id"], s["kind"], s["position"]) for s in json.loads(scanned.stdout)
    ] == [  # by item, id and position
        ("intention", str(intention), str(LOCAL_USER), "url_credentials", len("check ") + URL.position),
        ("memory", str(memory), str(LOCAL_USER), "github_token", TOKEN.position),
        ("memory", str(memory), str(LOCAL_USER), "aws_access_key_id", len(TOKEN.text + " and ") + 1),
    ]
    table = vestige(database, tmp_path, "secrets", "scan")
    assert table.exit_code == 1 and str(memory) in table.stdout and "github_token" in table.stdout

    redacted = vestige(database, tmp_path, "secrets", "redact")
    assert redacted.exit_code == 0, redacted.stderr
    assert redacted.stdout.strip() == "Found 3 secrets: redacted 1 memory (embedded again) and 1 intention."
    assert vestige(database, tmp_path, "secrets", "scan").exit_code == 0
    texts = stored_texts(database)
    assert (
        TOKEN.before + "[REDACTED:github_token]" + TOKEN.after + " and [REDACTED:aws_access_key_id]" in texts
    )
    assert "check " + URL.before + "[REDACTED:url_credentials]" + URL.after in texts
    with psycopg.connect(database) as conn:
        embedded = conn.execute(
            "SELECT embedding IS NOT NULL FROM vestige.knowledge_nodes WHERE id = %s", [memory]
        ).fetchone()
    assert embedded == (True,), "the redacted memory is embedded again"
    outputs = scanned.output + table.output + redacted.output
    assert all(case.secret not in outputs for case in (TOKEN, AWS_KEY_ID, URL))


def test_secrets_scan_as_the_application_login_is_one_line_naming_the_operator(
    database: str, server_conninfo: str, tmp_path: Path
) -> None:
    role = f"vestige_test_login_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo, autocommit=True) as admin:
        admin.execute(
            pgsql.SQL("CREATE ROLE {} LOGIN IN ROLE vestige_service").format(pgsql.Identifier(role))
        )
    try:
        as_app = psycopg.conninfo.make_conninfo(database, user=role)
        for command in ("scan", "redact"):
            message = one_error_line(vestige(as_app, tmp_path, "secrets", command))
            assert message.startswith("finding and redacting stored secrets reads every user's memories")
    finally:
        with psycopg.connect(server_conninfo, autocommit=True) as admin:
            admin.execute(pgsql.SQL("DROP ROLE {}").format(pgsql.Identifier(role)))
