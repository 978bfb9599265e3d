"""Checkpointers and stores from URL-like specs, with strict checkpoint deserialisation.

Specs:

* ``memory``: in-process (lost when the process ends).
* ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: a SQLite file (created if missing).
* ``postgresql://user:pass@host:port/db``: PostgreSQL through a psycopg connection pool (``postgres`` extra), shared
  by the checkpointer and a store on the same database; its sizes and timeouts are set by ``pool_*`` query
  parameters or ``EQN_PG_POOL_*`` variables (see :data:`POOL_SETTINGS`).

Opening a spec never touches the network: :func:`prepare_persistence` then opens the PostgreSQL pools and creates
the tables, failing with :class:`PersistenceError` (naming the server, never the password) when the server cannot
be reached. :func:`~eq_negotiator.graph.session.open_negotiator` and
:func:`~eq_negotiator.graph.builder.build_graph` call it.

Checkpoints are read back with LangGraph's strict msgpack allow-list (plain data and LangChain messages only): a row
that names any other Python type, or whose bytes do not decode, is refused with :class:`CheckpointIntegrityError`
instead of being imported and executed or silently degraded.

Checkpoints can be encrypted at rest (AES-EAX through LangGraph's ``EncryptedSerializer`` cipher, ``encryption``
extra): set :data:`CHECKPOINT_KEY_ENV` to a base64 or hex key of 16, 24 or 32 bytes, or pass ``encryption_key`` to
:func:`open_checkpointer`. A row that does not decrypt with the key (another key, altered bytes), a plaintext row read
with encryption on, and an encrypted row read without the key are all refused with the same error.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.base import CipherProtocol
from langgraph.checkpoint.serde.event_hooks import SerdeEvent, register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

if TYPE_CHECKING:  # the postgres extra is optional
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore

SPEC_FORMS: Final[tuple[str, ...]] = ("memory", "sqlite:///<path>", "postgresql://<user>:<password>@<host>/<db>")

POSTGRES_TIMEOUT_S: Final[float] = 10.0
"""How long to wait for a PostgreSQL connection (connecting, or getting one from a busy pool) before failing."""


class PersistenceSpecError(ValueError):
    """A checkpointer/store spec that is malformed or names an unsupported backend."""


class PersistenceError(RuntimeError):
    """A checkpointer or store that could not be opened.

    For example a file that is not a SQLite database, a database server that cannot be reached, or set-up that the
    database refused.
    """


class CheckpointKeyError(PersistenceSpecError):
    """An encryption key (from :data:`CHECKPOINT_KEY_ENV` or given) that is not base64 or hex of 16, 24 or 32 bytes.

    The message names where the key came from, never the key.
    """


class CheckpointIntegrityError(PersistenceError):
    """A saved checkpoint that cannot be loaded safely, so it is refused; nothing saved is changed.

    Raised for a row naming a Python type outside the strict allow-list, bytes that do not decode or decrypt, an
    unknown serialisation format, or a plaintext/encrypted row that does not match the encryption setting.
    :class:`~eq_negotiator.graph.session.Negotiator` re-raises it naming the thread.

    Attributes:
        reason: What was wrong with the row.
        thread_id: The thread whose checkpoint it is, when known.
    """

    def __init__(self, reason: str, thread_id: str | None = None) -> None:
        self.reason = reason
        self.thread_id = thread_id
        where = f"the checkpoint of thread {thread_id!r}" if thread_id is not None else "a saved checkpoint"
        super().__init__(f"refused to load {where}: {reason}; nothing was loaded, run or changed")

    def for_thread(self, thread_id: str) -> CheckpointIntegrityError:
        """The same error, naming ``thread_id`` (already-named errors are returned unchanged)."""
        if self.thread_id is not None:
            return self
        named = CheckpointIntegrityError(self.reason, thread_id)
        named.__cause__ = self.__cause__
        return named


def redact_spec(spec: str) -> str:
    """``spec`` fit to print: a PostgreSQL URL loses its password and query (which may hold one too).

    Args:
        spec: A persistence spec.

    Returns:
        ``postgresql://user@host:port/db`` for a PostgreSQL URL; any other spec unchanged.
    """
    scheme, separator, rest = spec.strip().partition("://")
    if not separator or scheme not in ("postgresql", "postgres"):
        return spec
    netloc, _, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    database = path.partition("?")[0]
    return f"{scheme}://{user}{at}{hostport}/{database}"


@dataclass(frozen=True)
class PersistenceSpec:
    """A parsed spec: the backend and its target (file path or connection string)."""

    kind: Literal["memory", "sqlite", "postgres"]
    target: str = ""

    @classmethod
    def parse(cls, spec: str) -> PersistenceSpec:
        """Parse ``spec``.

        Raises:
            PersistenceSpecError: If the form is unknown or the target is empty (the message lists the forms).
        """
        if not isinstance(spec, str):
            raise PersistenceSpecError(f"persistence spec must be a string, not {type(spec).__name__}")
        text = spec.strip()
        if text == "memory":
            return cls("memory")
        if text.startswith("sqlite:///"):
            path = text.removeprefix("sqlite:///")
            if not path:
                raise PersistenceSpecError(f"{spec!r}: no file after sqlite:///; valid forms: {', '.join(SPEC_FORMS)}")
            return cls("sqlite", path)
        if text.startswith(("postgresql://", "postgres://")):
            if text.split("://", 1)[1] in ("", "/"):
                raise PersistenceSpecError(f"{spec!r}: no server in the URL; valid forms: {', '.join(SPEC_FORMS)}")
            return cls("postgres", text)
        raise PersistenceSpecError(f"unknown persistence spec {spec!r}; valid forms: {', '.join(SPEC_FORMS)}")


CHECKPOINT_KEY_ENV: Final[str] = "EQN_CHECKPOINT_KEY"
"""Environment variable holding the checkpoint encryption key (base64 or hex of 16, 24 or 32 bytes)."""

AES_KEY_SIZES: Final[tuple[int, ...]] = (16, 24, 32)

_BLOCKED_EVENTS: Final[frozenset[str]] = frozenset({"msgpack_blocked", "msgpack_method_blocked"})

_blocked_types: ContextVar[list[str] | None] = ContextVar("eqn_blocked_types", default=None)
"""While :meth:`StrictSerializer.loads_typed` runs: the types LangGraph's strict ext hook refused so far."""


