"""Opening the history database and reading and writing runs (the I/O of the history).

The URL comes from `--db`, else `ASSURE_DB`, else an SQLite file in the user data folder
(`platformdirs.user_data_dir("assure")`). PostgreSQL is reached with psycopg 3
(`postgresql+psycopg://`; plain `postgresql://` means the same). Every open brings the
schema to the newest migration shipped in the package, under a lock (SQLite's write lock,
PostgreSQL's advisory lock), so the first runs of many processes against a fresh database
create it once. What the user got wrong in the URL is a usage error (exit 2); a database
that cannot be reached or written, or a missing driver, is the environment (exit 6), in one
line naming the database with its password hidden.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from assure import i18n
from assure.errors import EnvError, UsageError
from assure.history.model import RecordedFinding, Run
from assure.history.schema import findings as findings_table
from assure.history.schema import runs as runs_table

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of PostgreSQL's advisory lock held while migrating ("assure" in ASCII, truncated).
_PG_LOCK = 0x617373757265
#: Seconds a writer waits for another writer (SQLite) or for a connection (PostgreSQL).
BUSY_TIMEOUT_S = 60


def default_url() -> str:
    """The SQLite file in the user data folder; the folder is created on first use."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('assure')) / 'history.sqlite3'}"


def parse_url(value: str | None) -> URL:
    """`--db` / `ASSURE_DB` as a SQLAlchemy URL with the driver this program uses."""
    text = value or default_url()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise UsageError(i18n.t("history.bad_url", url=_mask(text))) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
            return url.set(drivername="postgresql+psycopg")
        raise UsageError(i18n.t("history.bad_driver", url=_show(url), driver=url.drivername))
    if backend == "sqlite" and url.drivername in ("sqlite", "sqlite+pysqlite"):
        if not url.database or url.database == ":memory:":
            raise UsageError(i18n.t("history.sqlite_memory", url=_show(url)))
        return url
    raise UsageError(i18n.t("history.bad_backend", url=_show(url)))


def _mask(text: str) -> str:
    """A URL that did not parse, with anything between `:` and `@` hidden."""
    head, at, tail = text.rpartition("@")
    if not at:
        return text
    scheme, sep, cred = head.partition("://")
    user = cred.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{tail}" if ":" in cred else text


