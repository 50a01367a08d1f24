"""Every error the client raises, and the one mapper from PostgreSQL SQLSTATEs to them.

Each class's docstring is its default message. The SQL API's own errors (class `VS`, listed in
docs/errors.md) map one code to one class; anything else from the server becomes
`VestigeDatabaseError`. The CLI and the MCP server show `str(error)`: the message, the hint
when there is one, and the SQLSTATE in brackets (look it up in docs/errors.md).
"""

from __future__ import annotations

import psycopg


class VestigeError(Exception):
    """Vestige failed."""

    sqlstate: str | None = None
    own_message = False  # True: from_database shows the class's message, not the server's

    def __init__(self, message: str | None = None, *, hint: str | None = None) -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        text = f"{self.message} ({self.hint})" if self.hint else self.message
        return f"{text} [{self.sqlstate}]" if self.sqlstate else text


# --- Set-up: configuration, server, schema -------------------------------------------------------


class ConfigError(VestigeError):
    """The configuration is invalid."""


class ConnectionFailed(VestigeError):
    """Cannot connect to PostgreSQL."""


class DatabaseUnreachable(ConnectionFailed):
    """The database is unreachable: is the PostgreSQL server running? Vestige retries by itself."""


class EmbeddedServerError(VestigeError):
    """The embedded PostgreSQL server could not be started or stopped."""


class SchemaError(VestigeError):
    """The database schema is not what this client expects."""


class SchemaNotDeployed(SchemaError):
    """The Vestige schema is not deployed in this database: run `vestige db deploy`."""


class SchemaOutOfDate(SchemaError):
    """The Vestige schema is older than this client: run `vestige db deploy`."""


class SchemaNewer(SchemaError):
    """The database has Vestige changes this client does not know: upgrade vestige-postgres."""


class DeployFailed(SchemaError):
    """Deploying the Vestige schema failed; the failing change was rolled back."""


class SourceStoreError(VestigeError):
    """The Vestige SQLite store cannot be read."""


class EmbeddingError(VestigeError):
    """The embedding model could not be loaded or used."""


class InvalidModelSpec(EmbeddingError, ValueError):
    """Not a model name or path, optionally with @N (N a positive integer, e.g. @256)."""


class ServerNotRunning(EmbeddedServerError):
    """The embedded PostgreSQL is not running: start it with `vestige db start`."""


class SourceUpgradeRequired(VestigeError):
    """The store has no owner, visibility or groups: the copy must give its memories an owner."""


class OwnerRoleRequired(VestigeError):
    """This command changes the schema: it needs the owner role vestige_owner."""


class OperatorRequired(VestigeError):
    """This is an operator command: run it as a superuser or a member of vestige_owner."""


class MigrateBusy(VestigeError):
    """Another `vestige migrate` command is running on this database: wait for it."""


class LocksHeld(VestigeError):
    """Long transactions hold the locks this command needs: end them, then run it again."""


# --- The SQL API's own errors (docs/errors.md) -----------------------------------------------------


class NoIdentity(VestigeError):
    """No caller identity is set: configure [user] id."""

    sqlstate = "VS001"


class ModelNotRegistered(VestigeError):
    """No embedding model is registered in this database."""

    sqlstate = "VS002"


class ModelMismatch(VestigeError):
    """The embedding model differs from the database's: configure the registered one."""

    sqlstate = "VS003"


class DimensionMismatch(VestigeError):
    """The vector's dimension differs from the registered model's."""

    sqlstate = "VS004"


class RegistryConflict(VestigeError):
    """Another embedding model is registered: configure that one."""

    sqlstate = "VS005"


class InvalidInput(VestigeError):
    """An argument is invalid."""

    sqlstate = "VS006"


class InvalidVector(VestigeError):
    """The vector is invalid (all zeros)."""

    sqlstate = "VS007"


class NotFound(VestigeError):
    """Not found, or not visible to you."""

    sqlstate = "VS008"


class NotOwner(VestigeError):
    """Only the owner may change this memory."""

    sqlstate = "VS009"


class NotGroupMember(VestigeError):
    """You are not a member (or not an admin) of that group."""

    sqlstate = "VS010"


class UnknownUser(VestigeError):
    """The configured user does not exist: create it with `vestige user create`."""

    sqlstate = "VS011"


class ExtensionTooOld(VestigeError):
    """pgvector is too old (0.8.4 or newer is required) or not in schema public."""

    sqlstate = "VS012"


class Conflict(VestigeError):
    """That name is already taken."""

    sqlstate = "VS013"


class SwitchConflict(VestigeError):
    """The model switch cannot go on in this state: the message says which step comes first."""

    sqlstate = "VS014"


class IdentityRefused(VestigeError):
    """This login may not act as that user: it is bound to its own user, or is no server's login."""

    sqlstate = "VS015"


class Unauthenticated(VestigeError):
    """The API key is unknown, revoked or expired."""

    sqlstate = "VS016"


class SecretRefused(VestigeError):
    """The text holds a secret (a key, a token, a password): remove it, or redact it."""

    sqlstate = "VS017"


class LockTimeout(VestigeError):
    """Another call holds what this one needs, longer than [storage.postgres] lock_timeout: try again."""

    sqlstate = "55P03"  # PostgreSQL's lock_not_available (lock_timeout)
    own_message = True


class ReadOnlyKey(VestigeError):
    """This API key is read-only: it may search and read, not change anything."""

    sqlstate = "25006"  # PostgreSQL's read_only_sql_transaction: the key's transactions are READ ONLY
    own_message = True


class CsrfRefused(VestigeError):
    """The form's CSRF token is missing or not this session's: reload the page and send the form again."""


class VestigeDatabaseError(VestigeError):
    """The database reported an error."""


_BY_SQLSTATE: dict[str, type[VestigeError]] = {
    cls.sqlstate: cls for cls in VestigeError.__subclasses__() if cls.sqlstate is not None
}


UNTRANSLATABLE = "22P05"  # untranslatable_character: jsonb refuses \u0000


def from_database(exc: psycopg.Error) -> VestigeError:
    """Map a psycopg error to the Vestige exception for its SQLSTATE (raise it `from exc`)."""
    diag = exc.diag
    message = diag.message_primary or str(exc).strip() or None
    if (isinstance(exc, psycopg.DataError) and exc.sqlstate is None) or exc.sqlstate == UNTRANSLATABLE:
        # A value PostgreSQL cannot hold: refused by psycopg before it reached the server (a NUL in
        # text), or by the server (a \\u0000 escape in JSON: 22P05).
        nul = "NUL" in (message or "") or "\\u0000" in (diag.message_detail or "")
        hint = "remove the NUL (\\u0000) characters" if nul else None
        return InvalidInput(f"invalid value: {message}", hint=hint)
    cls = _BY_SQLSTATE.get(exc.sqlstate or "", VestigeDatabaseError)
    error = cls() if cls.own_message else cls(message, hint=diag.message_hint)
    if cls is VestigeDatabaseError:
        error.sqlstate = exc.sqlstate
    return error