def _note_blocked(event: SerdeEvent) -> None:
    # LangGraph's hook returns a blocked type's raw payload and only logs (once per type and process); its serde
    # events fire every time, and are the one signal that lets a load be refused rather than silently degraded.
    # The names come from the row's bytes, so a tampered row may give any value (an int, None): str() them, as a
    # listener that raised would be logged with a traceback by LangGraph and the blocked type never noted.
    found = _blocked_types.get()
    if found is not None and event["kind"] in _BLOCKED_EVENTS:
        parts = [event["module"], event["name"], *([event["method"]] if "method" in event else [])]
        found.append(".".join(map(str, parts)))


register_serde_event_listener(_note_blocked)


class _RefusedRowFilter(logging.Filter):
    """Drops LangGraph's serde warnings about a row that :class:`StrictSerializer` is refusing.

    While a strict load runs and has noted a blocked type, the row will be refused with a
    :class:`CheckpointIntegrityError` that names the types: LangGraph's "Blocked deserialization" warning (and any
    other it logs for the same row) only repeats it, as noise before the one clear error. Every other record of the
    logger, and every record outside such a load, passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep ``record`` unless the current strict load has already found a reason to refuse its row."""
        return not _blocked_types.get()


SERDE_LOGGER: Final[str] = "langgraph.checkpoint.serde.jsonplus"
"""The logger LangGraph's msgpack hook warns on when it blocks a type."""

logging.getLogger(SERDE_LOGGER).addFilter(_RefusedRowFilter())


