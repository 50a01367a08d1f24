"""Where to connect, the checks made before connecting, the connection pool with transactions
that carry the caller's identity, and the operator connections of `vestige db` and `vestige migrate`.

Every pooled connection runs as the application role with the configured timeouts (set once,
in the pool's `configure` hook); the caller's identity is set per transaction, so the pool also
works behind PgBouncer in transaction mode. The operator commands connect through `operator`
only: it resolves the server, opens the connections and maps every psycopg error once.

Read replicas (`[storage.postgres] replica_urls`): `Database.read` runs a read-only call on a
replica that its last check found ok, else on the primary; `Database.transaction` is always the
primary. Each replica is checked every REPLICA_CHECK_INTERVAL on a thread of its own (reachable,
in recovery, same login, same schema, lag within `replica_max_lag`), and a change of its state is
logged once. The testing effect of a search a replica served is written on the primary by a
background thread (`touch_later`). A caller who has just written reads from the primary for
`replica_max_lag` + REPLICA_CHECK_INTERVAL, so it always reads its own writes.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Literal, LiteralString, TypeVar

import psycopg
from pgvector.psycopg import register_vector
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from vestige_client import local_postgres, sql
from vestige_client.config import Settings, mask_conninfo
from vestige_client.deployer import deploy
from vestige_client.errors import (
    ConnectionFailed,
    DatabaseUnreachable,
    EmbeddedServerError,
    OperatorRequired,
    OwnerRoleRequired,
    SchemaError,
    ServerNotRunning,
    VestigeError,
    from_database,
)

T = TypeVar("T")
log = logging.getLogger("vestige.db")

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
        session = _session(settings)

        def configure(conn: psycopg.Connection[Any]) -> None:
            _configure(conn, session)
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
        # Read replicas: each checked once before the first call (in parallel, within connect_timeout).
        self._sticky = pg.replica_max_lag + REPLICA_CHECK_INTERVAL  # how long a writer reads the primary
        self._wrote: dict[uuid.UUID, float] = {}  # caller -> when it last wrote (monotonic)
        self._turn = itertools.count()
        self._touches = _Touches(self)
        self._replicas = [Replica(url, settings, self) for url in pg.replica_urls]
        for replica in self._replicas:
            replica.start()
        for replica in self._replicas:
            replica.checked.wait(pg.connect_timeout + 1)

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
        """Write the pending testing effects, stop checking the replicas, close every connection."""
        for replica in self._replicas:
            replica.stop()
        self._touches.close(self._settings.storage.postgres.acquire_timeout)
        for replica in self._replicas:
            replica.close()
        self._closed = True
        self._pool.close()

    @contextmanager
    def transaction(
        self, user_id: uuid.UUID | None, *, read_only: bool = False
    ) -> Iterator[psycopg.Connection[Any]]:
        """Yield a pooled connection of the primary inside a transaction that names the caller; map errors."""
        with self._primary(user_id, read_only=read_only, writes=True) as conn:
            yield conn

    def read(
        self,
        user_id: uuid.UUID | None,
        run: Callable[[psycopg.Connection[Any], bool], T],
        *,
        read_only: bool = False,
    ) -> T:
        """Run a read-only call on a replica its last check found ok, else on the primary.

        `run` gets a connection inside a transaction that names the caller, and whether it is a
        replica's. A replica that fails the call (gone, busy, or a query its recovery cancelled)
        leaves it to the primary; so does a caller who wrote within the last few seconds.
        """
        replica = self._pick(user_id)
        if replica is not None:
            try:
                return replica.read(user_id, run)
            except _ReplicaUnavailable:
                pass
        with self._primary(user_id, read_only=read_only, writes=False) as conn:
            return run(conn, False)

    def touch_later(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """Record the testing effect of a search a replica served, on the primary, in the background."""
        self._touches.add(user_id, list(ids))

    def wait_for_touches(self, timeout: float) -> bool:
        """Wait until every testing effect noted so far is written (or failed); False on timeout."""
        return self._touches.wait(timeout)

    def replicas(self) -> list[ReplicaState]:
        """Each replica as its last check found it (in the configured order; URLs masked)."""
        return [replica.state for replica in self._replicas]

    def check_replicas(self) -> list[ReplicaState]:
        """Check every replica now (as its thread does every REPLICA_CHECK_INTERVAL)."""
        return [replica.check() for replica in self._replicas]

    def position(self) -> _PrimaryPosition | None:
        """The primary's WAL position and login, or None when it cannot tell (away, or not a primary)."""
        try:
            with self._primary(None, read_only=False, writes=False) as conn:
                return _primary_position(conn)
        except VestigeError:
            return None

    def _pick(self, user_id: uuid.UUID | None) -> Replica | None:
        """A replica in state ok, in turn; None when there is none or the caller has just written."""
        if not self._replicas:
            return None
        if user_id is not None and self._wrote.get(user_id, -self._sticky) > time.monotonic() - self._sticky:
            return None
        ready = [replica for replica in self._replicas if replica.state.state == "ok"]
        return ready[next(self._turn) % len(ready)] if ready else None

    def _noted_write(self, user_id: uuid.UUID) -> None:
        now = time.monotonic()
        if len(self._wrote) > MAX_WRITERS:  # forget the callers whose window has passed
            self._wrote = {u: at for u, at in self._wrote.items() if at > now - self._sticky}
        self._wrote[user_id] = now

    @contextmanager
    def _primary(
        self, user_id: uuid.UUID | None, *, read_only: bool, writes: bool
    ) -> Iterator[psycopg.Connection[Any]]:
        """A transaction on the primary; with `writes`, note when the caller's transaction wrote."""
        note = writes and bool(self._replicas) and user_id is not None and not read_only
        wrote = False
        pool, conn = self._checkout()
        try:
            with conn:  # commits, or rolls back on an error; the pool keeps the connection open
                if read_only:
                    conn.execute(sql.READ_ONLY)
                if user_id is not None:
                    conn.execute(sql.SET_IDENTITY, {"user_id": str(user_id)})
                yield conn
                if note:
                    wrote = bool(scalar(conn, sql.TRANSACTION_WROTE))
            if wrote and user_id is not None:
                self._noted_write(user_id)
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


