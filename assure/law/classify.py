"""The classification engine: a pure function from a profile's facts to a level, explained.

Everything regime-specific is data (`assure.law.regime`). The engine only knows how to evaluate
conditions, take the highest level that fired (each level is met by any one of its criteria;
a composite system takes the highest level of its parts), and explain the result: the
criteria that fired with a one-sentence reason each, and the criteria of the next level up
that came closest, with the facts that would have to change. That last part is what an
appraiser asks first ("why not one level higher?").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assure.i18n import t
from assure.inputs.profile import Profile, SystemNode
from assure.law.applicable import RegimeChoice
from assure.law.citation import Cites, source_json, sources_json
from assure.law.conditions import Comparison, RegimeDefaults, Truth, evaluate, holds
from assure.law.regime import Criterion, Lang, Regime, Text, facts_in


@dataclass(frozen=True, slots=True)
class Fired:
    """A criterion that fired, with the facts that filled its reason."""

    criterion: Criterion
    facts: Mapping[str, Any]

    def reason(self, regime: Regime, lang: Lang) -> str:
        return fill(self.criterion.reason(lang), self.facts, regime, lang)


class _Values(dict[str, str]):
    """Template values that never raise: a fact that is not stated reads as such."""

    def __init__(self, lang: Lang, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.lang = lang

    def __missing__(self, key: str) -> str:
        return t("classify.not_stated", self.lang)


def fill(template: str, facts: Mapping[str, Any], regime: Regime, lang: Lang) -> str:
    """Fill `{fact}` placeholders of a reason with the facts as a person reads them."""
    values = {k: str(v) for k, v in facts.items() if k not in regime.facts}
    values.update(
        {name: regime.facts[name].show(facts[name], lang) for name in regime.facts if name in facts}
    )
    try:
        return template.format_map(_Values(lang, values))
    except (IndexError, ValueError):  # a stray brace in hand-written data
        return template


@dataclass(frozen=True, slots=True)
class Derived:
    """A fact the law makes follow from stated ones, set because the profile is silent."""

    fact: str
    value: Any
    because: Text
    source: Cites


def derive(facts: Mapping[str, Any], regime: Regime) -> tuple[dict[str, Any], list[Derived]]:
    """`facts` plus what the regime's `derived_facts` make follow from them (pure).

    A stated fact is never overridden: the derivation only answers a question the profile
    left open, and says so.
    """
    out = dict(facts)
    done: list[Derived] = []
    for d in regime.raw.get("derived_facts") or ():
        if d["fact"] in out:
            continue
        if evaluate(d["when"], facts, askable=()).holds:
            out[d["fact"]] = d["value"]
            done.append(Derived(d["fact"], d["value"], Text.of(d["because"]), d["source"]))
    return out, done


@dataclass(frozen=True, slots=True)
class ToConfirm:
    """A criterion that turns on a fact the profile does not state: it is neither fired nor
    ruled out, and the report asks the question that decides it."""

    criterion: Criterion
    unknown: tuple[Comparison, ...]

    def question(self, regime: Regime, lang: Lang) -> str:
        asks = "; ".join(u.describe(regime, lang) for u in self.unknown)
        return t("classify.to_confirm", lang, asks=asks)


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A criterion that did not fire, with what it lacks (closest first in results)."""

    criterion: Criterion
    unmet: tuple[Comparison, ...]
    component: SystemNode | None = None  # set when the miss is a component's, not the node's


@dataclass(frozen=True, slots=True)
class NodeResult:
    """The classification of one system or component."""

    node: SystemNode
    level: int | None
    own_level: int | None
    fired: tuple[Fired, ...]
    components: tuple[NodeResult, ...]
    near_misses: tuple[NearMiss, ...]
    unused_facts: tuple[str, ...]
    flags: tuple[str, ...] = ()
    #: Criteria above the level found that turn on unstated facts, with their questions.
    to_confirm: tuple[ToConfirm, ...] = ()
    #: Facts derived from stated ones because the profile does not state them.
    derived: tuple[Derived, ...] = ()

    @property
    def decided_by_components(self) -> bool:
        return self.level is not None and self.level != self.own_level


@dataclass(frozen=True, slots=True)
class Classification:
    """A profile's classification under one regime."""

    profile: Profile
    regime: Regime
    root: NodeResult
    #: Why this regime applies to the profile (None when a caller chose it directly).
    choice: RegimeChoice | None = None

    @property
    def level(self) -> int | None:
        return self.root.level