class StrictSerializer(JsonPlusSerializer):
    """LangGraph's msgpack serializer that refuses, rather than degrades, what it cannot load safely.

    Only LangGraph's built-in safe types (plain data, LangChain messages, LangGraph's own types) and the types
    LangGraph adds for a graph's state schema are rebuilt; a row naming any other type raises
    :class:`CheckpointIntegrityError`, as do undecodable bytes and unknown formats. With a ``cipher`` every row is
    encrypted on write, in the format of LangGraph's ``EncryptedSerializer`` (``<type>+aes``), and must decrypt on
    read.

    Args:
        cipher: The encryption cipher, or ``None`` for plaintext rows.
    """

    def __init__(self, cipher: CipherProtocol | None = None) -> None:
        super().__init__(allowed_msgpack_modules=None)
        # LangGraph derives per-graph copies with copy.copy (with_msgpack_allowlist), which keep the class and cipher.
        self._cipher = cipher

    @property
    def encrypted(self) -> bool:
        """Whether rows are encrypted."""
        return self._cipher is not None

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        """Serialise ``obj`` to ``(type, bytes)``, encrypting the bytes when a cipher is set."""
        type_, data = super().dumps_typed(obj)
        if self._cipher is None:
            return type_, data
        ciphername, ciphertext = self._cipher.encrypt(data)
        return f"{type_}+{ciphername}", ciphertext

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Load a ``(type, bytes)`` row.

        Raises:
            CheckpointIntegrityError: If the row names a type outside the allow-list, its bytes do not decode or
                decrypt, its format is unknown, or it is plaintext while encryption is on (or encrypted while off).
        """
        type_, payload = data
        base_type, plus, ciphername = type_.partition("+")
        if self._cipher is not None:
            if not plus:
                raise CheckpointIntegrityError(f"it is stored unencrypted ({type_!r}) but checkpoint encryption is on")
            try:
                payload = self._cipher.decrypt(ciphername, payload)
            except (ValueError, TypeError, KeyError, AssertionError) as error:
                # pycryptodome's "MAC check failed": another key, or bytes altered since they were written.
                raise CheckpointIntegrityError(
                    f"it does not decrypt with the configured key ({type(error).__name__}): it was written with "
                    "another key, or its bytes were altered"
                ) from error
            type_ = base_type
        elif plus:
            raise CheckpointIntegrityError(
                f"it is encrypted ({type_!r}) and no key is configured: set {CHECKPOINT_KEY_ENV} to the key it was "
                "written with"
            )
        blocked: list[str] = []
        token = _blocked_types.set(blocked)
        try:
            value = super().loads_typed((type_, payload))
        except NotImplementedError as error:
            raise CheckpointIntegrityError(f"its format {type_!r} is not one this serializer writes") from error
        except ValueError as error:  # ormsgpack's and json's decode errors
            raise CheckpointIntegrityError(f"its bytes do not decode as {type_} ({error})") from error
        finally:
            _blocked_types.reset(token)
        if blocked:
            names = ", ".join(sorted(set(blocked)))
            raise CheckpointIntegrityError(f"it names Python types outside the strict allow-list: {names}")
        return value


def parse_checkpoint_key(text: str, source: str = CHECKPOINT_KEY_ENV) -> bytes:
    """The AES key written in ``text``: hex (32, 48 or 64 hex digits) or base64 of 16, 24 or 32 bytes.

    Args:
        text: The key as text.
        source: Where it came from, for the error message (never the key itself).

    Raises:
        CheckpointKeyError: If it is neither, or decodes to another length.
    """
    text = text.strip()
    expected = f"hex or base64 of {', '.join(map(str, AES_KEY_SIZES))} bytes"
    if len(text) in (2 * size for size in AES_KEY_SIZES) and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointKeyError(f"{source} is not a valid key: expected {expected}") from None
    if len(key) not in AES_KEY_SIZES:
        raise CheckpointKeyError(f"{source} decodes to {len(key)} bytes: expected {expected}")
    return key


def checkpoint_key(key: str | bytes | None = None) -> bytes | None:
    """The encryption key: ``key`` if given (text is parsed as :func:`parse_checkpoint_key`), else from the env.

    Returns:
        The raw key, or ``None`` when none is given and :data:`CHECKPOINT_KEY_ENV` is unset or empty.

    Raises:
        CheckpointKeyError: If the key is malformed.
    """
    if isinstance(key, bytes):
        if len(key) not in AES_KEY_SIZES:
            raise CheckpointKeyError(f"the encryption key has {len(key)} bytes: expected 16, 24 or 32")
        return key
    if key is not None:
        return parse_checkpoint_key(key, "the encryption key")
    text = os.environ.get(CHECKPOINT_KEY_ENV, "").strip()
    return parse_checkpoint_key(text) if text else None


def _aes_cipher(key: bytes) -> CipherProtocol:
    try:
        from langgraph.checkpoint.serde.encrypted import EncryptedSerializer

        # LangGraph's AES-EAX cipher: a fresh nonce per row and an authentication tag, so a wrong key or altered
        # bytes fail the MAC check instead of decrypting to garbage.
        return EncryptedSerializer.from_pycryptodome_aes(key=key).cipher
    except ImportError:
        raise PersistenceSpecError(
            "checkpoint encryption needs the encryption extra: pip install 'eq-negotiator[encryption]'"
        ) from None


def strict_serializer(encryption_key: str | bytes | None = None, *, encrypt: bool | None = None) -> StrictSerializer:
    """The checkpoint serializer: LangGraph's strict allow-list, refusing what it cannot load, optionally encrypted.

    Args:
        encryption_key: The AES key (raw bytes, or hex/base64 text); when omitted, :data:`CHECKPOINT_KEY_ENV`.
        encrypt: ``None``: encrypt when a key is given or set in the environment; ``True``: require a key;
            ``False``: never encrypt (the environment is ignored; giving a key too is an error).

    Raises:
        CheckpointKeyError: If the key is malformed, or ``encrypt`` is ``True`` without a key (or ``False`` with).
    """
    if encrypt is False:
        if encryption_key is not None:
            raise CheckpointKeyError("an encryption key was given with encrypt=False")
        return StrictSerializer()
    key = checkpoint_key(encryption_key)
    if key is None:
        if encrypt:
            raise CheckpointKeyError(f"checkpoint encryption is on but no key is set: set {CHECKPOINT_KEY_ENV}")
        return StrictSerializer()
    return StrictSerializer(_aes_cipher(key))


def _check_sqlite_folder(path: str) -> None:
    if path != ":memory:":
        folder = Path(path).expanduser().parent
        if not folder.is_dir():
            raise PersistenceSpecError(f"sqlite:///{path}: folder {folder} does not exist")


@contextlib.contextmanager
def _sqlite_setup_lock(path: str) -> Iterator[None]:
    """Hold the SQLite database's set-up lock (:meth:`~eq_negotiator.graph.locking.FileThreadLocks.hold_setup`).

    Opening a database and running its migrations go inside it, so any number of processes may open a new database
    at once. An in-memory database is private to its connection and needs none.

    Raises:
        PersistenceSpecError: If the database's folder does not exist.
        PersistenceError: If the lock cannot be taken (another process set up for over :data:`SETUP_LOCK_WAIT_S`,
            or its folder cannot be created).
    """
    from eq_negotiator.graph.locking import FileThreadLocks

    _check_sqlite_folder(path)
    if path == ":memory:":
        yield
        return
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(FileThreadLocks.beside(os.path.realpath(path)).hold_setup(SETUP_LOCK_WAIT_S))
        except (TimeoutError, OSError) as error:
            raise PersistenceError(f"sqlite:///{path}: cannot take the set-up lock ({error})") from error
        yield


def _set_up_sqlite(path: str, part: Any, what: str) -> None:
    """Run a SQLite saver's or store's ``setup()`` (call it under :func:`_sqlite_setup_lock`).

    Raises:
        PersistenceError: If the database refuses the set-up (the connection is closed).
    """
    try:
        part.setup()
    except sqlite3.Error as error:
        part.conn.close()
        raise PersistenceError(f"sqlite:///{path}: cannot set up the {what} ({error})") from error


def _sqlite_connection(path: str, *, autocommit: bool = False) -> sqlite3.Connection:
    _check_sqlite_folder(path)
    # Used from the graph's worker threads; the savers serialise access with their own locks.
    # The store manages its own BEGIN/COMMIT and needs autocommit mode (as its from_conn_string sets); left in the
    # default mode, its set-up would hold a write transaction open and lock out the checkpointer.
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None if autocommit else "DEFERRED")
    try:
        # The first statement that reads the file: a file that is not a database fails here, at start-up.
        connection.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints instead of every commit: the file cannot be corrupted and a process
        # crash loses nothing; only an OS crash or power cut can roll back the last commits. FULL cost ~4 ms a turn.
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as error:
        connection.close()
        raise PersistenceError(f"sqlite:///{path}: cannot use it as a SQLite database ({error})") from error
    return connection


POOL_SETTINGS: Final[dict[str, float]] = {
    # At least the connection that holds a turn's writer lock plus the one the checkpointer is using.
    "pool_min_size": 2,
    # Enough for a few turns of one process at once (each holds a lock connection while it runs).
    "pool_max_size": 10,
    # Under the idle timeouts of common proxies and load balancers.
    "pool_max_idle": 5 * 60.0,
    # Connections are renewed within the hour (server restarts, fail-overs, credential rotation).
    "pool_max_lifetime": 30 * 60.0,
    # Waiting for a connection of a busy or broken pool fails in seconds, not psycopg's default 30 s.
    "pool_timeout": POSTGRES_TIMEOUT_S,
}
"""The PostgreSQL pool's defaults (sizes in connections, times in seconds).

