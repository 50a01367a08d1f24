"""Where to connect, the checks made before connecting, the connection pool with transactions
that carry the caller's identity, and the operator connections of `vestige db` and `vestige migrate`.

Every pooled connection runs as the application role with the configured timeouts (set once,
in the pool's `configure` hook); the caller's identity is set per transaction, so the pool also
works behind PgBouncer in transaction mode. The operator commands connect through `operator`
only: it resolves the server, opens the connections and maps every psycopg error once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, LiteralString

import psycopg
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool, PoolTimeout

from vestige_client import local_postgres, sql
from vestige_client.config import Settings
from vestige_client.deployer import deploy
from vestige_client.errors import (
    ConnectionFailed,
    OwnerRoleRequired,
    SchemaError,
    ServerNotRunning,
    from_database,
)

APPLICATION_NAME = "vestige"
EMBEDDED_DATABASE = "vestige"


def server_conninfo(settings: Settings, *, start: bool = True) -> str:
    """Return the conninfo to use, starting the embedded server first when it is the backend.

    With `start=False` a running embedded server is only attached to (ServerNotRunning otherwise).
    """
    if settings.storage.backend == "embedded":
        data_dir = settings.storage.embedded.data_dir
        if not start and not local_postgres.status(data_dir).running:
            raise ServerNotRunning(hint=f"its data directory is {data_dir}")
        server = local_postgres.start(data_dir)
        if start:
            local_postgres.ensure_database(server, EMBEDDED_DATABASE)
        return server.conninfo(EMBEDDED_DATABASE)
    # An empty URL leaves everything to libpq: PG* variables and ~/.pgpass.
    return settings.storage.postgres.url or ""


def connect(conninfo: str, settings: Settings) -> psycopg.Connection[Any]:
    """Open one autocommit connection, turning libpq's failure into a message that says what to do."""
    try:
        return psycopg.connect(
            conninfo,
            autocommit=True,
            application_name=APPLICATION_NAME,
            connect_timeout=max(1, round(settings.storage.postgres.acquire_timeout)),
        )
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0]
        if settings.storage.backend == "embedded":
            hint = "see `vestige db status` and the server log in the data directory"
        else:
            where = f"[storage.postgres] url in {settings.source}" if settings.source else "vestige.toml"
            hint = (
                f"check VESTIGE_DATABASE_URL or {where}, that the server is running, "
                "and the password (PGPASSWORD or ~/.pgpass)"
            )
        raise ConnectionFailed(f"cannot connect to PostgreSQL: {reason}", hint=hint) from exc


def prepare(conninfo: str, settings: Settings) -> None:
    """Check the database before the pool opens; deploy the schema when that is allowed."""
    with database_errors():
        _prepare(conninfo, settings)


def _prepare(conninfo: str, settings: Settings) -> None:
    plan = deploy.bundled_plan()
    auto = settings.storage.backend == "embedded" or settings.storage.postgres.auto_deploy
    with connect(conninfo, settings) as conn:
        try:
            state = deploy.status(conn, plan)
        except psycopg.errors.InsufficientPrivilege as exc:
            user = conn.info.user
            raise SchemaError(
                f"the login role {user} may not read the Vestige schema state (sqitch.changes)",
                hint=f"make it an application login, as the DBA: GRANT vestige_app TO {user}; "
                "(and deploy the whole plan: `sqitch deploy`)",
            ) from exc
        if state.state == "up-to-date":
            return
        if conn.execute(sql.PGVECTOR_AVAILABLE).fetchone() is None:
            raise SchemaError(
                "this PostgreSQL server has no pgvector extension",
                hint="install pgvector 0.8.4 or newer on the server (the postgresql-NN-pgvector package), "
                "then run `vestige db deploy`",
            )
        if state.state == "newer" or not auto:
            deploy.require_current(conn, plan)
    name, email = deploy.default_committer()
    deploy.deploy(conninfo, plan, committer_name=name, committer_email=email)


@contextmanager
def database_errors() -> Iterator[None]:
    """The error boundary: a psycopg error raised inside leaves as the VestigeError for its SQLSTATE."""
    try:
        yield
    except psycopg.Error as exc:
        raise from_database(exc) from exc


