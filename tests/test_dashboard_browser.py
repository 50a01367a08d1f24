"""The dashboard in a real browser: headless Chromium from Debian (chromium, chromium-driver, which
scripts/setup installs) driven by Selenium against a real `vestige serve` process.

One server and one browser for the module. The flows of issue 18: sign in, search, open a memory,
edit it, see the supersession chain left by a contradicting smart_ingest, open the graph and follow
a link in it, sign out; a second user's private memory never appears; a stored <script> is shown
and does not run; every page is usable at 390 px (no sideways scrolling) and from the keyboard.
Each page is captured at 1280 and 390 px wide into the test's temporary directory; with
VESTIGE_SCREENSHOTS=DIR (e.g. docs/screenshots) the PNGs are copied there too.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_dashboard as shared
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait
from test_serve import Server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = (1280, 390)
PHONE = 390
REPO = Path(__file__).resolve().parent.parent

# test_dashboard.py's fixtures, for a server of this module's own: its database, keys and memories.
dash_db, server, alice, bob, memories = (
    shared.dash_db,
    shared.server,
    shared.alice,
    shared.bob,
    shared.memories,
)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the screenshots go; copied to $VESTIGE_SCREENSHOTS (relative to the repository) at the end."""
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    target = os.environ.get("VESTIGE_SCREENSHOTS")
    if target:
        destination = REPO / target
        destination.mkdir(parents=True, exist_ok=True)
        for png in sorted(folder.glob("*.png")):
            shutil.copy(png, destination / png.name)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1280,900",
    ):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def open_page(driver: WebDriver, server: Server, path: str) -> None:
    driver.get(server.url + path)
    wait_for(driver, "main")


def sign_in(driver: WebDriver, server: Server, key: str) -> None:
    """Sign in through the form, with the keyboard (type the key, press Enter)."""
    driver.delete_all_cookies()
    open_page(driver, server, "/login")
    field = driver.find_element(By.ID, "key")
    field.send_keys(key)
    field.send_keys(Keys.ENTER)
    wait_for(driver, "section.cards")


