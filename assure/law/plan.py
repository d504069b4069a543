"""The assurance plan: the requirements that apply to one system at its level, explained.

`build_plan` is pure: classification + catalogues + profile → `Plan`. Every requirement the
catalogue lists at the level is either in the plan (with the reason it applies) or in the
excluded list (with the condition that is not met), so a reader can check that nothing was
dropped silently. A condition that reads a fact the profile does not state keeps the
requirement in the plan, marked "to confirm": leaving it out would understate the plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assure.i18n import t
from assure.inputs.profile import Profile
from assure.law.catalogue import (
    DERIVED_FACTS,
    FACT_FIELDS,
    GROUP_TITLES,
    PLAN_PART_TITLES,
    PLAN_PARTS,
    CatalogueSet,
    LevelEntry,
    Requirement,
    annex_citation,
)
from assure.law.citation import Cites, render_all, to_json
from assure.law.classify import Classification, NodeResult
from assure.law.conditions import Comparison, evaluate
from assure.law.regime import Condition, Lang, Regime, Text

APPLIES = "applies"
CONDITION_MET = "condition_met"
TO_CONFIRM = "to_confirm"


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A requirement in the plan: the level's entry, why it applies, product or not."""

    requirement: Requirement
    entry: LevelEntry
    applicability: str  # APPLIES | CONDITION_MET | TO_CONFIRM
    why: Text
    product: bool
    sources: Cites

    @property
    def id(self) -> str:
        return self.requirement.id


@dataclass(frozen=True, slots=True)
class Excluded:
    """A requirement listed at the level whose condition this system does not meet."""

    requirement: Requirement
    why: Text


@dataclass(frozen=True, slots=True)
class Plan:
    """The assurance plan of one system."""

    profile: Profile
    classification: Classification
    level: int
    items: tuple[PlanItem, ...]
    excluded: tuple[Excluded, ...]
    catalogues: CatalogueSet
    facts: Mapping[str, Any]

    @property
    def regime(self) -> Regime:
        return self.classification.regime


def display_name(plan: Plan, lang: Lang) -> str:
    """The system's name in `lang`: `name_en` for English when the profile gives one."""
    node = plan.profile.system
    return node.name_en if lang == "en" and node.name_en else node.name


class NoLevelError(Exception):
    """The profile meets no criterion, so there is no level to plan for."""


def _walk(n: NodeResult) -> list[NodeResult]:
    return [n, *(x for c in n.components for x in _walk(c))]


def plan_facts(classification: Classification, profile: Profile) -> dict[str, Any]:
    """Facts conditions read: classification facts of the whole tree plus derived facts.

    For a composite system the facts of the components count too (a component that holds
    state secrets makes the system hold them): lists are joined, booleans or-ed, numbers
    maximised, other values taken from the system first.
    """
    regime = classification.regime
    facts: dict[str, Any] = {
        name: f.default for name, f in regime.facts.items() if f.default is not None
    }
    nodes = _walk(classification.root)
    for node in nodes:
        for k, v in node.node.facts.items():
            if k not in facts:
                facts[k] = list(v) if isinstance(v, list) else v
            elif isinstance(v, list):
                facts[k] = [*facts[k], *(x for x in v if x not in facts[k])]
            elif isinstance(v, bool):
                facts[k] = bool(facts[k]) or v
            elif isinstance(v, int | float) and isinstance(facts[k], int | float):
                facts[k] = max(facts[k], v)
    facts["criteria"] = sorted({f.criterion.id.split(":", 1)[-1] for n in nodes for f in n.fired})
    facts["level"] = classification.level
    data = profile.data
    hosting = data.get("hosting") or {}
    if "kind" in hosting:
        facts["hosting_kind"] = hosting["kind"]
    endpoints = data.get("endpoints") or ()
    facts["public_endpoints"] = sum(1 for e in endpoints if e.get("public", True))
    if "lifecycle" in data:
        facts["lifecycle"] = data["lifecycle"]
    features = data.get("features") or {}
    arch = data.get("architecture") or {}
    for key in ("email_system", "wireless", "in_house_software", "centralised_database"):
        if key in features:
            facts[key] = features[key]
    if "services" in features:
        facts["services"] = list(features["services"])
    zones = arch.get("network_zones")
    if "wireless" not in facts and zones and any(z.get("kind") == "wireless" for z in zones):
        facts["wireless"] = True
    apps = arch.get("applications")
    if "in_house_software" not in facts and apps:
        facts["in_house_software"] = any(a.get("in_house") for a in apps)
    return facts


def unmet(cond: Condition, facts: Mapping[str, Any]) -> tuple[Comparison, ...]:
    """Comparisons of `cond` that do not hold on the planner's facts; empty means it holds.

    A fact the profile could state (a profile field) but does not is undecided; a derived
    fact that is missing simply does not hold.
    """
    return evaluate(cond, facts, askable=FACT_FIELDS).unmet


_OPS = {
    op: Text.message(f"plan.op.{op}")
    for op in [
        *("eq", "ne", "in", "not_in", "gte", "gt", "lte", "lt", "contains"),
        *("contains_any", "excludes", "subset_of", "is", "present"),
    ]
}


