"""Servers the integration tests start as subprocesses on a loopback port: a free port, waiting, stopping."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

START_TIMEOUT_S = 120.0
"""How long a test server may take to answer (the first start of `langgraph dev` imports a lot)."""


def free_port() -> int:
    """A loopback port with nothing listening on it (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ok(name: str, url: str, server: subprocess.Popen[bytes], log: Path, interval_s: float = 0.3) -> None:
    """Wait until ``url`` answers 200; fail the test with the server's log if it exits or never answers."""
    import httpx

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"{name} exited with {server.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval_s)
    pytest.fail(f"{name} did not answer {url} in {START_TIMEOUT_S:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


def stop_process_group(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and everything it started (started with ``start_new_session=True``)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)