def _session(settings: Settings) -> dict[str, str]:
    """The session settings of every pooled connection: the role and the timeouts."""
    pg = settings.storage.postgres
    return {
        "role": pg.role,
        "statement_timeout": _ms(pg.statement_timeout),
        "lock_timeout": _ms(pg.lock_timeout),
        "idle_in_transaction_timeout": _ms(pg.idle_in_transaction_timeout),
    }


def _configure(conn: psycopg.Connection[Any], session: dict[str, str]) -> None:
    """Set a new connection up: pgvector's types, then the role and the timeouts."""
    register_vector(conn)
    conn.execute(sql.CONFIGURE_SESSION, session)
    conn.commit()


# --- Read replicas ------------------------------------------------------------------------------

REPLICA_CHECK_INTERVAL = 1.0  # seconds between two checks of a replica: also the resolution of its lag
MAX_WRITERS = 10_000  # callers remembered as recent writers before the expired ones are forgotten
ReplicaStateName = Literal["ok", "checking", "down", "lagging", "schema", "refused"]
_SKIPPED = {  # how the log says a replica's state (a state change is logged once)
    "checking": "is catching up",
    "down": "is down",
    "lagging": "lags",
    "schema": "is not at this client's schema",
    "refused": "is refused",
}


@dataclass(frozen=True)
class ReplicaState:
    """A replica as its last check found it: `url` masked, `lag` in seconds (None: not measured)."""

    url: str
    state: ReplicaStateName
    lag: float | None
    detail: str


@dataclass(frozen=True)
class _PrimaryPosition:
    lsn: int
    login: str


@dataclass(frozen=True)
class _ReplicaPosition:
    in_recovery: bool
    replayed: int | None
    received: int | None
    login: str


class _ReplicaUnavailable(Exception):
    """A replica could not serve a read: the primary serves it (never leaves this module)."""