Each can be overridden by a query parameter of the spec (``postgresql://...?pool_max_size=20``), else by an
environment variable named ``EQN_PG_`` + the upper-cased name (``EQN_PG_POOL_MAX_SIZE=20``). The parameters are
removed from the URL before it reaches the driver; the URL's other query parameters (``sslmode=...``) are kept.
"""


def _pool_settings(url: str) -> tuple[str, dict[str, float]]:
    """``url`` without the ``pool_*`` query parameters, and the pool settings (query > environment > default).

    Raises:
        PersistenceSpecError: If a setting is not a positive number (or a size not a whole number), or the minimum
            size exceeds the maximum.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    given = {name: value for name, value in query if name in POOL_SETTINGS}
    unknown = sorted({name for name, _ in query if name.startswith("pool_")} - POOL_SETTINGS.keys())
    if unknown:
        raise PersistenceSpecError(
            f"{redact_spec(url)}: unknown pool setting(s) {', '.join(unknown)}; known: {', '.join(POOL_SETTINGS)}"
        )
    settings: dict[str, float] = {}
    for name, default in POOL_SETTINGS.items():
        env = f"EQN_PG_{name.upper()}"
        raw, source = (given[name], f"query parameter {name}") if name in given else (os.environ.get(env), env)
        if raw is None or raw.strip() == "":
            settings[name] = default
            continue
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        whole = name.endswith("_size")
        if not value > 0 or (whole and not value.is_integer()):
            kind = "a positive whole number" if whole else "a positive number of seconds"
            raise PersistenceSpecError(f"{source} must be {kind}, got {raw!r}")
        settings[name] = value
    if settings["pool_min_size"] > settings["pool_max_size"]:
        raise PersistenceSpecError(
            f"pool_min_size ({settings['pool_min_size']:g}) exceeds pool_max_size ({settings['pool_max_size']:g})"
        )
    if not given:
        return url, settings
    kept = urlencode([(name, value) for name, value in query if name not in POOL_SETTINGS])
    return urlunsplit(parts._replace(query=kept)), settings


def _postgres_pool(url: str) -> Any:
    try:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise PersistenceSpecError(
            "PostgreSQL needs the postgres extra: pip install 'eq-negotiator[postgres]'"
        ) from None
    conninfo, settings = _pool_settings(url)
    # Built closed, so building the graph never blocks on the network; prepare_persistence() opens it.
    return ConnectionPool(
        conninfo,
        open=False,
        name="eq-negotiator",
        # What langgraph-checkpoint-postgres requires of its connections.
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            # Without it an unreachable host is given up only after the OS's TCP timeout (minutes).
            "connect_timeout": max(2, round(settings["pool_timeout"])),
        },
        min_size=int(settings["pool_min_size"]),
        max_size=int(settings["pool_max_size"]),
        # A connection the server or a proxy dropped (idle timeout, restart, pg_terminate_backend) is found and
        # replaced before it is handed out.
        check=ConnectionPool.check_connection,
        max_idle=settings["pool_max_idle"],
        max_lifetime=settings["pool_max_lifetime"],
        timeout=settings["pool_timeout"],
    )


