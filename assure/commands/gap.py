"""`assure gap PATH [--findings FILE]...`: declared controls and probe results against the plan."""

from __future__ import annotations

from pathlib import Path

import click

from assure.commands._assurance import (
    catalogue_option,
    load_plan,
    profile_argument,
    regime_option,
)
from assure.commands._common import (
    Env,
    emit,
    emit_bytes,
    format_option,
    lang_of,
    lang_option,
    output_option,
    pass_env,
    to_json,
)
from assure.errors import ExitCode
from assure.law.gap import gap_json, gap_report, load_findings_files
from assure.reports.gap import gap_docx, gap_html, gap_junit, gap_markdown


@click.command("gap")
@profile_argument
@click.option(
    "--findings",
    "findings_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help='Findings (JSON {"findings": [...]} or JSON Lines, as `assure probe` and'
    " `assure verify-signature` write); repeatable. A failed check overrides a control"
    " declared implemented.",
)
@format_option(["md", "html", "docx", "json", "junit"], "md")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Exit 1 when overall coverage (passed or validly waived, in % of applicable"
    " requirements) is below PCT.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["gap", "overdue"]),
    multiple=True,
    help="Exit 1 when any requirement is a gap (fail, partial, inconclusive), or when any"
    " gap is past its due date; repeatable.",
)
@lang_option
@output_option
@catalogue_option
@regime_option
@pass_env
def command(
    env: Env,
    path: Path,
    findings_files: tuple[Path, ...],
    fmt: str,
    fail_under: float | None,
    fail_on: tuple[str, ...],
    lang: str,
    output: Path | None,
    catalogue_dir: Path | None,
    regime: str | None,
) -> int:
    """Gap report: every requirement of the plan with its status from declared controls,
    waivers and probe findings; coverage per group and plan part; remediation roadmap."""
    plan = load_plan(path, catalogue_dir, regime, env.today)
    findings = load_findings_files(findings_files)
    lg = lang_of(lang)
    report = gap_report(plan, findings, env.today, lg)
    ignored = len(findings) - len(report.probe_findings)
    if ignored:
        click.echo(
            f"assure gap: note: {ignored} finding(s) ignored: their targets are not among"
            f" the endpoints of {plan.profile.id}",
            err=True,
        )
    if fmt == "json":
        emit(to_json(gap_json(report, lg)), output)
    elif fmt == "html":
        emit(gap_html(report, lg), output)
    elif fmt == "docx":
        emit_bytes(gap_docx(report, lg), output)
    elif fmt == "junit":
        emit(gap_junit(report, lg), output)
    else:
        emit(gap_markdown(report, lg), output)
    reasons = []
    cov = report.overall.covered_pct
    if fail_under is not None and cov < fail_under:
        reasons.append(f"coverage {cov:.1f}% is below {fail_under:g}%")
    if "gap" in fail_on and report.gaps:
        reasons.append(f"{len(report.gaps)} gap(s)")
    if "overdue" in fail_on and report.overdue:
        reasons.append(f"{len(report.overdue)} overdue item(s)")
    if reasons:
        click.echo(f"assure gap: {plan.profile.id}: " + "; ".join(reasons), err=True)
        return int(ExitCode.GATE_FAILED)
    return int(ExitCode.OK)
