"""Security and fault handling: checkpoint encryption, secrets kept out of checkpoints, PII masked in logs and traces,
and a failing emotion sensor degrading to a flagged neutral reading."""

from __future__ import annotations

import base64
import logging
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.messages import HumanMessage
from langgraph.types import RetryPolicy
from langsmith.utils import get_env_var
from urllib3.util.retry import Retry

from eq_negotiator.emotions import NEUTRAL
from eq_negotiator.graph.builder import make_builder
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.persistence import (
    CHECKPOINT_KEY_ENV,
    CheckpointIntegrityError,
    CheckpointKeyError,
    PersistenceSpecError,
    open_checkpointer,
    parse_checkpoint_key,
    strict_serializer,
)
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.session import Negotiator, ReplyError, open_negotiator
from eq_negotiator.nodes.sense_emotion import FLAG_SENSOR_FAILED
from eq_negotiator.reasoning.policies.base import UNINFORMATIVE_FLAGS
from eq_negotiator.redaction import (
    DEFAULT_FILTER,
    RedactingFilter,
    check_trace_privacy,
    get_logger,
    private_tracing_client,
    redact,
    redact_tree,
)
from tests.unit.graph.fakes import ScriptedChatModel, ScriptedSensor, close_connections, keyword_sensor, offering

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PHRASE = "my grandmother's tulip bakery on Quillfeather Lane"
"""A client phrase distinctive enough that finding it in a file means the file holds client text in the clear."""


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHECKPOINT_KEY_ENV, raising=False)


def sqlite_bytes(folder: Path) -> bytes:
    """Every byte of every SQLite file (database, WAL, shared memory) in ``folder``."""
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def replies(count: int) -> ScriptedChatModel:
    return ScriptedChatModel(replies=[offering() for _ in range(count)])


# -- encryption at rest ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [KEY.hex(), base64.b64encode(KEY).decode(), f"  {KEY.hex().upper()}\n"])
def test_a_key_is_read_as_hex_or_base64(text: str) -> None:
    assert parse_checkpoint_key(text) == KEY


@pytest.mark.parametrize("text", ["not a key!", "abcd", base64.b64encode(b"x" * 20).decode(), "0" * 31])
def test_a_malformed_key_names_the_variable_and_never_the_key(
    text: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CHECKPOINT_KEY_ENV, text)
    with pytest.raises(CheckpointKeyError) as raised:
        open_checkpointer(f"sqlite:///{tmp_path}/c.db")
    assert CHECKPOINT_KEY_ENV in str(raised.value)
    assert text.strip() not in str(raised.value)
    assert not (tmp_path / "c.db").exists()  # refused before the file was created


def test_encryption_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(CheckpointKeyError, match=f"no key is set: set {CHECKPOINT_KEY_ENV}"):
        strict_serializer(encrypt=True)
    with pytest.raises(CheckpointKeyError, match="encrypt=False"):
        strict_serializer(KEY, encrypt=False)
    with pytest.raises(CheckpointKeyError, match="has 5 bytes"):
        strict_serializer(b"short")
    with pytest.raises(PersistenceSpecError, match="own checkpointer"):
        open_checkpointer(open_checkpointer("memory"), encryption_key=KEY)
    assert strict_serializer(KEY, encrypt=None).dumps_typed({"a": 1})[0] == "msgpack+aes"


def test_encrypted_sqlite_holds_no_client_text_and_reads_back_with_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CHECKPOINT_KEY_ENV, base64.b64encode(KEY).decode())
    spec = f"sqlite:///{tmp_path}/c.db"
    # paper1 learns in milliseconds (the eq policy refits its HMM: seconds); both store numbers and label lists.
    context = Context(policy="paper1")
    negotiator = open_negotiator(spec, context=context, sensor=keyword_sensor(), model=replies(2))
    negotiator.send("enc", f"I run {PHRASE} and I am angry.")
    negotiator.close("enc", succeeded=False)  # the policy learns: the store is written too
    close_connections(negotiator.graph)

    stored = sqlite_bytes(tmp_path)
    assert b"Quillfeather" not in stored and PHRASE.encode() not in stored
    assert KEY not in stored and base64.b64encode(KEY) not in stored and KEY.hex().encode() not in stored
    with closing(sqlite3.connect(tmp_path / "c.db")) as connection:
        types = {row[0] for row in connection.execute("SELECT type FROM checkpoints UNION SELECT type FROM writes")}
        store_values = [row[0] for row in connection.execute("SELECT value FROM store")]
    assert types and all(type_.endswith("+aes") for type_ in types)
    # The store holds what the policy learned (numbers), never the client's words.
    assert store_values and all("Quillfeather" not in str(value) for value in store_values)

    reopened = open_negotiator(spec, context=context, sensor=keyword_sensor(), model=replies(0))
    state = reopened.state("enc")
    assert state["messages"][0].text == f"I run {PHRASE} and I am angry." and state["closed"]
    close_connections(reopened.graph)


