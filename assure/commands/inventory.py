"""`assure inventory PATH...`: the portfolio — every system's level, approval and deadlines.

Exit codes (interface §2): 0 when nothing is overdue; 1 when something is — a deadline
past its date, an operating system without an approved level, or a level to be determined
again (the inventory is then a gate saying "no", so a scheduled CI job turns red the day a
date passes); 3 when a profile is invalid (the others are still listed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from assure import i18n
from assure.commands._common import (
    Env,
    emit,
    emit_bytes,
    from_config,
    lang_of,
    lang_option,
    note,
    output_option,
    pass_env,
    report_errors,
    report_problems,
    to_json,
)
from assure.errors import ExitCode
from assure.inputs.profile import Profile, load_many
from assure.law.applicable import regime_for
from assure.law.classify import Classification, classify
from assure.law.portfolio import Portfolio, portfolio
from assure.law.regime import Lang, load_regime
from assure.law.transition import load_transition

FORMATS = ("table", "json", "md", "html", "xlsx", "docx")
#: The format an `-o` file's extension names when `--format` is not given.
SUFFIXES = {".json": "json", ".md": "md", ".html": "html", ".xlsx": "xlsx", ".docx": "docx"}


def format_of(output: Path | None) -> str:
    """`-o danh-muc.xlsx` means the workbook; anything else (or no file) the table."""
    return SUFFIXES.get(output.suffix.lower(), "table") if output is not None else "table"


def classify_for_portfolio(
    profiles: Sequence[Profile], regime_opt: str | None, today: dt.date
) -> list[Classification]:
    """Each profile classified under the regime in force for it on `today` (or `--regime`)."""
    out: list[Classification] = []
    for p in profiles:
        choice = regime_for(p.data, p.regime, regime_opt, today, by_config=from_config("regime"))
        out.append(replace(classify(p, load_regime(choice.regime)), choice=choice))
    return out


def load_portfolio(
    paths: Sequence[str], regime_opt: str | None, today: dt.date
) -> tuple[Portfolio, bool]:
    """The portfolio of every valid profile under `paths`, and whether any was invalid (the
    problems are printed on standard error)."""
    if regime_opt is not None:
        load_regime(regime_opt)  # an unknown regime is a usage error before any file is read
    loaded = load_many(paths)
    for p in loaded.profiles:
        report_problems(p.warnings)
    report_errors(loaded.errors)
    classified = classify_for_portfolio(loaded.profiles, regime_opt, today)
    tr = load_transition("nd85-2016", "nd331-2026")
    return portfolio(classified, today, tr), bool(loaded.errors)


def _render(pf: Portfolio, fmt: str, lang: Lang, output: Path | None) -> None:
    from assure.reports import inventory as rep

    if fmt == "md":
        emit(rep.markdown(pf, lang), output)
    elif fmt == "html":
        emit(rep.html(pf, lang), output)
    elif fmt == "xlsx":
        emit_bytes(rep.xlsx(pf, lang), output)
    elif fmt == "docx":
        emit_bytes(rep.docx(pf, lang), output)
    else:
        emit(rep.table(pf, lang), output)


@click.command("inventory")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: from the -o file's extension, else table].",
)
@click.option(
    "--regime",
    default=None,
    help="Rule set for every system (default: the one in force for each on the day).",
)
@lang_option
@output_option
@pass_env
def command(
    env: Env,
    paths: tuple[str, ...],
    fmt: str,
    regime: str | None,
    lang: str,
    output: Path | None,
) -> int:
    """The portfolio: every system's level, approval on record, next deadlines, what is
    overdue (overdue first). Exit 1 when something is overdue."""
    fmt = fmt or format_of(output)
    pf, invalid = load_portfolio(paths, regime, env.today)
    lg = lang_of(lang)
    if fmt == "json":  # no report module: a daily CI check loads no document library
        emit(to_json(pf.to_json(lg)), output)
    else:
        _render(pf, fmt, lg, output)
    if output is not None and str(output) != "-":
        note(i18n.t("inventory.wrote", lg, path=output))
    if invalid:
        return int(ExitCode.INVALID_DATA)
    if pf.overdue:
        note(i18n.t("inventory.exit_overdue", lg, n=i18n.number(len(pf.overdue), lg)))
        return int(ExitCode.GATE_FAILED)
    return int(ExitCode.OK)


__all__ = ["classify_for_portfolio", "command", "load_portfolio"]
