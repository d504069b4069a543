"""Findings outputs shared by `probe`, `render` and `verify-signature`: many formats per run.

`-o FILE` writes the `--format` to FILE, as it always has; `-o FORMAT=FILE` (repeatable)
writes that format there, so one run feeds the gap report, the code-scanning upload and the
HTML for people at once. `-` is standard output. `jsonl` is written live as targets finish;
every other format is streamed from an on-disk spool at the end (memory stays flat), each
file atomically.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from assure import atomic
from assure.errors import UsageError
from assure.findings import Finding, Status
from assure.reports import findings as writers

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
                    f"-o {value}: unknown format {m.group(1)!r} "
                    f"(choose from {', '.join(formats)}; write ./{value} for a file name)"
                )
            kind, name = m.group(1), m.group(2)
        else:
            kind, name = fmt, value
        got.append(Output(kind, None if name == "-" else Path(name)))
    if sum(o.path is None for o in got) > 1:
        raise UsageError("only one output may go to standard output (-)")
    paths = [o.path.resolve() for o in got if o.path is not None]
    if len(set(paths)) != len(paths):
        raise UsageError("the same file is named by two outputs")
    return got


class Sinks:
    """Where a run's findings go: live JSONL streams and a spool for every other format.

    Use as a context manager: `add` each target's findings as it finishes, then `finish`
    writes the spooled formats. Files appear under their names only at `finish`; if the
    run fails, no half-written file is left.
    """

    def __init__(self, outputs: Sequence[Output], order: Sequence[str]) -> None:
        self._outputs = list(outputs)
        self._stack = contextlib.ExitStack()
        self._live: list[writers.JsonlStream] = []
        self._spool: writers.Spool | None = None
        self._order = order
        self.failed = False
        self.decided = False

    def __enter__(self) -> Sinks:
        for o in self._outputs:
            if o.fmt == "jsonl":
                self._live.append(writers.JsonlStream(self._open(o.path)))
        if any(o.fmt != "jsonl" for o in self._outputs):
            self._spool = self._stack.enter_context(writers.Spool(self._order))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def _open(self, path: Path | None) -> IO[str]:
        if path is None:
            return sys.stdout
        return self._stack.enter_context(atomic.open_text(path))

    def add(self, findings: Sequence[Finding]) -> None:
        """One target's (or one batch's) findings."""
        self.failed = self.failed or any(f.status is Status.FAIL for f in findings)
        self.decided = self.decided or any(service_decided(f) for f in findings)
        for live in self._live:
            live.write_target(findings)
        if self._spool is not None:
            self._spool.add(findings)

    def finish(self, generated_at: str) -> None:
        """Write every spooled format (each file atomically), then close the live files."""
        if self._spool is not None:
            for o in self._outputs:
                if o.fmt == "jsonl":
                    continue
                if o.path is None:
                    writers.write(o.fmt, sys.stdout, self._spool, generated_at)
                    sys.stdout.flush()
                else:
                    with atomic.open_text(o.path) as fh:
                        writers.write(o.fmt, fh, self._spool, generated_at)


# Checks answered from DNS or the target's name alone: they never prove that the service itself
# could be examined from here.
_NAME_ONLY = frozenset({"web_aaaa", "ns_aaaa"})
_VERDICTS = frozenset({Status.PASS, Status.INFO, Status.WARN, Status.FAIL})


def service_decided(f: Finding) -> bool:
    """Did this finding judge the service itself? If none did, the run is exit 4, not 0: a CI
    gate must never read "could not reach anything" as success."""
    return f.check not in _NAME_ONLY and f.status in _VERDICTS