class LagClock:
    """When the primary reached each WAL position: how far behind a replica is, in seconds.

    Every check notes the primary's position first. A replica's lag is how long ago the primary
    first reached a position the replica has not replayed yet: 0 once it has replayed every noted
    one. Until the replica has been seen to replay one noted position, its lag is None (not known:
    it may be far behind). So an idle primary shows no lag (now() - pg_last_xact_replay_timestamp()
    would grow on it without end), and the lag is known to within one check interval.
    """

    def __init__(self, horizon: float) -> None:
        self._horizon = horizon  # older positions are forgotten, but always the latest one before it
        self._noted: deque[tuple[float, int]] = deque()
        self._replayed_one = False

    def note(self, at: float, lsn: int) -> None:
        """The primary was at `lsn` at monotonic time `at` (a position seen again keeps its first time)."""
        if not self._noted or lsn > self._noted[-1][1]:
            self._noted.append((at, lsn))
        while len(self._noted) >= 2 and self._noted[1][0] < at - self._horizon:
            self._noted.popleft()

    def lag(self, now: float, replayed: int | None) -> float | None:
        """The lag of a replica that has replayed up to `replayed`, seen at monotonic time `now`."""
        if replayed is None:
            return None
        for at, lsn in self._noted:
            if lsn > replayed:
                return max(now - at, 0.0) if self._replayed_one else None
            self._replayed_one = True
        return 0.0 if self._replayed_one else None


def _judge(
    position: _ReplicaPosition,
    schema: deploy.SchemaStatus,
    primary: _PrimaryPosition | None,
    lag: float | None,
    max_lag: float,
) -> tuple[ReplicaStateName, str]:
    """A replica's state from what its check found, and a sentence that says why."""
    if not position.in_recovery:
        return "refused", "it is not in recovery (a promoted replica is a primary of its own): remove it"
    if primary is not None and position.login != primary.login:
        return "refused", (
            f"it logs in as {position.login} and the primary as {primary.login}: "
            "give it the primary's login, so the caller's identity works the same there"
        )
    if schema.state != "up-to-date":
        return "schema", (
            f"its schema is {schema.state} ({schema.deployed} of {schema.planned} changes): it has not "
            "replayed the primary's deploy yet"
        )
    if lag is None:
        return "checking", "it is catching up with the primary"
    if lag > max_lag:
        return "lagging", f"{lag:.1f} s behind the primary (more than replica_max_lag = {max_lag:g} s)"
    return "ok", f"{lag:.1f} s behind the primary"


def _replica_position(conn: psycopg.Connection[Any]) -> _ReplicaPosition:
    row = conn.cursor(row_factory=class_row(_ReplicaPosition)).execute(sql.REPLICA_POSITION).fetchone()
    assert row is not None
    return row