def _label(fact: str, regime: Regime, lang: Lang) -> str:
    if fact in regime.facts:
        return regime.facts[fact].label(lang)
    return DERIVED_FACTS[fact](lang)


_VALUES: Mapping[str, Text] = {
    v: Text.message(f"plan.value.{v}")
    for v in [
        *("own", "rented_datacenter", "cloud", "datacenter_cloud", "e_identity"),
        *("certification", "digital_signature", "data_integration", "lan", "soc"),
    ]
}


def _show(fact: str, value: Any, lang: Lang) -> str:
    if fact == "criteria" and isinstance(value, str) and value.startswith("art"):
        return t("plan.criterion_article", lang, article=value[3:])
    if isinstance(value, str) and value in _VALUES:
        return _VALUES[value](lang)
    return str(value)


def _value(fact: str, value: Any, regime: Regime, lang: Lang) -> str:
    if fact in regime.facts:
        return regime.facts[fact].show(value, lang)
    if isinstance(value, bool):
        return t("regime.yes" if value else "regime.no", lang)
    if isinstance(value, list | tuple):
        return ", ".join(_show(fact, v, lang) for v in value)
    return _show(fact, value, lang)


def describe(
    cond: Condition, regime: Regime, lang: Lang, facts: Mapping[str, Any] | None = None
) -> str:
    """A condition as a sentence fragment, e.g. `thông tin xử lý bao gồm bí mật nhà nước`.

    With `facts` (a condition that holds), an `any` names only the branches that hold: the
    reader wants to know which fact made the requirement apply.
    """
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        branches = list(cond[key])
        if key == "any" and facts is not None:
            branches = [c for c in branches if not unmet(c, facts)] or branches
        parts = [describe(c, regime, lang, facts) for c in branches]
        text = f" {t(f'plan.join.{key}', lang)} ".join(parts)
        return f"({text})" if len(parts) > 1 else text
    fact = cond["fact"]
    bits = []
    for op, expected in cond.items():
        if op in ("fact", "missing_ok"):
            continue
        if op == "is" and expected is True:
            bits.append(_label(fact, regime, lang))
            continue
        bits.append(
            f"{_label(fact, regime, lang)} {_OPS[op](lang)} {_value(fact, expected, regime, lang)}"
        )
    return "; ".join(bits)


def _missing_hint(misses: Sequence[Comparison], regime: Regime) -> Text:
    fields = []
    for u in misses:
        field = FACT_FIELDS.get(u.fact, f"classification.{u.fact}")
        if field not in fields:
            fields.append(field)
    return Text.message("plan.why.missing", fields=", ".join(fields))


def _basis(level: int, req: Requirement, entry: LevelEntry) -> Text:
    if req.annex:
        clause = f" (TCVN 11930:2017 {entry.tcvn})" if entry.tcvn else ""
        annex = annex_citation(level)
        return Text.each(
            lambda lg: t("plan.why.annex", lg, annex=annex.render(lg), level=level, clause=clause)
        )
    return Text.each(
        lambda lg: t(
            "plan.why.sources", lg, level=level, sources=render_all(req.sources, lg) or "—"
        )
    )


def _join(*texts: Text) -> Text:
    return Text(" ".join(x.vi for x in texts), " ".join(x.en for x in texts))


def _conditions(key: str, conditions: Sequence[Text]) -> Text:
    """The message `key` with the conditions, each language its own, joined by "; "."""
    return Text.each(lambda lg: t(key, lg, conditions="; ".join(c(lg) for c in conditions)))


def build_plan(classification: Classification, catalogues: CatalogueSet, profile: Profile) -> Plan:
    """The requirements that apply to `profile` at its level, each with why (pure)."""
    level = classification.level
    if level is None:
        raise NoLevelError(profile.id)
    regime = classification.regime
    facts = plan_facts(classification, profile)
    items: list[PlanItem] = []
    excluded: list[Excluded] = []
    for req in catalogues:
        entry = req.levels.get(level)
        if entry is None:
            continue
        basis = _basis(level, req, entry)
        conds = [c for c in (req.when, entry.when) if c]
        misses = [u for c in conds for u in unmet(c, facts)]
        cond_text = [Text(describe(c, regime, "vi"), describe(c, regime, "en")) for c in conds]
        if misses and any(not u.unknown for u in misses):
            why = _join(
                basis,
                _conditions("plan.why.not_met", cond_text),
            )
            excluded.append(Excluded(req, why))
            continue
        if misses:
            applicability = TO_CONFIRM
            why = _join(
                basis,
                _conditions("plan.why.applies_if", cond_text),
                _missing_hint(misses, regime),
            )
        elif conds:
            applicability = CONDITION_MET
            met = [
                Text(describe(c, regime, "vi", facts), describe(c, regime, "en", facts))
                for c in conds
            ]
            why = _join(
                basis,
                _conditions("plan.why.met", met),
            )
        else:
            applicability, why = APPLIES, basis
        product = bool(entry.product)
        if entry.product_when and not unmet(entry.product_when, facts):
            product = True
        items.append(
            PlanItem(req, entry, applicability, why, product, tuple(req.sources_for(level)))
        )
    return Plan(profile, classification, level, tuple(items), tuple(excluded), catalogues, facts)