class Operator:
    """The database an operator command works on: its first connection, and more on demand."""

    def __init__(self, conninfo: str, settings: Settings, connections: ExitStack, owner: bool) -> None:
        self.conninfo = conninfo
        self._settings = settings
        self._connections = connections
        self.conn = self.connect(owner=owner)

    def connect(self, *, owner: bool = False) -> psycopg.Connection[Any]:
        """Open one more autocommit connection (closed with the operator); `owner`: as vestige_owner."""
        conn = self._connections.enter_context(connect(self.conninfo, self._settings))
        if owner:
            try:
                conn.execute(sql.SET_OWNER_ROLE)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise OwnerRoleRequired(
                    "switching models changes the schema: it needs the owner role vestige_owner",
                    hint="run it as a superuser or a member of vestige_owner, e.g. "
                    "VESTIGE_DATABASE_URL=postgresql://<dba>@<host>/<db> vestige migrate ...",
                ) from exc
        return conn


@contextmanager
def operator(
    settings: Settings, *, start: bool = True, prepare: bool = False, owner: bool = False
) -> Iterator[Operator]:
    """Connect an operator command (`vestige db`, `vestige migrate`): the one way they connect.

    Resolves the server (starting the embedded one when it is the backend, unless `start` is
    False), checks and deploys the schema first when `prepare` is set, and opens the first
    connection (as vestige_owner when `owner` is set) with `connect`'s messages. It is their one
    error boundary: a psycopg error raised inside leaves as a VestigeError.
    """
    with database_errors(), ExitStack() as connections:
        conninfo = server_conninfo(settings, start=start)
        if prepare:
            _prepare(conninfo, settings)
        yield Operator(conninfo, settings, connections, owner)


class Database:
    """One connection pool per process, opened fail-fast."""

    def __init__(self, conninfo: str, settings: Settings) -> None:
        pg = settings.storage.postgres
        session = {
            "role": pg.role,
            "statement_timeout": _ms(pg.statement_timeout),
            "lock_timeout": _ms(pg.lock_timeout),
            "idle_in_transaction_timeout": _ms(pg.idle_in_transaction_timeout),
        }

        def configure(conn: psycopg.Connection[Any]) -> None:
            register_vector(conn)
            conn.execute(sql.CONFIGURE_SESSION, session)
            conn.commit()

        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pg.max_connections,
            timeout=pg.acquire_timeout,
            kwargs={"application_name": APPLICATION_NAME},
            configure=configure,
            open=False,
            name="vestige",
        )
        try:
            self._pool.open(wait=True, timeout=pg.acquire_timeout)
        except PoolTimeout as exc:
            self._pool.close()
            # The first connection failed: connect and configure once more to tell the user why.
            with connect(conninfo, settings) as conn:
                try:
                    conn.execute(sql.CONFIGURE_SESSION, session)
                except psycopg.Error as error:
                    raise from_database(error) from exc
            raise ConnectionFailed(f"no database connection within {pg.acquire_timeout:g} s") from exc
        except psycopg.Error as exc:
            self._pool.close()
            raise from_database(exc) from exc

    def close(self) -> None:
        """Close every connection of the pool."""
        self._pool.close()

    @contextmanager
    def transaction(
        self, user_id: uuid.UUID | None, *, read_only: bool = False
    ) -> Iterator[psycopg.Connection[Any]]:
        """Yield a pooled connection inside a transaction that names the caller; map errors."""
        try:
            with self._pool.connection() as conn:
                if read_only:
                    conn.execute(sql.READ_ONLY)
                if user_id is not None:
                    conn.execute(sql.SET_IDENTITY, {"user_id": str(user_id)})
                yield conn
        except PoolTimeout as exc:
            raise ConnectionFailed(
                "all database connections are busy", hint="raise [storage.postgres] max_connections"
            ) from exc
        except psycopg.Error as exc:
            raise from_database(exc) from exc


def scalar(conn: psycopg.Connection[Any], query: LiteralString, params: dict[str, Any] | None = None) -> Any:
    """The first column of the first row of a statement (None when it returns no row)."""
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"
