"""The console's pages over plain HTTP (Starlette's TestClient): what they show, and bad input as a clear message.

The database is the desk database of :mod:`tests.integration.console_db`; a test that answers an escalation first
makes a crisis thread of its own, so the module's threads stay as they were. ``eqn console``'s refusals are checked
through typer's runner (they fail before any server starts).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from eq_negotiator.cli import app as cli_app
from eq_negotiator.console.app import create_app
from eq_negotiator.graph import Context, open_negotiator
from eq_negotiator.graph.session import Negotiator
from tests.integration.console_db import (
    AGREEMENT,
    CLEAN_REPLY,
    CRISIS,
    NEGOTIATION,
    THREAT_REPLY,
    desk_negotiator,
    escalate,
    fill,
)
from tests.unit.graph.fakes import close_connections

pytestmark = pytest.mark.integration

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    spec = f"sqlite:///{tmp_path_factory.mktemp('console') / 'desk.db'}"
    fill(spec)
    return spec


@pytest.fixture(scope="module")
def negotiator(db: str) -> Iterator[Negotiator]:
    negotiator = open_negotiator(db, context=Context(sensor="tfidf"))
    yield negotiator
    close_connections(negotiator.graph)


@pytest.fixture(scope="module")
def client(negotiator: Negotiator, db: str) -> TestClient:
    return TestClient(create_app(negotiator, db_label=db, operator="dana"), base_url=LOCAL)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no answer form on the page"
    return found.group(1)


def post_answer(client: TestClient, thread_id: str, **fields: str) -> Any:
    form = client.get(f"/threads/{thread_id}").text
    data = {"csrf": csrf(form), "operator": "dana", "note": ""} | fields
    return client.post(f"/threads/{thread_id}/answer", data=data, follow_redirects=False)


def no_trace(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text


def test_the_list_shows_every_thread_waiting_first(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "3 threads, <b>1 waiting for a person</b>" in page.text
    order = re.findall(r'data-thread="([^"]+)"', page.text)
    assert order == [CRISIS, AGREEMENT, NEGOTIATION]  # the waiting one, then the newest first
    row = page.text.split(f'data-thread="{CRISIS}"')[1].split("</tr>")[0]
    assert "waiting for a person" in row and ">crisis<" in row and "Honestly I just want to end it all." in row
    assert re.search(r"<td>\d+ (s|min) ago</td>", row)
    agreed = page.text.split(f'data-thread="{AGREEMENT}"')[1].split("</tr>")[0]
    assert ">agreed<" in agreed and "<td>2</td>" in agreed


def test_the_list_paginates(negotiator: Negotiator, db: str) -> None:
    small = TestClient(create_app(negotiator, db_label=db, page_size=2), base_url=LOCAL)
    first, second = small.get("/"), small.get("/?page=2")
    assert re.findall(r'data-thread="([^"]+)"', first.text) == [CRISIS, AGREEMENT]
    assert "Page 1 of 2" in first.text and 'href="/?page=2"' in first.text
    assert re.findall(r'data-thread="([^"]+)"', second.text) == [NEGOTIATION]
    assert "No threads on this page" in small.get("/?page=9").text


def test_a_thread_page_shows_each_turns_reasoning_and_the_chart(client: TestClient, negotiator: Negotiator) -> None:
    page = client.get(f"/threads/{NEGOTIATION}")
    assert page.status_code == 200
    state = negotiator.state(NEGOTIATION)
    turns = re.findall(r'<div class="turn [^"]*" id="turn-(\d)">', page.text)
    assert turns == ["1", "2", "3"]
    third = page.text.split('id="turn-3"')[1]
    decision, reading = state["decisions"][2], state["readings"][2]
    assert f"<b>sensed</b> {reading['label']} ({reading['confidence']:.2f})" in third
    assert f"<b>stance</b> {decision['stance']}: " in third
    assert "<b>belief</b> " in third and "cooperative" in third
    assert f"<b>creditor offer</b> {state['offers'][2]['days']} days" in third
    assert "<b>client</b> proposes 100 days" in third
    assert "<b>guard</b> passed" in third
    assert "<svg" in page.text and page.text.count("<circle") == 3  # one dot per sensed turn
    assert "answer-form" not in page.text  # nothing to answer


def test_the_crisis_page_shows_the_request_and_the_answer_form(client: TestClient) -> None:
    page = client.get(f"/threads/{CRISIS}")
    assert page.status_code == 200
    assert "Client may be in crisis: waiting for you" in page.text
    assert "988 Suicide &amp; Crisis Lifeline" in page.text
    assert 'id="answer-form"' in page.text and 'value="dana"' in page.text
    assert '<option value="close" selected>' in page.text  # the crisis reply promised to stop


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/threads/nobody", 404, "no thread &#39;nobody&#39; in sqlite:///"),
        ("/threads/..bad", 404, "thread id &#39;..bad&#39; must be 1-128 characters"),
        ("/nothing/here", 404, "no page &#39;/nothing/here&#39; here"),
        ("/?page=zero", 400, "page must be a whole number from 1, not &#39;zero&#39;"),
    ],
)
def test_a_bad_address_is_a_clear_message(client: TestClient, path: str, status: int, message: str) -> None:
    page = client.get(path)
    assert page.status_code == status
    assert message in page.text
    no_trace(page.text)


def test_answering_a_thread_that_is_not_waiting_says_so(client: TestClient, negotiator: Negotiator) -> None:
    before = negotiator.state(AGREEMENT)
    form = client.get(f"/threads/{CRISIS}").text
    page = client.post(
        f"/threads/{AGREEMENT}/answer",
        data={"csrf": csrf(form), "operator": "dana", "answer": "close"},
        follow_redirects=False,
    )
    assert page.status_code == 409
    assert "thread &#39;agreement-1&#39; is not waiting for an operator" in page.text
    no_trace(page.text)
    assert negotiator.state(AGREEMENT) == before


def test_an_unknown_thread_cannot_be_answered(client: TestClient) -> None:
    form = client.get(f"/threads/{CRISIS}").text
    page = client.post("/threads/nobody/answer", data={"csrf": csrf(form), "operator": "dana", "answer": "close"})
    assert page.status_code == 404
    assert "no thread &#39;nobody&#39; in sqlite:///" in page.text
    no_trace(page.text)


@pytest.fixture()
def waiting(db: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A crisis thread of this test's own, waiting for a person."""
    thread_id = f"crisis-{request.node.name[-40:]}".replace("[", "-").replace("]", "")
    thread_id = re.sub(r"[^A-Za-z0-9._:-]", "-", thread_id)
    writer = desk_negotiator(db)
    escalate(writer, thread_id)
    yield thread_id
    close_connections(writer.graph)


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"answer": "reply", "reply": "   "}, 422, "the reply is empty: write what the client should read"),
        ({"answer": "reply", "reply": THREAT_REPLY}, 422, "the compliance guard refused the reply, so it was not sent"),
        ({"answer": "accept", "then": "reopen"}, 422, "action must be one of continue, close, got &#39;reopen&#39;"),
        ({"answer": "maybe"}, 422, "choose an answer: reply, accept or close"),
        ({"answer": "close", "operator": " "}, 422, "name the operator who resumes the thread"),
    ],
)
def test_a_bad_answer_is_a_clear_message_and_the_thread_keeps_waiting(
    client: TestClient, negotiator: Negotiator, waiting: str, fields: dict[str, str], status: int, message: str
) -> None:
    messages = negotiator.state(waiting)["messages"]
    page = post_answer(client, waiting, **fields)
    assert page.status_code == status
    assert message in page.text
    no_trace(page.text)
    assert 'id="answer-form"' in page.text  # the form is still there to try again
    if fields.get("reply", "").strip():
        assert f">{fields['reply']}</textarea>" in page.text  # what the operator typed is not lost
    assert negotiator.escalated(waiting) and negotiator.state(waiting)["messages"] == messages


