"""Probe report writers: table, json, jsonl, csv, html, junit and sarif.

All writers take the same plain data (findings as JSON dicts, per-target roll-ups, a status
summary). `jsonl` is written as results arrive (see `JsonlStream`); the others need the whole
run and are rendered once at the end.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import IO, Any

from assure import __version__
from assure.findings import Finding, Status, count_by_status
from assure.probes import CHECKS, CheckId
from assure.probes.verdict import overall
from assure.reports import text as textable
from assure.reports.junit import findings_junit
from assure.reports.safe import csv_cell
from assure.reports.sarif import sarif as sarif_log
from assure.reports.templating import render_template

FORMATS = ("table", "json", "jsonl", "csv", "html", "junit", "sarif")
TOOL = {"name": "assure", "version": __version__, "command": "probe"}


def target_rollups(findings: Sequence[Finding], order: Sequence[str]) -> list[dict[str, Any]]:
    """Per target: worst status and counts, in the order targets were given."""
    by: dict[str, list[Finding]] = {}
    for f in findings:
        by.setdefault(f.target, []).append(f)
    return [
        {
            "target": t,
            "status": overall(f.status for f in by.get(t, [])).value,
            "counts": count_by_status(by.get(t, [])),
        }
        for t in order
    ]


def summary(findings: Sequence[Finding], n_targets: int) -> dict[str, Any]:
    counts = count_by_status(findings)
    decided = any(f.status.decided for f in findings)
    return {
        "targets": n_targets,
        "findings": len(findings),
        "by_status": counts,
        "decided": decided,
    }


def sort_findings(findings: Sequence[Finding], order: Sequence[str]) -> list[Finding]:
    pos = {t: i for i, t in enumerate(order)}
    checks = {c.value: i for i, c in enumerate(CheckId)}
    return sorted(findings, key=lambda f: (pos.get(f.target, 1 << 30), checks.get(f.check, 99)))


def render(
    fmt: str,
    findings: Sequence[Finding],
    order: Sequence[str],
    generated_at: str,
    **invocation: Any,
) -> str:
    """Findings in `fmt`; `invocation` (exit_code, started, ended) goes into SARIF."""
    findings = sort_findings(findings, order)
    if fmt == "table":
        return table(findings)
    if fmt == "json":
        return (
            json.dumps(document(findings, order, generated_at), ensure_ascii=False, indent=2) + "\n"
        )
    if fmt == "jsonl":
        return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in findings)
    if fmt == "csv":
        return to_csv(findings)
    if fmt == "html":
        return html(findings, order, generated_at)
    if fmt == "junit":
        return junit(findings, order)
    if fmt == "sarif":
        return sarif(findings, **invocation)
    raise ValueError(f"unknown format {fmt!r}")


def document(
    findings: Sequence[Finding], order: Sequence[str], generated_at: str
) -> dict[str, Any]:
    return {
        "findings": [f.to_json() for f in findings],
        "targets": target_rollups(findings, order),
        "summary": summary(findings, len(order)),
        "tool": {**TOOL, "generated_at": generated_at},
    }


def table(findings: Sequence[Finding]) -> str:
    rows = [
        [
            f.target,
            f.check,
            f.status.value.upper() if f.status in (Status.FAIL, Status.ERROR) else f.status.value,
            f.summary + (f" [{f.reason}]" if f.reason and f.reason not in f.summary else ""),
        ]
        for f in findings
    ]
    counts = count_by_status(findings)
    tail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return textable.render(["target", "check", "status", "summary"], rows) + f"\n{tail}\n"


def to_csv(findings: Sequence[Finding]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["target", "check", "status", "summary", "reason", "evidence"])
    for f in findings:
        w.writerow(
            csv_cell(c)
            for c in [
                f.target,
                f.check,
                f.status.value,
                f.summary,
                f.reason or "",
                json.dumps(dict(f.evidence), ensure_ascii=False, sort_keys=True),
            ]
        )
    return buf.getvalue()


def junit(findings: Sequence[Finding], order: Sequence[str]) -> str:
    """One test suite per target, one test case per check (see `assure.reports.junit`)."""
    return findings_junit(findings, order, name="assure probe")


_TITLES = {c.value: title for c, (_fam, title) in CHECKS.items()}


def sarif(findings: Sequence[Finding], **invocation: Any) -> str:
    """SARIF 2.1.0 (see `assure.reports.sarif`)."""
    return sarif_log(findings, **invocation)


def html(findings: Sequence[Finding], order: Sequence[str], generated_at: str) -> str:
    by: dict[str, list[dict[str, Any]]] = {t: [] for t in order}
    for f in findings:
        d = f.to_json()
        d["title"] = _TITLES.get(f.check, "")
        d["evidence_json"] = json.dumps(dict(f.evidence), ensure_ascii=False, indent=2)
        per = f.evidence.get("addresses")
        rows = (
            [
                {"address": a, "status": v.get("status", ""), "summary": v.get("summary", "")}
                for a, v in per.items()
            ]
            if isinstance(per, dict)
            else []
        )
        same = len({(r["status"], r["summary"]) for r in rows}) <= 1
        d["per_address"] = [] if same else rows
        d["same_on"] = [r["address"] for r in rows] if same and len(rows) > 1 else []
        by.setdefault(f.target, []).append(d)
    targets = [{**r, "findings": by.get(r["target"], [])} for r in target_rollups(findings, order)]
    return render_template(
        "probe_report.html.j2",
        targets=targets,
        summary=summary(findings, len(order)),
        tool=TOOL,
        generated_at=generated_at,
        statuses=[s.value for s in Status],
    )


class JsonlStream:
    """Write one finding per line as soon as a target is done (memory stays flat)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, findings: Sequence[Finding]) -> None:
        for f in sort_findings(findings, list(dict.fromkeys(f.target for f in findings))):
            self._out.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
        self._out.flush()
