"""`assure dossier PATH -o DIR`: the level-proposal dossier and its cover letter."""

from __future__ import annotations

from pathlib import Path

import click

from assure.atomic import folder_target, is_stdout
from assure.commands._assurance import (
    catalogue_option,
    load_plan,
    profile_argument,
    regime_option,
)
from assure.commands._common import Env, lang_of, lang_option, pass_env
from assure.errors import ExitCode, UsageError
from assure.law.gap import gap_report
from assure.reports.dossier import publish_dossier


def refuse_non_empty(target: Path, force: bool) -> None:
    """Refuse early (before any work) what `publish_folder` would refuse at the end: a
    target that is not a folder, a dangling link, a non-empty folder without --force. The
    final word is still `publish_folder`'s, under its lock."""
    if is_stdout(target):
        raise UsageError("-o -: a dossier is a folder of files; name a folder to write it to")
    real = folder_target(target)
    if real.is_dir() and any(real.iterdir()) and not force:
        raise UsageError(f"{target}: folder is not empty; use --force to replace it")


@click.command("dossier")
@profile_argument
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the dossier into (created if missing; must be empty unless --force).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty folder, replacing the files an earlier dossier wrote there"
    " (listed in its .assure-manifest.json); other files are never touched.",
)
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
    HTML, with the cover request letter. Every file is staged, then moved into place."""
    refuse_non_empty(out_dir, force)
    plan = load_plan(path, catalogue_dir, regime, env.today)
    lg = lang_of(lang)
    report = gap_report(plan, [], env.today, lg)
    written = publish_dossier(out_dir, plan, env.today, lg, report, force=force)
    for p in written:
        click.echo(str(p))
    return int(ExitCode.OK)