def test_a_form_without_its_secret_is_refused(client: TestClient, negotiator: Negotiator, waiting: str) -> None:
    page = client.post(f"/threads/{waiting}/answer", data={"operator": "mallory", "answer": "close"})
    assert page.status_code == 403 and "came from another site" in page.text
    assert negotiator.escalated(waiting)


def test_a_reply_is_sent_and_the_page_says_so(client: TestClient, negotiator: Negotiator, waiting: str) -> None:
    sent = post_answer(client, waiting, answer="reply", reply=CLEAN_REPLY, note="called back")
    assert sent.status_code == 303 and sent.headers["location"] == f"/threads/{waiting}?done=reply"
    page = client.get(sent.headers["location"])
    assert "Answer saved: your reply was sent to the client" in page.text
    assert f"<b>operator dana:</b> {CLEAN_REPLY}" in page.text
    assert "answered</b> by dana: continue (called back)" in page.text
    state = negotiator.state(waiting)
    assert not negotiator.escalated(waiting) and state["status"] == "ongoing"
    assert state["messages"][-1].text == CLEAN_REPLY
    again = post_answer_without_form(client, waiting)
    assert again.status_code == 409 and "dana already answered it (continue)" in again.text


def post_answer_without_form(client: TestClient, thread_id: str) -> Any:
    """A second operator's answer from a page loaded before the first one answered."""
    secret = csrf(client.get(f"/threads/{CRISIS}").text)
    return client.post(f"/threads/{thread_id}/answer", data={"csrf": secret, "operator": "bob", "answer": "close"})


