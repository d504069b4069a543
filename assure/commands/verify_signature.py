"""`assure verify-signature FILE|URL...`: signed PDF and XML against the national anchors.

Three findings per document (interface §6): `doc_signature_valid`, `doc_signer_trusted`,
`doc_signature_coverage`. A document that cannot be read as PDF or XML at all is invalid
input (exit 3, `file: message`); a readable document with a broken signature gives `fail`
findings. Every file is processed even when one is invalid, and all problems are reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import click

from assure import i18n, trust
from assure.commands._common import emit, note, parse_instant, to_json
from assure.commands._outputs import outputs_option, parse_outputs
from assure.commands._record import record_options, record_run
from assure.errors import DataError, ExitCode
from assure.findings import Finding, Status, count_by_status
from assure.reports import text as textable
from assure.reports.junit import findings_junit
from assure.signatures import chain, fetch
from assure.signatures.models import DocumentReport
from assure.signatures.verify import verify_target


def parse_size(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    """`--max-size`: bytes, or with a K/M/G suffix (binary multiples)."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]i?B?)?\s*", value, re.IGNORECASE)
    if not m:
        raise click.BadParameter(i18n.t("usage.bad_size", value=repr(value)))
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[(m.group(2) or "")[:1].upper()]
    size = int(m.group(1)) * mult
    if size <= 0:
        raise click.BadParameter(i18n.t("usage.size_positive"))
    return size


def exit_code(findings: Sequence[Finding], invalid: bool) -> int:
    """3 invalid input; else 1 if a check failed; else 4 if a check could not be decided.

    A signature whose trust could not be decided (revocation unreachable, no anchor) is not
    a signature a gate may accept, so `inconclusive` and `error` never end in exit 0.
    """
    if invalid:
        return int(ExitCode.INVALID_DATA)
    if any(f.status == Status.FAIL for f in findings):
        return int(ExitCode.GATE_FAILED)
    if any(not f.status.decided for f in findings):
        return int(ExitCode.INCONCLUSIVE)
    return int(ExitCode.OK)


def table(reports: Sequence[DocumentReport]) -> str:
    """Findings first, then the evidence an auditor reads: signer, issuer family, times."""
    lg = i18n.active()
    rows: list[list[str]] = []
    for r in reports:
        for f in r.findings():
            rows.append([r.target, f.check, i18n.t(f"status.{f.status.value}", lg), f.text(lg)])
    head = [i18n.t(f"verify.col.{c}", lg) for c in ("document", "check", "status", "summary")]
    out = textable.render(head, rows)
    reg = trust.registry()
    for r in reports:
        if r.unavailable is not None:
            continue  # not downloaded: no format, size or signatures to tell; the table says why
        size = i18n.number(r.size, lg)
        out += "\n" + i18n.t(
            "verify.document", lg, target=r.target, format=r.format, size=size, sha=r.sha256[:16]
        )
        out += "\n"
        if not r.signatures:
            out += f"  {i18n.t('verify.no_signature', lg)}\n"
        for s in r.signatures:
            ev = s.evidence
            fam = ev.get("issuer_family")
            signer = i18n.t("verify.signer", lg, signer=s.signer or "—")
            out += f"  #{s.index + 1} {s.name} [{s.kind}] {signer}\n"
            if fam:
                out += f"     {i18n.t('verify.family', lg, family=reg.family_label(fam, lg))}\n"
            if ev.get("signing_time_claimed"):
                claimed = i18n.t("verify.claimed", lg, time=ev["signing_time_claimed"])
                out += f"     {claimed}\n"
            ts = ev.get("timestamp")
            if isinstance(ts, dict):
                trusted = i18n.t(
                    "verify.ts_trusted" if ts.get("trusted") else "verify.ts_untrusted", lg
                )
                stamp = i18n.t("verify.timestamp", lg, time=ts.get("time"), tsa=ts.get("tsa"))
                out += f"     {stamp} ({trusted})\n"
            elif ts:
                out += f"     {i18n.t('verify.timestamp_raw', lg, value=ts)}\n"
            if ev.get("signer_certificate_sha256"):
                sha = i18n.t("verify.cert_sha", lg, sha=ev["signer_certificate_sha256"])
                out += f"     {sha}\n"
    counts = count_by_status(f for r in reports for f in r.findings())
    out += (
        "\n" + ", ".join(f"{i18n.t('status.' + k, lg)}: {v}" for k, v in counts.items() if v) + "\n"
    )
    return out


