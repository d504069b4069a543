"""`assure dossier PATH -o DIR`: the level-proposal dossier and its cover letter."""

from __future__ import annotations

from pathlib import Path

import click

from assure.atomic import staged_dir
from assure.commands._assurance import (
    catalogue_option,
    load_plan,
    profile_argument,
    regime_option,
)
from assure.commands._common import Env, lang_of, lang_option, pass_env
from assure.errors import ExitCode, UsageError
from assure.law.gap import gap_report
from assure.reports.dossier import write_dossier


def refuse_non_empty(target: Path, force: bool) -> None:
    """A non-empty output folder is only replaced with --force (never merged into)."""
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"{target}: folder is not empty; use --force to replace it")


@click.command("dossier")
@profile_argument
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the dossier into (created; replaced only with --force).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@lang_option
@catalogue_option
@regime_option
@pass_env
def command(
    env: Env,
    path: Path,
    out_dir: Path,
    force: bool,
    lang: str,
    catalogue_dir: Path | None,
    regime: str | None,
) -> int:
    """Level-proposal dossier (Decree 85/2016 Art. 15; Circular 12/2022 Art. 8) as DOCX and
    HTML, with the cover request letter. Written to a temporary folder, then moved into place."""
    refuse_non_empty(out_dir, force)
    plan = load_plan(path, catalogue_dir, regime, env.today)
    lg = lang_of(lang)
    report = gap_report(plan, [], env.today, lg)
    with staged_dir(out_dir, replace=True) as stage:
        written = write_dossier(stage, plan, env.today, lg, report)
    for p in written:
        click.echo(str(out_dir / p.name))
    return int(ExitCode.OK)