class Replica:
    """One read replica: a thread that checks it with a connection of its own, its state, and a
    connection pool for the reads (opened when a check finds it ok, closed when it is down)."""

    def __init__(self, url: str, settings: Settings, primary: Database) -> None:
        self.where = _where(conninfo_to_dict(url))  # host:port or socket: what the log names
        self._url = url
        self._settings = settings
        self._primary = primary
        self._session = _session(settings)
        self._plan = deploy.bundled_plan()
        self._clock = LagClock(settings.storage.postgres.replica_max_lag + 2 * REPLICA_CHECK_INTERVAL)
        self._checking = threading.Lock()  # one check at a time
        self._changing = threading.Lock()  # the state and the pool change together
        self._probe: psycopg.Connection[Any] | None = None
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._stopped = threading.Event()
        self.checked = threading.Event()  # set after the first check
        self.state = ReplicaState(mask_conninfo(url), "checking", None, "not checked yet")
        self._thread = threading.Thread(target=self._watch, name=f"vestige-replica {self.where}", daemon=True)

    def start(self) -> None:
        """Check it now and every REPLICA_CHECK_INTERVAL, on its thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop checking it (waits for a check under way)."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(self._settings.storage.postgres.connect_timeout + 1)

    def close(self) -> None:
        """Close its connections."""
        self.stop()
        with self._changing:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        with self._checking:
            self._drop_probe()

    def _watch(self) -> None:
        # At first a replica still catching up is checked again at once, so that the first calls
        # can use it; `checked` is set when it is judged (or that first while has passed).
        settle = time.monotonic() + self._settings.storage.postgres.connect_timeout
        while not self._stopped.is_set():
            try:
                state = self.check().state
            except Exception:  # a bug must not stop the checks: it is logged, and the next one runs
                log.exception("the check of replica %s failed", self.where)
                state = "down"
            settling = state == "checking" and time.monotonic() < settle and not self.checked.is_set()
            if not settling:
                self.checked.set()
            self._stopped.wait(PROBE_STEP if settling else REPLICA_CHECK_INTERVAL)

    def check(self) -> ReplicaState:
        """Check the replica now: reachable, in recovery, same login, same schema, lag within the bound."""
        max_lag = self._settings.storage.postgres.replica_max_lag
        with self._checking:
            primary = self._primary.position()
            if primary is not None:
                self._clock.note(time.monotonic(), primary.lsn)
            try:
                probe = self._connect_probe()
                position = _replica_position(probe)
                schema = deploy.status(probe, self._plan)
            except psycopg.OperationalError as exc:
                self._drop_probe()
                return self._become("down", None, _first_line(exc))
            except psycopg.Error as exc:
                self._drop_probe()
                return self._become("refused", None, _first_line(exc))
            lag = self._clock.lag(time.monotonic(), position.replayed)
            state, detail = _judge(position, schema, primary, lag, max_lag)
            log.debug(
                "replica %s: received %s, replayed %s, the primary at %s: %s (%s)",
                self.where,
                position.received,
                position.replayed,
                primary.lsn if primary else "unknown",
                state,
                detail,
            )
            return self._become(state, lag, detail)

    def read(self, user_id: uuid.UUID | None, run: Callable[[psycopg.Connection[Any], bool], T]) -> T:
        """Run a read here, in a transaction that names the caller (_ReplicaUnavailable if it cannot)."""
        pool = self._pool
        if pool is None:
            raise _ReplicaUnavailable
        conn = self._getconn(pool)
        try:
            with conn:
                if user_id is not None:
                    conn.execute(sql.SET_IDENTITY, {"user_id": str(user_id)})
                return run(conn, True)
        except psycopg.OperationalError as exc:
            if conn.broken:
                self._lost(_first_line(exc))
                raise _ReplicaUnavailable from exc
            if isinstance(exc, psycopg.errors.SerializationFailure):  # cancelled by a conflict with recovery
                log.debug(
                    "replica %s cancelled a read (%s): the primary answers it", self.where, _first_line(exc)
                )
                raise _ReplicaUnavailable from exc
            raise from_database(exc) from exc
        except psycopg.Error as exc:
            raise from_database(exc) from exc
        finally:
            pool.putconn(conn)

    def _getconn(self, pool: ConnectionPool[psycopg.Connection[Any]]) -> psycopg.Connection[Any]:
        """A connection within acquire_timeout; _ReplicaUnavailable as soon as the pool fails to connect."""
        deadline = time.monotonic() + self._settings.storage.postgres.acquire_timeout
        failed = _failed_connects(pool)
        while True:
            try:
                return pool.getconn(timeout=WAIT_STEP)
            except PoolTimeout:
                pass
            except PoolClosed:
                raise _ReplicaUnavailable from None
            if _failed_connects(pool) > failed:
                self._lost("cannot connect to it")
                raise _ReplicaUnavailable
            if time.monotonic() >= deadline:  # every connection busy: the primary takes this one
                raise _ReplicaUnavailable

    def _lost(self, why: str) -> None:
        """A read found the replica gone: down until a check finds it back."""
        self._become("down", None, why)

    def _connect_probe(self) -> psycopg.Connection[Any]:
        if self._probe is None or self._probe.closed:
            self._probe = _open(self._url, self._settings)
            self._probe.execute(sql.CONFIGURE_SESSION, self._session)
        return self._probe

    def _drop_probe(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.close()

    def _become(self, state: ReplicaStateName, lag: float | None, detail: str) -> ReplicaState:
        """Take a new state (logged when it changes); open the pool when ok, close it when down."""
        closing: ConnectionPool[psycopg.Connection[Any]] | None = None
        with self._changing:
            old = self.state
            self.state = ReplicaState(old.url, state, lag, detail)
            if state == "ok" and self._pool is None and not self._stopped.is_set():
                self._pool = self._new_pool()
            elif state == "down":
                closing, self._pool = self._pool, None
        if closing is not None:
            closing.close(timeout=0)
        if state != old.state:
            if state == "ok":
                log.log(
                    logging.INFO if old.state == "checking" else logging.WARNING,
                    "replica %s is ok (%s): reads go to it",
                    self.where,
                    detail,
                )
            elif not (state == "checking" and old.state == "checking"):
                log.warning(
                    "replica %s %s: %s; reads go to the primary (checked again every %g s)",
                    self.where,
                    _SKIPPED[state],
                    detail,
                    REPLICA_CHECK_INTERVAL,
                )
        return self.state

    def _new_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        pg = self._settings.storage.postgres
        session = self._session
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            self._url,
            min_size=1,
            max_size=pg.max_connections,
            timeout=pg.acquire_timeout,
            kwargs={"application_name": APPLICATION_NAME, "connect_timeout": pg.connect_timeout},
            configure=lambda conn: _configure(conn, session),
            check=ConnectionPool.check_connection,
            open=False,
            name="vestige-replica",
        )
        pool.open(wait=False)
        return pool


class _Touches:
    """The testing effect of the searches replicas served: written on the primary by one thread,
    each caller's pending touches in one transaction (one touch_memories call per search, pipelined)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.SimpleQueue[tuple[uuid.UUID, list[uuid.UUID]] | None] = queue.SimpleQueue()
        self._pending = 0
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, user_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
        with self._done:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._write, name="vestige-touches", daemon=True)
                self._thread.start()
        self._queue.put((user_id, ids))

    def wait(self, timeout: float) -> bool:
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float) -> None:
        """Write what is pending (within `timeout`), then stop the thread."""
        if self._thread is not None:
            self.wait(timeout)
            self._queue.put(None)
            self._thread.join(timeout)

    def _write(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(more)
            by_user: dict[uuid.UUID, list[list[uuid.UUID]]] = {}
            for user_id, ids in batch:
                by_user.setdefault(user_id, []).append(ids)
            for user_id, searches in by_user.items():
                try:
                    with self._database._primary(user_id, read_only=False, writes=False) as conn:
                        conn.execute(sql.TOUCH_WITHOUT_WAITING)
                        conn.cursor().executemany(sql.TOUCH_MEMORIES, [{"ids": ids} for ids in searches])
                except VestigeError as exc:
                    log.warning("the testing effect of %d searches was not recorded: %s", len(searches), exc)
            with self._done:
                self._pending -= len(batch)
                self._done.notify_all()


def probe_replicas(settings: Settings, primary: psycopg.Connection[Any]) -> list[ReplicaState]:
    """Check each configured replica once (`vestige db status`), over the primary's connection.

    A replica behind the primary's position of the moment is watched until it has replayed it: the
    time that takes is its lag (replica_max_lag at most is waited: a longer one is lagging).
    """
    plan = deploy.bundled_plan()
    max_lag = settings.storage.postgres.replica_max_lag
    states = []
    for url in settings.storage.postgres.replica_urls:
        masked = mask_conninfo(url)
        try:
            noted: _PrimaryPosition | None = _primary_position(primary)
        except psycopg.Error:
            noted = None
        started = time.monotonic()
        try:
            with _open(url, settings) as conn:
                conn.execute(sql.CONFIGURE_SESSION, _session(settings))
                position = _replica_position(conn)
                schema = deploy.status(conn, plan)
                lag = None if noted is None else 0.0
                while noted is not None and (position.replayed or 0) < noted.lsn:
                    lag = time.monotonic() - started
                    if lag > max_lag:
                        break
                    time.sleep(PROBE_STEP)
                    position = _replica_position(conn)
        except psycopg.OperationalError as exc:
            states.append(ReplicaState(masked, "down", None, _first_line(exc)))
            continue
        except psycopg.Error as exc:
            states.append(ReplicaState(masked, "refused", None, _first_line(exc)))
            continue
        state, detail = _judge(position, schema, noted, lag, max_lag)
        states.append(ReplicaState(masked, state, lag, detail))
    return states


PROBE_STEP = 0.05  # seconds between two looks at a replica that `probe_replicas` waits for


def _primary_position(conn: psycopg.Connection[Any]) -> _PrimaryPosition:
    row = conn.cursor(row_factory=class_row(_PrimaryPosition)).execute(sql.PRIMARY_POSITION).fetchone()
    assert row is not None
    return row
