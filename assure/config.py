"""`assure.toml`: the settings an organisation writes once instead of on every command line.

A department runs the same commands every day with the same language, regime, database and
gate thresholds; a file keeps them, so a CI job and a person at a desk get the same answer.
The file is found in this order, the first one that exists winning:

1. `ASSURE_CONFIG` names a file (an empty value means: no configuration file at all);
2. `assure.toml` in the working folder (the project's own settings);
3. `assure.toml` in the user configuration folder (`platformdirs.user_config_dir("assure")`).

It is read with `tomllib` and checked against `KEYS`; every problem (a TOML syntax error,
an unknown key, a value of the wrong type) is reported as `file:line:column: key: message`
and stops the run with exit 3, like a bad profile. The settings reach the commands through
click's `default_map` (`Config.default_map`), so the order of precedence is click's own:
an option on the command line, then its environment variable, then this file, then the
built-in default.
"""

from __future__ import annotations

import contextvars
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assure.errors import DataError, EnvError, Position, Problem
from assure.findings import Status
from assure.i18n import LANGS, Msg
from assure.paths import checklists_dir

#: The environment variable that names the configuration file explicitly.
ENV_VAR = "ASSURE_CONFIG"
FILE_NAME = "assure.toml"

#: Probe statuses a gate may be told to fail on: a warning and the undecided ones besides a
#: failure (a `fail` always fails; a pass, a note or a check that does not apply never does).
FAILABLE = tuple(s.value for s in (Status.WARN, Status.FAIL, Status.INCONCLUSIVE, Status.ERROR))


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who speaks in the documents: the body, the body above it, the place on letters."""

    name: str | None = None
    parent: str | None = None
    place: str | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What the launch gate tolerates; None leaves the gate's own default."""

    min_coverage: float | None = None
    max_open: int | None = None
    fail_statuses: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """The settings of one run, and the file they came from (None: no file)."""

    path: str | None = None
    organisation: Organisation = field(default_factory=Organisation)
    language: str | None = None
    regime: str | None = None
    database: str | None = None
    record: bool | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)

    def command_defaults(self) -> dict[str, Any]:
        """Defaults for the parameters any command may have (`regime`, `db`, `record`).

        The language is not among them: it is a default of the group's `--lang` only, so
        that `assure --lang en gap` is not undone by the file's language at the command.
        """
        out: dict[str, Any] = {}
        if self.regime is not None:
            out["regime"] = self.regime
        if self.database is not None:
            out["db"] = self.database
        if self.record is not None:
            out["record"] = self.record
        return out

    def default_map(self, commands: Iterable[str]) -> dict[str, Any]:
        """click's `default_map` for the group: its own `lang`, and one map per command.

        A key a command has no parameter for is never read by click, so every command gets
        the same map; `gate` also gets the thresholds under its parameters' names.
        """
        common = self.command_defaults()
        out: dict[str, Any] = {name: dict(common) for name in commands}
        if self.language is not None:
            out["lang"] = self.language
        gate = out.setdefault("gate", dict(common))
        th = self.thresholds
        if th.min_coverage is not None:
            gate["min_coverage"] = th.min_coverage
        if th.max_open is not None:
            gate["max_open"] = th.max_open
        if th.fail_statuses is not None:
            gate["fail_status"] = th.fail_statuses
        return out


#: Every key the file may hold: a kind per key, a nested table for a table.
KEYS: Mapping[str, Any] = {
    "organisation": {"name": "text", "parent": "text", "place": "text"},
    "language": "language",
    "regime": "regime",
    "database": "text",
    "record": "bool",
    "thresholds": {"min_coverage": "percent", "max_open": "count", "fail_statuses": "statuses"},
}

_KIND_NAMES = {
    "text": "config.kind.text",
    "language": "config.kind.language",
    "regime": "config.kind.regime",
    "bool": "config.kind.bool",
    "percent": "config.kind.percent",
    "count": "config.kind.count",
    "statuses": "config.kind.statuses",
    "table": "config.kind.table",
}

_active: contextvars.ContextVar[Config | None] = contextvars.ContextVar(
    "assure_config", default=None
)


def active() -> Config:
    """The configuration of this run (empty until the CLI has read a file)."""
    return _active.get() or Config()


def set_active(config: Config) -> None:
    """Make `config` the configuration of this run (called once by the CLI)."""
    _active.set(config)


def user_file() -> Path:
    """`assure.toml` in the user configuration folder of this platform."""
    from platformdirs import user_config_dir  # only when no file nearer was found

    return Path(user_config_dir("assure")) / FILE_NAME


def find(cwd: Path | None = None) -> tuple[Path, str] | None:
    """The configuration file of this run and the name errors give it; None: no file.

    A file named by `ASSURE_CONFIG` must exist: the user asked for it, so its absence is a
    failure of the environment (exit 6), not a silent fall back to the built-in defaults.
    """
    named = os.environ.get(ENV_VAR)
    if named is not None:
        if not named.strip():
            return None
        path = Path(named).expanduser()
        if not path.is_file():
            raise EnvError(named, Msg.of("config.missing").text())
        return path, named
    here = (cwd or Path.cwd()) / FILE_NAME
    if here.is_file():
        return here, FILE_NAME
    mine = user_file()
    if mine.is_file():
        return mine, str(mine)
    return None


