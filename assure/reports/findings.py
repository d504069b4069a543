"""Findings report writers: table, json, jsonl, csv, html, junit and sarif.

A run over a national list holds hundreds of thousands of findings, so no writer takes them as
one list. Findings go to a `Spool` as each target finishes: one JSON line each in an unnamed
temporary file, indexed by target, with the per-target and per-status counts kept beside.
Every writer then streams from the spool, target by target in the order the targets were
given, and memory stays flat whatever the format. `jsonl` is also written live as results
arrive (`JsonlStream`), so a pipeline can read it while the run goes on.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import IO, Any

from assure import __version__, i18n
from assure.findings import Finding, Status
from assure.probes import CHECKS, CheckId
from assure.probes.verdict import overall
from assure.reports import probe_html
from assure.reports import sarif as sarif_parts
from assure.reports import text as textable
from assure.reports.safe import csv_cell
from assure.reports.safe import xml_text as x
from assure.reports.templating import stream_template

FORMATS = ("table", "json", "jsonl", "csv", "html", "junit", "sarif")
TOOL = {"name": "assure", "version": __version__, "command": "probe"}
_STATUSES = tuple(Status)
_CHECK_POS = {c.value: i for i, c in enumerate(CheckId)}


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    """A target's findings in check-registry order (other checks after, stable)."""
    return sorted(findings, key=lambda f: _CHECK_POS.get(f.check, 99))


class Spool:
    """The findings of a run, on disk, read back target by target.

    Memory holds only, per target, where its lines are and how many findings of each status
    it has (a few dozen bytes), never the findings themselves. The file has no name, so it
    disappears with the process however the run ends.
    """

    def __init__(self, order: Sequence[str] = ()) -> None:
        # Closed by `close` (the spool is itself a context manager).
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="assure-findings-")  # noqa: SIM115
        self._where: dict[str, list[tuple[int, int]]] = {t: [] for t in order}
        self._counts: dict[str, list[int]] = {}
        self._end = 0

    def add(self, findings: Iterable[Finding]) -> None:
        """Append findings (typically one target's) to the spool."""
        self.add_json([f.to_json() for f in findings])

    def add_json(self, items: Iterable[dict[str, Any]]) -> None:
        """Append findings in their JSON form (`Finding.to_json`); a worker process's lines
        come this way without being rebuilt into objects and turned back into the same JSON."""
        by: dict[str, list[bytes]] = {}
        for d in items:
            target = str(d["target"])
            # ASCII escapes: any text survives the round trip, lone surrogates included.
            by.setdefault(target, []).append(json.dumps(d).encode("ascii") + b"\n")
            counts = self._counts.setdefault(target, [0] * len(_STATUSES))
            counts[Status(d["status"]).rank] += 1
        for target, lines in by.items():
            data = b"".join(lines)
            self._file.seek(self._end)
            self._file.write(data)
            self._where.setdefault(target, []).append((self._end, len(data)))
            self._end += len(data)

    @property
    def targets(self) -> list[str]:
        """Targets in the order given, then any other in the order first seen."""
        return list(self._where)

    def findings_of(self, target: str) -> list[Finding]:
        """One target's findings, in check order."""
        self._file.flush()
        out: list[Finding] = []
        for offset, size in self._where.get(target, ()):
            self._file.seek(offset)
            for line in self._file.read(size).splitlines():
                out.append(Finding.from_json(json.loads(line)))
        return _sorted(out)

    def findings(self) -> Iterator[Finding]:
        """Every finding, target by target."""
        for target in self._where:
            yield from self.findings_of(target)

    def counts_of(self, target: str) -> dict[str, int]:
        got = self._counts.get(target) or [0] * len(_STATUSES)
        return {s.value: got[s.rank] for s in _STATUSES}

    def rollups(self) -> list[dict[str, Any]]:
        """Per target: worst status and counts, in target order."""
        out = []
        for t in self._where:
            counts = self.counts_of(t)
            status = overall(s for s in _STATUSES if counts[s.value])
            out.append({"target": t, "status": status.value, "counts": counts})
        return out

    def summary(self) -> dict[str, Any]:
        totals = [0] * len(_STATUSES)
        for counts in self._counts.values():
            for i, n in enumerate(counts):
                totals[i] += n
        by_status = {s.value: totals[s.rank] for s in _STATUSES}
        return {
            "targets": len(self._where),
            "findings": sum(totals),
            "by_status": by_status,
            "decided": any(by_status[s.value] for s in _STATUSES if s.decided),
        }

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def write(
    fmt: str,
    out: IO[str],
    spool: Spool,
    generated_at: str,
    *,
    lang: i18n.Lang | None = None,
    **invocation: Any,
) -> None:
    """Write the spooled findings to `out` in format `fmt`, streaming; the texts people read
    are in `lang` (default: the run's); `invocation` (exit_code, started, ended) goes into
    SARIF."""
    if lang is not None:
        with i18n.speaking(lang):
            write(fmt, out, spool, generated_at, **invocation)
        return
    if fmt == "sarif":
        write_sarif(out, spool, generated_at, **invocation)
        return
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown format {fmt!r}")
    writer(out, spool, generated_at)


