"""Read the configuration once into frozen settings: defaults < vestige.toml < environment.

The file layout, every key and its environment variable are described in docs/CONFIGURATION.md.
`load_settings` is the only function that reads `os.environ`; everything else takes `env`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict

from vestige_client.embed import DEFAULT_MODEL as DEFAULT_MODEL
from vestige_client.embed import EmbeddingSettings as EmbeddingSettings
from vestige_client.embed import split_model_spec
from vestige_client.errors import ConfigError

ENV_PREFIX = "VESTIGE_"
DATABASE_URL_ENV = "VESTIGE_DATABASE_URL"
CONFIG_ENV = "VESTIGE_CONFIG"


@dataclass(frozen=True)
class PostgresSettings:
    """How to reach and use an external PostgreSQL server (`[storage.postgres]`)."""

    url: str | None = None
    max_connections: int = 10
    acquire_timeout: float = 10.0
    connect_timeout: int = 5
    statement_timeout: float = 30.0
    lock_timeout: float = 5.0
    idle_in_transaction_timeout: float = 60.0
    role: str = "vestige_app"
    auto_deploy: bool = False
    replica_urls: tuple[str, ...] = ()
    replica_max_lag: float = 5.0


@dataclass(frozen=True)
class EmbeddedSettings:
    """Where the embedded PostgreSQL keeps its data (`[storage.embedded]`)."""

    data_dir: Path


@dataclass(frozen=True)
class StorageSettings:
    """Which PostgreSQL to use (`[storage]`)."""

    backend: Literal["embedded", "postgres"]
    postgres: PostgresSettings
    embedded: EmbeddedSettings


@dataclass(frozen=True)
class UserSettings:
    """Who the caller is (`[user]`)."""

    id: str = "local"


@dataclass(frozen=True)
class LogSettings:
    """What is logged, and where (`[log]`)."""

    level: Literal["debug", "info", "warning", "error"] = "warning"
    file: Path | None = None


@dataclass(frozen=True)
class ServerSettings:
    """Where and how `vestige serve` answers HTTP (`[server]`)."""

    host: str = "127.0.0.1"
    port: int = 8077
    max_body_bytes: int = 4 * 1024 * 1024
    request_timeout: float = 60.0
    cors_origins: tuple[str, ...] = ()
    session_secret: str | None = None  # None: a random secret per process (the dashboard's cookies)
    session_lifetime: float = 43200.0


@dataclass(frozen=True)
class AuthSettings:
    """Who may call `vestige serve`: API keys, and how often (`[auth]`)."""

    enabled: bool = True
    rate_limit: int = 600
    rate_burst: int = 100


SecretPolicy = Literal["refuse", "redact"]


@dataclass(frozen=True)
class IngestSettings:
    """What happens to a text that holds a secret (`[ingest]`)."""

    secrets: SecretPolicy = "refuse"


@dataclass(frozen=True)
class Settings:
    """The effective configuration, and the file it was read from (None: defaults only)."""

    storage: StorageSettings
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    user: UserSettings = field(default_factory=UserSettings)
    log: LogSettings = field(default_factory=LogSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    source: Path | None = None


# --- Value checks: each takes a TOML value (or an environment string) and returns the setting. ---


class _Invalid(Exception):
    """A value does not fit its key; the argument says what was expected."""


def _string(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid("a non-empty string")
    return value


def _integer(low: int, high: int | None = None, expected: str | None = None) -> Callable[[object], int]:
    expected = expected or f"an integer >= {low}" + (" (0 = off)" if low == 0 else "")

    def check(value: object) -> int:
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise _Invalid(expected)
        if high is not None and value > high:
            raise _Invalid(expected)
        return value

    return check


_count = _integer(1)


_HOST = re.compile(r"[A-Za-z0-9_.:%-]+")


def _host(value: object) -> str:
    if not isinstance(value, str) or not _HOST.fullmatch(value):
        raise _Invalid("an IP address or host name, such as 127.0.0.1, ::1 or 0.0.0.0")
    return value


_ORIGIN = re.compile(r"\*|https?://[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def _origins(value: object) -> tuple[str, ...]:
    # A list in the file; a comma-separated string from the environment.
    items = value.split(",") if isinstance(value, str) else value
    expected = 'a list of origins such as ["https://app.example.com"] (scheme://host[:port], or "*")'
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _Invalid(expected)
    origins = tuple(origin for origin in (item.strip().rstrip("/") for item in items) if origin)
    if not all(_ORIGIN.fullmatch(origin) for origin in origins):
        raise _Invalid(expected)
    return origins


def _seconds(*, zero_allowed: bool) -> Callable[[object], float]:
    expected = "a number of seconds >= 0 (0 = off)" if zero_allowed else "a number of seconds > 0"

    def check(value: object) -> float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise _Invalid(expected) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _Invalid(expected)
        if value < 0 or (value == 0 and not zero_allowed):
            raise _Invalid(expected)
        return float(value)

    return check


_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _boolean(value: object) -> bool:
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    if not isinstance(value, bool):
        raise _Invalid("true or false (or yes/no, 1/0)")
    return value


def _optional_string(value: object) -> str | None:
    if not isinstance(value, str):
        raise _Invalid("a string")
    return value or None


def _session_secret(value: object) -> str:
    if not isinstance(value, str) or len(value) < 32:
        raise _Invalid("a string of at least 32 characters (e.g. from `openssl rand -base64 48`)")
    return value


def _choice(*options: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or value.lower() not in options:
            raise _Invalid("one of " + ", ".join(repr(option) for option in options))
        return value.lower()

    return check


def _url(value: object) -> str | None:
    if not isinstance(value, str):
        raise _Invalid("a valid PostgreSQL URL or conninfo string")
    if not value:
        return None
    try:
        conninfo_to_dict(value)
    except psycopg.Error:
        raise _Invalid("a valid PostgreSQL URL or conninfo string") from None
    return value


# In the environment the URLs are comma-separated; a comma inside one URL (a multi-host list such as
# host=a,b or postgresql://a,b/db) stays in it: a new URL starts only with a scheme or a key=.
_NEXT_URL = re.compile(r",\s*(?=postgres(?:ql)?://|[A-Za-z_]+\s*=|$)")


def _replica_urls(value: object) -> tuple[str, ...]:
    items = _NEXT_URL.split(value) if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _Invalid("a list of PostgreSQL URLs or conninfos")
    urls = [item.strip() for item in items if item.strip()]
    for n, url in enumerate(urls, 1):
        try:
            _url(url)
        except _Invalid:
            raise _Invalid(f"a list of valid PostgreSQL URLs or conninfos (entry {n} is not)") from None
    return tuple(urls)


def _model(value: object) -> str:
    name = _string(value)
    try:
        split_model_spec(name)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    return name


_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


def _user_id(value: object) -> str:
    # A canonical uuid also matches the handle pattern (the one of vestige.users.handle).
    if not isinstance(value, str) or not _HANDLE.fullmatch(value):
        raise _Invalid("a user uuid or handle (1-64 letters, digits and _.@-, not starting with _.@-)")
    return value


# Every key, by its dotted TOML name. Keys whose values may hold a password are never echoed.
_KEYS: dict[str, Callable[[object], object]] = {
    "storage.backend": _choice("embedded", "postgres"),
    "storage.postgres.url": _url,
    "storage.postgres.max_connections": _count,
    "storage.postgres.acquire_timeout": _seconds(zero_allowed=False),
    "storage.postgres.connect_timeout": _integer(2, None, "a whole number of seconds >= 2 (libpq's minimum)"),
    "storage.postgres.statement_timeout": _seconds(zero_allowed=True),
    "storage.postgres.lock_timeout": _seconds(zero_allowed=True),
    "storage.postgres.idle_in_transaction_timeout": _seconds(zero_allowed=True),
    "storage.postgres.role": _string,
    "storage.postgres.auto_deploy": _boolean,
    "storage.postgres.replica_urls": _replica_urls,
    "storage.postgres.replica_max_lag": _seconds(zero_allowed=False),
    "storage.embedded.data_dir": _string,
    "embedding.model": _model,
    "embedding.runtime": _choice("onnx", "sentence-transformers"),
    "embedding.threads": _integer(0, 256, "a number of threads from 0 to 256 (0 = every core)"),
    "embedding.models_dir": _string,
    "user.id": _user_id,
    "log.level": _choice("debug", "info", "warning", "error"),
    "log.file": _optional_string,
    "server.host": _host,
    "server.port": _integer(1, 65535, "a TCP port between 1 and 65535"),
    "server.max_body_bytes": _count,
    "server.request_timeout": _seconds(zero_allowed=False),
    "server.cors_origins": _origins,
    "server.session_secret": _session_secret,
    "server.session_lifetime": _seconds(zero_allowed=False),
    "auth.enabled": _boolean,
    "auth.rate_limit": _integer(0),
    "auth.rate_burst": _count,
    "ingest.secrets": _choice("refuse", "redact"),
}
# `~` expanded, then required to be absolute.
_PATH_KEYS = {"storage.embedded.data_dir", "embedding.models_dir", "log.file"}
_SECRET_KEYS = {"storage.postgres.url", "storage.postgres.replica_urls", "server.session_secret"}
_SECTIONS = {key.rpartition(".")[0] for key in _KEYS}


# --- Where the file is --------------------------------------------------------------------------


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def _expand_user(text: str, env: Mapping[str, str]) -> Path:
    if text == "~" or text.startswith("~/"):
        return _home(env) / text[2:]
    return Path(text).expanduser()


def _xdg_dir(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    value = env.get(variable, "")
    return Path(value) if Path(value).is_absolute() else _home(env) / fallback


def default_data_dir(env: Mapping[str, str]) -> Path:
    """Return the embedded server's default data directory: $XDG_DATA_HOME/vestige/pg."""
    return _xdg_dir(env, "XDG_DATA_HOME", ".local/share") / "vestige" / "pg"