def test_accept_and_close_from_the_page(client: TestClient, negotiator: Negotiator, db: str) -> None:
    writer = desk_negotiator(db)
    try:
        escalate(writer, "accept-me")
        escalate(writer, "close-me")
    finally:
        close_connections(writer.graph)
    assert post_answer(client, "accept-me", answer="accept", then="continue").status_code == 303
    assert negotiator.state("accept-me")["status"] == "ongoing"
    assert post_answer(client, "close-me", answer="close").status_code == 303
    assert negotiator.state("close-me")["closed"] is True


# ----------------------------------------------------------------------------------------------------------------
# Access


def test_a_loopback_console_serves_only_loopback_host_names(negotiator: Negotiator, db: str) -> None:
    app = create_app(negotiator, db_label=db)
    assert TestClient(app, base_url="http://localhost:8765").get("/").status_code == 200
    rebound = TestClient(app, base_url="http://attacker.example").get("/")
    assert rebound.status_code == 400


def test_a_token_is_required_in_any_of_its_three_forms(negotiator: Negotiator, db: str) -> None:
    app = create_app(negotiator, db_label=db, token="s3cret", loopback=False)
    client = TestClient(app, base_url="http://desk.internal")
    refused = client.get("/")
    assert refused.status_code == 401 and "needs its token" in refused.text
    assert refused.headers["www-authenticate"].startswith("Basic")
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    basic = base64.b64encode(b"anyone:s3cret").decode()
    assert client.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    opened = client.get("/?token=s3cret")
    assert opened.status_code == 200 and "httponly" in opened.headers["set-cookie"].lower()
    assert client.get(f"/threads/{NEGOTIATION}").status_code == 200  # the cookie now carries the token
    assert TestClient(app, base_url="http://desk.internal").get("/?token=nope").status_code == 401


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/").headers
    assert (
        "default-src 'none'" in headers["content-security-policy"]
        and "script-src" not in headers["content-security-policy"]
    )
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "refusing to serve the console on 0.0.0.0, which other machines can reach"),
        (["--host", "0.0.0.0", "--token", " "], "the token is empty"),
        (["--db", "memory"], "memory holds none here"),
        (["--db", "sqlite:///{folder}/missing.db"], "no database at {folder}/missing.db"),
        (["--db", "mysql://x"], "unknown persistence spec 'mysql://x'"),
    ],
)
def test_eqn_console_refuses_before_serving(tmp_path: Path, db: str, args: list[str], message: str) -> None:
    filled = [arg.format(folder=tmp_path) for arg in args]
    command = ["console", *([] if "--db" in filled else ["--db", db]), *filled]
    result = CliRunner().invoke(cli_app, command, env={"COLUMNS": "400", "EQN_CONSOLE_TOKEN": None})
    assert result.exit_code == 2, result.output
    assert message.format(folder=tmp_path) in " ".join(result.output.split())


def test_the_console_reads_a_postgres_database(postgres_url: str) -> None:
    fill(postgres_url)
    negotiator = open_negotiator(postgres_url, context=Context(sensor="tfidf"))
    try:
        client = TestClient(create_app(negotiator, db_label="pg"), base_url=LOCAL)
        page = client.get("/")
        assert "3 threads, <b>1 waiting for a person</b>" in page.text
        assert re.findall(r'data-thread="([^"]+)"', page.text) == [CRISIS, AGREEMENT, NEGOTIATION]
        assert post_answer(client, CRISIS, answer="reply", reply=CLEAN_REPLY).status_code == 303
        assert negotiator.state(CRISIS)["messages"][-1].text == CLEAN_REPLY
        assert "0 waiting for a person" in client.get("/").text
    finally:
        close_connections(negotiator.graph)