def _show(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _database_errors(shown: str) -> Iterator[None]:
    """Whatever the driver raises becomes one line naming the database (exit 6)."""
    try:
        yield
    except DBAPIError as exc:
        raise EnvError(shown, i18n.t("history.db_failed", reason=_first_line(exc.orig))) from None
    except SQLAlchemyError as exc:
        raise EnvError(shown, i18n.t("history.db_failed", reason=_first_line(exc))) from None
    except OSError as exc:
        reason = exc.strerror or _first_line(exc)
        raise EnvError(shown, i18n.t("history.db_failed", reason=reason)) from None


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _sqlite_engine(url: URL) -> Engine:
    """SQLite in WAL mode with a busy timeout; every transaction takes the write lock when
    it begins (`BEGIN IMMEDIATE`), so concurrent writers queue instead of failing on a lock
    upgrade, and the migration check runs under the same lock."""
    assert url.database is not None
    path = Path(url.database).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvError.from_os(str(path.parent), exc, "cannot_create_folder") from None
    engine = sa.create_engine(
        url.set(database=str(path)),
        connect_args={"timeout": BUSY_TIMEOUT_S},
        poolclass=sa.pool.NullPool,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgresql_engine(url: URL, shown: str) -> Engine:
    try:
        return sa.create_engine(
            url, connect_args={"connect_timeout": 10}, poolclass=sa.pool.NullPool
        )
    except (ImportError, NoSuchModuleError):
        raise EnvError(shown, i18n.t("history.no_driver")) from None


def _migrate(conn: Connection) -> None:
    """Bring the schema to the newest shipped revision (a no-op when it is there)."""
    from alembic import command
    from alembic.config import Config

    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def _at_head(engine: Engine) -> bool:
    """Is the schema already current? Read without the lock, so the usual open is cheap."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        conn.rollback()
    return current == heads


@dataclass(frozen=True)
class NewRun:
    """A run as a command hands it over to be stored."""

    invocation: str
    command: str
    subject: str
    system: str | None
    day: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    tool_version: str
    regime: str | None
    inputs: Sequence[dict[str, Any]]
    exit_code: int
    summary: dict[str, Any]
    findings: Sequence[RecordedFinding] = field(default_factory=tuple)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive times; everything is stored in UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Store:
    """An open history database."""

    def __init__(self, engine: Engine, shown: str) -> None:
        self.engine = engine
        self.shown = shown

    def add(self, run: NewRun) -> int:
        """Store one run and its findings in one transaction; return the run's id."""
        with _database_errors(self.shown), self.engine.begin() as conn:
            result = conn.execute(
                runs_table.insert()
                .values(
                    invocation=run.invocation,
                    command=run.command,
                    subject=run.subject,
                    system=run.system,
                    day=run.day,
                    started_at=_utc(run.started_at),
                    finished_at=_utc(run.finished_at),
                    tool_version=run.tool_version,
                    regime=run.regime,
                    inputs=list(run.inputs),
                    exit_code=run.exit_code,
                    summary=run.summary,
                )
                .returning(runs_table.c.id)
            )
            run_id = int(result.scalar_one())
            rows = [
                {
                    "run_id": run_id,
                    "seq": i,
                    "check": f.check,
                    "target": f.target,
                    "status": f.status,
                    "summary": f.summary,
                    "evidence": f.evidence,
                }
                for i, f in enumerate(run.findings)
            ]
            if rows:
                conn.execute(findings_table.insert(), rows)
        return run_id

    def runs(
        self,
        subjects: Sequence[str],
        *,
        limit: int | None = None,
        with_findings: bool = False,
    ) -> list[Run]:
        """The runs whose subject or system is one of `subjects`, newest first."""
        c = runs_table.c
        query = (
            sa.select(runs_table)
            .where(sa.or_(c.subject.in_(subjects), c.system.in_(subjects)))
            .order_by(c.started_at.desc(), c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        with _database_errors(self.shown), self.engine.connect() as conn:
            rows = list(conn.execute(query).mappings())
            found = self._findings(conn, [r["id"] for r in rows]) if with_findings else {}
        return [_run(r, found.get(r["id"], ())) for r in rows]

    def run(self, run_id: int) -> Run | None:
        """One run with its findings, or None."""
        with _database_errors(self.shown), self.engine.connect() as conn:
            row = conn.execute(sa.select(runs_table).where(runs_table.c.id == run_id))
            found = row.mappings().first()
            if found is None:
                return None
            return _run(found, self._findings(conn, [run_id]).get(run_id, ()))

    def count(self) -> int:
        """How many runs are stored (all subjects)."""
        with _database_errors(self.shown), self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(runs_table)).scalar_one()
            )

    @staticmethod
    def _findings(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[RecordedFinding, ...]]:
        out: dict[int, list[RecordedFinding]] = {}
        f = findings_table.c
        for start in range(0, len(ids), 500):  # bound the IN list
            chunk = ids[start : start + 500]
            query = sa.select(findings_table).where(f.run_id.in_(chunk)).order_by(f.run_id, f.seq)
            for r in conn.execute(query).mappings():
                out.setdefault(r["run_id"], []).append(
                    RecordedFinding(
                        check=r["check"],
                        target=r["target"],
                        status=r["status"],
                        summary=r["summary"],
                        evidence=dict(r["evidence"] or {}),
                    )
                )
        return {k: tuple(v) for k, v in out.items()}

    def close(self) -> None:
        self.engine.dispose()


def _run(r: Any, found: Sequence[RecordedFinding]) -> Run:
    return Run(
        id=int(r["id"]),
        invocation=r["invocation"],
        command=r["command"],
        subject=r["subject"],
        system=r["system"],
        day=r["day"],
        started_at=_utc(r["started_at"]),
        finished_at=_utc(r["finished_at"]),
        tool_version=r["tool_version"],
        regime=r["regime"],
        inputs=list(r["inputs"] or []),
        exit_code=int(r["exit_code"]),
        summary=dict(r["summary"] or {}),
        findings=tuple(found),
    )


def open_store(value: str | None) -> Store:
    """Open (and migrate) the database named by `value` (`--db`), else the default."""
    url = parse_url(value)
    shown = _show(url)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
        shown = str(url.database)
    else:
        engine = _postgresql_engine(url, shown)
    with _database_errors(shown):
        if not _at_head(engine):
            with engine.begin() as conn:
                _migrate(conn)
    return Store(engine, shown)
