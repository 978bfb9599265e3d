"""Shared fixtures: where the public data lies, and tiny data sets built by the tests."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import PostgresServer, PostgresUnavailable, start_postgres

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The public data folder: $EQN_SHARED_DATA, else ../shared/data beside the repository."""
    return Path(os.environ.get("EQN_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def goemotions_dir() -> Path:
    path = shared_data_dir() / "emotion" / "goemotions"
    if not (path / "ekman" / "labels.txt").is_file():
        pytest.skip(f"GoEmotions not found at {path} (set EQN_SHARED_DATA)")
    return path


TINY_ROWS = [
    ("I am so happy and grateful, thank you so much!", "joy"),
    ("This is wonderful news, I love it", "joy"),
    ("Great, that works perfectly for me", "joy"),
    ("I feel so sad and lonely since I lost my job", "sadness"),
    ("I'm heartbroken, my mother passed away last month", "sadness"),
    ("I'm sorry, I really messed this up and I feel terrible", "sadness"),
    ("Stop calling me, this is outrageous and I'm furious", "anger"),
    ("You people are infuriating, I already paid!", "anger"),
    ("I am angry, this fee is a rip off", "anger"),
    ("I'm scared they will take my car", "fear"),
    ("I'm terrified I will lose the house", "fear"),
    ("I'm anxious and nervous about what happens next", "fear"),
    ("Wait, what? I had no idea I owed that much", "surprise"),
    ("Really? That is unexpected, I'm shocked", "surprise"),
    ("Huh, I did not know that at all", "surprise"),
    ("Your practices are disgusting and vile", "disgust"),
    ("That is gross, what a sleazy company", "disgust"),
    ("Ugh, repulsive, you should be ashamed", "disgust"),
    ("I can pay on the fifteenth", "neutral"),
    ("My account number is on the letter", "neutral"),
    ("Please send the statement by email", "neutral"),
]


@pytest.fixture()
def tiny_csv(tmp_path: Path) -> Path:
    """A small labelled CSV with an extra column (which loaders must ignore)."""
    return write_tiny_csv(tmp_path / "tiny.csv")


def write_tiny_csv(path: Path) -> Path:
    """Write :data:`TINY_ROWS` (twice, with an id column) as a labelled CSV at ``path`` and return it."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "label"])
        for repeat in range(2):
            for i, (text, label) in enumerate(TINY_ROWS):
                writer.writerow([f"{repeat}-{i}", text, label])
    return path


# -- PostgreSQL --------------------------------------------------------------------------------------------------

REQUIRE_POSTGRES_ENV = "EQN_REQUIRE_POSTGRES"
"""Set to 1 (as CI does) to fail, rather than skip, the PostgreSQL tests when no server can be started."""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session ($EQN_TEST_POSTGRES_URL, else a throwaway one on loopback).

    Skips only when no server binaries can be found, and fails instead under ``EQN_REQUIRE_POSTGRES=1``.
    """
    try:
        with start_postgres() as server:
            yield server
    except PostgresUnavailable as error:
        if os.environ.get(REQUIRE_POSTGRES_ENV, "") not in ("", "0"):
            pytest.fail(f"{error} ({REQUIRE_POSTGRES_ENV} is set)")
        pytest.skip(str(error))


@pytest.fixture()
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty database on the test server: tests never see each other's threads or locks."""
    return postgres_server.new_database()
