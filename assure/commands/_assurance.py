"""Loading shared by `plan`, `gap`, `dossier` and `demo`: profile → classification → plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import click

from assure.commands._common import F, from_config, report_problems
from assure.errors import AssureError, DataError, ExitCode, Msg, Position, Problem
from assure.inputs.profile import Profile, load_profile
from assure.inputs.yamldoc import format_path
from assure.law.applicable import regime_for
from assure.law.catalogue import CatalogueSet, load_catalogues
from assure.law.classify import classify
from assure.law.plan import NoLevelError, Plan, build_plan
from assure.law.regime import load_regime
from assure.paths import checklists_dir


class NoLevelToPlanError(AssureError):
    """No criterion applies to the profile: there is no level, hence no plan (exit 1)."""

    exit_code = ExitCode.GATE_FAILED


def catalogue_option(f: F) -> F:
    """`--catalogue DIR`: try a changed or new catalogue without installing it."""
    return click.option(
        "--catalogue",
        "catalogue_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=None,
        help="Folder of requirement catalogues to use instead of the bundled ones.",
    )(f)


def regime_option(f: F) -> F:
    """`--regime R`: plan a profile under another rule set than the one it names."""
    return click.option(
        "--regime",
        default=None,
        help="Rule set to plan under (default: the profile's, else the one in force on the"
        " evaluation day, Decree 331/2026 Art. 39).",
    )(f)


def profile_argument(f: F) -> F:
    """One profile file; a missing file is a usage error (exit 2), not bad data."""
    return click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))(f)


def regime_of(rid: str, besides: str) -> str | None:
    """The other bundled regime whose catalogue holds requirement `rid`, if any.

    A profile keeps its controls when it is planned under another regime (`--regime`), so
    their IDs are only a typo when no bundled catalogue knows them.
    """
    for folder in sorted(checklists_dir().iterdir()):
        if folder.name == besides or not folder.is_dir():
            continue
        try:
            if rid in load_catalogues(folder.name).by_id:
                return folder.name
        except AssureError:
            continue
    return None


def check_references(profile: Profile, catalogues: CatalogueSet, plan: Plan) -> list[Problem]:
    """Controls and waivers must name real requirements; those outside the plan get a note.

    A typo in a requirement ID would otherwise leave a control that never counts, so an
    unknown ID is an error (exit 3); a known requirement that this level does not ask for is
    only noted.
    """
    doc = profile.document
    known = catalogues.by_id
    in_plan = {i.id for i in plan.items}
    errors: list[Problem] = []
    notes: list[Problem] = []
    foreign: dict[str, list[tuple[Position, str]]] = {}
    refs: list[tuple[tuple[str | int, ...], str]] = [
        (("controls", k), k) for k in (profile.data.get("controls") or {})
    ]
    refs += [
        (("waivers", i, "requirement"), w["requirement"])
        for i, w in enumerate(profile.data.get("waivers") or ())
    ]
    for path, rid in refs:
        key = path[0] == "controls"
        pos = doc.position(path, key=key)
        if rid not in known:
            other = regime_of(rid, catalogues.regime)
            if other is not None:
                foreign.setdefault(other, []).append((pos, format_path(path)))
                continue
            close = [k for k in known if k.lower() == rid.lower()]
            hint: Msg | str = Msg.of("val.did_you_mean", word=close[0]) if close else ""
            errors.append(
                Problem.of(
                    pos, format_path(path), Msg.of("plan.unknown_requirement", id=rid, hint=hint)
                )
            )
        elif rid not in in_plan:
            notes.append(
                Problem.of(
                    pos,
                    format_path(path),
                    Msg.of("plan.not_in_plan", id=rid, level=plan.level),
                    severity="note",
                )
            )
    # A system in transition declares its measures under both regimes; only a profile whose
    # every declaration belongs to another regime's catalogue is likely a mistake worth a note.
    own = any(rid in known for _path, rid in refs)
    for other, where in ({} if own else foreign).items():
        pos, field = where[0]
        notes.append(
            Problem.of(
                pos,
                field,
                Msg.of("plan.foreign", n=len(where), other=other, regime=catalogues.regime),
                severity="note",
            )
        )
    for i, w in enumerate(profile.data.get("waivers") or ()):
        if w.get("approved") and w["approved"] > w["expires"]:
            path = ("waivers", i, "expires")
            errors.append(
                Problem.of(
                    doc.position(path),
                    format_path(path),
                    Msg.of("plan.waiver_order", expires=w["expires"], approved=w["approved"]),
                )
            )
    if errors:
        raise DataError(errors)
    return notes


def load_plan(
    path: Path,
    catalogue_dir: Path | None,
    regime_id: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Load the profile and catalogues, classify, build the plan; report notes on stderr.

    The regime is `regime_id`, else the profile's, else the one in force for the system on
    `today` (Decree 331/2026 Art. 39); the plan carries which and why.
    """
    if regime_id is not None:
        load_regime(regime_id)  # an unknown regime is a usage error before any file is read
    profile = load_profile(path, str(path))
    report_problems(profile.warnings)
    choice = regime_for(
        profile.data,
        profile.regime,
        regime_id,
        today or dt.date.today(),
        by_config=from_config("regime"),
    )
    regime = load_regime(choice.regime)
    catalogues = load_catalogues(regime.id, catalogue_dir)
    classification = replace(classify(profile, regime), choice=choice)
    try:
        plan = build_plan(classification, catalogues, profile)
    except NoLevelError:
        raise NoLevelToPlanError(
            f"{profile.file}: no classification criterion applies, so there is no level to"
            " plan for; run `assure classify -x` to see what is missing"
        ) from None
    report_problems(check_references(profile, catalogues, plan))
    return plan