def capture(driver: WebDriver, shots: Path, name: str) -> None:
    """The page at each width, whole: `name-1280.png`, `name-390.png`; at 390 nothing scrolls sideways."""
    for width in WIDTHS:
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width == PHONE}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        if width == PHONE:
            overflow = driver.execute_script("return document.documentElement.scrollWidth")
            assert overflow <= PHONE, f"{name} scrolls sideways at {PHONE} px ({overflow} px wide)"
        height = int(driver.execute_script("return document.documentElement.scrollHeight"))
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": min(height, 6000)})
        png = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
        data = base64.b64decode(png)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        (shots / f"{name}-{width}.png").write_bytes(data)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_sign_in_search_open_edit_see_the_chain_open_the_graph_and_sign_out(
    browser: WebDriver, server: Server, alice: str, memories: dict[str, str], shots: Path
) -> None:
    open_page(browser, server, "/")
    assert browser.current_url == f"{server.url}/login", "without a session, the sign-in page"
    capture(browser, shots, "login")
    sign_in(browser, server, alice)
    assert "Signed in as alice" in browser.find_element(By.CSS_SELECTOR, ".who").text
    capture(browser, shots, "overview")

    browser.find_element(By.LINK_TEXT, "Search").click()
    wait_for(browser, "#q")
    query = browser.find_element(By.ID, "q")
    query.send_keys("nightly database backup")
    query.send_keys(Keys.ENTER)
    wait_for(browser, "ol.hits")
    first = browser.find_element(By.CSS_SELECTOR, "ol.hits .hit-title")
    assert first.get_attribute("href") == f"{server.url}/memories/{memories['new_backup']}"
    scores = browser.find_element(By.CSS_SELECTOR, "ol.hits .scores").text
    assert all(part in scores for part in ("relevance", "importance", "recency", "retention"))
    capture(browser, shots, "search")

    first.click()
    wait_for(browser, "#content")
    chain = browser.find_element(By.CSS_SELECTOR, "ol.chain").text
    assert (
        "It replaced" in chain and "runs at 02:00" in chain and "the ingest gate decided: supersede" in chain
    )
    capture(browser, shots, "memory")

    text = browser.find_element(By.ID, "new-content")
    text.clear()
    text.send_keys("The nightly database backup runs at 03:00 UTC, checked by the on-call person")
    browser.find_element(By.XPATH, "//button[text()='Save the text']").click()
    wait_for(browser, "p.done")
    assert "checked by the on-call person" in browser.find_element(By.ID, "content").text
    assert browser.current_url.endswith(f"/memories/{memories['new_backup']}?done=edited")

    old = browser.find_element(By.CSS_SELECTOR, f"ol.chain a[href='/memories/{memories['old_backup']}']")
    old.click()
    wait_for(browser, "#content")
    assert "Superseded" in browser.find_element(By.CSS_SELECTOR, "p.warn").text
    capture(browser, shots, "memory-superseded")

    open_page(browser, server, f"/memories/{memories['graph_C']}")
    browser.find_element(By.LINK_TEXT, "Graph of its links").click()
    wait_for(browser, "svg.graph")
    capture(browser, shots, "graph")
    node = browser.find_element(By.CSS_SELECTOR, f"svg.graph a[href='/graph/{memories['graph_E']}']")
    node.click()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains(f"/graph/{memories['graph_E']}"))
    assert browser.find_elements(By.CSS_SELECTOR, f"svg.graph a[href='/graph/{memories['graph_C']}']")

    open_page(browser, server, f"/memories/{memories['graph_C']}/delete")
    capture(browser, shots, "delete")

    browser.find_element(By.XPATH, "//button[text()='Sign out']").click()
    wait_for(browser, "#key")
    open_page(browser, server, "/")
    assert browser.current_url == f"{server.url}/login", "signed out: the pages ask to sign in again"


def test_a_second_users_private_memory_never_appears(
    browser: WebDriver, server: Server, alice: str, memories: dict[str, str]
) -> None:
    sign_in(browser, server, alice)
    for path in ("/", "/search?q=zeppelin+meeting+moved+to+Thursday", f"/graph/{memories['graph_A']}"):
        open_page(browser, server, path)
        assert "private note" not in browser.page_source and memories["bob_secret"] not in browser.page_source
    open_page(browser, server, f"/memories/{memories['bob_secret']}")
    assert "Could not do that (404)" in browser.find_element(By.TAG_NAME, "h1").text
    assert "zeppelin" not in browser.page_source


def test_a_stored_script_is_shown_and_never_runs(
    browser: WebDriver, server: Server, alice: str, memories: dict[str, str]
) -> None:
    sign_in(browser, server, alice)
    open_page(browser, server, f"/memories/{memories['script']}")
    shown = browser.find_element(By.ID, "content").text
    assert shown.startswith("<script>window.pwned = 1</script>")
    assert browser.execute_script("return window.pwned === undefined") is True
    open_page(browser, server, "/search?q=a+memory+that+tries+to+run+a+script")
    assert "<script>window.pwned = 1</script>" in browser.find_element(By.CSS_SELECTOR, "ol.hits").text
    assert browser.execute_script("return window.pwned === undefined") is True


def test_the_keyboard_reaches_the_skip_link_and_the_forms_with_a_visible_focus(
    browser: WebDriver, server: Server, alice: str, memories: dict[str, str]
) -> None:
    sign_in(browser, server, alice)
    open_page(browser, server, f"/memories/{memories['script']}")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to the content" and focused.is_displayed()
    assert browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle") == "solid"
    labelled = browser.execute_script(
        "return [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]"
        ".every(e => e.labels && e.labels.length > 0)"
    )
    assert labelled is True, "every field has a label"
    for _ in range(40):  # on to the text of the memory by Tab alone
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == "new-content":
            break
    assert browser.switch_to.active_element.get_attribute("id") == "new-content"
