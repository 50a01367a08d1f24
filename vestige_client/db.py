"""Where to connect, the checks made before connecting, the connection pool with transactions
that carry the caller's identity, and the operator connections of `vestige db` and `vestige migrate`.

Every pooled connection runs as the application role with the configured timeouts (set once,
in the pool's `configure` hook); the caller's identity is set per transaction, so the pool also
works behind PgBouncer in transaction mode. The operator commands connect through `operator`
only: it resolves the server, opens the connections and maps every psycopg error once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, LiteralString

import psycopg
from pgvector.psycopg import register_vector
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from vestige_client import local_postgres, sql
from vestige_client.config import Settings
from vestige_client.deployer import deploy
from vestige_client.errors import (
    ConnectionFailed,
    DatabaseUnreachable,
    EmbeddedServerError,
    OperatorRequired,
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


def _open(conninfo: str, settings: Settings) -> psycopg.Connection[Any]:
    """One autocommit connection of this application, within the connect timeout."""
    return psycopg.connect(
        conninfo,
        autocommit=True,
        application_name=APPLICATION_NAME,
        connect_timeout=settings.storage.postgres.connect_timeout,
    )


def connect(conninfo: str, settings: Settings) -> psycopg.Connection[Any]:
    """Open one autocommit connection, turning libpq's failure into a message that says what to do."""
    try:
        return _open(conninfo, settings)
    except psycopg.OperationalError as exc:
        reason = _first_line(exc)
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


@contextmanager
def operator_only(why: str, command: str) -> Iterator[None]:
    """Map the refusal of an operator function (42501) to OperatorRequired: why, and how to run it."""
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise OperatorRequired(
            why,
            hint=f"run `{command}` as a superuser or a member of vestige_owner, e.g. "
            f"VESTIGE_DATABASE_URL=postgresql://<dba>@<host>/<db> {command} ...",
        ) from exc


