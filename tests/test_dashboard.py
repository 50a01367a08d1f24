"""The dashboard of `vestige serve` over HTTP: a real server process on 127.0.0.1, spoken to as a
browser would (a cookie jar, forms), and as an attacker would (cookies sent where they must not
count, forged and stale cookies, forms without their token, a read-only key posting edits).

One server per module, with a known [server] session_secret so the tests can sign cookies (an
expired one, one for another key) exactly as the server does; alice and bob share the group
`team` and store their memories through the REST API with their keys. A second, key-less server
(auth disabled) checks the local mode. Browser tests are in test_dashboard_browser.py.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import psycopg
import pytest
from test_serve import Server, free_port, new_key, start, stop, team_database, wait_until

from vestige_client import config
from vestige_client.errors import ConfigError
from vestige_client.server.dashboard.session import COOKIE, SessionSigner

SECRET = "dashboard-test-secret-" + "x7" * 16  # built at run time, as every test secret
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def dash_db(server_conninfo: str, template_db: str) -> Iterator[str]:
    with team_database(server_conninfo, template_db) as conninfo:
        yield conninfo


@pytest.fixture(scope="module")
def server(dash_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("dashboard")
    env = {
        "VESTIGE_DATABASE_URL": dash_db,
        "VESTIGE_LOG__LEVEL": "info",
        "VESTIGE_LOG__FILE": str(home / "serve.log"),
        "VESTIGE_SERVER__SESSION_SECRET": SECRET,
        "VESTIGE_AUTH__RATE_LIMIT": "0",
    }
    port = free_port()
    process = start(env, home, port)
    running = Server(f"http://127.0.0.1:{port}", home, process)
    try:
        wait_until(running, "/readyz")
        yield running
    finally:
        stop(process)


@pytest.fixture(scope="module")
def alice(server: Server, dash_db: str) -> str:
    return new_key(server, dash_db, "alice")


@pytest.fixture(scope="module")
def bob(server: Server, dash_db: str) -> str:
    return new_key(server, dash_db, "bob")


@pytest.fixture(scope="module")
def memories(server: Server, alice: str, bob: str) -> dict[str, str]:
    """The memories of the tests, stored through the REST API: their ids by name."""
    stored = {}
    texts = {
        "old_backup": (alice, "The nightly database backup runs at 02:00"),
        "new_backup": (alice, "The nightly database backup runs at 03:00"),
        "script": (alice, "<script>window.pwned = 1</script> a memory that tries to run a script"),
        "bob_secret": (bob, "Bob's private note: the zeppelin meeting moved to Thursday"),
    }
    for name, (key, text) in texts.items():
        with server.http(key) as http:
            answer = http.post("/api/v1/memories", json={"content": text, "tags": ["ops"]})
            assert answer.status_code == 201, answer.text
            [result] = answer.json()["results"]
            stored[name] = result["id"]
            stored[name + ":decision"] = result["decision"]
    with server.http(alice) as http:
        batch = [{"content": f"Graph node {n}: the deploy step {n} of the release train"} for n in "ABCDE"]
        answer = http.post("/api/v1/ingest", json={"items": batch, "batch_merge_policy": "force_create"})
        assert answer.status_code == 200, answer.text
        for n, result in zip("ABCDE", answer.json()["results"], strict=True):
            stored[f"graph_{n}"] = result["id"]
    return stored


def csrf_of(page: httpx2.Response) -> str:
    """The CSRF token of a page's forms."""
    found = CSRF.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def sign_in(server: Server, key: str) -> httpx2.Client:
    """A browser-like client signed in with this key (its cookie jar holds the session)."""
    http = server.http()
    login = http.get("/login")
    assert login.status_code == 200
    answer = http.post("/login", data={"csrf": csrf_of(login), "key": key, "next": "/"})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return http


def cookie_payload(value: str) -> dict[str, Any]:
    payload = value.split(".")[0]
    body: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return body


