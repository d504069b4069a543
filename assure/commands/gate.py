"""`assure gate PROFILE [--findings F]... [--probe]`: one launch verdict for CI.

Four conditions, each a test of its own (see `assure.law.gate`): the level is approved and
still matches the facts; the plan's gaps are within the thresholds; the portal's endpoints
pass; its signed sample documents verify. The evidence is what the other commands already
produce: the plan and gap report of `assure gap`, probe findings from files (`--findings`,
as `assure probe` writes them) or probed now (`--probe`, as `assure probe --profile` does),
and the documents verified as `assure verify-signature` does.

Thresholds come from the options, else `[thresholds]` of `assure.toml`, else the strict
defaults (100 % coverage, no open requirement, only `fail` fails). Exit codes (interface
§2): 0 every condition passes, 1 one fails, 4 none fails but one could not be decided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from assure import i18n
from assure.commands._assurance import catalogue_option, load_plan, profile_argument, regime_option
from assure.commands._common import Env, emit, lang_of, lang_option, note, parse_instant, pass_env
from assure.commands._outputs import outputs_option, parse_outputs
from assure.commands._record import profile_facts, record_options, record_run, sha256_inputs
from assure.config import FAILABLE
from assure.findings import Finding, Status
from assure.law import gate as law
from assure.law.approval import standing_of
from assure.law.gap import gap_report, load_findings_files, relevant_findings
from assure.reports.gate import FORMATS, GateResult, render


def _is_url(target: str) -> bool:
    return "://" in target


@click.command("gate")
@profile_argument
@click.option(
    "--findings",
    "findings_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Probe or signature findings (JSON or JSON Lines, as `assure probe` and"
    " `assure verify-signature` write); repeatable.",
)
@click.option(
    "--probe",
    "probe_now",
    is_flag=True,
    help="Probe the profile's endpoints now and verify its sample documents held at URLs"
    " (without it, only local documents are verified now; the rest come from --findings).",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=law.DEFAULT_MIN_COVERAGE,
    show_default=True,
    metavar="PCT",
    help="Least coverage of the plan (passed or validly waived, in % of applicable"
    " requirements); assure.toml: thresholds.min_coverage.",
)
@click.option(
    "--max-open",
    type=click.IntRange(0),
    default=law.DEFAULT_MAX_OPEN,
    show_default=True,
    metavar="N",
    help="Most requirements left open (fail, partial, inconclusive); assure.toml:"
    " thresholds.max_open.",
)
@click.option(
    "--fail-status",
    "fail_status",
    multiple=True,
    type=click.Choice(FAILABLE),
    default=law.DEFAULT_FAIL_STATUSES,
    show_default=True,
    help="Probe and document statuses that fail the gate (repeatable; `fail` always does);"
    " assure.toml: thresholds.fail_statuses. `inconclusive` and `error` not listed here make"
    " the condition inconclusive, never a pass.",
)
@click.option(
    "--ca-file",
    "ca_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --probe: PEM file of extra trust anchors for the portals (repeatable).",
)
@click.option(
    "--resolve",
    "resolves",
    multiple=True,
    metavar="HOST:PORT:ADDR",
    help="With --probe: use ADDR for HOST like curl (repeatable).",
)
@click.option(
    "--http-port",
    type=click.IntRange(1, 65535),
    default=80,
    show_default=True,
    help="With --probe: port of plain HTTP for the redirect check.",
)
@click.option(
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="ADDR[:PORT]",
    help="With --probe: ask this DNS server instead of /etc/resolv.conf (repeatable).",
)
@click.option(
    "--allow-range",
    "allow_ranges",
    multiple=True,
    metavar="CIDR",
    help="With --probe: count DNS answers in this special-purpose range (repeatable).",
)
@click.option(
    "--trust",
    "trust_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PEM",
    help="Extra trust anchors for the signed documents (PEM, DER or PKCS#7; repeatable).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=5.0,
    show_default=True,
    help="Seconds allowed for each network operation.",
)
@click.option(
    "--at",
    "at",
    callback=parse_instant,
    metavar="ISO8601",
    help="Judge certificate validity at this instant instead of now.",
)
@outputs_option(FORMATS, "table")
@lang_option
@catalogue_option
@regime_option
@record_options
@pass_env
def command(
    env: Env,
    path: Path,
    findings_files: tuple[Path, ...],
    probe_now: bool,
    min_coverage: float,
    max_open: int,
    fail_status: tuple[str, ...],
    ca_files: tuple[Path, ...],
    resolves: tuple[str, ...],
    http_port: int,
    nameservers: tuple[str, ...],
    allow_ranges: tuple[str, ...],
    trust_files: tuple[Path, ...],
    timeout: float,
    at: dt.datetime | None,
    fmt: str,
    outputs: tuple[str, ...],
    lang: str,
    catalogue_dir: Path | None,
    regime: str | None,
    record: bool,
    db: str | None,
) -> int:
    """One launch verdict: the level is approved and current, the gaps are within the
    thresholds, the endpoints pass and the signed sample documents verify.

    One test per condition (table, json, junit, sarif; `-o FORMAT=FILE` repeatable). A
    condition that could not be decided is inconclusive, never a pass. Exit 0 all pass,
    1 a condition fails, 4 none fails but one is inconclusive.
    """
    lg = lang_of(lang)
    sinks_to = parse_outputs(fmt, outputs, FORMATS)
    th = law.Thresholds(
        min_coverage=min_coverage,
        max_open=max_open,
        fail_statuses=frozenset(Status(s) for s in fail_status),
    )
    plan = load_plan(path, catalogue_dir, regime, env.today)
    profile = plan.profile
    endpoints: list[dict[str, Any]] = list(profile.data.get("endpoints") or ())
    findings = load_findings_files(findings_files)
    if probe_now and endpoints:
        fresh = _probe(
            endpoints, ca_files, resolves, http_port, nameservers, allow_ranges, timeout, at
        )
        stale = {id(f) for f in relevant_findings(findings, {"endpoints": endpoints})}
        findings = [
            f for f in findings if law.is_document_check(f.check) or id(f) not in stale
        ] + fresh
    documents = law.documents_of(endpoints)
    findings += _verify_documents(
        documents, findings, path.parent, probe_now, trust_files, timeout, at
    )
    report = gap_report(plan, findings, env.today, lg)
    conditions = (
        law.approval_condition(profile.id, standing_of(plan.classification, env.today)),
        law.gaps_condition(report, th),
        law.endpoints_condition(profile.id, endpoints, findings, th),
        law.documents_condition(profile.id, documents, findings, th),
    )
    result = GateResult(
        system=profile.id,
        name=_name(profile.data, profile.id, lg),
        profile=str(path),
        regime=plan.regime.id,
        level=plan.level,
        conditions=conditions,
        verdict=law.verdict(conditions),
        exit_code=law.exit_code(conditions),
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    for out in sinks_to:
        emit(render(out.fmt, result, lg), out.path)
    if record:
        record_run(
            db,
            command="gate",
            subject=profile.id,
            system=profile.id,
            inputs=sha256_inputs([path, *findings_files]),
            regime=plan.regime.id,
            exit_code=result.exit_code,
            findings=list(conditions),
            summary={
                "level": plan.level,
                "verdict": result.verdict.value,
                "coverage": report.overall.covered_pct,
                "facts": profile_facts(profile.data),
            },
        )
    if all(o.path is not None for o in sinks_to):
        note(i18n.t("gate.summary", system=profile.id, verdict=i18n.t(f"status.{result.verdict}")))
    return result.exit_code


def _name(data: Any, system: str, lang: i18n.Lang) -> str:
    """The system's name in the reader's language, when the profile gives one."""
    if lang == "en" and data.get("name_en"):
        return str(data["name_en"])
    return str(data.get("name") or system)


def _probe(
    endpoints: list[dict[str, Any]],
    ca_files: tuple[Path, ...],
    resolves: tuple[str, ...],
    http_port: int,
    nameservers: tuple[str, ...],
    allow_ranges: tuple[str, ...],
    timeout: float,
    at: dt.datetime | None,
) -> list[Finding]:
    """The endpoints probed now, as `assure probe --profile` probes them."""
    from assure.commands.probe import probe_context  # TLS and DNS libraries: only here
    from assure.probes import runner
    from assure.probes.targets import collect_targets

    ctx = probe_context(
        ca_files=ca_files,
        resolves=resolves,
        timeout=timeout,
        at=at,
        http_port=http_port,
        nameservers=nameservers,
        allow_ranges=allow_ranges,
    )
    targets = collect_targets(list(dict.fromkeys(str(e["url"]) for e in endpoints)), ())
    out: list[Finding] = []
    for result in runner.run(targets, ctx, runner.default_concurrency(len(targets))):
        out.extend(result.findings)
    return out


def _verify_documents(
    documents: list[str],
    findings: list[Finding],
    base: Path,
    probe_now: bool,
    trust_files: tuple[Path, ...],
    timeout: float,
    at: dt.datetime | None,
) -> list[Finding]:
    """Sample documents no finding covers yet, verified now: local files always (relative
    to the profile's folder), URLs only with `--probe`. Findings name each document as the
    profile writes it, so they match findings of `assure probe --profile`."""
    covered = {f.target for f in findings if law.is_document_check(f.check)}
    todo = [d for d in documents if d not in covered and (probe_now or not _is_url(d))]
    if not todo:
        return []
    from assure import trust
    from assure.signatures import verify  # pyHanko, signxml: only when a document is verified

    anchors = trust.load_trust_set(trust_files)
    out: list[Finding] = []
    for doc in todo:
        where = doc if _is_url(doc) or Path(doc).is_absolute() else str(base / doc)
        for f in verify.document_findings([where], anchors=anchors, at=at, timeout=timeout):
            out.append(replace(f, target=doc))
    return out
