"""`assure demo`: the main job end to end on the bundled examples, offline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import click

from assure import i18n
from assure.atomic import MANIFEST, staged_dir
from assure.commands._assurance import load_plan
from assure.commands._common import (
    Env,
    lang_of,
    lang_option,
    pass_env,
    report_errors,
    report_problems,
    to_json,
)
from assure.commands.annual_report import gap_reports
from assure.commands.classify import classify_all, table
from assure.commands.dossier import refuse_non_empty
from assure.errors import ExitCode
from assure.inputs.profile import load_many
from assure.law.annual import annual_report, report_regime
from assure.law.classify import Classification
from assure.law.gap import gap_json, gap_report
from assure.law.plan import plan_json
from assure.law.portfolio import Portfolio
from assure.law.portfolio import portfolio as make_portfolio
from assure.law.transition import load_transition
from assure.paths import profiles_dir
from assure.reports import annual as annual_report_doc
from assure.reports import inventory as inventory_report
from assure.reports.dossier import share, write_dossier
from assure.reports.gap import gap_docx, gap_html, gap_junit, gap_markdown
from assure.reports.plan import plan_docx, plan_html, plan_markdown


def _silent(_text: str = "", nl: bool = True) -> None:
    """What `-q` prints instead of the table and the list of files: nothing."""


#: The bundled example whose plan, gap report and dossier the demo writes.
DEMO_PROFILE = "cong-dvc-demo"


def build_portfolio(results: Sequence[Classification], day: dt.date) -> Portfolio:
    """The bundled portfolio on `day`, classified as the level table shows it."""
    return make_portfolio(results, day, load_transition("nd85-2016", "nd331-2026"))


def own_output(folder: Path) -> bool:
    """Whether `folder` holds only what an earlier run wrote into it (the files its manifest
    lists): then a second `assure demo` replaces it without `--force`."""
    manifest = folder / MANIFEST
    if not folder.is_dir() or not manifest.is_file():
        return False
    try:
        written = set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p != manifest
    }
    return present <= written


@click.command("demo")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("assure-demo"),
    show_default=True,
    help="Folder for the example's plan, gap report and dossier (replaced when an earlier"
    " demo wrote it).",
)
@click.option("--out", "out_alias", type=click.Path(file_okay=False, path_type=Path), hidden=True)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the folder an earlier demo wrote (a folder of other files is never replaced).",
)
@lang_option
@pass_env
def command(env: Env, out_dir: Path, out_alias: Path | None, force: bool, lang: str) -> int:
    """Validate and classify every bundled example profile and print the level table; then
    write the plan, gap report and dossier of one example into a folder."""
    out_dir = out_alias or out_dir  # `--out`, the spelling of earlier versions
    mine = own_output(out_dir)
    refuse_non_empty(out_dir, force or mine)
    folder = profiles_dir()
    loaded = load_many([str(folder)])
    report_errors(loaded.errors)
    results, _ = classify_all(loaded.profiles, None, env.today)
    for p in loaded.profiles:
        report_problems(p.warnings)
    lg = lang_of(lang)
    say = click.echo if not env.quiet else _silent
    say(f"{i18n.t('demo.bundled', lg)}: {folder}\n")
    say(table(results, lg), nl=False)
    portfolio = build_portfolio(results, env.today)
    say("\n" + inventory_report.table(portfolio, lg), nl=False)
    source = next((p for p in loaded.profiles if p.id == DEMO_PROFILE), None)
    if source is None:
        click.echo(i18n.t("demo.missing", lg, id=DEMO_PROFILE), err=True)
        return int(ExitCode.INVALID_DATA)
    plan = load_plan(Path(source.file), None, None, env.today)
    report = gap_report(plan, [], env.today, lg)
    texts = {
        "plan.md": plan_markdown(plan, lg),
        "plan.html": plan_html(plan, lg),
        "plan.json": to_json(plan_json(plan, lg)),
        "gap.md": gap_markdown(report, lg),
        "gap.html": gap_html(report, lg),
        "gap.json": to_json(gap_json(report, lg)),
        "gap.junit.xml": gap_junit(report, lg),
    }
    blobs = {"plan.docx": plan_docx(plan, lg, env.today), "gap.docx": gap_docx(report, lg)}
    # The portfolio: the inventory workbook and the year's report of every bundled system.
    year = env.today.year
    day = min(env.today, dt.date(year, 12, 14))
    at_close = portfolio if day == env.today else build_portfolio(results, day)
    annual = annual_report(at_close, year, report_regime(year), gap_reports(at_close, day))
    stem = annual_report_doc.file_stem(annual, lg)
    texts["portfolio/inventory.html"] = inventory_report.html(portfolio, lg)
    blobs["portfolio/inventory.xlsx"] = inventory_report.xlsx(portfolio, lg)
    blobs[f"portfolio/{stem}.docx"] = annual_report_doc.docx(annual, lg)
    blobs[f"portfolio/{stem}.xlsx"] = annual_report_doc.xlsx(annual, lg)
    with staged_dir(out_dir, replace=force or mine, writer="assure demo") as stage:
        files = []
        (stage / "portfolio").mkdir()
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8")
            files.append(stage / name)
        for name, data in blobs.items():
            (stage / name).write_bytes(data)
            files.append(stage / name)
        dossier_files = write_dossier(stage / "dossier", plan, env.today, lg, report)
        share(stage, files)
    summary = i18n.t(
        "demo.summary",
        lg,
        level=plan.level,
        requirements=i18n.number(len(plan.items), lg),
        coverage=i18n.percent(report.overall.covered_pct, lg),
    )
    say(f"\n{plan.profile.id}: {summary}")
    say(f"{i18n.t('demo.written', lg)}:")
    for f in [*files, *dossier_files]:
        say(f"  {out_dir / f.relative_to(stage)}")
    return int(ExitCode.INVALID_DATA if loaded.errors else ExitCode.OK)
