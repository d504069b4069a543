"""`assure gap PATH [--findings FILE]...`: declared controls and probe results against the plan."""

from __future__ import annotations

from pathlib import Path

import click

from assure import i18n
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
    note,
    output_option,
    pass_env,
    to_json,
)
from assure.commands._record import profile_facts, record_options, record_run, sha256_inputs
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
@record_options
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
    record: bool,
    db: str | None,
) -> int:
    """Gap report: every requirement of the plan with its status from declared controls,
    waivers and probe findings; coverage per group and plan part; remediation roadmap."""
    plan = load_plan(path, catalogue_dir, regime, env.today)
    findings = load_findings_files(findings_files)
    lg = lang_of(lang)
    report = gap_report(plan, findings, env.today, lg)
    ignored = len(findings) - len(report.probe_findings)
    if ignored:
        note(i18n.t("gap.ignored", n=ignored, system=plan.profile.id))
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
        reasons.append(
            i18n.t(
                "gate.coverage_below",
                coverage=i18n.percent(cov),
                threshold=i18n.percent(fail_under, digits=0 if fail_under.is_integer() else 1),
            )
        )
    if "gap" in fail_on and report.gaps:
        reasons.append(i18n.plural(len(report.gaps), "gate.gaps"))
    if "overdue" in fail_on and report.overdue:
        reasons.append(i18n.plural(len(report.overdue), "gate.overdue"))
    code = ExitCode.GATE_FAILED if reasons else ExitCode.OK
    if reasons:
        click.echo(f"assure gap: {plan.profile.id}: " + "; ".join(reasons), err=True)
    if record:
        data = gap_json(report, "en")
        record_run(
            db,
            command="gap",
            subject=plan.profile.id,
            system=plan.profile.id,
            inputs=sha256_inputs([path, *findings_files]),
            regime=plan.regime.id,
            exit_code=int(code),
            findings=[i.finding for i in report.items],
            summary={
                "level": plan.level,
                "coverage": data["coverage"]["overall"]["covered_pct"],
                "counts": data["coverage"]["overall"]["by_status"],
                "gaps": len(report.gaps),
                "overdue": len(report.overdue),
                "facts": profile_facts(plan.profile.data),
            },
        )
    return int(code)