def classify_node(node: SystemNode, regime: Regime) -> NodeResult:
    """Classify one node and its components (pure)."""
    fired: list[Fired] = []
    misses: list[NearMiss] = []
    unknown: list[ToConfirm] = []
    defaults = RegimeDefaults(regime)
    facts, derived = derive(node.facts, regime)
    for crit in regime.criteria:
        outcome = evaluate(crit.when, facts, defaults=defaults)
        if not outcome.holds:
            misses.append(NearMiss(crit, outcome.unmet))
            if outcome.truth is Truth.UNKNOWN:
                unknown.append(ToConfirm(crit, tuple(u for u in outcome.unmet if u.unknown)))
        else:
            fired.append(Fired(crit, facts))
    fired.sort(key=lambda f: -f.criterion.level)
    own = max((f.criterion.level for f in fired), default=None)
    comps = tuple(classify_node(c, regime) for c in node.components)
    levels = [lvl for lvl in (own, *(c.level for c in comps)) if lvl is not None]
    level = max(levels, default=None)
    target = None if level == 5 else (1 if level is None else level + 1)
    if target is None:
        near: list[NearMiss] = []
    else:
        pool = [m for m in misses if m.criterion.level == target]
        if level is None:  # nothing fired: every criterion is a candidate
            pool = misses
        # A composite also rises when any component does (Art. 5.2 of Decree 85 and its
        # successors), so its components' closest criteria count too.
        for comp in node.components:
            for sub in comp.walk():
                pool += [
                    NearMiss(c, out.unmet, sub)
                    for c in regime.criteria
                    if c.level == target
                    and not (out := evaluate(c.when, sub.facts, defaults=defaults)).holds
                ]
        near = _dedupe(
            sorted(pool, key=lambda m: (len(m.unmet), m.criterion.level, m.criterion.id))
        )
    read = {f for d in regime.raw.get("derived_facts") or () for f in facts_in(d["when"])}
    unused = tuple(sorted(k for k in node.facts if k not in regime.facts and k not in read))
    flags = _flags(node, regime, level, comps)
    confirm = tuple(u for u in unknown if u.criterion.level > (own or 0))
    return NodeResult(
        node, level, own, tuple(fired), comps, tuple(near), unused, flags, confirm, tuple(derived)
    )


def _flags(
    node: SystemNode, regime: Regime, level: int | None, comps: Sequence[NodeResult]
) -> tuple[str, ...]:
    """Flags a node carries: by its facts, by its level, or because a component carries it."""
    raised: list[str] = []
    for flag in regime.flags:
        by_facts = flag.when is not None and holds(flag.when, node.facts, regime)
        by_level = flag.from_level is not None and level is not None and level >= flag.from_level
        by_parts = any(flag.id in c.flags for c in comps)
        if by_facts or by_level or by_parts:
            raised.append(flag.id)
    return tuple(raised)


def _applies(item: Mapping[str, Any], flags: Sequence[str]) -> bool:
    cond = item.get("applies_when")
    if not cond:
        return True
    return (cond["flag"] in flags) == bool(cond.get("raised", True))


def _dedupe(misses: Sequence[NearMiss]) -> list[NearMiss]:
    """Keep one miss per criterion and identical shortfall (the system's own comes first)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in misses:
        key = (m.criterion.id, repr([(a.fact, a.op, a.expected, a.actual) for a in m.unmet]))
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def classify(profile: Profile, regime: Regime) -> Classification:
    """Classify a profile under `regime` (pure: no I/O, no clock)."""
    return Classification(profile, regime, classify_node(profile.system, regime))


def composite_reason(result: NodeResult, regime: Regime, lang: Lang) -> str:
    """Reason line of the highest-level rule (Art. 5.2) for a composite node."""

    def lvl(level: int | None) -> str:
        return t("classify.level_n", lang, level=level) if level is not None else "—"

    parts = [t("classify.itself", lang, level=lvl(result.own_level))]
    parts += [f"{display_name(c.node, lang)} ({lvl(c.level)})" for c in result.components]
    return regime.composite_reason(lang).format(parts="; ".join(parts))


def display_name(node: SystemNode, lang: Lang) -> str:
    """The node's name in the output language (the English name when there is one)."""
    return node.name_en if lang == "en" and node.name_en else node.name