def item_json(item: PlanItem, lang: Lang) -> dict[str, Any]:
    """One requirement of the plan as JSON (interface §5, extended)."""
    r = item.requirement
    out: dict[str, Any] = {
        "id": r.id,
        "title": r.title(lang),
        "group": r.group,
        "sources": [c.compact() for c in item.sources],
        "citations": to_json(item.sources, lang),
        "plan_part": r.plan_part,
        "category": r.category,
        "description": r.description(lang),
        "applicability": item.applicability,
        "why": item.why(lang),
        "product": item.product,
        "verification": {
            "method": r.method,
            "probes": list(r.probes),
            "evidence": r.evidence(lang),
        },
        "weight": r.weight,
    }
    if item.entry.measure:
        out["measure"] = item.entry.measure(lang)
    if r.unconfirmed:
        out["unconfirmed"] = True
    return out


#: The sections of a Circular 12/2022 annex (I: management; II.1.a: network zones; II.1.b:
#: design measures, with the dedicated products they name; II.2: configuration), then what
#: the plan adds from outside the annex (Art. 19 plan parts, Circular 12 duties, Directive 14,
#: portal checks). The totals mix them; these counts can be laid beside the annex.
ANNEX_SECTIONS: Mapping[str, Text] = {
    s: Text.message(f"plan.section.{s}")
    for s in [
        *("management", "design_zones", "design_measures", "design_products"),
        *("configuration", "outside_annex"),
    ]
}


def annex_section(req: Requirement) -> str:
    """Which section of the level's annex a requirement belongs to (`ANNEX_SECTIONS`)."""
    if req.product_of is not None:
        return "design_products"
    if not req.annex:
        return "outside_annex"
    if req.group == "management":
        return "management"
    if req.category == "network_zones":
        return "design_zones"
    if req.category == "design_measures":
        return "design_measures"
    return "configuration"


def counts(items: Sequence[PlanItem]) -> dict[str, Any]:
    """How many requirements per group, per plan part and per annex section."""
    by_group = {g: sum(1 for i in items if i.requirement.group == g) for g in GROUP_TITLES}
    by_part = {p: sum(1 for i in items if i.requirement.plan_part == p) for p in PLAN_PARTS}
    by_section = {
        s: sum(1 for i in items if annex_section(i.requirement) == s) for s in ANNEX_SECTIONS
    }
    return {
        "total": len(items),
        "by_group": by_group,
        "by_plan_part": by_part,
        "by_annex_section": by_section,
    }


def annex_sections(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    """The per-section counts with their titles, in the annex's order, for the reports."""
    c = counts(plan.items)["by_annex_section"]
    if c["outside_annex"] == len(plan.items):
        return []  # a regime without annex tables: nothing to lay beside
    return [{"id": s, "title": t(lang), "count": c[s]} for s, t in ANNEX_SECTIONS.items()]


def plan_json(plan: Plan, lang: Lang) -> dict[str, Any]:
    """The plan as JSON: `{"id", "level", "regime", "requirements": [...]}` (interface §5)."""
    c = plan.classification
    return {
        "id": plan.profile.id,
        "name": display_name(plan, lang),
        "file": plan.profile.file,
        "level": plan.level,
        "regime": c.regime.id,
        **(c.choice.to_json(lang) if c.choice else {}),
        "criteria": [
            {"id": f.criterion.id, "level": f.criterion.level, "article": f.criterion.article(lang)}
            for f in c.root.fired
        ],
        "criteria_to_confirm": [
            {
                "id": t.criterion.id,
                "level": t.criterion.level,
                "article": t.criterion.article(lang),
                "question": t.question(c.regime, lang),
            }
            for t in c.root.to_confirm
        ],
        "deciding": [
            f.criterion.article(lang) for f in c.root.fired if f.criterion.level == plan.level
        ]
        or [c.regime.composite_article(lang)],
        "catalogues": [
            {"id": cat.id, "version": cat.version, "file": cat.file}
            for cat in plan.catalogues.catalogues
        ],
        "summary": counts(plan.items),
        "annex_sections": annex_sections(plan, lang),
        "requirements": [item_json(i, lang) for i in plan.items],
        "excluded": [
            {"id": e.requirement.id, "title": e.requirement.title(lang), "why": e.why(lang)}
            for e in plan.excluded
        ],
    }


def grouped(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    """Plan items as nested sections: the 7 plan parts, then management/technical."""
    out = []
    for part in PLAN_PARTS:
        groups = []
        for g in GROUP_TITLES:
            rows = [
                item_json(i, lang)
                for i in plan.items
                if i.requirement.plan_part == part and i.requirement.group == g
            ]
            if rows:
                groups.append({"id": g, "title": GROUP_TITLES[g](lang), "items": rows})
        out.append(
            {
                "id": part,
                "title": PLAN_PART_TITLES[part](lang),
                "groups": groups,
                "count": sum(len(g["items"]) for g in groups),
            }
        )
    return out
