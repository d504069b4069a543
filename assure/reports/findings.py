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

from assure import __version__, i18n
from assure.findings import Finding, Status, count_by_status
from assure.probes import CheckId
from assure.probes.verdict import overall
from assure.reports import probe_html
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
    lang: i18n.Lang | None = None,
    **invocation: Any,
) -> str:
    """Findings in `fmt`; the texts people read are in `lang` (default: the run's);
    `invocation` (exit_code, started, ended) goes into SARIF."""
    lang = lang or i18n.active()
    findings = sort_findings(findings, order)
    if fmt == "table":
        return table(findings, lang)
    if fmt == "json":
        return (
            json.dumps(document(findings, order, generated_at), ensure_ascii=False, indent=2) + "\n"
        )
    if fmt == "jsonl":
        return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in findings)
    if fmt == "csv":
        return to_csv(findings)
    if fmt == "html":
        return html(findings, order, generated_at, lang)
    if fmt == "junit":
        return junit(findings, order)
    if fmt == "sarif":
        return sarif(findings, lang, **invocation)
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


def _status_word(status: Status, lang: i18n.Lang) -> str:
    """The status as the table shows it: in the reader's language, failures in capitals."""
    word = i18n.t(f"status.{status.value}", lang)
    return f"{word.upper()} ({status.value})" if status in (Status.FAIL, Status.ERROR) else word


def table(findings: Sequence[Finding], lang: i18n.Lang | None = None) -> str:
    lg = lang or i18n.active()
    rows = [
        [
            f.target,
            f.check,
            _status_word(f.status, lg),
            f.text(lg) + (f" [{f.reason}]" if f.reason and f.reason not in f.summary else ""),
        ]
        for f in findings
    ]
    counts = count_by_status(findings)
    tail = ", ".join(f"{n} {i18n.t('status.' + s, lg)}" for s, n in counts.items() if n)
    head = [
        i18n.t("probe.col.target", lg),
        i18n.t("probe.col.check", lg),
        i18n.t("probe.col.status", lg),
        i18n.t("probe.col.result_detail", lg),
    ]
    return textable.render(head, rows) + f"\n{tail}\n"


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


def sarif(findings: Sequence[Finding], lang: i18n.Lang | None = None, **invocation: Any) -> str:
    """SARIF 2.1.0 (see `assure.reports.sarif`), its texts in `lang`."""
    return sarif_log(findings, lang=lang or i18n.active(), **invocation)


def html(
    findings: Sequence[Finding],
    order: Sequence[str],
    generated_at: str,
    lang: i18n.Lang | None = None,
) -> str:
    """One page: an overview of every target (sortable), then each target's checks by family,
    failures first, with why each failed check matters and how to fix it."""
    lg = lang or i18n.active()
    by: dict[str, list[Finding]] = {t: [] for t in order}
    for f in findings:
        by.setdefault(f.target, []).append(f)
    targets = [
        probe_html.target_section(r["target"], Status(r["status"]), by.get(r["target"], []), lg)
        for r in target_rollups(findings, [*order, *(t for t in by if t not in order)])
    ]
    totals = summary(findings, len(order))
    meta = i18n.t(
        "probe.meta",
        lg,
        targets=i18n.plural(len(order), "probe.targets", lg),
        findings=i18n.plural(len(findings), "probe.findings", lg),
        generated=generated_at,
        tool=f"{TOOL['name']} {TOOL['version']}",
    )
    return render_template(
        "probe_report.html.j2",
        targets=targets,
        summary=totals,
        meta=meta,
        lang=lg,
        t=lambda key, **kw: i18n.t(key, lg, **kw),
        statuses=[(s.value, i18n.t(f"status.{s.value}", lg)) for s in Status],
    )


class JsonlStream:
    """Write one finding per line as soon as a target is done (memory stays flat)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, findings: Sequence[Finding]) -> None:
        for f in sort_findings(findings, list(dict.fromkeys(f.target for f in findings))):
            self._out.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
        self._out.flush()