def test_the_plaintext_default_does_hold_the_phrase(tmp_path: Path) -> None:
    """The control for the test above: without a key the same phrase is in the file."""
    negotiator = open_negotiator(f"sqlite:///{tmp_path}/c.db", sensor=keyword_sensor(), model=replies(1))
    negotiator.send("plain", f"I run {PHRASE}.")
    close_connections(negotiator.graph)
    assert b"Quillfeather" in sqlite_bytes(tmp_path)


@pytest.mark.parametrize(
    ("written_with", "read_with", "reason"),
    [
        (KEY, OTHER_KEY, "does not decrypt with the configured key"),
        (KEY, None, f"is encrypted ('msgpack+aes') and no key is configured: set {CHECKPOINT_KEY_ENV}"),
        (None, KEY, "is stored unencrypted ('msgpack') but checkpoint encryption is on"),
    ],
    ids=["wrong-key", "no-key", "plaintext-with-key"],
)
def test_a_key_mismatch_is_a_clear_error_never_garbage(
    tmp_path: Path, written_with: bytes | None, read_with: bytes | None, reason: str
) -> None:
    spec = f"sqlite:///{tmp_path}/c.db"
    negotiator = open_negotiator(spec, sensor=keyword_sensor(), model=replies(1), encryption_key=written_with)
    negotiator.send("t", "Hello.")
    close_connections(negotiator.graph)
    before = sqlite_bytes(tmp_path)

    reopened = open_negotiator(spec, sensor=keyword_sensor(), model=replies(0), encryption_key=read_with)
    with pytest.raises(CheckpointIntegrityError) as raised:
        reopened.state("t")
    assert "refused to load the checkpoint of thread 't'" in str(raised.value)
    assert reason in str(raised.value)
    with pytest.raises(CheckpointIntegrityError):
        reopened.send("t", "Hello again.")
    close_connections(reopened.graph)
    assert sqlite_bytes(tmp_path) == before  # nothing was written


def test_altered_ciphertext_is_refused() -> None:
    serde = strict_serializer(KEY)
    type_, data = serde.dumps_typed({"messages": ["hello"]})
    altered = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(CheckpointIntegrityError, match="its bytes were altered"):
        serde.loads_typed((type_, altered))


# -- secrets never reach a checkpoint ----------------------------------------------------------------------------


def clear_langsmith_env_cache() -> None:
    """LangSmith caches what it read of the environment: clear it after changing LANGSMITH_* variables."""
    get_env_var.cache_clear()  # type: ignore[attr-defined]  # an lru_cache behind typing overloads


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_credentials_in_the_settings_never_reach_the_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tok-SECRETb4c0n"  # a fake credential whose bytes the test looks for
    api_key = "sk-SECRETapikey0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    base_url = f"http://user:{token}@127.0.0.1:{closed_port()}/v1"
    context = Context(model="openai:gpt-test", base_url=base_url)
    # The real client path, failing at once (nothing listens): the failed reply's error is checkpointed too.
    retry = RetryPolicy(initial_interval=0.01, max_attempts=2, jitter=False)
    graph = make_builder(Services(sensor=keyword_sensor()), retry=retry).compile(
        checkpointer=open_checkpointer(f"sqlite:///{tmp_path}/c.db")
    )
    negotiator = Negotiator(graph, context)

    with pytest.raises(ReplyError) as raised:
        negotiator.send("secret", "Hello, I got your letter.")
    assert negotiator.pending("secret")
    close_connections(graph)

    stored = sqlite_bytes(tmp_path)
    assert b"Hello, I got your letter." in stored  # the control: the checkpoint is plaintext here
    for secret in (token, api_key):
        assert secret.encode() not in stored
        assert secret not in str(raised.value)


