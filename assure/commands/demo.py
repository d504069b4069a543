"""`assure demo`: the main job end to end on the bundled examples, offline."""

from __future__ import annotations

from pathlib import Path

import click

from assure.atomic import staged_dir
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
from assure.commands.classify import classify_all, table
from assure.commands.dossier import refuse_non_empty
from assure.errors import ExitCode
from assure.inputs.profile import load_many
from assure.law.gap import gap_json, gap_report
from assure.law.plan import plan_json
from assure.paths import profiles_dir
from assure.reports.dossier import share, write_dossier
from assure.reports.gap import gap_docx, gap_html, gap_junit, gap_markdown
from assure.reports.plan import plan_docx, plan_html, plan_markdown

#: The bundled example whose plan, gap report and dossier the demo writes.
DEMO_PROFILE = "cong-dvc-demo"


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("assure-demo"),
    show_default=True,
    help="Folder for the example's plan, gap report and dossier.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the folder an earlier demo wrote (a folder of other files is never replaced).",
)
@lang_option
@pass_env
def command(env: Env, out_dir: Path, force: bool, lang: str) -> int:
    """Validate and classify every bundled example profile and print the level table; then
    write the plan, gap report and dossier of one example into a folder."""
    refuse_non_empty(out_dir, force)
    folder = profiles_dir()
    loaded = load_many([str(folder)])
    report_errors(loaded.errors)
    results, _ = classify_all(loaded.profiles, None, env.today)
    for p in loaded.profiles:
        report_problems(p.warnings)
    lg = lang_of(lang)
    title = "Ví dụ đi kèm" if lg == "vi" else "Bundled examples"
    click.echo(f"{title}: {folder}\n")
    click.echo(table(results, lg), nl=False)
    source = next((p for p in loaded.profiles if p.id == DEMO_PROFILE), None)
    if source is None:
        click.echo(f"assure demo: bundled example {DEMO_PROFILE!r} is missing", err=True)
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
    blobs = {"plan.docx": plan_docx(plan, lg), "gap.docx": gap_docx(report, lg)}
    with staged_dir(out_dir, replace=force, writer="assure demo") as stage:
        files = []
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8")
            files.append(stage / name)
        for name, data in blobs.items():
            (stage / name).write_bytes(data)
            files.append(stage / name)
        dossier_files = write_dossier(stage / "dossier", plan, env.today, lg, report)
        share(stage, files)
    heading = "Đã ghi" if lg == "vi" else "Written"
    ov = report.overall
    click.echo(
        f"\n{plan.profile.id}: "
        + (
            f"cấp độ {plan.level}, {len(plan.items)} yêu cầu, đáp ứng {ov.covered_pct:.1f}%"
            if lg == "vi"
            else f"level {plan.level}, {len(plan.items)} requirements,"
            f" {ov.covered_pct:.1f}% covered"
        )
    )
    click.echo(f"{heading}:")
    for f in [*files, *dossier_files]:
        click.echo(f"  {out_dir / f.relative_to(stage)}")
    return int(ExitCode.INVALID_DATA if loaded.errors else ExitCode.OK)