def key_id(server: Server, key: str) -> str:
    with server.http(key) as http:
        mine = {k["label"]: str(k["id"]) for k in http.get("/api/v1/keys").json()}
    return mine[server.labels[key]]


def signed(key: str | None, *, expires_in: float = 600.0, secret: str = SECRET) -> str:
    """A session cookie signed as the server signs them (with its secret, or another)."""
    signer = SessionSigner(secret.encode(), 3600, clock=lambda: time.time() - 3600 + expires_in)
    return signer.dumps(signer.new(uuid.UUID(key) if key else None))


# --- signing in -----------------------------------------------------------------------------------


def test_a_page_without_a_session_redirects_to_sign_in_and_shows_nothing(server: Server) -> None:
    with server.http() as http:
        home = http.get("/")
        assert home.status_code == 303 and home.headers["location"] == "/login" and home.text == ""
        deep = http.get("/search", params={"q": "backup"})
        assert deep.status_code == 303 and deep.headers["location"] == "/login?next=%2Fsearch%3Fq%3Dbackup"
        page = http.get("/login")
        assert page.status_code == 200 and 'type="password"' in page.text


def test_sign_in_sets_a_signed_httponly_strict_cookie_with_the_key_id_never_the_key(
    server: Server, alice: str
) -> None:
    http = server.http()
    login = http.get("/login")
    answer = http.post("/login", data={"csrf": csrf_of(login), "key": alice, "next": "/search"})
    assert answer.status_code == 303 and answer.headers["location"] == "/search"
    cookie = answer.headers["set-cookie"]
    flags = [flag.strip() for flag in cookie.split(";")]
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(flags)
    assert "Secure" not in flags, "plain http (a proxy that terminates TLS makes the scheme https)"
    value = cookie.split(";")[0].removeprefix(f"{COOKIE}=")
    assert alice not in cookie and alice[4:20] not in cookie
    body = cookie_payload(value)
    assert body["k"] == key_id(server, alice) and body["e"] > time.time() + 3600
    assert set(body) == {"k", "e", "n"}
    assert http.get("/").status_code == 200
    http.close()
    with server.http(**{"X-Forwarded-Proto": "https"}) as proxied:  # a reverse proxy on this host
        login = proxied.get("/login")
        assert "Secure" in login.headers["set-cookie"].split("; ")
        cookie = login.headers["set-cookie"].split(";")[0]  # Secure: a client sends it back over https only
        form = {"csrf": csrf_of(login), "key": alice}
        answer = proxied.post("/login", data=form, headers={"Cookie": cookie})
        assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"].split("; ")


def test_a_wrong_key_or_a_sign_in_without_its_token_is_refused(server: Server, alice: str) -> None:
    with server.http() as http:
        token = csrf_of(http.get("/login"))
        wrong = http.post("/login", data={"csrf": token, "key": "vst_" + "B" * 43})
        assert wrong.status_code == 401 and "unknown, revoked or expired" in wrong.text
        assert http.get("/").status_code == 303
        no_token = http.post("/login", data={"key": alice})
        assert no_token.status_code == 403 and "CSRF" in no_token.text
        assert http.get("/").status_code == 303, "no session came of it"


def test_next_after_sign_in_stays_on_this_site(server: Server, alice: str) -> None:
    with server.http() as http:
        token = csrf_of(http.get("/login"))
        answer = http.post("/login", data={"csrf": token, "key": alice, "next": "//evil.example.com/"})
        assert answer.headers["location"] == "/"


