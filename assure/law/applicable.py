"""The regime in force for one system on one day (pure: the day and the rules are inputs).

Since Decree 331/2026 took effect (19/08/2026, its Art. 38) it is the rule set for a system,
save the transition of its Art. 39.1: a system being invested in or built before 01/07/2026
finishes the appraisal and approval of its level under Decree 85/2016 within six months of
Law 116/2025 taking effect. Which case a system is in follows from its lifecycle, when its
construction started and whether its level was approved; a fact the profile does not state
is a question to answer, never assumed. `--regime` or a `regime` in the profile still forces
one, and every result says which regime applies and why.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assure.errors import DataError, Msg, Problem
from assure.i18n import t
from assure.inputs.validation import validate, validator_for_file
from assure.inputs.yamldoc import format_path, load_yaml
from assure.law.citation import Cites, in_words, structure, to_json
from assure.law.regime import Lang, Text
from assure.paths import checklists_dir, schema_path


@dataclass(frozen=True, slots=True)
class InForce:
    """The dates and the transition rule that decide the regime in force."""

    previous: str
    current: str
    names: Mapping[str, Text]
    current_from: dt.date
    current_from_source: Cites
    construction_before: dt.date
    approval_window_ends: dt.date
    measures_by: dt.date
    transition_source: Cites

    def name(self, regime: str, lang: Lang) -> str:
        return self.names[regime](lang) if regime in self.names else regime


@dataclass(frozen=True, slots=True)
class RegimeChoice:
    """The regime applied to a system, why, on what basis, and what is left to confirm."""

    regime: str
    reason: Text
    sources: Cites = ()
    questions: tuple[Text, ...] = ()
    forced: bool = False

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """`regime_basis` keeps one compact text per citation (the contract's strings);
        `regime_citations` is the same basis structured."""
        return {
            "regime_reason": self.reason(lang),
            "regime_basis": [c.compact() for c in self.sources],
            "regime_citations": to_json(self.sources, lang),
            "regime_questions": [q(lang) for q in self.questions],
        }


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse_in_force(data: Mapping[str, Any]) -> InForce:
    tr = data["transition"]
    return InForce(
        previous=data["previous"],
        current=data["current"],
        names={k: Text.of(v) for k, v in data["names"].items()},
        current_from=_date(data["current_from"]),
        current_from_source=data["current_from_source"],
        construction_before=_date(tr["construction_before"]),
        approval_window_ends=_date(tr["approval_window_ends"]),
        measures_by=_date(tr["measures_by"]),
        transition_source=tr["source"],
    )


def in_force_path() -> Path:
    """Where the rules folder keeps the dates that decide the regime."""
    return checklists_dir() / "in-force.yaml"


@cache
def load_in_force(path: Path | None = None) -> InForce:
    """The rules of `in-force.yaml`, checked against `in-force.schema.json` and for sense.

    A wrong date here silently moves every system to another regime, so the file is held to
    the same bar as a profile: a problem stops the run with its file, line and column
    (exit 3). Beyond the schema, both regimes must be named and the transition's dates must
    follow one another (construction cut-off, end of the approval window, measures due).
    """
    doc = load_yaml(path or in_force_path())
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping at the top of the in-force file")
    problems = validate(doc, validator_for_file(schema_path("in-force")))
    if problems:
        raise DataError(problems)
    raw = doc.data

    def wrong(path: tuple[str, ...], key: str, **params: Any) -> DataError:
        pos = doc.position(path)
        return DataError([Problem.of(pos, format_path(path), Msg.of(key, **params))])

    for key in ("previous", "current"):
        if raw[key] not in raw["names"]:
            raise wrong((key,), "law.in_force.unnamed", regime=raw[key])
    if raw["previous"] == raw["current"]:
        raise wrong(("current",), "law.in_force.same_regime", regime=raw["current"])
    tr = raw["transition"]
    order = ("construction_before", "approval_window_ends", "measures_by")
    for early, late in itertools.pairwise(order):
        if _date(tr[early]) > _date(tr[late]):
            raise wrong(
                ("transition", late),
                "law.in_force.out_of_order",
                late=late,
                late_day=str(tr[late]),
                early=early,
                early_day=str(tr[early]),
            )
    return parse_in_force(structure(raw))


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def forced(
    regime: str, by_option: bool, rules: InForce, *, by_config: bool = False
) -> RegimeChoice:
    """A regime chosen by `--regime`, by the configuration file, or named by the profile."""
    how = "config" if by_option and by_config else "option" if by_option else "profile"
    why = Text.each(
        lambda lg: t(f"applicable.forced.{how}", lg, name=rules.name(regime, lg), regime=regime)
    )
    return RegimeChoice(regime, why, forced=True)


def choose(profile_data: Mapping[str, Any], today: dt.date, rules: InForce) -> RegimeChoice:
    """The regime in force for the system of `profile_data` on `today` (Decree 331 Art. 39)."""
    prev, cur = rules.previous, rules.current
    eff = _d(rules.current_from)
    lifecycle = profile_data.get("lifecycle")
    started_raw = profile_data.get("construction_started")
    started = _date(started_raw) if started_raw is not None else None
    approval = profile_data.get("approval") or None
    dates = {
        "eff": eff,
        "today": _d(today),
        "cut": _d(rules.construction_before),
        "window": _d(rules.approval_window_ends),
        "measures": _d(rules.measures_by),
        "started": _d(started) if started is not None else "?",
    }

    def say(key: str, **extra: Any) -> Text:
        """The reason `key` in both languages. The articles are worded from the rules' own
        citations, never typed into the sentence."""

        def word(lg: Lang) -> str:
            in_force = t(
                "applicable.in_force", lg, eff=eff, source=in_words(rules.current_from_source, lg)
            )
            return t(
                key,
                lg,
                prev=rules.name(prev, lg),
                cur=rules.name(cur, lg),
                transition=in_words(rules.transition_source, lg),
                in_force=in_force,
                **dates,
                **{k: v(lg) if callable(v) else v for k, v in extra.items()},
            )

        return Text.each(word)

    if today < rules.current_from:
        return RegimeChoice(prev, say("applicable.before"), rules.current_from_source)
    sources = rules.current_from_source
    if approval is not None:
        level, regime = approval.get("level"), approval.get("regime")
        when = _d(_date(approval["date"])) if approval.get("date") is not None else "?"
        return RegimeChoice(
            cur,
            say(
                "applicable.approved",
                level=level,
                decision=approval.get("decision", "?"),
                when=when,
                under=lambda lg: rules.name(regime, lg) if regime else "?",
            ),
            (*sources, *rules.transition_source),
        )
    building = lifecycle in ("planned", "building")
    if started is not None and started < rules.construction_before and lifecycle != "operating":
        if today < rules.approval_window_ends:
            return RegimeChoice(prev, say("applicable.building_window"), rules.transition_source)
        return RegimeChoice(
            cur, say("applicable.window_over"), (*sources, *rules.transition_source)
        )
    if started is not None:
        return RegimeChoice(
            cur, say("applicable.started_late"), (*sources, *rules.transition_source)
        )
    questions: tuple[Text, ...] = ()
    if building or lifecycle is None:
        questions = (say("applicable.question_building"),)
    return RegimeChoice(cur, say("applicable.no_transition"), sources, questions)


def regime_for(
    profile_data: Mapping[str, Any],
    profile_regime: str | None,
    option: str | None,
    today: dt.date,
    rules: InForce | None = None,
    *,
    by_config: bool = False,
) -> RegimeChoice:
    """`--regime`, else the profile's `regime`, else the regime in force on `today`.

    `by_config` says the option's value came from `assure.toml`, so the reason names the
    file rather than an option the user never typed.

    A forced regime needs no dates: a rules folder without `in-force.yaml` still works with
    `--regime` (the regime is then named by its ID).
    """
    chosen = option if option is not None else profile_regime
    if chosen is not None:
        if rules is None and in_force_path().is_file():
            rules = load_in_force()
        if rules is None:
            rules = InForce(
                chosen, chosen, {}, dt.date.min, (), dt.date.min, dt.date.min, dt.date.min, ()
            )
        return forced(chosen, option is not None, rules, by_config=by_config)
    return choose(profile_data, today, rules or load_in_force())