def load_active(cwd: Path | None = None) -> Config:
    """Find, read and check this run's configuration file; an empty `Config` without one."""
    found = find(cwd)
    if found is None:
        return Config()
    path, display = found
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError([Problem.of(Position(display), "", Msg.of("config.not_utf8"))]) from None
    except OSError as exc:
        raise EnvError.from_os(display, exc, "cannot_read") from None
    return parse(text, display)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def parse(text: str, display: str) -> Config:
    """The configuration in `text` (the file `display`), checked; DataError with positions."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        line, column = 1, 1
        m = _TOML_AT.search(detail)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
            detail = detail[: m.start()]
        else:
            m = _TOML_END.search(detail)
            if m:
                lines = text.splitlines() or [""]
                line, column = len(lines), len(lines[-1]) + 1
                detail = detail[: m.start()]
        raise DataError(
            [
                Problem.of(
                    Position(display, line, column), "", Msg.of("config.syntax", detail=detail)
                )
            ]
        ) from None
    where = key_positions(text)
    problems: list[Problem] = []
    _check(data, KEYS, (), where, display, problems)
    if problems:
        raise DataError(problems)
    org = data.get("organisation") or {}
    th = data.get("thresholds") or {}
    statuses = th.get("fail_statuses")
    return Config(
        path=display,
        organisation=Organisation(org.get("name"), org.get("parent"), org.get("place")),
        language=data.get("language"),
        regime=data.get("regime"),
        database=data.get("database"),
        record=data.get("record"),
        thresholds=Thresholds(
            min_coverage=float(th["min_coverage"]) if "min_coverage" in th else None,
            max_open=th.get("max_open"),
            fail_statuses=tuple(statuses) if statuses is not None else None,
        ),
    )


def _check(
    data: Mapping[str, Any],
    spec: Mapping[str, Any],
    prefix: tuple[str, ...],
    where: Mapping[tuple[str, ...], tuple[int, int]],
    display: str,
    problems: list[Problem],
) -> None:
    """Every key of `data` known to `spec` and of its kind; problems collected, not raised."""
    for key, value in data.items():
        path = (*prefix, key)
        name = ".".join(path)
        pos = _position(where, path, display)
        kind = spec.get(key)
        if kind is None:
            known = ", ".join(sorted(spec))
            problems.append(Problem.of(pos, name, Msg.of("config.unknown", known=known)))
        elif isinstance(kind, Mapping):
            if not isinstance(value, dict):
                problems.append(_wrong(pos, name, "table", value))
            else:
                _check(value, kind, path, where, display, problems)
        else:
            bad = _judge(kind, value)
            if bad is not None:
                problems.append(Problem.of(pos, name, bad))


def _wrong(pos: Position, name: str, kind: str, value: Any) -> Problem:
    return Problem.of(
        pos,
        name,
        Msg.of("config.wrong_type", kind=Msg.of(_KIND_NAMES[kind]), got=_toml_type(value)),
    )


def _judge(kind: str, value: Any) -> Msg | None:
    """Why `value` is not a `kind`, or None when it is."""
    wrong = Msg.of("config.wrong_type", kind=Msg.of(_KIND_NAMES[kind]), got=_toml_type(value))
    if kind == "text":
        return None if isinstance(value, str) and value.strip() else wrong
    if kind == "bool":
        return None if isinstance(value, bool) else wrong
    if kind == "language":
        if not isinstance(value, str):
            return wrong
        return None if value in LANGS else Msg.of("config.choose", choices=", ".join(LANGS))
    if kind == "regime":
        if not isinstance(value, str):
            return wrong
        known = sorted(p.stem for p in (checklists_dir() / "regimes").glob("*.yaml"))
        return None if value in known else Msg.of("config.choose", choices=", ".join(known))
    if kind == "percent":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return wrong
        return None if 0 <= value <= 100 else Msg.of("config.range", low=0, high=100)
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            return wrong
        return None if value >= 0 else Msg.of("config.not_negative")
    if kind == "statuses":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return wrong
        unknown = [v for v in value if v not in FAILABLE]
        if unknown:
            return Msg.of("config.choose", choices=", ".join(FAILABLE))
        return None
    raise AssertionError(f"unknown kind {kind!r}")


def _toml_type(value: Any) -> str:
    """The TOML name of a value's type, as a user reads it in the file."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "date-time"


def _position(
    where: Mapping[tuple[str, ...], tuple[int, int]], path: tuple[str, ...], display: str
) -> Position:
    """The position of `path`, else of its nearest enclosing key, else the file's start."""
    for n in range(len(path), 0, -1):
        if path[:n] in where:
            line, column = where[path[:n]]
            return Position(display, line, column)
    return Position(display)


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^(\s*)\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^(\s*)({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _split(dotted: str) -> tuple[str, ...]:
    parts = []
    for m in _PART.finditer(dotted):
        raw = m.group(0)
        parts.append(raw[1:-1] if raw[0] in "\"'" else raw)
    return tuple(parts)


def key_positions(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """Where each key of a TOML document is written: key path → (line, column), 1-based.

    `tomllib` returns plain dicts without positions, and a message about an unknown key or
    a wrong type must point at the line to fix; a line-by-line reading of table headers
    and `key =` assignments finds them (keys inside inline tables take their parent's).
    The text has already parsed as TOML, so multi-line strings are the only thing that
    can make a line look like a key when it is not; they are skipped.
    """
    out: dict[tuple[str, ...], tuple[int, int]] = {}
    table: tuple[str, ...] = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _split(header.group(2))
            for n in range(1, len(table) + 1):
                out.setdefault(table[:n], (number, len(header.group(1)) + 2))
            continue
        assign = _ASSIGN.match(line)
        if assign:
            path = (*table, *_split(assign.group(2)))
            out.setdefault(path, (number, len(assign.group(1)) + 1))
            rest = line[assign.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
                    break
    return out