def next_on_or_after(today: dt.date, month_day: str) -> dt.date:
    """The next date with month-day `MM-DD` on or after `today`."""
    month, day = (int(x) for x in month_day.split("-"))
    candidate = dt.date(today.year, month, day)
    return candidate if candidate >= today else dt.date(today.year + 1, month, day)


def procedure_level(regime: Regime, level: int, flags: Sequence[str] = ()) -> int:
    """The level whose appraisal and approval procedure applies (a flag may raise it)."""
    raised = [f.procedure_level for f in regime.flags if f.id in flags and f.procedure_level]
    return max([level, *raised])


def inspection_level(regime: Regime, level: int, flags: Sequence[str] = ()) -> int:
    """The level whose inspection rules apply (a flag may raise it)."""
    raised = [f.inspection_level for f in regime.flags if f.id in flags and f.inspection_level]
    return max([level, *raised])


def obligations(
    regime: Regime,
    level: int,
    today: dt.date,
    lang: Lang,
    flags: Sequence[str] = (),
    managed_by: str | None = None,
) -> dict[str, Any]:
    """What follows from the level: dossier authorities and limits, inspection, reporting.

    `flags` are the regime flags the system carries; they can switch the procedure to that
    of a higher level and add or remove obligations (`applies_when`). `managed_by` (the
    profile's field) picks another appraising body where the regime names one for systems
    managed by defence, public-security or cipher bodies.
    """
    data = regime.level_data(level)
    proc = procedure_level(regime, level, flags)
    dossier = regime.level_data(proc).get("dossier", {})

    def limit(key: str) -> dict[str, Any] | None:
        raw = dossier.get(key)
        if raw is None:
            return None
        return {
            "days": raw["days"],
            "working_days": raw["working"],
            **source_json(raw["source"], lang),
        }

    note = dossier.get("note")
    appraiser = (dossier.get("appraised_by_managed") or {}).get(
        managed_by or "civil", dossier.get("appraised_by")
    )
    appraisal = {
        "prepared_by": dossier.get("prepared_by"),
        "prepared_by_label": regime.actor(dossier.get("prepared_by"), lang),
        "expert_opinion_by": dossier.get("expert_opinion_by"),
        "expert_opinion_by_label": regime.actor(dossier.get("expert_opinion_by"), lang),
        "appraised_by": appraiser,
        "appraised_by_label": regime.actor(appraiser, lang),
        "time_limit": limit("appraisal_limit"),
        "incomplete_dossier_response": limit("incomplete_response_limit"),
        **sources_json(dossier.get("appraisal_sources", dossier.get("sources")), lang),
        "note": note[lang] if note else None,
    }
    approval = {
        "approved_by": dossier.get("approved_by"),
        "approved_by_label": regime.actor(dossier.get("approved_by"), lang),
        "time_limit": limit("approval_limit"),
        **sources_json(dossier.get("approval_sources", dossier.get("sources")), lang),
    }
    insp = regime.level_data(inspection_level(regime, level, flags)).get("inspection", {})
    inspection = {
        "interval_months": insp.get("interval_months"),
        "organisation_wide_months": insp.get("organisation_wide_months"),
        "performed_by": insp.get("performed_by"),
        "performed_by_label": regime.actor(insp.get("performed_by"), lang),
        **source_json(insp.get("source"), lang),
    }
    if insp.get("note"):
        inspection["note"] = insp["note"][lang]
    out: dict[str, Any] = {"appraisal": appraisal, "approval": approval, "inspection": inspection}
    if proc != level:
        out["procedure_level"] = proc
    rep = regime.raw.get("reporting")
    if rep:
        out["reporting"] = {
            "period": rep.get("period"),
            "deadlines": [
                {
                    "to": d["to"],
                    "to_label": regime.actor(d["to"], lang),
                    "from": list(d.get("from_actors", [])),
                    "by": d["by"],
                    "next_due": next_on_or_after(today, d["by"]).isoformat(),
                    **source_json(d["source"], lang),
                }
                for d in rep.get("deadlines", [])
            ],
        }
    extra: list[Mapping[str, Any]] = [
        o
        for o in (
            *[o for o in regime.raw.get("obligations", []) if level in o.get("levels", [level])],
            *data.get("obligations", []),
        )
        if _applies(o, flags)
    ]
    if extra:
        out["obligations"] = [
            {
                "id": o["id"],
                "text": o["text"][lang],
                **source_json(o["source"], lang),
                **({"unconfirmed": True} if o.get("unconfirmed") else {}),
            }
            for o in extra
        ]
    parts = [
        p
        for p in regime.raw.get("dossier_parts", [])
        if level in p["levels"] and _applies(p, flags)
    ]
    out["dossier_parts"] = [
        {
            "id": p["id"],
            "title": p["title"][lang],
            **source_json(p["source"], lang),
            **({"unconfirmed": True} if p.get("unconfirmed") else {}),
        }
        for p in parts
    ]
    return out