def test_sign_out_ends_the_session(server: Server, alice: str) -> None:
    http = sign_in(server, alice)
    token = csrf_of(http.get("/"))
    assert http.post("/logout", data={}).status_code == 403, "sign-out needs the token too"
    out = http.post("/logout", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "Max-Age=0" in out.headers["set-cookie"]
    assert http.get("/").status_code == 303
    http.close()


# --- the attacker's tests ---------------------------------------------------------------------------


def test_every_page_is_sent_with_a_strict_csp_and_no_sniffing(
    server: Server, alice: str, memories: dict[str, str]
) -> None:
    http = sign_in(server, alice)
    pages = ["/", "/search?q=backup", f"/memories/{memories['new_backup']}", f"/graph/{memories['graph_A']}"]
    for path in [*pages, "/login", "/static/dashboard.css"]:
        answer = http.get(path)
        assert answer.status_code == 200, path
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "<script" not in answer.text.replace("&lt;script", ""), f"no script on {path}"
    http.close()


def test_a_session_cookie_never_authenticates_the_api_or_mcp(server: Server, alice: str) -> None:
    http = sign_in(server, alice)
    assert http.get("/").status_code == 200
    assert http.get("/api/v1/stats").status_code == 401
    assert http.post("/api/v1/memories", json={"content": "through a cookie"}).status_code == 401
    assert http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}).status_code == 401
    http.close()


def test_a_key_in_a_header_does_not_open_the_dashboard(server: Server, alice: str) -> None:
    with server.http(alice) as http:
        assert http.get("/").status_code == 303


def test_a_forged_tampered_or_expired_cookie_is_refused(server: Server, alice: str, bob: str) -> None:
    alice_id, bob_id = key_id(server, alice), key_id(server, bob)
    with server.http() as http:
        http.cookies.set(COOKIE, signed(alice_id))
        assert http.get("/").status_code == 200, "a cookie signed with the server's secret is a session"
    good = signed(alice_id)
    payload, signature = good.split(".")
    swapped = base64.urlsafe_b64encode(
        json.dumps({**cookie_payload(good), "k": bob_id}, separators=(",", ":")).encode()
    )
    cookies = {
        "another secret": signed(alice_id, secret="another-secret-" + "q9" * 16),
        "tampered key id": swapped.rstrip(b"=").decode() + "." + signature,
        "expired": signed(alice_id, expires_in=-5),
        "no signature": payload,
        "garbage": "x.y",
    }
    for what, value in cookies.items():
        with server.http() as http:
            http.cookies.set(COOKIE, value)
            answer = http.get("/")
            assert answer.status_code == 303 and answer.headers["location"] == "/login", what


def test_revoking_the_key_ends_its_dashboard_session(server: Server, dash_db: str) -> None:
    key = new_key(server, dash_db, "alice")
    http = sign_in(server, key)
    assert http.get("/").status_code == 200
    with server.http(key) as api:
        assert api.delete(f"/api/v1/keys/{key_id(server, key)}").status_code == 200
    after = http.get("/")
    assert after.status_code == 303 and after.headers["location"] == "/login"
    assert "Max-Age=0" in after.headers["set-cookie"]
    http.close()


def test_a_second_users_private_memory_never_appears(
    server: Server, alice: str, bob: str, memories: dict[str, str]
) -> None:
    secret_id = memories["bob_secret"]
    http = sign_in(server, alice)
    pages = [http.get("/"), http.get("/search", params={"q": "zeppelin meeting moved to Thursday"})]
    pages += [http.get("/search", params={"q": "zeppelin", "visibility": "private"})]
    for page in pages:
        assert page.status_code == 200
        assert "private note" not in page.text and secret_id not in page.text
    for path in (f"/memories/{secret_id}", f"/graph/{secret_id}", f"/memories/{secret_id}/delete"):
        refused = http.get(path)
        assert refused.status_code == 404 and "zeppelin" not in refused.text, path
    edit = http.post(
        f"/memories/{secret_id}/edit", data={"csrf": csrf_of(http.get("/")), "content": "mine now"}
    )
    assert edit.status_code == 404
    http.close()
    bobs = sign_in(server, bob)
    assert "zeppelin meeting" in bobs.get(f"/memories/{secret_id}").text, "its owner sees it"
    bobs.close()


