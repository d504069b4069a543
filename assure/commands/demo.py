"""`assure demo`: the main job end to end on the bundled examples, offline."""

from __future__ import annotations

import click

from assure.commands._common import (
    Env,
    lang_of,
    lang_option,
    pass_env,
    report_errors,
    report_problems,
)
from assure.commands.classify import classify_all, table
from assure.errors import ExitCode
from assure.paths import profiles_dir
from assure.profile import load_many


@click.command("demo")
@lang_option
@pass_env
def command(env: Env, lang: str) -> int:
    """Validate and classify every bundled example profile and print the level table."""
    folder = profiles_dir()
    loaded = load_many([str(folder)])
    report_errors(loaded.errors)
    results, _ = classify_all(loaded.profiles, None)
    for p in loaded.profiles:
        report_problems(p.warnings)
    lg = lang_of(lang)
    title = "Ví dụ đi kèm" if lg == "vi" else "Bundled examples"
    click.echo(f"{title}: {folder}\n")
    click.echo(table(results, lg), nl=False)
    return int(ExitCode.INVALID_DATA if loaded.errors else ExitCode.OK)
