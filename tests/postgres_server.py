"""A throwaway PostgreSQL server for the tests, on loopback, started and removed by the tests themselves.

:func:`start_postgres` runs ``initdb`` and ``pg_ctl`` (found on ``PATH`` or under ``/usr/lib/postgresql/*/bin``) on
a data folder in a temporary directory, with trust authentication on 127.0.0.1 only, a free port and the unix
socket inside that directory. ``initdb`` refuses to run as root, so as root (containers, CI) the server runs as the
``postgres`` OS user (``runuser``). Durability is switched off (``fsync=off``): the data is thrown away anyway.

With ``EQN_TEST_POSTGRES_URL`` set, that server is used instead (its user must be allowed to create databases).
Each test gets a database of its own from :meth:`PostgresServer.new_database`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

URL_ENV = "EQN_TEST_POSTGRES_URL"
"""A PostgreSQL server to use instead of starting one (``postgresql://user:pass@host:port/db``)."""

SERVER_USER = "postgres"
"""The OS user the server runs as when the tests run as root."""


class PostgresUnavailable(RuntimeError):
    """No server binaries were found (so no throwaway server can be started)."""


def find_server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from ``PATH``, else the newest ``/usr/lib/postgresql/*/bin``."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").is_file():
            return folder
    # Debian's postgresql package keeps them off PATH, one folder per major version.
    folders = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda path: int(name) if (name := Path(path).parent.name).isdigit() else 0,
    )
    for candidate in reversed(folders):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A reachable server: ``url`` names its maintenance database (``postgres``), used to create test databases."""

    url: str
    created: list[str] = field(default_factory=list)

    def _with_database(self, name: str) -> str:
        base, _, query = self.url.partition("?")
        server = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
        return f"{server}/{name}" + (f"?{query}" if query else "")

    def new_database(self) -> str:
        """Create an empty database and return its URL (dropped again by :meth:`drop_databases`)."""
        import psycopg

        name = f"eqn_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self._with_database(name)

    def drop_databases(self) -> None:
        """Drop the databases this object created (closing their connections first)."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as admin:
            while self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')


def _run_as_server_user(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a server binary, as ``postgres`` when we are root (initdb and postgres refuse to run as root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload, no-any-return]


@contextlib.contextmanager
def start_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the duration of the ``with`` block: ``EQN_TEST_POSTGRES_URL``, else a throwaway one.

    Raises:
        PostgresUnavailable: If no URL is set and no server binaries can be found.
        RuntimeError: If the binaries are there but the server does not start (the message holds its log).
    """
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        server = PostgresServer(url)
        try:
            yield server
        finally:
            server.drop_databases()
        return
    binaries = find_server_binaries()
    if binaries is None:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin; install "
            f"the postgresql package or set {URL_ENV}"
        )
    root = Path(tempfile.mkdtemp(prefix="eqn-pg-"))
    data, log = root / "data", root / "server.log"
    try:
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise RuntimeError(
                    f"running as root, and there is no {SERVER_USER!r} OS user to run initdb as"
                ) from None
            os.chown(root, account.pw_uid, account.pw_gid)
        _run_as_server_user(
            [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        for attempt in range(3):  # another process may take the free port between probing and binding it
            port = _free_port()
            try:
                start = ["-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", f"{options} -c port={port}"]
                _run_as_server_user([str(binaries / "pg_ctl"), *start, "start"])
                break
            except subprocess.CalledProcessError as error:
                if attempt == 2:
                    server_log = log.read_text(errors="replace") if log.exists() else ""
                    raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{server_log}") from error
        server = PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        try:
            yield server
        finally:
            with contextlib.suppress(subprocess.SubprocessError):  # the folder is removed below either way
                _run_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
