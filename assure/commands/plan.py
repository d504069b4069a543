"""`assure plan PATH`: the assurance plan of one system at its level."""

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
from assure.law.plan import plan_json
from assure.reports.plan import plan_docx, plan_html, plan_markdown


@click.command("plan")
@profile_argument
@format_option(["md", "html", "docx", "json"], "md")
@lang_option
@output_option
@catalogue_option
@regime_option
@pass_env
def command(
    env: Env,
    path: Path,
    fmt: str,
    lang: str,
    output: Path | None,
    catalogue_dir: Path | None,
    regime: str | None,
) -> int:
    """Assurance plan: the requirements of the profile's level, grouped by the 7 parts of
    the security plan, each with why it applies, under the regime in force (or --regime)."""
    plan = load_plan(path, catalogue_dir, regime, env.today)
    lg = lang_of(lang)
    if fmt == "json":
        emit(to_json(plan_json(plan, lg)), output)
    elif fmt == "html":
        emit(plan_html(plan, lg), output)
    elif fmt == "docx":
        emit_bytes(plan_docx(plan, lg), output)
    else:
        emit(plan_markdown(plan, lg), output)
    return int(ExitCode.OK)