def _shared_pool(url: str, saver: BaseCheckpointSaver[Any] | None) -> Any:
    """The PostgreSQL checkpointer ``saver``'s pool if it connects to ``url``'s database, else ``None``."""
    pool = getattr(saver, "conn", None)
    if pool is None or type(saver).__module__ != "langgraph.checkpoint.postgres":
        return None
    from psycopg_pool import ConnectionPool

    if not isinstance(pool, ConnectionPool) or callable(pool.conninfo):
        return None
    return pool if pool.conninfo == _pool_settings(url)[0] else None


def open_checkpointer(
    spec: str | BaseCheckpointSaver[Any],
    *,
    encryption_key: str | bytes | None = None,
    encrypt: bool | None = None,
) -> BaseCheckpointSaver[Any]:
    """A checkpointer for ``spec`` (or ``spec`` itself if it already is one).

    Args:
        spec: A persistence spec, or a ready checkpointer (used as it is).
        encryption_key: Key to encrypt checkpoints with (see :func:`strict_serializer`); when omitted,
            :data:`CHECKPOINT_KEY_ENV` decides.
        encrypt: ``True`` requires a key, ``False`` turns encryption off whatever the environment says.

    Raises:
        PersistenceSpecError: If the spec is malformed, the SQLite folder is missing, the Postgres or encryption
            extra is not installed, or encryption options are given with a ready checkpointer.
        CheckpointKeyError: If the encryption key is malformed or missing while required.
        PersistenceError: If the SQLite file is not a database, refuses the set-up, or its set-up lock cannot be
            taken.
    """
    if isinstance(spec, BaseCheckpointSaver):
        if encryption_key is not None or encrypt is not None:
            raise PersistenceSpecError("encryption options apply to a spec; give your own checkpointer its serde")
        return spec
    parsed = PersistenceSpec.parse(spec)
    serde = strict_serializer(encryption_key, encrypt=encrypt)  # a bad key fails before any file is touched
    if parsed.kind == "memory":
        return InMemorySaver(serde=serde)
    if parsed.kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        with _sqlite_setup_lock(parsed.target):
            saver = SqliteSaver(_sqlite_connection(parsed.target), serde=serde)
            _set_up_sqlite(parsed.target, saver, "checkpointer")
        return saver
    from langgraph.checkpoint.postgres import PostgresSaver

    return PostgresSaver(_postgres_pool(parsed.target), serde=serde)


