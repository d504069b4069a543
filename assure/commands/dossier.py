"""`assure dossier PATH -o DIR`: the level-proposal dossier and its cover letter."""

from __future__ import annotations

from pathlib import Path

import click

from assure import i18n
from assure.atomic import folder_target, is_stdout
from assure.commands._assurance import (
    catalogue_option,
    load_plan,
    profile_argument,
    regime_option,
)
from assure.commands._common import Env, lang_of, lang_option, note, pass_env
from assure.errors import ExitCode, UsageError
from assure.law.gap import gap_report
from assure.reports.dossier import file_names, publish_dossier


def refuse_non_empty(target: Path, force: bool) -> None:
    """Refuse early (before any work) what `publish_folder` would refuse at the end: a
    target that is not a folder, a dangling link, a non-empty folder without --force. The
    final word is still `publish_folder`'s, under its lock."""
    if is_stdout(target):
        raise UsageError(i18n.t("out.dossier_stdout"))
    real = folder_target(target)
    if real.exists() and not real.is_dir():
        raise UsageError(i18n.t("out.not_folder", folder=target))
    if real.is_dir() and any(real.iterdir()) and not force:
        raise UsageError(i18n.t("out.not_empty", folder=target))


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
@click.option(
    "--template",
    "template",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The agency's letterhead as a .docx: its styles, header and footer are kept"
    " [default: the bundled layout of Decree 30/2020].",
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
    template: Path | None,
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
    written = publish_dossier(out_dir, plan, env.today, lg, report, force=force, template=template)
    for p in written:
        click.echo(str(p))
    if written.todos:
        dossier = file_names(lg)["dossier"] + ".docx"
        note(i18n.t("dossier.todo_cli", lg, n=len(written.todos), file=dossier))
    return int(ExitCode.OK)