def test_a_post_without_the_token_or_with_a_wrong_one_is_refused(
    server: Server, alice: str, memories: dict[str, str]
) -> None:
    target = memories["script"]
    http = sign_in(server, alice)
    other = sign_in(server, alice)
    others_token = csrf_of(other.get("/"))
    for form in ({}, {"csrf": "0" * 64}, {"csrf": others_token}):
        answer = http.post(f"/memories/{target}/edit", data={**form, "content": "changed by a forged form"})
        assert answer.status_code == 403 and "CSRF" in answer.text
        assert http.post(f"/memories/{target}/delete", data={**form, "confirm": "yes"}).status_code == 403
    assert "changed by a forged form" not in http.get(f"/memories/{target}").text
    http.close()
    other.close()


def test_a_read_only_key_gets_no_forms_and_its_posts_are_refused(
    server: Server, dash_db: str, memories: dict[str, str]
) -> None:
    reader = new_key(server, dash_db, "alice", read_only=True)
    http = sign_in(server, reader)
    page = http.get(f"/memories/{memories['new_backup']}")
    assert page.status_code == 200 and "read-only key" in page.text
    assert "Save the text" not in page.text and "/edit" not in page.text and "Delete" not in page.text
    token = csrf_of(page)  # the sign-out form's
    posts = {
        "edit": {"content": "read-only edit"},
        "promote": {},
        "review": {"rating": "3"},
        "delete": {"confirm": "yes"},
    }
    for action, form in posts.items():
        refused = http.post(f"/memories/{memories['new_backup']}/{action}", data={"csrf": token, **form})
        assert refused.status_code == 403 and "read-only" in refused.text, action
    assert http.get(f"/memories/{memories['new_backup']}").status_code == 200
    http.close()


def test_a_stored_script_is_shown_as_text(server: Server, alice: str, memories: dict[str, str]) -> None:
    http = sign_in(server, alice)
    for path in (f"/memories/{memories['script']}", "/search?q=tries+to+run+a+script"):
        page = http.get(path)
        assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page.text, path
        assert "<script>window.pwned" not in page.text
    http.close()


# --- the pages ----------------------------------------------------------------------------------


def test_overview_counts_charts_and_model(server: Server, alice: str, memories: dict[str, str]) -> None:
    http = sign_in(server, alice)
    page = http.get("/").text
    assert "memories you can see" in page and "Memories by retention now" in page
    assert "Memories created per day" in page and "<svg" in page and "Embedding model" in page
    assert re.search(r'<span class="big">(\d+)</span> yours', page) is not None
    assert "Signed in as <strong>alice</strong>" in page
    http.close()


def test_search_shows_each_hits_score_parts_and_applies_the_filters(
    server: Server, alice: str, memories: dict[str, str]
) -> None:
    http = sign_in(server, alice)
    page = http.get("/search", params={"q": "nightly database backup"}).text
    assert f'href="/memories/{memories["new_backup"]}"' in page
    for part in ("relevance", "importance", "recency", "retention"):
        assert f"<dt>{part}</dt>" in page
    linked = page.split("Linked to the top hit")[1]
    assert f'href="/memories/{memories["old_backup"]}"' in linked, "the superseded one, linked to the top hit"
    none = http.get("/search", params={"q": "nightly database backup", "types": "decision"}).text
    assert "0 results" in none
    public = http.get("/search", params={"q": "nightly database backup", "visibility": "public"}).text
    assert memories["new_backup"] not in public
    private = http.get("/search", params={"q": "nightly database backup", "visibility": "private"}).text
    assert memories["new_backup"] in private and "vis-private" in private
    assert "vis-public" not in private and "vis-group" not in private
    unknown = http.get("/search", params={"q": "backup", "visibility": "team"})
    assert unknown.status_code == 422 and "must be private, group or public" in unknown.text
    bad = http.get("/search", params={"q": "backup", "after": "yesterday"})
    assert bad.status_code == 422 and "2030-01-31" in bad.text
    http.close()