def open_store(spec: str | BaseStore, *, share_with: BaseCheckpointSaver[Any] | None = None) -> BaseStore:
    """A store (for what policies learn across dialogues) for ``spec`` (or ``spec`` itself if it already is one).

    Args:
        spec: A store spec, or a store.
        share_with: A checkpointer opened from the same database: a PostgreSQL store then uses its connection pool
            instead of opening a second one.

    Raises:
        PersistenceSpecError: As :func:`open_checkpointer`.
        PersistenceError: If the SQLite file is not a database, refuses the set-up, or its set-up lock cannot be
            taken.
    """
    if isinstance(spec, BaseStore):
        return spec
    parsed = PersistenceSpec.parse(spec)
    if parsed.kind == "memory":
        return InMemoryStore()
    if parsed.kind == "sqlite":
        from langgraph.store.sqlite import SqliteStore

        with _sqlite_setup_lock(parsed.target):
            store = SqliteStore(_sqlite_connection(parsed.target, autocommit=True))
            _set_up_sqlite(parsed.target, store, "store")
        return store
    from langgraph.store.postgres import PostgresStore

    return PostgresStore(_shared_pool(parsed.target, share_with) or _postgres_pool(parsed.target))


_POSTGRES_MODULES: Final[tuple[str, ...]] = ("langgraph.checkpoint.postgres", "langgraph.store.postgres")


def prepare_persistence(
    checkpointer: BaseCheckpointSaver[Any] | None,
    store: BaseStore | None,
    *,
    timeout: float = POSTGRES_TIMEOUT_S,
) -> None:
    """Make a checkpointer and store ready for their first run; call once at start-up.

    For PostgreSQL this opens a connection pool that is not open yet (waiting until it has connected) and runs
    the saver's and store's ``setup()``, which creates their tables and applies migrations (both idempotent).
    Memory and SQLite need nothing here: SQLite files are checked and set up when they are opened (under a file
    lock beside the database, as PostgreSQL's set-up runs under an advisory lock).

    Args:
        checkpointer: The graph's checkpointer, if any.
        store: The graph's store, if any.
        timeout: Seconds to wait for the database server.

    Raises:
        PersistenceError: If the server cannot be reached in time or refuses the set-up; the message names the
            server (without the password) and the reason.
    """
    parts = [part for part in (checkpointer, store) if type(part).__module__.startswith(_POSTGRES_MODULES)]
    if not parts:  # memory and SQLite need no preparing, nor psycopg's import (~9 MB)
        return
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore

    for part in parts:
        if isinstance(part, (PostgresSaver, PostgresStore)):
            _prepare_postgres(part, timeout)


