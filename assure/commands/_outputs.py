"""Findings outputs shared by `probe`, `render` and `verify-signature`: many formats per run.

`-o FILE` writes the `--format` to FILE, as it always has; `-o FORMAT=FILE` (repeatable)
writes that format there, so one run feeds the gap report, the code-scanning upload and the
HTML for people at once. `-` is standard output. `jsonl` is written live as targets finish;
every other format is streamed from an on-disk spool at the end (memory stays flat), each
file atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from assure import atomic
from assure.errors import ExitCode, Msg, UsageError, environment_failure
from assure.findings import Finding, Status
from assure.reports import findings as writers
from assure.reports.safe import excel_bom

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Output:
    """One requested output: a format and a file (None: standard output)."""

    fmt: str
    path: Path | None


def outputs_option(formats: Sequence[str], default: str) -> Callable[[F], F]:
    """`--format F` and `-o/--output [FORMAT=]FILE` (repeatable)."""

    def deco(f: F) -> F:
        f = click.option(
            "-o",
            "--output",
            "outputs",
            multiple=True,
            metavar="[FORMAT=]FILE",
            help="Write to FILE (atomically) instead of standard output, in --format; "
            "FORMAT=FILE writes that format there. Repeatable: "
            "`-o json=probe.json -o sarif=probe.sarif -o html=report.html`. "
            "FILE `-` is standard output; write `./a=b` for a file name with `=`.",
        )(f)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats)),
            default=default,
            show_default=True,
            help="Output format (of standard output and of plain `-o FILE`).",
        )(f)

    return deco


_PREFIX = re.compile(r"^([a-z]+)=(.+)$")


def parse_outputs(fmt: str, values: Sequence[str], formats: Sequence[str]) -> list[Output]:
    """The outputs asked for; standard output in `fmt` when none is."""
    if not values:
        return [Output(fmt, None)]
    got: list[Output] = []
    for value in values:
        m = _PREFIX.match(value)
        if m:
            if m.group(1) not in formats:
                raise UsageError(
                    Msg.of(
                        "usage.output_format",
                        value=value,
                        fmt=repr(m.group(1)),
                        formats=", ".join(formats),
                    )
                )
            kind, name = m.group(1), m.group(2)
        else:
            kind, name = fmt, value
        got.append(Output(kind, None if name == "-" else Path(name)))
    if sum(o.path is None for o in got) > 1:
        raise UsageError(Msg.of("usage.one_stdout"))
    paths = [o.path.resolve() for o in got if o.path is not None]
    if len(set(paths)) != len(paths):
        raise UsageError(Msg.of("usage.same_file_twice"))
    return got


class Sinks:
    """Where a run's findings go: live JSONL streams and a spool for every other format.

    Use as a context manager: `add` each target's findings as it finishes, then `finish`
    writes the spooled formats. Files appear under their names only at the end (devices and
    links are written through, see `atomic.OutputStream`); if the run fails, no half-written
    file is left. A file that cannot be written is one line naming it (exit 6).
    """

    def __init__(self, outputs: Sequence[Output], order: Sequence[str]) -> None:
        self._outputs = list(outputs)
        self._live: list[tuple[writers.JsonlStream, atomic.OutputStream | None, Path | None]] = []
        self._spool: writers.Spool | None = None
        self._order = order
        self._started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.failed = False
        self.decided = False

    def __enter__(self) -> Sinks:
        try:
            for o in self._outputs:
                if o.fmt == "jsonl":
                    stream = None if o.path is None else atomic.OutputStream(o.path)
                    out = sys.stdout if stream is None else stream.file
                    self._live.append((writers.JsonlStream(out), stream, o.path))
            if any(o.fmt != "jsonl" for o in self._outputs):
                self._spool = writers.Spool(self._order)
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        if exc_type is not None:
            self._abort()
        elif self._spool is not None:
            self._spool.close()

    def _abort(self) -> None:
        for _live, stream, _path in self._live:
            if stream is not None:
                stream.abort()
        if self._spool is not None:
            self._spool.close()

    @property
    def exit_code(self) -> int:
        """1 when a check failed, 4 when nothing about a service was decided, else 0."""
        if self.failed:
            return int(ExitCode.GATE_FAILED)
        if not self.decided:
            return int(ExitCode.INCONCLUSIVE)
        return int(ExitCode.OK)

    def add(self, findings: Sequence[Finding]) -> None:
        """One target's (or one batch's) findings."""
        self.failed = self.failed or any(f.status is Status.FAIL for f in findings)
        self.decided = self.decided or any(service_decided(f) for f in findings)
        for live, _stream, path in self._live:
            with _named(path):
                live.write_target(findings)
        if self._spool is not None:
            self._spool.add(findings)

    def add_json(self, items: Sequence[dict[str, Any]]) -> None:
        """One target's findings in their JSON form (`Finding.to_json`), as from a worker
        process: written as `add` writes the same findings, without rebuilding them."""
        self.failed = self.failed or any(d["status"] == Status.FAIL.value for d in items)
        self.decided = self.decided or any(
            d["check"] not in _NAME_ONLY and Status(d["status"]) in _VERDICTS for d in items
        )
        for live, _stream, path in self._live:
            with _named(path):
                live.write_target_json(items)
        if self._spool is not None:
            self._spool.add_json(items)

    def finish(self, generated_at: str) -> None:
        """Write every spooled format (each file whole, at once), then commit the live ones."""
        ended = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        invocation = {"exit_code": self.exit_code, "started": self._started, "ended": ended}
        if self._spool is not None:
            for o in self._outputs:
                if o.fmt != "jsonl":
                    self._write(o, generated_at, invocation)
        for _live, stream, _path in self._live:
            if stream is not None:
                stream.commit()
        if any(o.path is None for o in self._outputs):
            with _named(None):
                sys.stdout.flush()

    def _write(self, o: Output, generated_at: str, invocation: dict[str, Any]) -> None:
        assert self._spool is not None
        if o.path is None:
            with _named(None):
                writers.write(o.fmt, sys.stdout, self._spool, generated_at, **invocation)
            return
        stream = atomic.OutputStream(o.path)
        try:
            with _named(o.path):
                if o.fmt == "csv" and o.path.suffix.lower() == ".csv":
                    stream.file.write(excel_bom(""))  # a file a person opens in a spreadsheet
                writers.write(o.fmt, stream.file, self._spool, generated_at, **invocation)
        except BaseException:
            stream.abort()
            raise
        stream.commit()


@contextlib.contextmanager
def _named(path: Path | None) -> Iterator[None]:
    """An OSError while writing (a full disk, /dev/full) becomes one line naming the file or
    standard output (exit 6), not a traceback."""
    try:
        yield
    except OSError as exc:
        fault = environment_failure(exc, str(path) if path is not None else None)
        if fault is None:
            raise
        raise fault from None


# Checks answered from DNS or the target's name alone: they never prove that the service itself
# could be examined from here.
_NAME_ONLY = frozenset({"web_aaaa", "ns_aaaa"})
_VERDICTS = frozenset({Status.PASS, Status.INFO, Status.WARN, Status.FAIL})


def service_decided(f: Finding) -> bool:
    """Did this finding judge the service itself? If none did, the run is exit 4, not 0: a CI
    gate must never read "could not reach anything" as success."""
    return f.check not in _NAME_ONLY and f.status in _VERDICTS
