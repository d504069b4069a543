"""`assure render FINDINGS... --format F [-o [FORMAT=]FILE]`: saved findings in any format.

Reads the findings that `assure probe` and `assure verify-signature` write (`--format json`
or `jsonl`), merges several files — the shards of one list probed on several machines with
`--shard K/N`, or a probe and a signature check — and writes them in any report format, as
many at once as `probe` can. JSONL is read line by line and every format is streamed from a
spool, so a national list renders in flat memory; a JSON document is read whole.

Exit codes are those of the run rendered: 1 when a check failed, 4 when nothing was decided,
3 when a file is not findings (`file:line:column: field: message`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from assure.commands._outputs import Sinks, outputs_option, parse_outputs
from assure.errors import DataError, Position, Problem
from assure.findings import Finding, Status
from assure.reports import findings as output

_STATUSES = {s.value for s in Status}


@click.command("render")
@click.argument("files", nargs=-1, required=True, metavar="FINDINGS...")
@outputs_option(output.FORMATS, "table")
def command(files: tuple[str, ...], fmt: str, outputs: tuple[str, ...]) -> int:
    """Re-render saved findings (JSON or JSONL from `probe` and `verify-signature`) in any
    format, merging several files (`-` reads standard input).

    Shards of one list (`probe --shard K/N`) merge into one report. A target found in two
    files is refused (exit 3): the shards overlap. Exit 1 if a check failed, 4 if nothing
    was decided, 3 if a file is not findings.
    """
    sinks_to = parse_outputs(fmt, outputs, output.FORMATS)
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    owner: dict[str, int] = {}  # target → the file (argument index) it came from
    problems: list[Problem] = []
    with Sinks(sinks_to, ()) as sinks:
        batch: list[Finding] = []  # consecutive findings of one target go in together
        for i, name in enumerate(files):
            for pos, f in read_findings(name):
                first = owner.setdefault(f.target, i)
                if first != i:
                    problems.append(
                        Problem(
                            pos,
                            "target",
                            f"{f.target} is also in {files[first]}: the files overlap "
                            "(shards of one run never share a target)",
                        )
                    )
                    continue
                if batch and batch[-1].target != f.target:
                    sinks.add(batch)
                    batch = []
                batch.append(f)
        if batch:
            sinks.add(batch)
        if problems:
            raise DataError(problems[:50])
        sinks.finish(generated)
    return sinks.exit_code


def read_findings(name: str) -> Iterator[tuple[Position, Finding]]:
    """The findings of one file, each with where it starts; invalid data raises DataError."""
    if name == "-":
        text = sys.stdin.read()
        yield from _from_text("<stdin>", text)
        return
    path = Path(name)
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError.at(name, f"cannot read: {exc.strerror}") from None
    with fh:
        try:
            first = fh.readline()
            if _is_finding_line(first):
                yield from _from_lines(name, first, fh)
                return
            text = first + fh.read()
        except UnicodeDecodeError as exc:
            raise DataError.at(name, f"not UTF-8 text ({exc.reason})") from None
    yield from _from_text(name, text)


def _is_finding_line(line: str) -> bool:
    try:
        data = json.loads(line)
    except ValueError:
        return False
    return isinstance(data, dict) and "check" in data


def _from_lines(name: str, first: str, rest: Any) -> Iterator[tuple[Position, Finding]]:
    """JSONL, one line at a time."""
    lineno = 0
    for lineno, line in enumerate(_chain(first, rest), 1):
        if not line.strip():
            continue
        pos = Position(name, lineno, 1)
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                [Problem(Position(name, lineno, exc.colno), "", f"not JSON: {exc.msg}")]
            ) from None
        yield pos, _finding(data, pos, "")


def _chain(first: str, rest: Any) -> Iterator[str]:
    yield first
    yield from rest


def _from_text(name: str, text: str) -> Iterator[tuple[Position, Finding]]:
    """A JSON document with a `findings` array (probe and verify-signature `--format json`),
    or JSONL given on standard input."""
    head = text.lstrip()
    if head and _is_finding_line(head.splitlines()[0]):
        lines = text.splitlines(keepends=True)
        yield from _from_lines(name, lines[0], iter(lines[1:]))
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError.at(
            name, f"not JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise DataError.at(
            name,
            "not findings: expected a JSON object with a `findings` array, or JSONL",
            field="findings",
        )
    starts = _array_item_offsets(text, "findings")
    for i, data in enumerate(doc["findings"]):
        offset = starts[i] if i < len(starts) else 0
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        pos = Position(name, line, column)
        yield pos, _finding(data, pos, f"findings[{i}]")


def _array_item_offsets(text: str, key: str) -> list[int]:
    """Where each item of the top-level array `key` starts in `text` (valid JSON), so a bad
    finding is reported at its own line."""
    dec = json.JSONDecoder()
    i = _skip(text, text.index("{") + 1)
    while i < len(text) and text[i] != "}":
        name, i = dec.raw_decode(text, i)
        i = _skip(text, i)
        i = _skip(text, i + 1)  # the colon
        if name == key and text[i] == "[":
            starts: list[int] = []
            i = _skip(text, i + 1)
            while text[i] != "]":
                starts.append(i)
                _, i = dec.raw_decode(text, i)
                i = _skip(text, i)
                if text[i] == ",":
                    i = _skip(text, i + 1)
            return starts
        _, i = dec.raw_decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return []


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _finding(data: Any, pos: Position, where: str) -> Finding:
    """One finding in its JSON form (interface §6), checked field by field."""
    prefix = f"{where}." if where else ""

    def bad(field: str, message: str) -> DataError:
        return DataError([Problem(pos, prefix + field, message)])

    if not isinstance(data, dict):
        raise DataError([Problem(pos, where, "a finding must be a JSON object")])
    for key in ("check", "target", "summary"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise bad(key, "missing or not a non-empty string")
    if data.get("status") not in _STATUSES:
        raise bad("status", f"must be one of {', '.join(sorted(_STATUSES))}")
    if not isinstance(data.get("evidence", {}), dict):
        raise bad("evidence", "must be a JSON object")
    if data.get("reason") is not None and not isinstance(data["reason"], str):
        raise bad("reason", "must be a string or null")
    reqs = data.get("requirements", [])
    if not isinstance(reqs, list) or not all(isinstance(r, str) for r in reqs):
        raise bad("requirements", "must be a list of strings")
    return Finding.from_json(data)