def default_models_dir(env: Mapping[str, str]) -> Path:
    """Return where the default model's ONNX file is made at first use: $XDG_DATA_HOME/vestige/models."""
    return _xdg_dir(env, "XDG_DATA_HOME", ".local/share") / "vestige" / "models"


def config_path(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    """Return the config file to read (--config, $VESTIGE_CONFIG, the XDG file), or None for defaults."""
    for given, where in ((explicit, "--config"), (env.get(CONFIG_ENV) or None, CONFIG_ENV)):
        if given is not None:
            path = _expand_user(str(given), env)
            if not path.exists():
                raise ConfigError(
                    f"Config file {path} (from {where}) does not exist: create it or fix {where}"
                )
            return path
    path = _xdg_dir(env, "XDG_CONFIG_HOME", ".config") / "vestige" / "vestige.toml"
    return path if path.exists() else None


# --- Reading --------------------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Config file {path} is not UTF-8 text: save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None


_VARIABLE = re.compile(r"\$\$\{|\$\{([^}]*)(\}?)")


def _expand(text: str, key: str, path: Path, env: Mapping[str, str]) -> str:
    """Replace each ${VAR} in a file value with the variable's value; $${ is a literal ${."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        name, closed = match.group(1), match.group(2)
        where = f"{key} in {path}"
        if not closed:
            raise ConfigError(f"{where} has an unclosed ${{: add the }}, or write $${{ for a literal ${{")
        if not name:
            raise ConfigError(f"{where} has an empty ${{}}: write ${{NAME}}, or $${{ for a literal ${{")
        if name not in env:
            raise ConfigError(
                f"{where} uses ${{{name}}}, but environment variable {name} is not set: "
                f"set it, or write $${{ for a literal ${{"
            )
        return env[name]

    return _VARIABLE.sub(replace, text)


def _file_values(
    table: dict[str, Any], prefix: str, path: Path, env: Mapping[str, str]
) -> dict[str, tuple[object, str]]:
    """Flatten the TOML tables into dotted keys (value, origin), refusing unknown keys and sections."""
    values: dict[str, tuple[object, str]] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if key in _KEYS:
            values[key] = (_expand(value, key, path, env) if isinstance(value, str) else value, f"in {path}")
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{key} in {path} must be a table ([{key}]), not a single value")
            values |= _file_values(value, f"{key}.", path, env)
        else:
            section = prefix.rstrip(".")
            known = sorted({k.removeprefix(prefix).split(".")[0] for k in _KEYS if k.startswith(prefix)})
            where = f"in [{section}]" if section else "at the top level"
            raise ConfigError(
                f"Unknown {'section' if isinstance(value, dict) else 'key'} {key} in {path}: "
                f"check the spelling (known {where}: {', '.join(known)})"
            )
    return values


def _env_values(env: Mapping[str, str]) -> dict[str, tuple[object, str]]:
    """Return the overrides (value, origin) from VESTIGE_DATABASE_URL and VESTIGE_<SECTION>__<KEY>."""
    values: dict[str, tuple[object, str]] = {}
    for name in sorted(env):
        upper = name.upper()
        if upper == DATABASE_URL_ENV:
            key = "storage.postgres.url"
        elif upper.startswith(ENV_PREFIX) and "__" in upper[len(ENV_PREFIX) :]:
            key = upper[len(ENV_PREFIX) :].lower().replace("__", ".")
            if key not in _KEYS:
                known = [ENV_PREFIX + k.upper().replace(".", "__") for k in _KEYS]
                close = difflib.get_close_matches(upper, known, n=1, cutoff=0.8)
                hint = f"did you mean {close[0]}?" if close else "unset it, or see docs/CONFIGURATION.md"
                raise ConfigError(f"Environment variable {name} matches no configuration key: {hint}")
        else:
            continue
        if not env[name]:
            continue  # an empty variable counts as unset
        if key in values:
            raise ConfigError(f"{key} is set both {values[key][1]} and from {name}: unset one of them")
        values[key] = (env[name], f"from environment variable {name}")
    return values


def _section(values: Mapping[str, object], section: str) -> dict[str, Any]:
    prefix = f"{section}."
    return {k.removeprefix(prefix): v for k, v in values.items() if k.rpartition(".")[0] == section}


def load_settings(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the configuration (defaults, then the file, then the environment) and check it."""
    if env is None:
        env = os.environ
    path = config_path(explicit, env)
    raw = _file_values(_read_toml(path), "", path, env) if path is not None else {}
    raw |= _env_values(env)
    values = {key: _check(key, value, origin, env) for key, (value, origin) in raw.items()}

    url = values.get("storage.postgres.url")
    if values.get("storage.backend") == "embedded" and url:
        raise ConfigError(
            f"storage.backend is 'embedded' {raw['storage.backend'][1]} but a PostgreSQL URL is configured "
            f"(storage.postgres.url {raw['storage.postgres.url'][1]}): "
            "set backend to 'postgres' or remove the URL"
        )
    values.setdefault("storage.backend", "postgres" if url else "embedded")
    return Settings(
        storage=StorageSettings(
            **_section(values, "storage"),
            postgres=PostgresSettings(**_section(values, "storage.postgres")),
            embedded=EmbeddedSettings(
                **({"data_dir": default_data_dir(env)} | _section(values, "storage.embedded"))
            ),
        ),
        embedding=EmbeddingSettings(
            **({"models_dir": default_models_dir(env)} | _section(values, "embedding"))
        ),
        user=UserSettings(**_section(values, "user")),
        log=LogSettings(**_section(values, "log")),
        server=ServerSettings(**_section(values, "server")),
        auth=AuthSettings(**_section(values, "auth")),
        ingest=IngestSettings(**_section(values, "ingest")),
        source=path,
    )


def _check(key: str, value: object, origin: str, env: Mapping[str, str]) -> object:
    """Return the setting for one key's raw value, or raise a ConfigError naming the key and its origin."""
    try:
        checked = _KEYS[key](value)
        if key in _PATH_KEYS and checked is not None:
            checked = _expand_user(str(checked), env)
            if not checked.is_absolute():
                raise _Invalid("an absolute path (or one starting with ~)")
    except _Invalid as exc:
        if key in _SECRET_KEYS:
            raise ConfigError(f"{key} {origin} is not {exc} (value hidden: it may hold a password)") from None
        raise ConfigError(f"{key} {origin} must be {exc}, not {value!r}") from None
    return checked


# --- Showing ----------------------------------------------------------------------------------------

_URL_PASSWORD = re.compile(r"^(postgres(?:ql)?://[^:@/]*:)[^@/]*(?=@)")  # libpq: user info ends at @ or /
_URL_QUERY_PASSWORD = re.compile(r"([?&](?:ssl)?password=)[^&#]*")
_KV_PASSWORD = re.compile(r"((?:^|\s)(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")


def mask_conninfo(conninfo: str) -> str:
    """Return a URL or key/value conninfo with its passwords replaced by ****."""
    if re.match(r"postgres(?:ql)?://", conninfo):
        return _URL_QUERY_PASSWORD.sub(r"\1****", _URL_PASSWORD.sub(r"\1****", conninfo))
    return _KV_PASSWORD.sub(r"\1****", conninfo)


def as_dict(settings: Settings, *, mask_secrets: bool = True) -> dict[str, Any]:
    """Return the settings as JSON-able values in the TOML layout, plus "source"."""

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return str(value) if isinstance(value, Path) else value

    result: dict[str, Any] = {key: plain(value) for key, value in asdict(settings).items()}
    url = settings.storage.postgres.url
    if mask_secrets and url is not None:
        result["storage"]["postgres"]["url"] = mask_conninfo(url)
    replicas = [mask_conninfo(r) if mask_secrets else r for r in settings.storage.postgres.replica_urls]
    result["storage"]["postgres"]["replica_urls"] = replicas
    if mask_secrets and settings.server.session_secret is not None:
        result["server"]["session_secret"] = "****"
    return result


def with_database_url(settings: Settings, url: str) -> Settings:
    """The same settings pointed at another PostgreSQL (a command's `--to URL`)."""
    try:
        checked = _url(url)
    except _Invalid:
        checked = None
    if checked is None:
        raise ConfigError(
            "--to is not a valid PostgreSQL URL or conninfo string (value hidden: it may hold a password)"
        )
    # The replicas configured are the configured database's, not this one's.
    postgres = replace(settings.storage.postgres, url=checked, replica_urls=())
    return replace(settings, storage=replace(settings.storage, backend="postgres", postgres=postgres))
