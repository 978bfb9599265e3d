"""The console in a real browser: Debian's chromium, headless, driven by Selenium through the system chromedriver.

``eqn console`` runs as a subprocess on a free loopback port over a SQLite database the test fills (an offline
negotiation, a crisis handed to a person, an agreement). The browser reads the queue, opens the crisis thread, sends
a reply the compliance guard refuses (the page says why and keeps the text), then a clean one; the thread's new state
is read back from the database. A screenshot of each page is written to the test's temporary folder.

The browser and its driver are the system's (``apt-get install chromium chromium-driver``), named explicitly, so
Selenium Manager never looks for or downloads one. Without them the test skips, and fails under
``EQN_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets once it has installed them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eq_negotiator.graph import Context, open_negotiator
from tests.integration.console_db import CLEAN_REPLY, CRISIS, THREAT_REPLY, fill
from tests.local_servers import free_port, stop_process_group, wait_until_ok
from tests.unit.graph.fakes import close_connections

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_BROWSER_ENV = "EQN_REQUIRE_BROWSER"
OPERATOR = "desk-test"


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_BROWSER_ENV, "") not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV} is set)")
    pytest.skip(reason)


def _browser() -> tuple[str, str]:
    """The system's chromium and chromedriver."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or next(
        (path for path in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.path.isfile(path)), None
    )
    if browser is None or driver is None:
        _missing("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    assert browser is not None and driver is not None
    return browser, driver


@dataclass(frozen=True)
class Desk:
    url: str
    db: str


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """``eqn console`` serving a freshly filled desk database; stopped when the module is done."""
    _browser()  # no server to start when there is no browser to point at it
    folder = tmp_path_factory.mktemp("console-browser")
    db = f"sqlite:///{folder / 'desk.db'}"
    fill(db)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("EQN_CONSOLE_TOKEN", "OPENAI_API_KEY")}
    env |= {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))}
    env |= {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    log = folder / "console.log"
    command = [sys.executable, "-m", "eq_negotiator.cli", "console", "--db", db, "--port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--operator", OPERATOR], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ok("eqn console", f"{url}/", server, log)
        yield Desk(url, db)
    finally:
        stop_process_group(server)


@pytest.fixture(scope="module")
def driver(desk: Desk) -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (it is in the test extra)")
    browser, chromedriver = _browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--window-size=1200,1400")
    # An explicit driver path: Selenium Manager is never asked to find or download a browser or a driver.
    session = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    session.set_page_load_timeout(60)
    try:
        yield session
    finally:
        session.quit()


def test_the_desk_answers_a_crisis_from_the_browser(desk: Desk, driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{desk.url}/")
    driver.save_screenshot(str(tmp_path / "1-queue.png"))
    assert "3 threads, 1 waiting for a person" in driver.find_element(By.ID, "summary").text
    rows = driver.find_elements(By.CSS_SELECTOR, "#threads tbody tr")
    assert rows[0].get_attribute("data-thread") == CRISIS
    assert "waiting for a person" in rows[0].text and "crisis" in rows[0].text

    rows[0].find_element(By.LINK_TEXT, CRISIS).click()
    driver.save_screenshot(str(tmp_path / "2-crisis.png"))
    assert driver.find_element(By.ID, "status").text == "waiting for a person"
    assert "988" in driver.page_source
    assert driver.find_element(By.ID, "operator").get_attribute("value") == OPERATOR

    driver.find_element(By.ID, "reply").send_keys(THREAT_REPLY)
    driver.find_element(By.ID, "send-reply").click()
    driver.save_screenshot(str(tmp_path / "3-refused.png"))
    assert "the compliance guard refused the reply, so it was not sent" in driver.find_element(By.ID, "error").text
    assert driver.find_element(By.ID, "reply").get_attribute("value") == THREAT_REPLY  # the text is kept

    box = driver.find_element(By.ID, "reply")
    box.clear()
    box.send_keys(CLEAN_REPLY)
    driver.find_element(By.ID, "note").send_keys("checked in by phone")
    driver.find_element(By.ID, "send-reply").click()
    driver.save_screenshot(str(tmp_path / "4-answered.png"))
    assert "Answer saved: your reply was sent to the client" in driver.find_element(By.ID, "notice").text
    assert driver.find_element(By.ID, "status").text == "ongoing"
    assert f"operator {OPERATOR}: {CLEAN_REPLY}" in driver.find_element(By.ID, "turn-1").text

    driver.get(f"{desk.url}/")
    driver.save_screenshot(str(tmp_path / "5-queue-after.png"))
    assert "3 threads, 0 waiting for a person" in driver.find_element(By.ID, "summary").text

    negotiator = open_negotiator(desk.db, context=Context(sensor="tfidf"))
    try:
        state = negotiator.state(CRISIS)
        assert not negotiator.escalated(CRISIS) and state["status"] == "ongoing"
        assert state["messages"][-1].text == CLEAN_REPLY
        decision = state["escalation"]["decision"]
        assert decision == {
            "action": "continue",
            "operator": OPERATOR,
            "note": "checked in by phone",
            "reply": CLEAN_REPLY,
        }
    finally:
        close_connections(negotiator.graph)
    for name in ("1-queue", "2-crisis", "3-refused", "4-answered", "5-queue-after"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
