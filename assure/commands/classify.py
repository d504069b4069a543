"""`assure classify PATH...`: the security level of each profile, with its reasons."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import click

from assure import i18n
from assure.commands._common import (
    Env,
    emit,
    format_option,
    from_config,
    lang_of,
    lang_option,
    output_option,
    pass_env,
    report_errors,
    report_problems,
    to_json,
    to_yaml,
)
from assure.commands._record import profile_facts, record_options, record_run, sha256_inputs
from assure.errors import ExitCode, Msg, Position, Problem
from assure.inputs.profile import Profile, load_many
from assure.law.applicable import regime_for
from assure.law.citation import source_text
from assure.law.classify import (
    Classification,
    NodeResult,
    classification_json,
    classify,
    composite_reason,
    display_name,
)
from assure.law.regime import Lang, Regime, load_regime
from assure.reports import text as textable

HEAD = ("id", "level", "deciding", "name")  # columns of the level table: classify.col.*


def _short(crit_id: str) -> str:
    return crit_id.split(":", 1)[1] if ":" in crit_id else crit_id


def _rows(result: NodeResult, regime: Regime, depth: int, lang: Lang) -> list[list[str]]:
    deciding = [f.criterion.id for f in result.fired if f.criterion.level == result.level]
    if result.decided_by_components:
        deciding = [regime.composite_id]
    prefix = "  " * depth + ("└ " if depth else "")
    level = "—" if result.level is None else str(result.level)
    if result.flags:
        level += " ⚑"  # a regime flag (e.g. a national-security list); see --explain
    row = [
        prefix + result.node.id,
        level,
        ", ".join(_short(c) for c in deciding) or "—",
        display_name(result.node, lang),
    ]
    rows = [row]
    for c in result.components:
        rows.extend(_rows(c, regime, depth + 1, lang))
    return rows


def table(results: Sequence[Classification], lang: Lang) -> str:
    """The level table: one row per system, components indented below it."""
    rows: list[list[str]] = []
    for r in results:
        rows.extend(_rows(r.root, r.regime, 0, lang))
    out = textable.render([i18n.t(f"classify.col.{c}", lang) for c in HEAD], rows)
    counts = Counter(r.level for r in results)
    parts = [
        i18n.t("classify.level_count", lang, level=k, n=i18n.number(counts[k], lang))
        for k in sorted(k for k in counts if k is not None)
    ]
    if counts.get(None):
        parts.append(i18n.t("classify.undetermined", lang, n=i18n.number(counts[None], lang)))
    systems = i18n.plural(len(results), "classify.systems", lang)
    return out + f"\n{systems} — " + "; ".join(parts) + "\n"


def _days(days: int, working: bool, lang: Lang) -> str:
    return i18n.t("transition.working_days" if working else "transition.days", lang, days=days)


def explain(c: Classification, env: Env, lang: Lang) -> str:
    """A readable account of one classification: reasons, next level, obligations."""
    data = classification_json(c, env.today, lang)
    lines = [f"{c.profile.id} — {display_name(c.profile.system, lang)}"]
    level = data["level"]
    lines.append(
        "  " + i18n.t("classify.explain.level", lang, level=level)
        if level
        else "  " + i18n.t("classify.explain.no_criterion", lang)
    )
    for crit in data["criteria"]:
        lines.append(f"  • [{crit['level']}] {crit['article']}: {crit['reason']}")
    for d in data.get("derived_facts", []):
        said = i18n.t("classify.explain.derived", lang, fact=d["fact"], because=d["because"])
        lines.append(f"  ↳ {said}")
    for t in data.get("to_confirm", []):
        lines.append(f"  ? [{t['level']}] {t['article']}: {t['question']}")
    nh = data.get("not_higher")
    if nh:
        lines.append("  " + i18n.t("classify.explain.why_not", lang, level=nh["next_level"]))
        for m in nh["closest"][:3]:
            where = f"[{m['component']}] " if "component" in m else ""
            lines.append(f"    – {where}{m['article']}: " + "; ".join(m["unmet"]))
    if level:
        ap, pr = data["appraisal"], data["approval"]
        lim = ap["time_limit"]
        days = (
            _days(lim["days"], lim["working_days"], lang) + f" ({source_text(lim, lang)})"
            if lim
            else i18n.t("classify.explain.no_limit", lang)
        )
        lines.append(
            "  "
            + i18n.t("classify.explain.appraisal", lang, by=ap["appraised_by_label"], days=days)
        )
        if ap.get("expert_opinion_by_label"):
            by = ap["expert_opinion_by_label"]
            lines.append("  " + i18n.t("classify.explain.expert", lang, by=by))
        for flag in data.get("flags", []):
            lines.append(f"  ⚑ {flag['label']} ({source_text(flag, lang)})")
        if data.get("procedure_level"):
            level_of = data["procedure_level"]
            lines.append("  " + i18n.t("classify.explain.procedure", lang, level=level_of))
        plim = pr["time_limit"]
        days = _days(plim["days"], True, lang) + f" ({source_text(plim, lang)})"
        lines.append(
            "  " + i18n.t("classify.explain.approval", lang, by=pr["approved_by_label"], days=days)
        )
        insp = data["inspection"]
        if insp.get("organisation_wide_months"):
            months = insp["organisation_wide_months"]
            said = i18n.t("classify.explain.organisation_wide", lang, months=months)
            lines.append(f"  {said} ({source_text(insp, lang)})")
        if insp.get("interval_months"):
            said = i18n.t("classify.explain.periodic", lang, months=insp["interval_months"])
            lines.append(f"  {said} ({source_text(insp, lang)})")
        elif insp.get("note"):
            said = i18n.t("classify.explain.inspection", lang, note=insp["note"])
            lines.append(f"  {said} ({source_text(insp, lang)})")
        for d in data.get("reporting", {}).get("deadlines", []):
            said = i18n.t("classify.explain.report", lang, to=d["to_label"], due=d["next_due"])
            lines.append(f"  {said} ({source_text(d, lang)})")
    return "\n".join(lines) + "\n"


def classify_all(
    profiles: Sequence[Profile], regime_opt: str | None, today: dt.date
) -> tuple[list[Classification], list[Problem]]:
    """Classify each profile under the regime chosen: the option, else the profile's, else
    the one in force for that system on `today` (Decree 331/2026 Art. 39)."""
    out: list[Classification] = []
    notes: list[Problem] = []
    for p in profiles:
        choice = regime_for(p.data, p.regime, regime_opt, today, by_config=from_config("regime"))
        regime = load_regime(choice.regime)
        c = replace(classify(p, regime), choice=choice)
        out.append(c)
        for node in _walk(c.root):
            for fact in node.unused_facts:
                path = (*node.node.path, "classification", fact)
                pos: Position = p.document.position(path, key=True)
                notes.append(
                    Problem.of(
                        pos,
                        ".".join(str(x) for x in path),
                        Msg.of("classify.unused_fact", regime=regime.id),
                        severity="note",
                    )
                )
    return out, notes


def regime_lines(results: Sequence[Classification], lang: Lang) -> str:
    """Under the table: which regime each profile was classified under, and why."""
    lines = [
        f"{r.profile.id}: {r.choice.reason(lang)}"
        + "".join(f"\n  ? {q(lang)}" for q in r.choice.questions)
        for r in results
        if r.choice is not None
    ]
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def _walk(n: NodeResult) -> list[NodeResult]:
    return [n, *(x for c in n.components for x in _walk(c))]


@click.command("classify")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--regime",
    default=None,
    help="Rule set (default: the profile's, else the one in force on the evaluation day).",
)
@format_option(["table", "json", "yaml"], "table")
@click.option(
    "-x", "--explain", "show_explain", is_flag=True, help="With table: explain each level."
)
@lang_option
@output_option
@record_options
@pass_env
def command(
    env: Env,
    paths: tuple[str, ...],
    regime: str | None,
    fmt: str,
    show_explain: bool,
    lang: str,
    output: Any,
    record: bool,
    db: str | None,
) -> int:
    """Security level of each profile, with the criteria that decide it."""
    if regime is not None:
        load_regime(regime)  # an unknown regime is a usage error before any file is read
    loaded = load_many(paths)
    results, notes = classify_all(loaded.profiles, regime, env.today)
    for p in loaded.profiles:
        report_problems(p.warnings)
    report_problems(notes)
    report_errors(loaded.errors)
    lg = lang_of(lang)
    if fmt == "json":
        emit(to_json([classification_json(r, env.today, lg) for r in results]), output)
    elif fmt == "yaml":
        emit(to_yaml([classification_json(r, env.today, lg) for r in results]), output)
    else:
        text = table(results, lg) + regime_lines(results, lg)
        if show_explain:
            text += "\n" + "\n".join(explain(r, env, lg) for r in results)
        emit(text, output)
    if loaded.errors:
        code = ExitCode.INVALID_DATA
    elif any(r.level is None for r in results):
        code = ExitCode.GATE_FAILED
    else:
        code = ExitCode.OK
    if record:
        for r in results:
            record_classification(db, r, env.today, int(code))
    return int(code)


def record_classification(db: str | None, r: Classification, today: dt.date, code: int) -> int:
    """One classification in the history: the level, the criteria that fired (one finding
    each) and the facts, so a drift can say which fact moved the level."""
    data = classification_json(r, today, "en")
    return record_run(
        db,
        command="classify",
        subject=r.profile.id,
        system=r.profile.id,
        inputs=sha256_inputs([r.profile.file]),
        regime=r.regime.id,
        exit_code=code,
        findings=[
            {
                "check": c["id"],
                "target": r.profile.id,
                "status": "info",
                "summary": c.get("reason", ""),
                "evidence": {"level": c.get("level")},
            }
            for c in data["criteria"]
        ],
        summary={
            "level": r.level,
            "criteria": [c["id"] for c in data["criteria"]],
            "facts": profile_facts(r.profile.data),
        },
    )


__all__ = ["classify_all", "command", "composite_reason", "explain", "table"]
