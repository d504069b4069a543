"""`assure drift SYSTEM [--since RUN|DATE|approval]`: what changed since a baseline.

The runs compared are the system's own (classify, gap: subject = its id), the probes of its
portals (recorded with `probe --profile`, or the endpoints of `--profile FILE`) and the
signed documents it lists. Exit 1 when something fails now that did not at the baseline,
0 otherwise; 4 when nothing about the system is recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assure import i18n
from assure.commands._common import (
    emit,
    format_option,
    lang_of,
    lang_option,
    note,
    output_option,
    to_json,
)
from assure.commands._record import db_option
from assure.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from assure.history.drift import Since
    from assure.history.model import Run
    from assure.history.store import Store


def _profile_data(path: Path) -> tuple[str, dict[str, Any]]:
    from assure.inputs.profile import load_profile

    prof = load_profile(path)
    return prof.id, dict(prof.data)


def _targets(data: dict[str, Any]) -> list[str]:
    """Probe subjects of a profile's endpoints and signed documents."""
    from assure.probes.targets import collect_targets

    names: list[str] = []
    for endpoint in data.get("endpoints") or ():
        names += [t.name for t in collect_targets([endpoint["url"]], ())]
        names += list(endpoint.get("signed_documents") or ())
    return names


def _profile_of(system: str, runs: list[Run]) -> Path | None:
    """The profile file of the system's last recorded classify, gap or gate run (each
    reads one profile and records it first among its inputs)."""
    for run in runs:  # newest first
        if run.command in ("classify", "gap", "gate") and run.subject == system and run.inputs:
            path = run.inputs[0].get("path")
            if path:
                return Path(path)
    return None


def _since(
    value: str | None, system: str, store: Store, runs: list[Run], profile: Path | None
) -> Since:
    from assure.history.drift import Since

    if value is None:
        return Since()
    if value.isdigit():
        run = store.run(int(value))
        if run is None:
            raise UsageError(i18n.t("history.no_such_run", value=value))
        return Since("run", run=run)
    if value == "approval":
        path = profile or _profile_of(system, runs)
        if path is None:
            raise UsageError(i18n.t("history.no_profile", system=system))
        _id, data = _profile_data(path)
        date = (data.get("approval") or {}).get("date")
        if not date:
            raise UsageError(i18n.t("history.no_approval", system=system, file=str(path)))
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
        return Since("date", day=day)
    try:
        return Since("date", day=dt.date.fromisoformat(value))
    except ValueError:
        raise UsageError(i18n.t("history.bad_since", value=value)) from None


@click.command("drift")
@click.argument("system")
@click.option(
    "--since",
    "since",
    default=None,
    metavar="RUN|DATE|approval",
    help="Baseline: a run number, a day (YYYY-MM-DD), or `approval` (the profile's approval"
    " date) [default: each subject's run before its latest].",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The system's profile: its approval date, and its endpoints' probe runs.",
)
@db_option
@format_option(["table", "json", "md", "html"], "table")
@lang_option
@output_option
def command(
    system: str,
    since: str | None,
    profile: Path | None,
    db: str | None,
    fmt: str,
    lang: str,
    output: Path | None,
) -> int:
    """What changed between the baseline and the latest runs of a system: new failures,
    fixes, level changes and the facts behind them, regressed controls, certificates."""
    from assure.history.drift import drift
    from assure.history.store import open_store
    from assure.reports import history as report

    lg = lang_of(lang)
    subjects = [system]
    if profile is not None:
        _id, data = _profile_data(profile)  # an invalid profile: exit 3, file:line:column
        subjects += _targets(data)
    store = open_store(db)
    try:
        runs = store.runs(subjects, with_findings=True)
        baseline = _since(since, system, store, runs, profile)
    finally:
        store.close()
    if not runs:
        note(i18n.t("history.no_runs", subject=system, db=store.shown))
        return int(ExitCode.INCONCLUSIVE)
    result = drift(system, runs, baseline)
    if fmt == "json":
        emit(to_json(report.drift_json(result)), output)
    elif fmt == "md":
        emit(report.drift_markdown(result, lg), output)
    elif fmt == "html":
        emit(report.drift_html(result, lg), output)
    else:
        emit(report.drift_table(result, lg), output)
    return result.exit_code