class Database:
    """One connection pool per process, opened fail-fast, that outlives a database going away.

    A call waits up to `acquire_timeout` for a connection; the pool checks each one before handing
    it out and drops the dead ones. When the pool fails to connect meanwhile, the call tries the
    database once itself (within `connect_timeout`) and, if it cannot reach it, fails with
    DatabaseUnreachable instead of waiting on; a stopped embedded server is started again first.
    The pool keeps reconnecting in the background (psycopg_pool's backoff), and while the database
    is away each call tries it once first, so the first call after it is back succeeds.
    """

    def __init__(self, conninfo: str, settings: Settings) -> None:
        pg = settings.storage.postgres
        self._conninfo = conninfo
        self._settings = settings
        self._where = _where(conninfo_to_dict(conninfo))
        self._closed = False
        self._reach_lock = threading.Lock()
        self._tried_at = 0.0  # when the last call tried the database itself (monotonic)
        self._away: str | None = None  # why that try failed, until the database answers again
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
            self._where = _where({"host": conn.info.host, "port": conn.info.port})
            self._away = None  # the pool reached it again

        self._configure = configure
        self._pool = self._new_pool()
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

    def _new_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        pg = self._settings.storage.postgres
        return ConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=pg.max_connections,
            timeout=pg.acquire_timeout,
            kwargs={"application_name": APPLICATION_NAME, "connect_timeout": pg.connect_timeout},
            configure=self._configure,
            check=ConnectionPool.check_connection,  # a connection the server dropped is replaced, not used
            open=False,
            name="vestige",
        )

    def close(self) -> None:
        """Close every connection of the pool."""
        self._closed = True
        self._pool.close()

    @contextmanager
    def transaction(
        self, user_id: uuid.UUID | None, *, read_only: bool = False
    ) -> Iterator[psycopg.Connection[Any]]:
        """Yield a pooled connection inside a transaction that names the caller; map errors."""
        pool, conn = self._checkout()
        try:
            with conn:  # commits, or rolls back on an error; the pool keeps the connection open
                if read_only:
                    conn.execute(sql.READ_ONLY)
                if user_id is not None:
                    conn.execute(sql.SET_IDENTITY, {"user_id": str(user_id)})
                yield conn
        except psycopg.OperationalError as exc:
            if conn.broken:
                raise DatabaseUnreachable(
                    f"lost the connection to the database at {self._where} during the call: "
                    "Vestige reconnects by itself; try again",
                    hint=_first_line(exc),
                ) from exc
            raise from_database(exc) from exc
        except psycopg.Error as exc:
            raise from_database(exc) from exc
        finally:
            pool.putconn(conn)

    def _checkout(self) -> tuple[ConnectionPool[psycopg.Connection[Any]], psycopg.Connection[Any]]:
        """A connection from the pool within acquire_timeout; DatabaseUnreachable as soon as it is clear."""
        started = time.monotonic()
        deadline = started + self._settings.storage.postgres.acquire_timeout
        if self._away is not None:  # the last try failed: try again now rather than wait for the pool
            self._reach(started)
        pool = self._pool
        failed = _failed_connects(pool)
        while True:
            try:
                return pool, pool.getconn(timeout=max(min(WAIT_STEP, deadline - time.monotonic()), 0.001))
            except PoolTimeout:
                pass
            except PoolClosed:
                if self._closed or pool is self._pool:
                    raise ConnectionFailed("the database connection pool is closed") from None
            if pool is not self._pool:  # another call renewed it
                pool = self._pool
                failed = _failed_connects(pool)
            elif _failed_connects(pool) > failed:  # the pool could not connect meanwhile: ask the database
                self._reach(started)
                pool = self._pool
                failed = _failed_connects(pool)
            if time.monotonic() >= deadline:
                raise ConnectionFailed(
                    "all database connections are busy", hint="raise [storage.postgres] max_connections"
                )

    def _reach(self, since: float) -> None:
        """Try the database once, outside the pool: DatabaseUnreachable, or return when it answers.

        One call tries at a time; a call that waited meanwhile takes the answer of a try made after it
        began. A stopped embedded server is started again. When the database answers while the pool
        has not reached it yet, a new pool replaces the one waiting out its backoff.
        """
        with self._reach_lock:
            if self._tried_at <= since:
                was_away = self._away is not None
                self._away = self._try()
                self._tried_at = time.monotonic()
                if was_away and self._away is None and not self._closed:
                    self._renew_pool()
            if self._away is not None:
                raise DatabaseUnreachable(
                    f"database unreachable at {self._where}: is the PostgreSQL server running? "
                    "Vestige retries by itself",
                    hint=self._away,
                )

    def _try(self) -> str | None:
        """Connect once (the embedded server started again if stopped); why it failed, or None."""
        why = _connect_error(self._conninfo, self._settings)
        if why is not None and self._settings.storage.backend == "embedded":
            try:
                local_postgres.start(self._settings.storage.embedded.data_dir)
            except EmbeddedServerError as exc:
                return _first_line(exc)
            why = _connect_error(self._conninfo, self._settings)
        return why

    def _renew_pool(self) -> None:
        """Back after an outage: a new pool, unless this one holds connections (its retries back off)."""
        if self._pool.get_stats().get("pool_available", 0) > 0:
            return
        old, self._pool = self._pool, self._new_pool()
        self._pool.open()
        old.close()  # its waiting calls move to the new pool; connections in use close when returned


WAIT_STEP = 0.1  # seconds: how often a call waiting for a connection looks at the pool's connects


def _failed_connects(pool: ConnectionPool[Any]) -> int:
    """How many connection attempts the pool has failed so far."""
    return pool.get_stats().get("connections_errors", 0)


def _connect_error(conninfo: str, settings: Settings) -> str | None:
    """Open and close one connection: None when it works, else libpq's reason."""
    try:
        with _open(conninfo, settings):
            return None
    except psycopg.OperationalError as exc:
        return _first_line(exc)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _where(params: dict[str, Any]) -> str:
    """The server a conninfo names, without credentials: host:port, or the socket file."""
    host = str(params.get("host") or "")
    port = str(params.get("port") or "5432")
    if not host:
        return "the default server (PGHOST, PGPORT)"
    if host.startswith(("/", "@")):
        return ",".join(f"{h}/.s.PGSQL.{port}" for h in host.split(","))
    return ",".join(f"[{h}]:{port}" if ":" in h else f"{h}:{port}" for h in host.split(","))


def scalar(conn: psycopg.Connection[Any], query: LiteralString, params: dict[str, Any] | None = None) -> Any:
    """The first column of the first row of a statement (None when it returns no row)."""
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"