def render(
    fmt: str,
    findings: Sequence[Finding],
    order: Sequence[str],
    generated_at: str,
    lang: i18n.Lang | None = None,
    **invocation: Any,
) -> str:
    """The whole report as one string (small runs and tests), its texts in `lang`."""
    buf = io.StringIO()
    with Spool(order) as spool:
        spool.add(findings)
        write(fmt, buf, spool, generated_at, lang=lang, **invocation)
    return buf.getvalue()


def to_csv(findings: Sequence[Finding]) -> str:
    """CSV of findings already in memory (see `write_csv`)."""
    return render("csv", findings, [], "")


def _indented(text: str, by: int) -> str:
    """Indent every line but the first (a value placed after a key or a comma)."""
    return text.replace("\n", "\n" + " " * by)


def _json_items(out: IO[str], items: Iterable[dict[str, Any]], depth: int) -> None:
    """A JSON array streamed item by item, laid out as `json.dumps(indent=2)` would."""
    pad = " " * (2 * depth)
    out.write("[")
    first = True
    for item in items:
        out.write(("\n" if first else ",\n") + pad + "  ")
        out.write(_indented(json.dumps(item, ensure_ascii=False, indent=2), 2 * depth + 2))
        first = False
    out.write("]" if first else "\n" + pad + "]")


_HOLE = "\x00assure-stream\x00"


def _json_with_stream(
    out: IO[str], doc: dict[str, Any], items: Iterable[dict[str, Any]], depth: int
) -> None:
    """Write `doc` with the one array marked `_HOLE` streamed from `items`."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    head, _, tail = text.partition(json.dumps(_HOLE))
    out.write(head)
    _json_items(out, items, depth)
    out.write(tail + "\n")


def write_json(out: IO[str], spool: Spool, generated_at: str) -> None:
    doc = {
        "findings": _HOLE,
        "targets": spool.rollups(),
        "summary": spool.summary(),
        "tool": {**TOOL, "generated_at": generated_at},
    }
    _json_with_stream(out, doc, (f.to_json() for f in spool.findings()), 1)


def write_jsonl(out: IO[str], spool: Spool, _generated_at: str) -> None:
    JsonlStream(out).write(spool.findings())


def _status_word(status: Status, lang: i18n.Lang) -> str:
    """The status as the table shows it: in the reader's language, failures in capitals."""
    word = i18n.t(f"status.{status.value}", lang)
    if status not in (Status.FAIL, Status.ERROR):
        return word
    code = status.value.upper()  # FAIL and ERROR stay greppable in CI logs in any language
    return code if word.upper() == code else f"{word.upper()} ({code})"


