"""The history store on both engines: migrations from empty, a run written and read back,
and every kind of bad database URL answered in one line with the contract's exit code."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from assure.errors import EnvError, UsageError
from assure.history.model import RecordedFinding
from assure.history.store import NewRun, open_store, parse_url
from tests.conftest import ROOT, assert_no_traceback, run_assure


def _run(subject: str = "sys-a", **kw: object) -> NewRun:
    start = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    base: dict[str, object] = {
        "invocation": "00000000-0000-0000-0000-000000000001",
        "command": "gap",
        "subject": subject,
        "system": subject,
        "day": start.date(),
        "started_at": start,
        "finished_at": start + dt.timedelta(seconds=3),
        "tool_version": "0.1.0",
        "regime": "nd85-2016",
        "inputs": [{"path": "/p.yaml", "sha256": "ab" * 32}],
        "exit_code": 1,
        "summary": {"coverage": 64.9, "level": 3, "facts": {"classification": {"x": "ệ"}}},
        "findings": [
            RecordedFinding("CH.2.1.2", subject, "pass", "Đạt", {"ref": "HS-001"}),
            RecordedFinding("TK.EDR", subject, "fail", "planned", {"due": "2027-03-31"}),
        ],
    }
    base.update(kw)
    return NewRun(**base)  # type: ignore[arg-type]


def test_migrations_create_the_schema_from_empty(db_url: str) -> None:
    """A fresh database gets both tables and the newest revision; opening again is a no-op."""
    store = open_store(db_url)
    try:
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"runs", "findings", "alembic_version"} <= names
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [
                ("0001",)
            ]
        assert store.count() == 0
    finally:
        store.close()
    again = open_store(db_url)
    assert again.count() == 0
    again.close()


def test_a_run_is_read_back_as_written(db_url: str) -> None:
    store = open_store(db_url)
    try:
        first = store.add(_run())
        second = store.add(
            _run(started_at=dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC), exit_code=0)
        )
        store.add(_run("other"))
        runs = store.runs(["sys-a"], with_findings=True)
        assert [r.id for r in runs] == [second, first]  # newest first
        got = runs[1]
        assert got.started_at == dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
        assert got.day == dt.date(2026, 11, 1)
        assert got.summary["facts"] == {"classification": {"x": "ệ"}}
        assert [(f.check, f.status, f.evidence) for f in got.findings] == [
            ("CH.2.1.2", "pass", {"ref": "HS-001"}),
            ("TK.EDR", "fail", {"due": "2027-03-31"}),
        ]
        assert store.run(first) == got
        assert store.run(10_000) is None
        assert [r.findings for r in store.runs(["sys-a"], limit=1)] == [()]
    finally:
        store.close()


def test_postgresql_url_without_driver_suffix_uses_psycopg() -> None:
    assert parse_url("postgresql://u:pw@db.example/h").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@db.example/h").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://u@localhost/h",
        "postgresql+asyncpg://u@h/d",
        "sqlite://",
        "postgresql://u:secret@h:notaport/d",
    ],
)
def test_bad_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_url(url)
    assert "secret" not in str(err.value)


def test_default_is_a_file_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = parse_url(None)
    assert url.database == str(tmp_path / "data" / "assure" / "history.sqlite3")
    store = open_store(None)
    store.close()
    assert (tmp_path / "data" / "assure" / "history.sqlite3").is_file()


def test_unreachable_postgresql_is_an_environment_failure() -> None:
    with pytest.raises(EnvError) as err:
        open_store("postgresql://u:secret@127.0.0.1:1/h")
    assert "secret" not in str(err.value) and "127.0.0.1" in str(err.value)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("mysql://u@localhost/h", 2),
        ("nonsense", 2),
        ("postgresql://u:secret@127.0.0.1:1/h", 6),
        ("sqlite:////proc/no-such-folder/h.sqlite3", 6),
    ],
)
def test_cli_bad_database_is_one_line_with_the_right_code(url: str, code: int) -> None:
    """Before any work is done, the run stops with one line naming the database."""
    run = run_assure(
        "classify",
        ROOT / "profiles" / "cong-dvc-demo.yaml",
        "--record",
        "--db",
        url,
        "--lang",
        "en",
    )
    assert_no_traceback(run)
    assert run.code == code, run.err
    assert run.out == ""  # nothing classified: the database was refused first
    assert len(run.err.strip().splitlines()) == 1, run.err
    assert "secret" not in run.err


def test_postgresql_without_driver_says_what_to_install() -> None:
    """Without psycopg a PostgreSQL URL is an environment failure telling what to install."""
    import subprocess

    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from assure.cli import run\n"
        "sys.exit(run(['classify', 'profiles/cong-dvc-demo.yaml', '--record', '--db',"
        " 'postgresql://u@127.0.0.1:1/h', '--lang', 'en']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 6, out.stderr
    assert "assure[postgresql]" in out.stderr and "Traceback" not in out.stderr
