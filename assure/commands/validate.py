"""`assure validate PATH...`: check profiles against the schema and the semantic rules."""

from __future__ import annotations

import click

from assure import i18n
from assure.commands._common import report_errors, report_problems
from assure.errors import ExitCode
from assure.inputs.profile import load_many


@click.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
def command(paths: tuple[str, ...], quiet: bool) -> int:
    """Validate profiles (files, or folders of *.yaml) against the profile schema."""
    result = load_many(paths)
    for profile in result.profiles:
        report_problems(profile.warnings)
        if not quiet:
            click.echo(i18n.t("validate.ok", file=profile.file, id=profile.id))
    report_errors(result.errors)
    total = len(result.profiles) + len(result.errors)
    if not quiet:
        click.echo(
            i18n.t("validate.total", valid=len(result.profiles), total=total),
            err=bool(result.errors),
        )
    return int(ExitCode.INVALID_DATA if result.errors else ExitCode.OK)
