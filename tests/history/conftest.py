"""Databases for the history tests: a real SQLite file, and a real PostgreSQL server
started once for the session (each test gets a fresh, empty database on it)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.history import pg

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.Server]:
    server = pg.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty history database on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    server: pg.Server = request.getfixturevalue("pg_server")
    return server.create_database(f"assure_test_{next(_names)}")