def _table_row(f: Finding) -> list[str]:
    """One table row in the run's language; control characters shown as escapes (a
    server's ESC must not recolour the user's terminal), as `reports.text` does."""
    lg = i18n.active()
    return [
        x(c)
        for c in (
            f.target,
            f.check,
            _status_word(f.status, lg),
            f.text(lg)
            + (f" [{f.reason_text(lg)}]" if f.reason and f.reason not in f.summary else ""),
        )
    ]


def write_table(out: IO[str], spool: Spool, _generated_at: str) -> None:
    """Aligned columns: one pass over the spool for the widths, one to write."""
    lg = i18n.active()
    headers = [i18n.t(f"probe.col.{c}", lg) for c in ("target", "check", "status", "result_detail")]
    widths = [textable.width(h) for h in headers]
    for f in spool.findings():
        for i, cell in enumerate(_table_row(f)):
            widths[i] = max(widths[i], textable.width(cell))
    sep = "  "

    def line(cells: Sequence[str]) -> str:
        parts = [textable.pad(c, widths[i]) for i, c in enumerate(cells[:-1])]
        return sep.join([*parts, cells[-1]]).rstrip() + "\n"

    out.write(line(headers))
    out.write(sep.join("─" * w for w in widths) + "\n")
    for f in spool.findings():
        out.write(line(_table_row(f)))
    counts = spool.summary()["by_status"]
    out.write(
        "\n" + ", ".join(f"{n} {i18n.t('status.' + s, lg)}" for s, n in counts.items() if n) + "\n"
    )


def write_csv(out: IO[str], spool: Spool, _generated_at: str) -> None:
    """One row per finding: field names as the header (what scripts key on), the summary
    and reason in the run's language (what a spreadsheet's reader acts on)."""
    lg = i18n.active()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["target", "check", "status", "summary", "reason", "evidence"])
    for f in spool.findings():
        w.writerow(
            csv_cell(c)  # text a spreadsheet shows, never runs (`reports.safe`)
            for c in [
                f.target,
                f.check,
                f.status.value,
                f.text(lg),
                f.reason_text(lg),
                json.dumps(dict(f.evidence), ensure_ascii=False, sort_keys=True),
            ]
        )


def write_junit(
    out: IO[str],
    spool: Spool,
    _generated_at: str = "",
    *,
    name: str = "assure probe",
    skip: Collection[Status] = (Status.INCONCLUSIVE,),
) -> None:
    """One test suite per target, one test case per check, written suite by suite.

    `fail` is a failure and `error` an error; statuses in `skip` (at least `inconclusive`)
    are skipped with their reason, since they were not decided and must neither pass nor
    fail a build.
    """
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    head = ET.tostring(ET.Element("testsuites", name=x(name)), "unicode")
    out.write(head.replace(" />", ">") + "\n")
    for target in spool.targets:
        suite = _junit_suite(target, spool.findings_of(target), skip)
        ET.indent(suite, level=1)
        out.write("  " + ET.tostring(suite, "unicode") + "\n")
    out.write("</testsuites>\n")


def _junit_suite(target: str, fs: Sequence[Finding], skip: Collection[Status]) -> ET.Element:
    """One target's suite; every text made XML-safe (a certificate subject or a server's
    banner may hold anything)."""
    suite = ET.Element(
        "testsuite",
        name=x(target),
        tests=str(len(fs)),
        failures=str(sum(f.status is Status.FAIL for f in fs)),
        errors=str(sum(f.status is Status.ERROR for f in fs)),
        skipped=str(sum(f.status in skip for f in fs)),
    )
    for f in fs:
        case = ET.SubElement(suite, "testcase", classname=x(target), name=x(f.check))
        text = x(json.dumps(dict(f.evidence), ensure_ascii=False, indent=1))
        summary = x(f.text())  # the summary in the language of the run
        word = _status_word(f.status, i18n.active())
        if f.status is Status.FAIL:
            ET.SubElement(case, "failure", message=summary, type="fail").text = text
        elif f.status is Status.ERROR:
            ET.SubElement(case, "error", message=summary, type="error").text = (
                x(f.reason_text()) if f.reason else text
            )
        elif f.status in skip:
            ET.SubElement(case, "skipped", message=f"{word}: {summary}")
        else:
            ET.SubElement(case, "system-out").text = f"{word}: {summary}"
    return suite


