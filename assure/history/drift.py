"""What changed between a baseline and the latest run of a system: a pure function.

The runs of one command over one subject form a stream (the gap reports of one system,
the probes of one portal). For every stream the baseline is its newest run at or before
the point asked for (`--since`: a run, a day, the approval date; by default the run before
the latest), and it is compared with the stream's latest run:

- a check or requirement that fails now and did not fail then is a *new failure*; one
  that failed then and passes (or is waived, or no longer applies) now is a *fix*;
- a gap requirement whose status got worse is a *regressed control*;
- a level that moved is a *level change*, with the classification facts that differ;
- a portal whose certificate changed (fingerprint or expiry) is a *certificate change*.

A stream with no run at or before a point asked for (a run, a day) counts everything
failing in its latest run as new: nothing says it failed before. A stream's first run has no
previous run, so by default it is listed but not compared. Trends (coverage of gap runs, pass and
fail counts of probe runs) are taken over every run, for the charts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from assure.findings import Status
from assure.history.model import RecordedFinding, Run

SinceKind = Literal["previous", "run", "date"]
#: Statuses a failing check reaches no longer counting as a failure: it was fixed.
_FIXED = frozenset({"pass", "info", "not_applicable", "warn"})


@dataclass(frozen=True, slots=True)
class Since:
    """The baseline point: the run before the latest, a run id, or a day."""

    kind: SinceKind = "previous"
    run: Run | None = None
    day: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "run": self.run.id if self.run else None,
            "day": self.day.isoformat() if self.day else None,
        }


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between a stream's baseline and its latest run."""

    kind: str  # new_failure, fixed, regressed, level, fact, certificate, coverage
    command: str
    subject: str
    key: str  # the check or requirement, the fact's path, the address served; or the figure
    before: Any
    after: Any
    target: str = ""
    summary: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            "command": self.command,
            "subject": self.subject,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }
        if self.target:
            out["target"] = self.target
        if self.summary:
            out["summary"] = self.summary
        return out


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream's two ends: the baseline (None: no run before the point) and the latest."""

    command: str
    subject: str
    baseline: Run | None
    latest: Run

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "subject": self.subject,
            "baseline": self.baseline.id if self.baseline else None,
            "latest": self.latest.id,
        }


@dataclass(frozen=True, slots=True)
class Point:
    """One run's figures for a trend chart."""

    run: int
    day: dt.date
    started_at: dt.datetime
    coverage: float | None = None
    passed: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Drift:
    """Everything that changed for one system, and the trends over its whole history."""

    system: str
    since: Since
    streams: tuple[Stream, ...]
    changes: tuple[Change, ...]
    coverage_trend: tuple[Point, ...] = field(default=())
    probe_trend: tuple[Point, ...] = field(default=())

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def new_failures(self) -> list[Change]:
        return self.of("new_failure")

    @property
    def exit_code(self) -> int:
        """1 when something fails now that did not fail at the baseline, else 0."""
        return 1 if self.new_failures else 0

    def to_json(self) -> dict[str, Any]:
        kinds = ("new_failure", "fixed", "regressed", "level", "fact", "certificate", "coverage")
        return {
            "system": self.system,
            "since": self.since.to_json(),
            "streams": [s.to_json() for s in self.streams],
            "changes": {k: [c.to_json() for c in self.of(k)] for k in kinds},
            "trends": {
                "coverage": [
                    {"run": p.run, "day": p.day.isoformat(), "coverage": p.coverage}
                    for p in self.coverage_trend
                ],
                "probe": [
                    {"run": p.run, "day": p.day.isoformat(), "pass": p.passed, "fail": p.failed}
                    for p in self.probe_trend
                ],
            },
            "exit_code": self.exit_code,
        }


def _order(run: Run) -> tuple[dt.datetime, int]:
    return (run.started_at, run.id)


def _baseline(stream: Sequence[Run], since: Since) -> Run | None:
    """`stream` oldest first; the run the latest is compared with."""
    if since.kind == "previous":
        return stream[-2] if len(stream) > 1 else None
    if since.kind == "run":
        assert since.run is not None
        cut = _order(since.run)
        before = [r for r in stream if _order(r) <= cut]
    else:
        assert since.day is not None
        day = since.day
        before = [r for r in stream if r.day <= day]
    return before[-1] if before else None


def _rank(status: str) -> int | None:
    try:
        return Status(status).rank
    except ValueError:
        return None


def _by_key(found: Iterable[RecordedFinding]) -> dict[tuple[str, str], RecordedFinding]:
    return {(f.check, f.target): f for f in found}


def _status_changes(stream: Stream) -> list[Change]:
    now = _by_key(stream.latest.findings)
    then = _by_key(stream.baseline.findings) if stream.baseline else {}
    out: list[Change] = []
    for (check, target), f in now.items():
        old = then.get((check, target))
        before = old.status if old else None
        common = {"command": stream.command, "subject": stream.subject, "key": check}
        if f.status == "fail" and before != "fail":
            out.append(
                Change(
                    "new_failure",
                    **common,
                    before=before,
                    after=f.status,
                    target=target,
                    summary=f.summary,
                )
            )
        elif before == "fail" and f.status in _FIXED:
            out.append(
                Change(
                    "fixed",
                    **common,
                    before=before,
                    after=f.status,
                    target=target,
                    summary=f.summary,
                )
            )
        if stream.command == "gap" and old is not None:
            r_then, r_now = _rank(old.status), _rank(f.status)
            if r_then is not None and r_now is not None and r_now > r_then:
                out.append(
                    Change(
                        "regressed",
                        **common,
                        before=before,
                        after=f.status,
                        target=target,
                        summary=f.summary,
                    )
                )
    return out


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested facts as `path → value` (components by their id)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, Mapping) and "id" in v for v in value)
    ):
        out = {}
        for v in value:
            out.update(_flat(v, f"{prefix}[{v['id']}]"))
        return out
    return {prefix: value}


