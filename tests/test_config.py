"""Configuration: discovery, ${VAR} expansion, environment overrides, validation and masking.

Every test passes its own environment dict and files under tmp_path; none reads the real environment.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from vestige_client.config import _KEYS as KEYS
from vestige_client.config import (
    DEFAULT_MODEL,
    AuthSettings,
    EmbeddedSettings,
    EmbeddingSettings,
    LogSettings,
    PostgresSettings,
    ServerSettings,
    Settings,
    StorageSettings,
    UserSettings,
    as_dict,
    config_path,
    load_settings,
    mask_conninfo,
    with_database_url,
)
from vestige_client.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(file: Path | None, env: dict[str, str]) -> str:
    """Return the message of the ConfigError that loading raises, checking it is one line."""
    with pytest.raises(ConfigError) as caught:
        load_settings(file, env)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return {"HOME": str(home)}


@pytest.fixture
def toml(tmp_path: Path) -> Path:
    return tmp_path / "vestige.toml"


# --- Defaults and discovery ----------------------------------------------------------------------


def test_without_a_file_every_setting_has_its_default(env: dict[str, str], home: Path) -> None:
    assert load_settings(None, env) == Settings(
        storage=StorageSettings(
            backend="embedded",
            postgres=PostgresSettings(
                url=None,
                max_connections=10,
                acquire_timeout=10.0,
                statement_timeout=30.0,
                lock_timeout=5.0,
                idle_in_transaction_timeout=60.0,
                role="vestige_app",
                auto_deploy=False,
            ),
            embedded=EmbeddedSettings(data_dir=home / ".local/share/vestige/pg"),
        ),
        embedding=EmbeddingSettings(
            model=DEFAULT_MODEL, runtime="onnx", threads=0, models_dir=home / ".local/share/vestige/models"
        ),
        user=UserSettings(id="local"),
        log=LogSettings(level="warning", file=None),
        server=ServerSettings(
            host="127.0.0.1", port=8077, max_body_bytes=4194304, request_timeout=60.0, cors_origins=()
        ),
        auth=AuthSettings(enabled=True, rate_limit=600, rate_burst=100),
        source=None,
    )


def test_default_data_dir_follows_xdg_data_home(env: dict[str, str], tmp_path: Path) -> None:
    settings = load_settings(None, env | {"XDG_DATA_HOME": str(tmp_path / "data")})
    assert settings.storage.embedded.data_dir == tmp_path / "data/vestige/pg"
    assert settings.embedding.models_dir == tmp_path / "data/vestige/models"


def test_the_embedding_runtime_keys(env: dict[str, str], toml: Path, tmp_path: Path) -> None:
    write(toml, f'[embedding]\nruntime = "sentence-transformers"\nthreads = 3\nmodels_dir = "{tmp_path}/m"\n')
    embedding = load_settings(toml, env).embedding
    assert (embedding.runtime, embedding.threads, embedding.models_dir) == (
        "sentence-transformers",
        3,
        tmp_path / "m",
    )
    from_env = env | {"VESTIGE_EMBEDDING__RUNTIME": "ONNX", "VESTIGE_EMBEDDING__THREADS": "1"}
    assert load_settings(None, from_env).embedding.runtime == "onnx"
    assert load_settings(None, from_env).embedding.threads == 1


def test_config_path_prefers_explicit_then_vestige_config_then_xdg_then_home(
    env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    explicit = write(tmp_path / "explicit.toml", "")
    from_env = write(tmp_path / "from_env.toml", "")
    xdg = write(tmp_path / "xdg/vestige/vestige.toml", "")
    in_home = write(home / ".config/vestige/vestige.toml", "")
    full = env | {"VESTIGE_CONFIG": str(from_env), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}

    assert config_path(explicit, full) == explicit
    assert config_path(None, full) == from_env
    assert config_path(None, env | {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}) == xdg
    assert config_path(None, env) == in_home
    in_home.unlink()
    assert config_path(None, env) is None


def test_load_settings_reads_the_discovered_file_and_records_it(env: dict[str, str], home: Path) -> None:
    found = write(home / ".config/vestige/vestige.toml", '[user]\nid = "alice"\n')
    settings = load_settings(None, env)
    assert settings.user.id == "alice"
    assert settings.source == found


@pytest.mark.parametrize("where", ["--config", "VESTIGE_CONFIG"])
def test_a_named_config_file_that_does_not_exist_is_an_error_naming_it_and_its_origin(
    where: str, env: dict[str, str], tmp_path: Path
) -> None:
    missing = tmp_path / "nope.toml"
    if where == "--config":
        message = config_error(missing, env)
    else:
        message = config_error(None, env | {"VESTIGE_CONFIG": str(missing)})
    assert str(missing) in message
    assert where in message


def test_a_home_relative_config_path_is_expanded(env: dict[str, str], home: Path) -> None:
    file = write(home / "conf/v.toml", "")
    assert config_path(Path("~/conf/v.toml"), env) == file


# --- ${VAR} expansion ----------------------------------------------------------------------------------


def test_variables_are_expanded_in_every_string_value(
    env: dict[str, str], toml: Path, tmp_path: Path
) -> None:
    write(
        toml,
        '[storage.postgres]\nurl = "postgresql://app:${DB_PASSWORD}@db.example/vestige"\n'
        'max_connections = "${POOL}"\n'
        '[storage.embedded]\ndata_dir = "${BASE}/pg"\n',
    )
    settings = load_settings(toml, env | {"DB_PASSWORD": "s3cret", "POOL": "4", "BASE": str(tmp_path)})
    assert settings.storage.postgres.url == "postgresql://app:s3cret@db.example/vestige"
    assert settings.storage.postgres.max_connections == 4
    assert settings.storage.embedded.data_dir == tmp_path / "pg"


def test_double_dollar_brace_is_a_literal_dollar_brace(env: dict[str, str], toml: Path) -> None:
    write(toml, '[storage.postgres]\nrole = "$${NOT_A_VARIABLE}"\n')
    assert load_settings(toml, env).storage.postgres.role == "${NOT_A_VARIABLE}"


def test_an_undefined_variable_is_an_error_naming_the_key_the_variable_and_the_file(
    env: dict[str, str], toml: Path
) -> None:
    write(toml, '[storage.postgres]\nurl = "postgresql://app:${VESTIGE_DB_PASSWORD}@db/vestige"\n')
    message = config_error(toml, env)
    assert "storage.postgres.url" in message
    assert "VESTIGE_DB_PASSWORD" in message
    assert str(toml) in message


@pytest.mark.parametrize(("value", "problem"), [("${}", "empty"), ("${UNCLOSED", "unclosed")])
def test_an_empty_or_unclosed_variable_is_an_error_naming_the_key_and_the_file(
    value: str, problem: str, env: dict[str, str], toml: Path
) -> None:
    write(toml, f'[embedding]\nmodel = "{value}"\n')
    message = config_error(toml, env)
    assert "embedding.model" in message
    assert str(toml) in message
    assert problem in message


def test_environment_override_values_are_not_expanded(env: dict[str, str]) -> None:
    settings = load_settings(None, env | {"VESTIGE_EMBEDDING__MODEL": "/models/${NAME}", "NAME": "x"})
    assert settings.embedding.model == "/models/${NAME}"


# --- Environment overrides ---------------------------------------------------------------------------


def test_environment_overrides_win_over_the_file_and_are_converted_to_the_key_type(
    env: dict[str, str], toml: Path
) -> None:
    write(
        toml,
        "[storage.postgres]\nmax_connections = 5\nauto_deploy = false\nstatement_timeout = 10\n"
        '[log]\nlevel = "error"\n',
    )
    settings = load_settings(
        toml,
        env
        | {
            "VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS": "20",
            "VESTIGE_STORAGE__POSTGRES__AUTO_DEPLOY": "yes",
            "VESTIGE_STORAGE__POSTGRES__STATEMENT_TIMEOUT": "2.5",
            "vestige_log__level": "DEBUG",
            "VESTIGE_USER__ID": "bob",
            "VESTIGE_EMBEDDING__MODEL": "nomic-ai/nomic-embed-text-v1.5@256",
        },
    )
    assert settings.storage.postgres.max_connections == 20
    assert settings.storage.postgres.auto_deploy is True
    assert settings.storage.postgres.statement_timeout == 2.5
    assert settings.log.level == "debug"
    assert settings.user.id == "bob"
    assert settings.embedding.model == "nomic-ai/nomic-embed-text-v1.5@256"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("No", False)],
)
def test_boolean_overrides_accept_true_false_1_0_yes_no(
    text: str, expected: bool, env: dict[str, str]
) -> None:
    settings = load_settings(None, env | {"VESTIGE_STORAGE__POSTGRES__AUTO_DEPLOY": text})
    assert settings.storage.postgres.auto_deploy is expected


def test_the_server_and_auth_sections_are_overridden_like_any_other(env: dict[str, str], toml: Path) -> None:
    write(
        toml,
        '[server]\nhost = "0.0.0.0"\nport = 9000\ncors_origins = ["https://app.example.com/"]\n'
        "[auth]\nrate_limit = 60\n",
    )
    settings = load_settings(
        toml,
        env
        | {
            "VESTIGE_SERVER__PORT": "8443",
            "VESTIGE_SERVER__MAX_BODY_BYTES": "1048576",
            "VESTIGE_SERVER__REQUEST_TIMEOUT": "2.5",
            "VESTIGE_AUTH__ENABLED": "no",
            "VESTIGE_AUTH__RATE_LIMIT": "0",
            "VESTIGE_AUTH__RATE_BURST": "5",
        },
    )
    assert settings.server == ServerSettings(
        host="0.0.0.0", port=8443, max_body_bytes=1048576, request_timeout=2.5,
        cors_origins=("https://app.example.com",),
    )  # fmt: skip
    assert settings.auth == AuthSettings(enabled=False, rate_limit=0, rate_burst=5)
    listed = {"VESTIGE_SERVER__CORS_ORIGINS": "http://localhost:3000, https://[::1]:8443"}
    assert load_settings(None, env | listed).server.cors_origins == (
        "http://localhost:3000",
        "https://[::1]:8443",
    )


def test_an_override_that_matches_no_key_is_an_error_naming_the_variable(env: dict[str, str]) -> None:
    message = config_error(None, env | {"VESTIGE_STORAGE__POSTGRES__MAX_CONECTIONS": "20"})
    assert "VESTIGE_STORAGE__POSTGRES__MAX_CONECTIONS" in message
    assert "did you mean VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS?" in message


def test_an_override_naming_a_section_rather_than_a_key_is_an_error(env: dict[str, str]) -> None:
    assert "VESTIGE_STORAGE__POSTGRES" in config_error(None, env | {"VESTIGE_STORAGE__POSTGRES": "x"})


def test_vestige_variables_without_double_underscore_are_not_overrides(env: dict[str, str]) -> None:
    others = {"VESTIGE_TEST_DSN": "not a dsn", "VESTIGE_DATA_DIR": "relative", "VESTIGE_ANYTHING": "x"}
    assert load_settings(None, env | others) == load_settings(None, env)


def test_an_override_with_a_bad_value_names_the_key_the_variable_and_the_value(env: dict[str, str]) -> None:
    message = config_error(None, env | {"VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS": "many"})
    assert "storage.postgres.max_connections" in message
    assert "VESTIGE_STORAGE__POSTGRES__MAX_CONNECTIONS" in message
    assert "integer" in message
    assert "'many'" in message


def test_an_empty_override_counts_as_unset(env: dict[str, str], toml: Path) -> None:
    write(toml, '[user]\nid = "alice"\n')
    assert load_settings(toml, env | {"VESTIGE_USER__ID": "", "VESTIGE_DATABASE_URL": ""}).user.id == "alice"


def test_setting_the_url_through_both_variables_is_an_error(env: dict[str, str]) -> None:
    message = config_error(
        None, env | {"VESTIGE_DATABASE_URL": "dbname=a", "VESTIGE_STORAGE__POSTGRES__URL": "dbname=b"}
    )
    assert "VESTIGE_DATABASE_URL" in message
    assert "VESTIGE_STORAGE__POSTGRES__URL" in message


# --- Backend ---------------------------------------------------------------------------------------


def test_backend_is_embedded_when_no_url_is_configured(env: dict[str, str]) -> None:
    assert load_settings(None, env).storage.backend == "embedded"


def test_backend_is_postgres_when_the_file_configures_a_url(env: dict[str, str], toml: Path) -> None:
    write(toml, '[storage.postgres]\nurl = "host=db dbname=vestige"\n')
    assert load_settings(toml, env).storage.backend == "postgres"


def test_backend_is_postgres_when_vestige_database_url_is_set(env: dict[str, str]) -> None:
    settings = load_settings(None, env | {"VESTIGE_DATABASE_URL": "postgresql://app@db/vestige"})
    assert settings.storage.backend == "postgres"
    assert settings.storage.postgres.url == "postgresql://app@db/vestige"


def test_backend_postgres_without_a_url_leaves_the_connection_to_libpq(
    env: dict[str, str], toml: Path
) -> None:
    write(toml, '[storage]\nbackend = "postgres"\n')
    settings = load_settings(toml, env | {"PGHOST": "db.example", "PGPASSWORD": "x"})
    assert settings.storage.backend == "postgres"
    assert settings.storage.postgres.url is None


def test_embedded_backend_with_a_configured_url_is_an_error_naming_both(
    env: dict[str, str], toml: Path
) -> None:
    write(toml, '[storage]\nbackend = "embedded"\n')
    message = config_error(toml, env | {"VESTIGE_DATABASE_URL": "postgresql://app:pw@db/vestige"})
    assert "storage.backend" in message
    assert str(toml) in message
    assert "VESTIGE_DATABASE_URL" in message
    assert "pw" not in message


# --- Validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        ("[storage.postgres]\nmax_conections = 5\n", "storage.postgres.max_conections", "max_connections"),
        ("[storagee]\nbackend = 'postgres'\n", "storagee", "storage"),
        ("[storage.postgres.pool]\nsize = 5\n", "storage.postgres.pool", "acquire_timeout"),
        ("colour = 'blue'\n", "colour", "embedding"),
        ("storage = 'postgres'\n", "storage", "table"),
        ("[storage]\nbackend = 'sqlite'\n", "storage.backend", "'sqlite'"),
        ("[storage.postgres]\nmax_connections = 0\n", "storage.postgres.max_connections", "0"),
        ("[storage.postgres]\nmax_connections = true\n", "storage.postgres.max_connections", "True"),
        ("[storage.postgres]\nmax_connections = 2.5\n", "storage.postgres.max_connections", "2.5"),
        ("[storage.postgres]\nacquire_timeout = 0\n", "storage.postgres.acquire_timeout", "> 0"),
        ("[storage.postgres]\nlock_timeout = -1\n", "storage.postgres.lock_timeout", "-1"),
        ("[storage.postgres]\nstatement_timeout = 'soon'\n", "storage.postgres.statement_timeout", "'soon'"),
        (
            "[storage.postgres]\nidle_in_transaction_timeout = nan\n",
            "storage.postgres.idle_in_transaction_timeout",
            "nan",
        ),
        ("[storage.postgres]\nrole = ''\n", "storage.postgres.role", "''"),
        ("[storage.postgres]\nauto_deploy = 'maybe'\n", "storage.postgres.auto_deploy", "'maybe'"),
        ("[storage.postgres]\nreplica_max_lag = 0\n", "storage.postgres.replica_max_lag", "> 0"),
        ("[storage.postgres]\nreplica_max_lag = 'soon'\n", "storage.postgres.replica_max_lag", "'soon'"),
        ("[storage.postgres]\nreplica_urls = [3]\n", "storage.postgres.replica_urls", "list of PostgreSQL"),
        ("[storage.embedded]\ndata_dir = 'relative/pg'\n", "storage.embedded.data_dir", "absolute"),
        ("[embedding]\nmodel = 'some/model@0'\n", "embedding.model", "'some/model@0'"),
        ("[embedding]\nruntime = 'torch'\n", "embedding.runtime", "'sentence-transformers'"),
        ("[embedding]\nthreads = -1\n", "embedding.threads", "0 to 256"),
        ("[embedding]\nthreads = 1000\n", "embedding.threads", "1000"),
        ("[embedding]\nmodels_dir = 'models'\n", "embedding.models_dir", "absolute"),
        ("[embedding]\nmodel = 'some/model@big'\n", "embedding.model", "positive integer"),
        ("[embedding]\nmodel = 'some/model@'\n", "embedding.model", "'some/model@'"),
        ("[user]\nid = 'two words'\n", "user.id", "'two words'"),
        ("[log]\nlevel = 'verbose'\n", "log.level", "'debug'"),
        ("[log]\nfile = 3\n", "log.file", "3"),
        ("[server]\nport = 0\n", "server.port", "between 1 and 65535"),
        ("[server]\nport = 70000\n", "server.port", "70000"),
        ("[server]\nhost = 'two words'\n", "server.host", "'two words'"),
        ("[server]\nmax_body_bytes = 0\n", "server.max_body_bytes", ">= 1"),
        ("[server]\nrequest_timeout = 0\n", "server.request_timeout", "> 0"),
        ("[server]\ncors_origins = 'ftp://files.example.com'\n", "server.cors_origins", "ftp://"),
        ("[server]\ncors_origins = ['https://a.example.com/app']\n", "server.cors_origins", "/app"),
        ("[server]\ncors_origins = [3]\n", "server.cors_origins", "[3]"),
        ("[auth]\nenabled = 'maybe'\n", "auth.enabled", "'maybe'"),
        ("[auth]\nrate_limit = -1\n", "auth.rate_limit", "(0 = off)"),
        ("[auth]\nrate_burst = 0\n", "auth.rate_burst", ">= 1"),
    ],
)
def test_each_invalid_setting_is_an_error_naming_the_key_and_the_file(
    text: str, key: str, shown: str, env: dict[str, str], toml: Path
) -> None:
    write(toml, text)
    message = config_error(toml, env)
    assert key in message
    assert str(toml) in message
    assert shown in message


@pytest.mark.parametrize("url", ["postgresql://app:hunter2@[db/vestige", "host=db hunter2", 5])
def test_an_invalid_url_is_an_error_that_never_shows_the_value(
    url: object, env: dict[str, str], toml: Path
) -> None:
    write(toml, f"[storage.postgres]\nurl = {json.dumps(url)}\n")
    message = config_error(toml, env)
    assert "storage.postgres.url" in message
    assert str(toml) in message
    assert "is not a valid PostgreSQL URL or conninfo" in message
    assert "hunter2" not in message


def test_an_invalid_url_from_the_environment_names_the_variable_not_the_value(env: dict[str, str]) -> None:
    message = config_error(None, env | {"VESTIGE_DATABASE_URL": "postgresql://app:hunter2@[db"})
    assert "VESTIGE_DATABASE_URL" in message
    assert "hunter2" not in message


def test_replica_urls_are_a_list_in_the_file_and_comma_separated_in_the_environment(
    env: dict[str, str], toml: Path
) -> None:
    defaults = load_settings(None, env).storage.postgres
    assert (defaults.replica_urls, defaults.replica_max_lag) == ((), 5.0)
    urls = '["postgresql://app@r1/v", "host=r2 dbname=v"]'
    write(toml, f"[storage.postgres]\nreplica_urls = {urls}\nreplica_max_lag = 2.5\n")
    postgres = load_settings(toml, env).storage.postgres
    assert postgres.replica_urls == ("postgresql://app@r1/v", "host=r2 dbname=v")
    assert postgres.replica_max_lag == 2.5
    # A comma inside one URL (a multi-host list) stays in it; a new URL starts with a scheme or a key=.
    variable = "postgresql://app@r1,r2/v, host=r3,r4 port=5433 dbname=v ,postgres://r5/v,"
    from_env = load_settings(None, env | {"VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": variable})
    assert from_env.storage.postgres.replica_urls == (
        "postgresql://app@r1,r2/v",
        "host=r3,r4 port=5433 dbname=v",
        "postgres://r5/v",
    )


@pytest.mark.parametrize("urls", ['["host=r1", "postgresql://app:hunter2@[r2/v"]', '"host=r1 hunter2"'])
def test_an_invalid_replica_url_is_an_error_that_names_the_entry_and_never_shows_it(
    urls: str, env: dict[str, str], toml: Path
) -> None:
    write(toml, f"[storage.postgres]\nreplica_urls = {urls}\n")
    message = config_error(toml, env)
    assert "storage.postgres.replica_urls" in message and str(toml) in message
    assert "(entry " in message and "value hidden" in message
    assert "hunter2" not in message
    variable = {"VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": "host=r1,postgresql://app:hunter2@[r2"}
    from_env = config_error(None, env | variable)
    assert "VESTIGE_STORAGE__POSTGRES__REPLICA_URLS" in from_env and "entry 2" in from_env
    assert "hunter2" not in from_env


def test_as_dict_masks_every_replica_url_and_another_database_has_none(env: dict[str, str]) -> None:
    replicas = "postgresql://u:hunter2@r1/db,host=r2 password=hunter2 dbname=db"
    settings = load_settings(None, env | {"VESTIGE_STORAGE__POSTGRES__REPLICA_URLS": replicas})
    assert as_dict(settings)["storage"]["postgres"]["replica_urls"] == [
        "postgresql://u:****@r1/db",
        "host=r2 password=**** dbname=db",
    ]
    assert "hunter2" not in json.dumps(as_dict(settings))
    unmasked = as_dict(settings, mask_secrets=False)["storage"]["postgres"]["replica_urls"]
    assert unmasked[0] == "postgresql://u:hunter2@r1/db"
    assert with_database_url(settings, "host=elsewhere").storage.postgres.replica_urls == ()


def test_malformed_toml_is_an_error_with_the_file_line_and_column(env: dict[str, str], toml: Path) -> None:
    write(toml, '[storage]\nbackend = "postgres\n')
    message = config_error(toml, env)
    assert str(toml) in message
    assert "line 2, column" in message


def test_a_config_path_that_is_a_directory_is_an_error_naming_it(env: dict[str, str], tmp_path: Path) -> None:
    message = config_error(tmp_path, env)
    assert str(tmp_path) in message
    assert "Cannot read" in message


def test_a_config_file_that_is_not_utf8_is_an_error_naming_it(env: dict[str, str], toml: Path) -> None:
    toml.write_bytes(b'[user]\nid = "caf\xe9"\n')
    assert str(toml) in config_error(toml, env)


def test_paths_starting_with_tilde_are_expanded(env: dict[str, str], home: Path, toml: Path) -> None:
    write(toml, '[storage.embedded]\ndata_dir = "~/pg"\n[log]\nfile = "~/vestige.log"\n')
    settings = load_settings(toml, env)
    assert settings.storage.embedded.data_dir == home / "pg"
    assert settings.log.file == home / "vestige.log"


# --- Showing: masking and as_dict -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conninfo", "masked"),
    [
        ("postgresql://u:secret@h/db", "postgresql://u:****@h/db"),
        ("postgres://u:s%40cret@h:5433/db?sslmode=require", "postgres://u:****@h:5433/db?sslmode=require"),
        (
            "postgresql://u@h/db?password=secret&sslmode=require",
            "postgresql://u@h/db?password=****&sslmode=require",
        ),
        ("postgresql://h:5432/db", "postgresql://h:5432/db"),
        ("host=h password=secret dbname=db", "host=h password=**** dbname=db"),
        ("host=h password = 'se cret' dbname=db", "host=h password = **** dbname=db"),
        ("password=secret", "password=****"),
        ("host=h sslpassword=secret", "host=h sslpassword=****"),
        ("host=h dbname=db", "host=h dbname=db"),
    ],
)
def test_mask_conninfo_hides_passwords_in_urls_and_key_value_strings(conninfo: str, masked: str) -> None:
    assert mask_conninfo(conninfo) == masked


def test_as_dict_masks_the_url_unless_asked_not_to(env: dict[str, str]) -> None:
    settings = load_settings(None, env | {"VESTIGE_DATABASE_URL": "postgresql://u:secret@h/db"})
    assert as_dict(settings)["storage"]["postgres"]["url"] == "postgresql://u:****@h/db"
    assert as_dict(settings, mask_secrets=False)["storage"]["postgres"]["url"] == "postgresql://u:secret@h/db"


def test_as_dict_is_json_serialisable_and_reads_back_as_the_same_settings(
    env: dict[str, str], toml: Path, tmp_path: Path
) -> None:
    write(
        toml,
        '[storage.postgres]\nurl = "host=db user=app password=pw dbname=vestige"\nmax_connections = 3\n'
        "acquire_timeout = 1.5\nstatement_timeout = 0\nauto_deploy = true\nrole = 'reader'\n"
        f"[storage.embedded]\ndata_dir = '{tmp_path / 'pg'}'\n"
        "[embedding]\nmodel = 'org/model@128'\n[user]\nid = '00000000-0000-0000-0000-000000000002'\n"
        f"[log]\nlevel = 'info'\nfile = '{tmp_path / 'v.log'}'\n"
        "[server]\nport = 9000\ncors_origins = ['https://a.example.com', 'http://localhost:3000']\n"
        "[auth]\nenabled = false\nrate_limit = 0\n",
    )
    settings = load_settings(toml, env)
    data = json.loads(json.dumps(as_dict(settings, mask_secrets=False)))
    assert data["source"] == str(toml)

    # JSON scalars are valid TOML values, so the dict can be written back as a config file.
    lines = []
    for section, table in [
        ("storage", {"backend": data["storage"]["backend"]}),
        ("storage.postgres", data["storage"]["postgres"]),
        ("storage.embedded", data["storage"]["embedded"]),
        ("embedding", data["embedding"]),
        ("user", data["user"]),
        ("log", data["log"]),
        ("server", data["server"]),
        ("auth", data["auth"]),
    ]:
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items() if value is not None]
    copy = write(tmp_path / "copy.toml", "\n".join(lines) + "\n")

    assert load_settings(copy, env) == dataclasses.replace(settings, source=copy)


def test_the_examples_in_docs_configuration_md_load(env: dict[str, str], tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs/CONFIGURATION.md").read_text(encoding="utf-8")
    section = docs.split("## Examples")[1].split("\n## ")[0]
    examples = [block.split("```")[0] for block in section.split("```toml\n")[1:]]
    loaded = [
        load_settings(write(tmp_path / f"example{n}.toml", text), env | {"VESTIGE_DB_PASSWORD": "pw"})
        for n, text in enumerate(examples)
    ]
    assert [settings.storage.backend for settings in loaded] == ["embedded", "postgres"]
    assert loaded[0].storage.embedded.data_dir == Path("/mnt/data/vestige/pg")
    assert loaded[1].storage.postgres.url is not None
    assert ":pw@" in loaded[1].storage.postgres.url


def test_docs_configuration_md_documents_every_key_and_its_environment_variable() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs/CONFIGURATION.md").read_text(encoding="utf-8")
    for key in KEYS:
        section, _, name = key.rpartition(".")
        table = docs.split(f"### `[{section}]`")[1].split("\n### ")[0]
        assert f"| `{name}` |" in table, f"{key} has no row in its section"
        assert f"`VESTIGE_{key.upper().replace('.', '__')}`" in table, f"{key}: its variable is not named"