def write_sarif(
    out: IO[str],
    spool: Spool,
    _generated_at: str = "",
    *,
    exit_code: int | None = None,
    started: str | None = None,
    ended: str | None = None,
) -> None:
    """SARIF 2.1.0 (the parts in `assure.reports.sarif`), results streamed from the spool."""
    index = {c.value: i for i, c in enumerate(CHECKS)}
    lg = i18n.active()
    results = (r for f in spool.findings() if (r := sarif_parts.result(f, index, lg)) is not None)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "assure",
                "version": __version__,
                "informationUri": sarif_parts.DOCS,
                "rules": sarif_parts.rules(lg),
            }
        },
        "results": _HOLE,
    }
    invocations = sarif_parts.invocations(exit_code, started, ended)
    if invocations:
        run["invocations"] = invocations
    doc = {"$schema": sarif_parts.SCHEMA, "version": "2.1.0", "runs": [run]}
    _json_with_stream(out, doc, results, 3)


class _HtmlTarget:
    """A target's section for the template (see `assure.reports.probe_html`); its findings
    are read from the spool only when the template reaches its section, so one target's
    findings are in memory at a time."""

    def __init__(self, rollup: dict[str, Any], spool: Spool, lang: i18n.Lang) -> None:
        self.target: str = rollup["target"]
        self.status: str = rollup["status"]
        self.status_text = i18n.t(f"status.{self.status}", lang)
        counts: dict[str, int] = rollup["counts"]
        self.tally = {
            "passed": sum(counts.get(s.value, 0) for s in probe_html.PASSED),
            "to_fix": sum(counts.get(s.value, 0) for s in probe_html.TO_FIX),
            "untested": sum(counts.get(s.value, 0) for s in probe_html.UNTESTED),
        }
        self._spool = spool
        self._lang = lang

    @property
    def groups(self) -> list[dict[str, Any]]:
        section = probe_html.target_section(
            self.target,
            Status(self.status),
            self._spool.findings_of(self.target),
            self._lang,
        )
        groups: list[dict[str, Any]] = section["groups"]
        return groups


def write_html(out: IO[str], spool: Spool, generated_at: str) -> None:
    """One page: an overview of every target (sortable), then each target's checks by family,
    failures first, with why each failed check matters and how to fix it."""
    lg = i18n.active()
    totals = spool.summary()
    meta = i18n.t(
        "probe.meta",
        lg,
        targets=i18n.plural(totals["targets"], "probe.targets", lg),
        findings=i18n.plural(totals["findings"], "probe.findings", lg),
        generated=generated_at,
        tool=f"{TOOL['name']} {TOOL['version']}",
    )
    stream_template(
        out,
        "probe_report.html.j2",
        targets=[_HtmlTarget(r, spool, lg) for r in spool.rollups()],
        summary=totals,
        meta=meta,
        lang=lg,
        t=lambda key, **kw: i18n.t(key, lg, **kw),
        statuses=[(s.value, i18n.t(f"status.{s.value}", lg)) for s in Status],
    )


_WRITERS = {
    "table": write_table,
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
    "html": write_html,
    "junit": write_junit,
}


class JsonlStream:
    """Write one finding per line as soon as a target is done (memory stays flat)."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out

    def write(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self._out.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
        self._out.flush()

    def write_target(self, findings: Sequence[Finding]) -> None:
        """One target's findings, in check order."""
        self.write(_sorted(findings))

    def write_target_json(self, items: Sequence[dict[str, Any]]) -> None:
        """One target's findings already in their JSON form, in check order: the same
        lines `write_target` gives for the same findings."""
        for d in sorted(items, key=lambda d: _CHECK_POS.get(str(d["check"]), 99)):
            self._out.write(json.dumps(d, ensure_ascii=False) + "\n")
        self._out.flush()
