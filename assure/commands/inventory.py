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
    format_option,
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
from assure.inputs.profile import load_many
from assure.law.applicable import regime_for
from assure.law.classify import Classification, classify
from assure.law.portfolio import Portfolio, portfolio
from assure.law.regime import load_regime
from assure.law.transition import load_transition

FORMATS = ("table", "json", "md", "html", "xlsx", "docx")


def classify_for_portfolio(
    profiles: Sequence[object], regime_opt: str | None, today: dt.date
) -> list[Classification]:
    """Each profile classified under the regime in force for it on `today` (or `--regime`)."""
    from assure.inputs.profile import Profile

    out: list[Classification] = []
    for p in profiles:
        assert isinstance(p, Profile)
        choice = regime_for(p.data, p.regime, regime_opt, today)
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


@click.command("inventory")
@click.argument("paths", nargs=-1, required=True)
@format_option(FORMATS, "table")
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
    from assure.reports import inventory as rep

    pf, invalid = load_portfolio(paths, regime, env.today)
    lg = lang_of(lang)
    if fmt == "json":
        emit(to_json(pf.to_json(lg)), output)
    elif fmt == "md":
        emit(rep.markdown(pf, lg), output)
    elif fmt == "html":
        emit(rep.html(pf, lg), output)
    elif fmt == "xlsx":
        emit_bytes(rep.xlsx(pf, lg), output)
    elif fmt == "docx":
        emit_bytes(rep.docx(pf, lg), output)
    else:
        emit(rep.table(pf, lg), output)
    if output is not None and str(output) != "-":
        note(i18n.t("inventory.wrote", lg, path=output))
    if invalid:
        return int(ExitCode.INVALID_DATA)
    if pf.overdue:
        note(i18n.t("inventory.exit_overdue", lg, n=i18n.number(len(pf.overdue), lg)))
        return int(ExitCode.GATE_FAILED)
    return int(ExitCode.OK)


__all__ = ["classify_for_portfolio", "command", "load_portfolio"]
