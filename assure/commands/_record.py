"""`--record` and `--db URL`: remember a run in the history database (`assure history`,
`assure drift`).

One decorator gives a command both options (plain click options named `record` and `db`,
so a configuration file can set them through click's `default_map`), and one function,
`record_run`, stores what the command produced. With `--record` the database is opened
(and migrated) before the command does its work, so a wrong URL or an unreachable server
stops the run at once instead of after a long probe. SQLAlchemy is imported only then:
a run without `--record` never loads it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assure import __version__, i18n
from assure.commands._common import Env, note
from assure.findings import Finding

if TYPE_CHECKING:
    from assure.history.store import Store

F = TypeVar("F", bound=Callable[..., Any])

_STATE = "assure.history"


def db_option(f: F) -> F:
    """`--db URL` (`ASSURE_DB`): the history database of `--record`, `history` and `drift`."""
    return click.option(
        "--db",
        "db",
        default=None,
        envvar="ASSURE_DB",
        show_envvar=True,
        metavar="URL",
        help="History database: sqlite:///FILE or postgresql://USER@HOST/NAME"
        " [default: an SQLite file in the user data folder].",
    )(f)


def record_options(f: F) -> F:
    """`--record` and `--db URL` (`ASSURE_DB`) on a command; the command's callback receives
    `record` and `db` and passes `db` on to `record_run`."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("record"):
            _open(kwargs.get("db"))
        return f(*args, **kwargs)

    wrapped = db_option(wrapper)
    wrapped = click.option(
        "--record",
        "record",
        is_flag=True,
        default=False,
        help="Remember this run in the history database (`assure history`, `assure drift`).",
    )(wrapped)
    return wrapped  # type: ignore[return-value]


def now(env: Env | None = None) -> dt.datetime:
    """The injected clock: the wall clock, moved to the evaluation day when `--today` names
    another day, so runs recorded "as of" a day sort and compare as of that day."""
    real = dt.datetime.now(dt.UTC)
    day = env.today if env is not None else real.date()
    if day == real.date():
        return real
    return dt.datetime.combine(day, real.timetz())


def _env() -> Env | None:
    ctx = click.get_current_context(silent=True)
    return ctx.find_object(Env) if ctx is not None else None


def _open(db: str | None) -> Store:
    """The open store of this command line (opened once, when the command starts)."""
    ctx = click.get_current_context()
    state: dict[str, Any] = ctx.meta.setdefault(_STATE, {})
    store: Store | None = state.get(db or "")
    if store is None:
        from assure.history.store import open_store

        store = open_store(db)
        ctx.call_on_close(store.close)
        state[db or ""] = store
        state.setdefault("started", now(_env()))
        state.setdefault("invocation", str(uuid.uuid4()))
    return store


def sha256_inputs(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Each input file with its SHA-256 (a folder: each YAML file in it; `-` and URLs are
    named without a hash), so a later drift can tell "same files" from "files changed"."""
    out: list[dict[str, Any]] = []
    for item in paths:
        path = Path(item)
        files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                digest = hashlib.sha256(file.read_bytes()).hexdigest()
            except OSError:
                out.append({"path": str(item), "sha256": None})
                continue
            out.append({"path": str(file.resolve()), "sha256": digest})
    return out


def _finding(f: Finding | Mapping[str, Any]) -> Any:
    from assure.history.model import RecordedFinding

    if isinstance(f, Finding):
        return RecordedFinding(f.check, f.target, f.status.value, f.summary, dict(f.evidence))
    return RecordedFinding(
        str(f["check"]),
        str(f["target"]),
        str(f["status"]),
        str(f.get("summary", "")),
        dict(f.get("evidence") or {}),
    )


def record_run(
    db: str | None,
    *,
    command: str,
    subject: str,
    inputs: Sequence[Mapping[str, Any] | str | Path] = (),
    regime: str | None = None,
    exit_code: int,
    findings: Iterable[Finding | Mapping[str, Any]] = (),
    summary: Mapping[str, Any] | None = None,
    system: str | None = None,
) -> int:
    """Store one run of `command` over `subject` (a system id, a probe target, a document)
    and return its id. `findings` are `Finding`s or mappings with check, target, status,
    summary and evidence; `inputs` are files (hashed here) or ready `{"path", "sha256"}`
    entries; `summary` holds the run's figures (coverage, counts, level, facts). Every run
    of one command line shares its start time and invocation id."""
    from assure.history.store import NewRun

    store = _open(db)
    state = click.get_current_context().meta[_STATE]
    env = _env()
    run_id = store.add(
        NewRun(
            invocation=state["invocation"],
            command=command,
            subject=subject,
            system=system,
            day=env.today if env is not None else dt.date.today(),
            started_at=state["started"],
            finished_at=now(env),
            tool_version=__version__,
            regime=regime,
            inputs=[dict(i) if isinstance(i, Mapping) else sha256_inputs([i])[0] for i in inputs],
            exit_code=int(exit_code),
            summary=dict(summary or {}),
            findings=[_finding(f) for f in findings],
        )
    )
    note(i18n.t("history.recorded", id=run_id, subject=subject, db=store.shown))
    return run_id


def profile_facts(data: Mapping[str, Any]) -> dict[str, Any]:
    """The classification facts of a profile and its components: what drift compares to
    say which facts moved a level."""
    out: dict[str, Any] = {"classification": dict(data.get("classification") or {})}
    comps = [{"id": c["id"], **profile_facts(c)} for c in data.get("components") or ()]
    if comps:
        out["components"] = comps
    return out


__all__ = ["db_option", "now", "profile_facts", "record_options", "record_run", "sha256_inputs"]