def test_the_supersession_chain_shows_what_a_contradicting_ingest_replaced(
    server: Server, alice: str, memories: dict[str, str]
) -> None:
    assert memories["new_backup:decision"] == "supersede"
    http = sign_in(server, alice)
    new = http.get(f"/memories/{memories['new_backup']}").text
    assert "It replaced" in new and f'href="/memories/{memories["old_backup"]}"' in new
    assert "the ingest gate decided: supersede" in new
    old = http.get(f"/memories/{memories['old_backup']}").text
    assert (
        "Superseded" in old and "Replaced it" in old and f'href="/memories/{memories["new_backup"]}"' in old
    )
    http.close()


def test_the_memory_page_edits_shares_promotes_reviews_and_deletes(server: Server, alice: str) -> None:
    with server.http(alice) as api:
        stored = api.post("/api/v1/memories", json={"content": "The staging cluster is rebuilt on Mondays"})
        memory_id = stored.json()["results"][0]["id"]
    http = sign_in(server, alice)
    page = http.get(f"/memories/{memory_id}")
    token = csrf_of(page)
    assert "Retention over the next 60 days" in page.text and "<polyline" in page.text
    edited = http.post(
        f"/memories/{memory_id}/edit", data={"csrf": token, "content": "Staging is rebuilt on Tuesdays"}
    )
    assert edited.status_code == 303 and edited.headers["location"] == f"/memories/{memory_id}?done=edited"
    assert "Staging is rebuilt on Tuesdays" in http.get(edited.headers["location"]).text
    team = re.search(r'name="groups" value="([0-9a-f-]{36})"', page.text)
    assert team is not None
    shared = http.post(
        f"/memories/{memory_id}/share", data={"csrf": token, "visibility": "group", "groups": team.group(1)}
    )
    assert shared.status_code == 303
    assert "with team" in http.get(f"/memories/{memory_id}").text
    before = float(
        re.findall(r"<dt>Retrieval strength</dt><dd>([\d.]+)", http.get(f"/memories/{memory_id}").text)[0]
    )
    assert http.post(f"/memories/{memory_id}/demote", data={"csrf": token}).status_code == 303
    after = float(
        re.findall(r"<dt>Retrieval strength</dt><dd>([\d.]+)", http.get(f"/memories/{memory_id}").text)[0]
    )
    assert after < before
    assert http.post(f"/memories/{memory_id}/promote", data={"csrf": token}).status_code == 303
    reviewed = http.post(f"/memories/{memory_id}/review", data={"csrf": token, "rating": "3"})
    assert reviewed.status_code == 303
    history = http.get(f"/memories/{memory_id}").text
    assert "3 Good" in history and "new → learning" in history
    assert http.post(f"/memories/{memory_id}/review", data={"csrf": token, "rating": "9"}).status_code == 422
    confirm = http.get(f"/memories/{memory_id}/delete")
    assert confirm.status_code == 200 and "Deleting is permanent" in confirm.text
    unconfirmed = http.post(f"/memories/{memory_id}/delete", data={"csrf": token})
    assert unconfirmed.status_code == 422 and http.get(f"/memories/{memory_id}").status_code == 200
    deleted = http.post(f"/memories/{memory_id}/delete", data={"csrf": token, "confirm": "yes"})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/?done=deleted"
    assert http.get(f"/memories/{memory_id}").status_code == 404
    http.close()


def test_the_graph_draws_the_neighbourhood_with_links(
    server: Server, alice: str, memories: dict[str, str]
) -> None:
    http = sign_in(server, alice)
    page = http.get(f"/graph/{memories['graph_A']}")
    assert page.status_code == 200 and '<svg class="graph"' in page.text
    for neighbour in (memories["graph_B"], memories["graph_C"]):
        assert f'<a href="/graph/{neighbour}"' in page.text and f'href="/memories/{neighbour}"' in page.text
    assert page.text.count("<line ") >= 2
    assert http.get(f"/graph/{memories['graph_A']}", params={"depth": "9"}).status_code == 422
    http.close()


# --- without auth ------------------------------------------------------------------------------------