def node_json(result: NodeResult, regime: Regime, lang: Lang) -> dict[str, Any]:
    """JSON form of one node (interface §4 shape, extended)."""
    criteria: list[dict[str, Any]] = [
        {
            "id": f.criterion.id,
            "level": f.criterion.level,
            "article": f.criterion.article(lang),
            "reason": f.reason(regime, lang),
            **({"unconfirmed": True} if f.criterion.unconfirmed else {}),
            **({"note": f.criterion.note(lang)} if f.criterion.note else {}),
        }
        for f in result.fired
    ]
    if result.components:
        criteria.append(
            {
                "id": regime.composite_id,
                "level": result.level,
                "article": regime.composite_article(lang),
                "reason": composite_reason(result, regime, lang),
            }
        )
        criteria.sort(key=lambda c: (-(c["level"] or 0), c["id"] == regime.composite_id))
    out: dict[str, Any] = {
        "id": result.node.id,
        "name": result.node.name,
        **({"name_en": result.node.name_en} if result.node.name_en else {}),
        "level": result.level,
        "own_level": result.own_level,
        "criteria": criteria,
        "components": [node_json(c, regime, lang) for c in result.components],
        "not_higher": _not_higher(result, regime, lang),
    }
    if result.unused_facts:
        out["unused_facts"] = list(result.unused_facts)
    if result.derived:
        out["derived_facts"] = [
            {
                "fact": d.fact,
                "value": d.value,
                "because": fill(d.because(lang), result.node.facts, regime, lang),
                **source_json(d.source, lang),
            }
            for d in result.derived
        ]
    if result.to_confirm:
        out["to_confirm"] = [
            {
                "id": t.criterion.id,
                "level": t.criterion.level,
                "article": t.criterion.article(lang),
                "question": t.question(regime, lang),
            }
            for t in result.to_confirm
        ]
    if result.flags:
        out["flags"] = [flag_json(regime, f, lang) for f in result.flags]
    return out


def flag_json(regime: Regime, flag_id: str, lang: Lang) -> dict[str, Any]:
    """JSON form of a raised flag: what it is, where the rule is, what it changes."""
    flag = next(f for f in regime.flags if f.id == flag_id)
    out: dict[str, Any] = {
        "id": flag.id,
        "label": flag.label(lang),
        **source_json(flag.source, lang),
    }
    if flag.procedure_level is not None:
        out["procedure_level"] = flag.procedure_level
    if flag.note is not None:
        out["note"] = flag.note(lang)
    return out


def _not_higher(result: NodeResult, regime: Regime, lang: Lang) -> dict[str, Any] | None:
    if result.level == 5:
        return None
    return {
        "next_level": 1 if result.level is None else result.level + 1,
        "closest": [
            {
                "id": m.criterion.id,
                "level": m.criterion.level,
                "article": m.criterion.article(lang),
                "unmet": [a.describe(regime, lang) for a in m.unmet],
                **({"component": m.component.id} if m.component else {}),
            }
            for m in result.near_misses
        ],
    }


def classification_json(c: Classification, today: dt.date, lang: Lang) -> dict[str, Any]:
    """The full JSON object of one classified profile (interface §4)."""
    out = node_json(c.root, c.regime, lang)
    result: dict[str, Any] = {
        "id": out.pop("id"),
        "name": out.pop("name"),
        "file": c.profile.file,
        "regime": c.regime.id,
        "regime_version": c.regime.version,
        **(c.choice.to_json(lang) if c.choice else {}),
        **out,
    }
    if c.level is not None:
        managed_by = c.profile.data.get("managed_by")
        result.update(obligations(c.regime, c.level, today, lang, c.root.flags, managed_by))
    return result


def levels_of(results: Sequence[Classification]) -> dict[str, int | None]:
    """Profile ID → level, for summaries and tests."""
    return {r.profile.id: r.level for r in results}