def _fact_changes(stream: Stream) -> list[Change]:
    if stream.baseline is None:
        return []
    then = _flat(stream.baseline.summary.get("facts") or {})
    now = _flat(stream.latest.summary.get("facts") or {})
    return [
        Change("fact", stream.command, stream.subject, key, then.get(key), now.get(key))
        for key in sorted(set(then) | set(now))
        if then.get(key) != now.get(key)
    ]


def _leaf_of(evidence: Mapping[str, Any]) -> dict[str, Any] | None:
    chain = evidence.get("chain")
    if isinstance(chain, list) and chain and isinstance(chain[0], Mapping):
        leaf = chain[0]
        if leaf.get("sha256"):
            return {"sha256": leaf.get("sha256"), "not_after": leaf.get("not_after")}
    return None


def _leaves(found: Iterable[RecordedFinding]) -> dict[tuple[str, str], dict[str, Any]]:
    """The served certificate per target and address, from the first finding that shows
    its chain (probe evidence keeps one chain per address probed)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for f in found:
        places: list[tuple[str, Mapping[str, Any]]] = [("", f.evidence)]
        addresses = f.evidence.get("addresses")
        if isinstance(addresses, Mapping):
            places += [(str(a), e) for a, e in addresses.items() if isinstance(e, Mapping)]
        for address, evidence in places:
            leaf = _leaf_of(evidence)
            if leaf is not None:
                out.setdefault((f.target, address), leaf)
    return out


def _certificate_changes(stream: Stream) -> list[Change]:
    if stream.baseline is None:
        return []
    then, now = _leaves(stream.baseline.findings), _leaves(stream.latest.findings)
    return [
        Change(
            "certificate",
            stream.command,
            stream.subject,
            address,
            then[key],
            now[key],
            target=key[0],
        )
        for key in sorted(set(then) & set(now))
        for address in [key[1]]
        if then[key] != now[key]
    ]


def _summary_change(stream: Stream, name: str, kind: str) -> list[Change]:
    if stream.baseline is None:
        return []
    before, after = stream.baseline.summary.get(name), stream.latest.summary.get(name)
    if before == after or before is None or after is None:
        return []
    return [Change(kind, stream.command, stream.subject, name, before, after)]


def drift(system: str, runs: Sequence[Run], since: Since | None = None) -> Drift:
    """The drift of `system` over `runs` (any order; every run belongs to the system)."""
    since = since or Since()
    streams: dict[tuple[str, str], list[Run]] = {}
    for run in sorted(runs, key=_order):
        streams.setdefault(run.stream, []).append(run)
    ends: list[Stream] = []
    changes: list[Change] = []
    levels: set[tuple[Any, Any]] = set()
    for (command, subject), stream_runs in sorted(streams.items()):
        base = _baseline(stream_runs, since)
        latest = stream_runs[-1]
        end = Stream(command, subject, base, latest)
        ends.append(end)
        if base is not None and base.id == latest.id:
            continue  # nothing ran after the baseline
        if base is None and since.kind == "previous":
            continue  # a first run: there is nothing before it to compare with
        changes += _status_changes(end)
        for level in _summary_change(end, "level", "level"):
            if (level.before, level.after) not in levels:  # classify and gap agree
                levels.add((level.before, level.after))
                changes.append(level)
        if command in ("classify", "gap", "gate"):
            changes += [
                c
                for c in _fact_changes(end)
                if (c.key, c.after) not in {(x.key, x.after) for x in changes if x.kind == "fact"}
            ]
        changes += _summary_change(end, "coverage", "coverage")
        changes += _certificate_changes(end)
    return Drift(
        system=system,
        since=since,
        streams=tuple(ends),
        changes=tuple(changes),
        coverage_trend=tuple(_coverage_points(runs)),
        probe_trend=tuple(_probe_points(runs)),
    )


def _coverage_points(runs: Iterable[Run]) -> list[Point]:
    return [
        Point(r.id, r.day, r.started_at, coverage=float(r.summary["coverage"]))
        for r in sorted(runs, key=_order)
        if r.command == "gap" and isinstance(r.summary.get("coverage"), int | float)
    ]


def _probe_points(runs: Iterable[Run]) -> list[Point]:
    """Pass and fail counts of every probe command line (its targets added together)."""
    per: dict[str, Point] = {}
    for r in sorted(runs, key=_order):
        if r.command != "probe":
            continue
        counts = r.summary.get("counts") or {}
        first = per.get(r.invocation) or Point(r.id, r.day, r.started_at)
        per[r.invocation] = Point(
            first.run,
            first.day,
            first.started_at,
            passed=first.passed + int(counts.get("pass", 0)),
            failed=first.failed + int(counts.get("fail", 0)),
        )
    return sorted(per.values(), key=lambda p: (p.started_at, p.run))