# -- redaction ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail alex.m+debt@example.co.uk today", "Mail [EMAIL] today"),
        ("call +44 20 7946 0958 or (555) 123-4567", "call [PHONE] or [PHONE]"),
        ("card 4111 1111 1111 1111, account 12345678901234", "card [ACCOUNT], account [ACCOUNT]"),
        ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN [ACCOUNT] please"),
        ("I owe $4,850.00, can pay 200 dollars or EUR 1,500", "I owe [AMOUNT], can pay [AMOUNT] or [AMOUNT]"),
        ("30 days, round 3 of 15, on 2024-05-01", "30 days, round 3 of 15, on 2024-05-01"),
        (
            "https://bob:hunter2@api.example.com/v1 with sk-abcdefghijklmnop",
            "https://[SECRET]@api.example.com/v1 with [SECRET]",
        ),
    ],
)
def test_redact_masks_pii_and_keeps_dialogue_numbers(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_masks_the_parties_names_and_their_parts() -> None:
    text = "Alex Morgan here - ALEX, not Alexander. Northwind Lending called."
    assert redact(text, ["Alex Morgan", "Northwind Lending"]) == "[NAME] here - [NAME], not Alexander. [NAME] called."


def test_redact_tree_masks_nested_strings() -> None:
    data = {"messages": [{"content": "mail a@b.io"}], "turn": 3, "note": ("call 555-123-4567",)}
    assert redact_tree(data) == {"messages": [{"content": "mail [EMAIL]"}], "turn": 3, "note": ["call [PHONE]"]}


def test_package_loggers_mask_client_details(caplog: pytest.LogCaptureFixture) -> None:
    logger = get_logger("eq_negotiator.test_security_probe")
    with caplog.at_level(logging.INFO, logger="eq_negotiator"):
        logger.info("client wrote %r", "mail jo@example.com, card 4111111111111111")
        try:
            raise ValueError("cannot read 'call 555-123-4567'")
        except ValueError:
            logger.exception("failed")
    assert "jo@example.com" not in caplog.text and "4111111111111111" not in caplog.text
    assert "555-123-4567" not in caplog.text
    assert "[EMAIL]" in caplog.text and "[ACCOUNT]" in caplog.text and "[PHONE]" in caplog.text
    assert DEFAULT_FILTER in logging.getLogger("eq_negotiator").filters


def test_a_filter_with_names_masks_them() -> None:
    record = logging.LogRecord("eq_negotiator.x", logging.INFO, __file__, 1, "%s says hi", ("Jordan Blake",), None)
    assert RedactingFilter(["Jordan Blake"]).filter(record)
    assert record.getMessage() == "[NAME] says hi"


def test_get_logger_refuses_foreign_hierarchies() -> None:
    with pytest.raises(ValueError, match="not in the eq_negotiator hierarchy"):
        get_logger("langgraph")


def test_every_logger_of_the_package_masks_however_it_was_made(caplog: pytest.LogCaptureFixture) -> None:
    """A module that logs through a plain logging.getLogger(__name__) is masked too (by the record factory)."""
    plain = logging.getLogger("eq_negotiator.test_security_plain")
    assert DEFAULT_FILTER not in plain.filters
    with caplog.at_level(logging.INFO, logger="eq_negotiator"):
        plain.warning("dialogue %s failed: %s", "d1", "client said: mail jo@example.com, pay $5,000")
        logging.getLogger("other_library").warning("untouched jo@example.com")
    assert "client said: mail [EMAIL], pay [AMOUNT]" in caplog.text
    assert "untouched jo@example.com" in caplog.text  # other libraries' records are theirs


# -- tracing -----------------------------------------------------------------------------------------------------


def test_trace_privacy_is_checked() -> None:
    assert check_trace_privacy("hidden") == "hidden"
    with pytest.raises(ValueError, match="full, redacted, hidden"):
        Context(trace_privacy="secret")


@pytest.fixture()
def tracing_offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, Any]]]:
    """LangSmith tracing on, pointed at a closed loopback port; records what the client's masker got and returned."""
    import eq_negotiator.redaction as redaction

    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2-fake-key-for-tests")
    monkeypatch.setenv("LANGSMITH_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    for name in ("LANGCHAIN_TRACING_V2", "LANGCHAIN_API_KEY", "LANGCHAIN_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    clear_langsmith_env_cache()
    seen: list[tuple[Any, Any]] = []
    real_masker = redaction.trace_masker

    def recording_masker(names: Any = ()) -> Any:
        mask = real_masker(names)

        def record(data: dict[str, Any]) -> dict[str, Any]:
            masked = mask(data)
            seen.append((data, masked))
            return masked

        return record

    monkeypatch.setattr(redaction, "trace_masker", recording_masker)
    clients: list[Any] = []
    real_client = redaction.private_tracing_client

    def offline_client(mode: Any, names: Any = (), **kwargs: Any) -> Any:
        # Synchronous posts (no background batch thread), failing at once on the closed port, without retries.
        client = real_client(mode, names, auto_batch_tracing=False, retry_config=Retry(total=0), **kwargs)
        clients.append(client)
        return client

    import eq_negotiator.graph.session as session

    monkeypatch.setattr(session, "private_tracing_client", offline_client)
    yield seen
    assert len(clients) == 1  # one client per negotiator, reused across runs
    monkeypatch.undo()
    clear_langsmith_env_cache()


def traced_negotiator(mode: str) -> Negotiator:
    context = Context(trace_privacy=mode, scenario={"debtor": "Jordan Blake"})
    return open_negotiator("memory", context=context, sensor=keyword_sensor(), model=replies(2))


def test_redacted_traces_are_masked_before_sending(tracing_offline: list[tuple[Any, Any]]) -> None:
    negotiator = traced_negotiator("redacted")
    text = "This is Jordan Blake, mail me at jordan@example.com or call 555-123-4567."
    negotiator.send("traced", text)

    assert tracing_offline, "the masker never ran: the private tracer was not used"
    raw = " ".join(repr(data) for data, _ in tracing_offline)
    masked = " ".join(repr(result) for _, result in tracing_offline)
    assert "jordan@example.com" in raw  # the masker did see the client's message...
    for detail in ("jordan@example.com", "555-123-4567", "Jordan", "Blake"):
        assert detail not in masked  # ...and returned none of it
    assert "[EMAIL]" in masked and "[PHONE]" in masked and "[NAME]" in masked


def test_hidden_traces_send_no_inputs_or_outputs(tracing_offline: list[tuple[Any, Any]]) -> None:
    negotiator = traced_negotiator("hidden")
    negotiator.send("traced", "mail me at jordan@example.com")
    # Inputs and outputs are dropped before the masker (which still sees metadata and errors).
    assert "jordan@example.com" not in " ".join(repr(data) for data, _ in tracing_offline)


def test_full_tracing_builds_no_private_client(monkeypatch: pytest.MonkeyPatch) -> None:
    import eq_negotiator.graph.session as session

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no private client for trace_privacy='full' or with tracing off")

    monkeypatch.setattr(session, "private_tracing_client", refuse)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    monkeypatch.delenv("LANGCHAIN_TRACING_V2", raising=False)
    clear_langsmith_env_cache()
    context = Context(trace_privacy="redacted")
    open_negotiator("memory", context=context, sensor=keyword_sensor(), model=replies(1)).send("t", "Hello.")
    monkeypatch.undo()
    clear_langsmith_env_cache()


def test_private_tracing_client_refuses_full() -> None:
    with pytest.raises(ValueError, match="needs no private client"):
        private_tracing_client("full")


# -- a failing sensor --------------------------------------------------------------------------------------------


class FlakySensor(ScriptedSensor):
    """The keyword sensor, raising on any message containing ``trigger``."""

    def __init__(self, trigger: str) -> None:
        super().__init__(keywords={"angry": "anger"})
        self.trigger = trigger

    def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        for text in texts:
            if self.trigger in text:
                raise RuntimeError(f"tokenizer choked on {text!r}")
        return super()._probabilities(texts)


def test_a_sensor_failure_degrades_to_a_flagged_neutral_reading(caplog: pytest.LogCaptureFixture) -> None:
    context = Context(scenario={"debtor": "Jordan Blake"})
    negotiator = open_negotiator("memory", context=context, sensor=FlakySensor("\u2603"), model=replies(3))
    negotiator.send("flaky", "I am angry.")
    with caplog.at_level(logging.WARNING, logger="eq_negotiator"):
        result = negotiator.send("flaky", "Jordan Blake here \u2603 mail jordan@example.com")
    negotiator.send("flaky", "Still angry.")

    state = negotiator.state("flaky")
    failed = state["readings"][1]
    assert failed["label"] == NEUTRAL and failed["confidence"] == 1.0
    assert failed["flags"] == [FLAG_SENSOR_FAILED, "sensor_error:RuntimeError"]
    assert FLAG_SENSOR_FAILED in UNINFORMATIVE_FLAGS  # the policy treats it as no evidence, not as calm
    assert result.emotion == {"label": NEUTRAL, "confidence": 1.0} and result.reply
    assert [r["label"] for r in state["readings"]] == ["anger", NEUTRAL, "anger"]
    assert state["turn"] == 3 and [type(m) for m in state["messages"]].count(HumanMessage) == 3
    # Logged, masked: the error type and turn, never the client's name or email.
    assert "emotion sensor scripted failed on turn 2 (RuntimeError" in caplog.text
    assert "jordan@example.com" not in caplog.text and "Jordan" not in caplog.text and "Blake" not in caplog.text