def test_without_auth_the_dashboard_runs_as_the_configured_user_and_still_checks_tokens(
    dash_db: str, memories: dict[str, str], tmp_path: Path
) -> None:
    env = {"VESTIGE_DATABASE_URL": dash_db, "VESTIGE_AUTH__ENABLED": "false", "VESTIGE_USER__ID": "alice"}
    port = free_port()
    process = start(env, tmp_path, port)
    local = Server(f"http://127.0.0.1:{port}", tmp_path, process)
    try:
        wait_until(local, "/healthz")
        with local.http() as http:
            home = http.get("/")
            assert home.status_code == 200 and "Signed in as <strong>alice</strong>" in home.text
            assert "Sign out" not in home.text and http.get("/login").headers["location"] == "/"
            target = f"/memories/{memories['script']}"
            assert http.post(f"{target}/promote", data={}).status_code == 403
            token = csrf_of(http.get(target))
            assert http.post(f"{target}/promote", data={"csrf": token}).status_code == 303
            assert http.get("/", headers={"Host": "vestige.example.com"}).status_code == 403
    finally:
        stop(process)


# --- the session and its settings, in process ------------------------------------------------------------


def test_a_session_cookie_round_trips_and_any_change_breaks_it() -> None:
    now = [1000.0]
    signer = SessionSigner(b"k" * 32, 60, clock=lambda: now[0])
    key = uuid.uuid4()
    session = signer.new(key)
    value = signer.dumps(session)
    assert signer.loads(value) == session
    assert signer.csrf_ok(session, signer.csrf_token(session))
    assert not signer.csrf_ok(signer.new(key), signer.csrf_token(session)), "a token belongs to one session"
    assert signer.loads(value[:-2] + ("AA" if value[-2:] != "AA" else "BB")) is None
    assert SessionSigner(b"j" * 32, 60, clock=lambda: now[0]).loads(value) is None
    now[0] += 61
    assert signer.loads(value) is None, "expired"


def test_session_secret_is_read_masked_and_checked(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "VESTIGE_SERVER__SESSION_SECRET": SECRET}
    settings = config.load_settings(None, env=env)
    assert settings.server.session_secret == SECRET and settings.server.session_lifetime == 43200.0
    shown = json.dumps(config.as_dict(settings))
    assert SECRET not in shown and config.as_dict(settings)["server"]["session_secret"] == "****"
    assert config.as_dict(settings, mask_secrets=False)["server"]["session_secret"] == SECRET
    with pytest.raises(ConfigError, match=r"server\.session_secret") as short:
        config.load_settings(None, env={**env, "VESTIGE_SERVER__SESSION_SECRET": "too-short-" + "z"})
    assert "too-short" not in str(short.value), "the value is never echoed"
    lifetime = config.load_settings(None, env={**env, "VESTIGE_SERVER__SESSION_LIFETIME": "3600"})
    assert lifetime.server.session_lifetime == 3600.0


# --- last: a model switch in progress (it changes the table; nothing runs after it) -------------------


def test_the_overview_shows_a_running_reembeds_progress(
    server: Server, alice: str, dash_db: str, memories: dict[str, str]
) -> None:
    """The store holds the memories (the fixture), whichever tests ran before on this worker."""
    http = sign_in(server, alice)
    assert "none running" in http.get("/").text
    with psycopg.connect(dash_db, autocommit=True) as operator:
        prepared = operator.execute(
            "SELECT vestige.reembed_prepare(p_name => 'test/other-model', p_dimension => 8,"
            " p_hash => repeat('b', 64))"
        ).fetchone()
        assert prepared == ("prepared",)
        try:
            stored = operator.execute("SELECT count(*) FROM vestige.knowledge_nodes").fetchone()
            assert stored is not None and stored[0] > 0
            page = http.get("/").text
            assert f"to test/other-model: 0 of {stored[0]} memories" in page
            assert f'<progress max="{stored[0]}" value="0"' in page
        finally:
            operator.execute("SELECT vestige.reembed_rollback()")
    assert "none running" in http.get("/").text
    http.close()