def junit(reports: Sequence[DocumentReport]) -> str:
    """JUnit XML: one test suite per document, one test case per check."""
    return findings_junit(
        [f for r in reports for f in r.findings()],
        [r.target for r in reports],
        name="assure verify-signature",
        skip=(Status.INCONCLUSIVE, Status.NOT_APPLICABLE),
    )


FORMATS = ("table", "json", "junit")


def render(fmt: str, reports: Sequence[DocumentReport], errors: Sequence[DataError]) -> str:
    """The run in one format; `json` holds the findings `assure render` reads back."""
    if fmt == "json":
        findings = [f for r in reports for f in r.findings()]
        return to_json(
            {
                "findings": [f.to_json() for f in findings],
                "documents": [r.to_json() for r in reports],
                "invalid": [str(p) for e in errors for p in e.problems],
            }
        )
    if fmt == "junit":
        return junit(reports)
    return table(reports)


@click.command("verify-signature")
@click.argument("targets", nargs=-1, required=True, metavar="FILE|URL...")
@click.option(
    "--trust",
    "trust_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PEM",
    help="Extra trust anchors for this run (PEM, DER or PKCS#7; repeatable).",
)
@click.option(
    "--intermediates",
    "intermediate_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PEM",
    help="Intermediate CA certificates documents leave out (path building only; repeatable).",
)
@click.option(
    "--no-store",
    is_flag=True,
    help="Ignore the anchors imported with `assure trust add`; use only --trust files.",
)
@click.option(
    "--at",
    callback=parse_instant,
    metavar="ISO8601",
    help="Judge certificate validity and revocation at this instant instead of now.",
)
@click.option(
    "--no-revocation",
    is_flag=True,
    help="Do not fetch CRLs or OCSP answers (the trust finding is then at best `warn`).",
)
@click.option(
    "--max-size",
    default="20M",
    show_default=True,
    metavar="SIZE",
    callback=parse_size,
    help="Largest document read or downloaded (bytes, or with K/M/G).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=10.0,
    show_default=True,
    help="Connect/read timeout in seconds for downloads and revocation checks.",
)
@click.option(
    "--doc-time-limit",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Wall-clock limit per document in seconds (0: none); past it the checks are `error`.",
)
@outputs_option(FORMATS, "table")
@record_options
def command(
    targets: tuple[str, ...],
    trust_files: tuple[Path, ...],
    intermediate_files: tuple[Path, ...],
    no_store: bool,
    at: dt.datetime | None,
    no_revocation: bool,
    max_size: int,
    timeout: float,
    doc_time_limit: float,
    fmt: str,
    outputs: tuple[str, ...],
    record: bool,
    db: str | None,
) -> int:
    """Verify digitally signed documents (PDF, XML Signature, XAdES) from files or URLs
    (`-` reads standard input).

    The signer must chain to a national root imported with `assure trust add` or to a
    --trust file. Exit 0 all good; 1 a check failed; 3 a document is not readable PDF/XML;
    4 no check failed but one could not be decided (e.g. revocation data unreachable).
    """
    anchors = trust.load_trust_set(
        trust_files, use_store=not no_store, intermediate_files=intermediate_files
    )
    opts = chain.Options(
        anchors=anchors,
        at=at,
        check_revocation=not no_revocation,
        limits=fetch.Limits(max_bytes=10 * 1024 * 1024, timeout=timeout, deadline=3 * timeout),
    )
    limits = fetch.Limits(max_bytes=max_size, timeout=timeout, deadline=6 * timeout)
    reports: list[DocumentReport] = []
    errors: list[DataError] = []
    for target in targets:
        try:
            reports.append(verify_target(target, opts, limits, time_limit_s=doc_time_limit))
        except DataError as exc:
            errors.append(exc)
    if anchors.empty and reports:
        note(i18n.t("verify.no_anchor"))
    findings = [f for r in reports for f in r.findings()]
    for out in parse_outputs(fmt, outputs, FORMATS):
        if out.fmt == "table" and not reports and out.path is None:
            continue  # nothing readable: the errors below say why; an empty table hides them
        emit(render(out.fmt, reports, errors), out.path)
    for e in errors:
        for p in e.problems:
            click.echo(str(p), err=True)
    code = exit_code(findings, bool(errors))
    if record:
        for r in reports:
            found = r.findings()
            record_run(
                db,
                command="verify-signature",
                subject=r.target,
                inputs=[{"path": r.target, "sha256": r.sha256}],
                exit_code=code,
                findings=found,
                summary={"counts": count_by_status(found), "signatures": len(r.signatures)},
            )
    return code