def _prepare_postgres(part: PostgresSaver | PostgresStore, timeout: float) -> None:
    import psycopg
    from psycopg_pool import ConnectionPool

    connection = part.conn
    if isinstance(connection, ConnectionPool):
        # A pool may be given a function returning the conninfo (e.g. to renew a token); ours are given strings.
        conninfo = connection.conninfo() if callable(connection.conninfo) else connection.conninfo
    else:
        conninfo = connection.info.dsn  # a single connection (an embedder's own saver): psycopg omits the password
    unopened_pool = connection if isinstance(connection, ConnectionPool) and connection.closed else None
    opened_pool = None
    try:
        if unopened_pool is not None:
            # One direct connection first: it fails at once with the server's own reason (refused, bad password,
            # no such database), where the pool would retry in the background and time out saying only that.
            psycopg.connect(conninfo, connect_timeout=max(2, round(timeout))).close()
            opened_pool = unopened_pool
            opened_pool.open(wait=True, timeout=timeout)
        with _setup_lock(connection, conninfo, timeout):
            part.setup()
    except psycopg.Error as error:
        if opened_pool is not None:
            opened_pool.close(timeout=0)  # stop its workers from reconnecting in the background
        # libpq's messages run over several lines; one line reads better in logs and terminals.
        reason = _without_password(" ".join(str(error).split()) or type(error).__name__, conninfo)
        raise PersistenceError(f"cannot use PostgreSQL at {redact_spec(conninfo)}: {reason}") from error


SETUP_LOCK_KEY: Final[int] = int.from_bytes(
    hashlib.blake2b(b"eq-negotiator:setup", digest_size=8).digest(), "big", signed=True
)
"""The PostgreSQL advisory lock that serialises :func:`prepare_persistence` across workers."""


@contextlib.contextmanager
def _setup_lock(connection: Any, conninfo: str, timeout: float) -> Iterator[None]:
    """Hold :data:`SETUP_LOCK_KEY` while the tables are set up.

    LangGraph's migrations are not safe to run twice at once: workers starting together on an empty database would
    all create the tables, and all but one fail (duplicate ``pg_type`` key). Under the lock the later workers find
    the migrations applied and do nothing.
    """
    import psycopg
    from psycopg_pool import ConnectionPool

    if isinstance(connection, ConnectionPool):
        # Its own session, not a pooled connection: setup() takes connections from the pool, which may hold only one.
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=max(2, round(timeout))) as holder:
            _wait_for_setup_lock(holder)
            yield  # the lock goes with the session when the connection closes
        return
    _wait_for_setup_lock(connection)  # an embedder's own single connection
    try:
        yield
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))


SETUP_LOCK_WAIT_S: Final[float] = 120.0
"""How long a starting worker waits for another worker's table set-up before failing."""


def _wait_for_setup_lock(connection: Any) -> None:
    """Take :data:`SETUP_LOCK_KEY` on ``connection``, polling rather than blocking in ``pg_advisory_lock``.

    A session blocked in ``pg_advisory_lock`` is inside a statement, and the holder's migrations include ``CREATE
    INDEX CONCURRENTLY``, which waits for every statement in flight to end: holder and waiter would wait for each
    other forever, through the client, where the server's deadlock detection cannot see it. Between polls the
    waiting session runs nothing.

    Raises:
        psycopg.OperationalError: If the lock is not free within :data:`SETUP_LOCK_WAIT_S`.
    """
    import time

    import psycopg
    from psycopg.rows import tuple_row

    deadline = time.monotonic() + SETUP_LOCK_WAIT_S
    delay = 0.01
    while True:
        with connection.cursor(row_factory=tuple_row) as cursor:
            row = cursor.execute("SELECT pg_try_advisory_lock(%s)", (SETUP_LOCK_KEY,)).fetchone()
        if row and row[0]:
            return
        if time.monotonic() > deadline:
            raise psycopg.OperationalError(
                f"another worker has been setting up the tables for over {SETUP_LOCK_WAIT_S:g} s"
            )
        time.sleep(delay)
        delay = min(2 * delay, 0.25)


def _without_password(text: str, conninfo: str) -> str:
    """``text`` with the connection's password masked, should a driver message ever quote it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        password = conninfo_to_dict(conninfo).get("password")
    except psycopg.Error:  # an unparsable conninfo: at least never repeat it whole
        return text.replace(conninfo, redact_spec(conninfo))
    return text.replace(str(password), "***") if password else text
