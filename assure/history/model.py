"""Plain records of the history, free of any database type: what the drift function and the
reports read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedFinding:
    """One finding of a recorded run: a check's verdict on a target, with its evidence."""

    check: str
    target: str
    status: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "target": self.target,
            "status": self.status,
            "summary": self.summary,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class Run:
    """One recorded run of one subject."""

    id: int
    invocation: str
    command: str
    subject: str
    system: str | None
    day: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    tool_version: str
    regime: str | None
    inputs: list[dict[str, Any]]
    exit_code: int
    summary: dict[str, Any]
    findings: tuple[RecordedFinding, ...] = ()

    @property
    def stream(self) -> tuple[str, str]:
        """Runs of one command over one subject form a stream; drift compares within one."""
        return (self.command, self.subject)

    def to_json(self, *, with_findings: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "invocation": self.invocation,
            "command": self.command,
            "subject": self.subject,
            "system": self.system,
            "day": self.day.isoformat(),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "tool_version": self.tool_version,
            "regime": self.regime,
            "inputs": self.inputs,
            "exit_code": self.exit_code,
            "summary": self.summary,
        }
        if with_findings:
            out["findings"] = [f.to_json() for f in self.findings]
        return out
