"""`assure annual-report PATH... --year Y`: the owner's yearly report, DOCX and XLSX.

The report follows the regime in force on the day the year's data close (14 December):
Circular 12/2022 Arts. 13–14 under Decree 85/2016, Decree 331/2026 Arts. 35–36 after it
(`--regime` names another). The portfolio is evaluated on that day, or on `--today` when
it is earlier (a report drafted before the data close). `-o DIR` writes both files into
DIR; `--format docx|xlsx|json` writes one to `-o FILE` or standard output.

Exit codes: 0 written; 3 when a profile is invalid (the report is still written from the
others, and says so on standard error).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assure import atomic, i18n
from assure.commands._common import (
    Env,
    emit,
    emit_bytes,
    lang_of,
    lang_option,
    note,
    pass_env,
    to_json,
)
from assure.commands.inventory import load_portfolio
from assure.errors import ExitCode
from assure.law.annual import ITEMS, annual_report, report_regime
from assure.law.catalogue import load_catalogues
from assure.law.gap import GapReport, gap_report
from assure.law.plan import NoLevelError, build_plan
from assure.law.portfolio import Portfolio


def gap_reports(pf: Portfolio, day: dt.date) -> dict[str, GapReport]:
    """Each system's plan judged from its declared controls on `day` (no probes): the
    coverage the report's items 4, 8 and 9 ask for."""
    out: dict[str, GapReport] = {}
    for e in pf.entries:
        c = e.classification
        try:
            plan = build_plan(c, load_catalogues(c.regime.id), c.profile)
        except NoLevelError:
            continue
        out[e.id] = gap_report(plan, [], day)
    return out


@click.command("annual-report")
@click.argument("paths", nargs=-1, required=True)
@click.option("--year", type=click.IntRange(2017, 2100), required=True, help="Year reported on.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["both", "docx", "xlsx", "json"]),
    default="both",
    show_default=True,
    help="both = DOCX and XLSX into the folder -o DIR.",
)
@click.option(
    "--regime",
    type=click.Choice(sorted(ITEMS)),
    default=None,
    help="Report under this regime (default: the one in force on 14 December of the year).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    default=None,
    help="Folder for both files (--format both), else the file (`-` = standard output).",
)
@lang_option
@pass_env
def command(
    env: Env,
    paths: tuple[str, ...],
    year: int,
    fmt: str,
    regime: str | None,
    output: Path | None,
    lang: str,
) -> int:
    """The yearly report (Circular 12/2022 Art. 14, or Decree 331/2026 Art. 36) of every
    system under PATH, as DOCX and XLSX."""
    from assure.reports import annual as rep

    lg = lang_of(lang)
    if fmt == "both" and (output is None or atomic.is_stdout(output)):
        raise click.UsageError(i18n.t("annual.need_dir", lg))
    day = min(env.today, dt.date(year, 12, 14))
    regime_id = regime or report_regime(year)
    pf, invalid = load_portfolio(paths, None, day)
    report = annual_report(pf, year, regime_id, gap_reports(pf, day))
    if fmt == "json":
        emit(to_json(report.to_json()), output)
    elif fmt == "docx":
        emit_bytes(rep.docx(report, lg), output)
    elif fmt == "xlsx":
        emit_bytes(rep.xlsx(report, lg), output)
    else:
        assert output is not None
        stem = rep.file_stem(report, lg)
        for ext, data in (("docx", rep.docx(report, lg)), ("xlsx", rep.xlsx(report, lg))):
            target = output / f"{stem}.{ext}"
            if not output.exists():
                output.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(target, data)
            click.echo(str(target))
    if output is not None and fmt != "both" and not atomic.is_stdout(output):
        note(i18n.t("annual.wrote", lg, path=output))
    return int(ExitCode.INVALID_DATA if invalid else ExitCode.OK)


__all__ = ["command", "gap_reports"]
