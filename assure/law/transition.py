"""What changes for a system when one regime takes over from another (pure, no I/O).

Every IT department asks the same question when a decree is replaced: which of our systems
change level, why, what must we now do, and by when. This module answers it by classifying
each profile under both regimes with the one engine, and by reading everything else from a
transition file (`checklists/transitions/<from>__<to>.yaml`): the facts the new regime needs
that the old one did not read, and the rules that set the deadlines. Nothing here knows the
name of a regime, so a third regime needs a data file, not code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assure.errors import DataError, UsageError
from assure.i18n import Msg, t
from assure.inputs.profile import Profile, SystemNode
from assure.inputs.validation import validate, validator_for_file
from assure.inputs.yamldoc import load_yaml
from assure.law.applicable import regime_for
from assure.law.citation import Cites, source_json, sources_json, structure
from assure.law.classify import (
    Classification,
    Fired,
    NodeResult,
    classify,
    flag_json,
    obligations,
)
from assure.law.conditions import holds
from assure.law.regime import Condition, Lang, Regime, Text, facts_in, load_regime
from assure.paths import checklists_dir, schema_path

DIRECTIONS = ("up", "same", "down", "undetermined")


@dataclass(frozen=True, slots=True)
class RequiredFact:
    """A fact the new regime reads that profiles written for the old one may lack."""

    fact: str
    when: Condition | None
    why: Text


@dataclass(frozen=True, slots=True)
class Deadline:
    """A dated obligation of the transition, with the article that sets it."""

    id: str
    due: dt.date
    text: Text
    source: Cites
    unconfirmed: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """One transition case (e.g. systems under construction), chosen by a condition."""

    id: str
    when: Condition | None
    text: Text
    source: Cites
    deadlines: tuple[Deadline, ...]


@dataclass(frozen=True, slots=True)
class Transition:
    """A loaded transition between two regimes."""

    id: str
    source: Regime
    target: Regime
    title: Text
    sources: Cites
    required_facts: tuple[RequiredFact, ...]
    rules: tuple[Rule, ...]
    file: str


def transition_files(root: Path | None = None) -> dict[str, Path]:
    """Transition ID (`<from>__<to>`) → file."""
    folder = (root or checklists_dir()) / "transitions"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def parse_transition(path: Path, root: Path | None = None) -> Transition:
    """Load and validate a transition file and the two regimes it names."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping at the top of the transition file")
    problems = validate(doc, validator_for_file(schema_path("transition")))
    if problems:
        raise DataError(problems)
    data = structure(doc.data)
    assert isinstance(data, dict)
    if data["transition"] != f"{data['from']}__{data['to']}":
        raise doc.error(("transition",), "must read '<from>__<to>'")
    source = load_regime(data["from"], root)
    target = load_regime(data["to"], root)
    rules = tuple(
        Rule(
            r["id"],
            r.get("when"),
            Text.of(r["text"]),
            r["source"],
            tuple(
                Deadline(
                    d["id"],
                    dt.date.fromisoformat(d["due"]),
                    Text.of(d["text"]),
                    d["source"],
                    bool(d.get("unconfirmed", False)),
                )
                for d in r["deadlines"]
            ),
        )
        for r in data["rules"]
    )
    required = tuple(
        RequiredFact(f["fact"], f.get("when"), Text.of(f["why"]))
        for f in data.get("required_facts", [])
    )
    for i, f in enumerate(required):
        if f.fact not in target.facts:
            raise doc.error(
                ("required_facts", i, "fact"), f"regime {target.id} does not read {f.fact!r}"
            )
    return Transition(
        id=data["transition"],
        source=source,
        target=target,
        title=Text.of(data["title"]),
        sources=tuple(data.get("sources", ())),
        required_facts=required,
        rules=rules,
        file=str(path),
    )


@cache
def _load_cached(path: Path, root: Path | None) -> Transition:
    return parse_transition(path, root)


def load_transition(source: str, target: str, root: Path | None = None) -> Transition:
    """The transition from regime `source` to `target`; unknown pairs are usage errors."""
    files = transition_files(root)
    key = f"{source}__{target}"
    if key not in files:
        known = ", ".join(k.replace("__", " → ") for k in files) or "none"
        raise UsageError(
            Msg.of("usage.no_transition", source=repr(source), target=repr(target), known=known)
        )
    return _load_cached(files[key], root)


# ---------------------------------------------------------------------------------------
# Per-system records


@dataclass(frozen=True, slots=True)
class Decider:
    """A criterion that decides a level, and the system or component it fired on."""

    node_id: str
    fired: Fired


@dataclass(frozen=True, slots=True)
class Missing:
    """A fact the new regime needs that a system or component does not state."""

    node_id: str
    fact: str
    why: Text


@dataclass(frozen=True, slots=True)
class SystemTransition:
    """One system under both regimes, and what follows."""

    profile: Profile
    old: Classification
    new: Classification
    direction: str
    old_deciders: tuple[Decider, ...]
    new_deciders: tuple[Decider, ...]
    missing: tuple[Missing, ...]
    rule: Rule | None

    @property
    def provisional(self) -> bool:
        """The new level may rise once the missing facts are stated.

        True when a criterion of a higher level than the one reached reads a fact that a
        system or component omits: stating it could move the level up.
        """
        level = self.new.level or 0
        missing = {m.fact for m in self.missing}
        return any(
            c.level > level and missing & set(facts_in(c.when)) for c in self.new.regime.criteria
        )


def deciders(result: NodeResult) -> list[Decider]:
    """The criteria that give a node its level, looking into the components that set it."""
    if result.level is None:
        return []
    out = [Decider(result.node.id, f) for f in result.fired if f.criterion.level == result.level]
    for comp in result.components:
        if comp.level == result.level:
            out.extend(deciders(comp))
    return out


def _direction(old: int | None, new: int | None) -> str:
    if old is None or new is None:
        return "undetermined"
    return "up" if new > old else "down" if new < old else "same"


def _context(profile: Profile, node: SystemNode) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(node.facts)
    lifecycle = profile.data.get("lifecycle")
    if lifecycle is not None:
        ctx["lifecycle"] = lifecycle
    return ctx


def missing_facts(profile: Profile, tr: Transition) -> list[Missing]:
    """Required facts of the new regime that a node does not state, where they apply."""
    out: list[Missing] = []
    for node in profile.system.walk():
        for req in tr.required_facts:
            if req.fact in node.facts:
                continue
            if req.when is None or holds(req.when, node.facts, tr.target):
                out.append(Missing(node.id, req.fact, req.why))
    return out


def choose_rule(profile: Profile, tr: Transition) -> Rule | None:
    """The first transition rule whose condition holds for the profile."""
    ctx = _context(profile, profile.system)
    for rule in tr.rules:
        if rule.when is None or holds(rule.when, ctx, tr.target):
            return rule
    return None


def transition_of(profile: Profile, tr: Transition) -> SystemTransition:
    """Classify one profile under both regimes and compare (pure)."""
    old = classify(profile, tr.source)
    new = classify(profile, tr.target)
    return SystemTransition(
        profile=profile,
        old=old,
        new=new,
        direction=_direction(old.level, new.level),
        old_deciders=tuple(deciders(old.root)),
        new_deciders=tuple(deciders(new.root)),
        missing=tuple(missing_facts(profile, tr)),
        rule=choose_rule(profile, tr),
    )


def transitions(profiles: Sequence[Profile], tr: Transition) -> list[SystemTransition]:
    """Every profile's transition record, in input order."""
    return [transition_of(p, tr) for p in profiles]


# ---------------------------------------------------------------------------------------
# Plain data for the renderers (JSON, Markdown, HTML, DOCX, table)


def _limit_text(limit: Mapping[str, Any] | None, lang: Lang) -> str | None:
    if not limit:
        return None
    days, working = limit["days"], limit["working_days"]
    return t("transition.working_days" if working else "transition.days", lang, days=days)


def _inspection_text(insp: Mapping[str, Any], lang: Lang) -> str | None:
    parts: list[str] = []
    if insp.get("interval_months"):
        n = insp["interval_months"]
        parts.append(t("transition.every_months", lang, n=n))
    if insp.get("performed_by_label"):
        parts.append(insp["performed_by_label"])
    if insp.get("note"):
        parts.append(insp["note"])
    return "; ".join(parts) or None


def _reporting_text(obs: Mapping[str, Any], lang: Lang) -> str | None:
    deadlines = obs.get("reporting", {}).get("deadlines", [])
    if not deadlines:
        return None
    return "; ".join(
        t("transition.report_by", lang, to=d["to_label"], day=f"{d['by'][3:]}/{d['by'][:2]}")
        for d in deadlines
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def compare_obligations(
    old: Mapping[str, Any], new: Mapping[str, Any], lang: Lang
) -> list[dict[str, Any]]:
    """What changes between two `obligations()` results: changed, new and removed items."""
    out: list[dict[str, Any]] = []

    def change(topic: str, before: Any, after: Any, cited_by: Any) -> None:
        """`cited_by`: the JSON object(s) of the new regime whose citations say why."""
        if before == after:
            return
        holders = [h for h in (cited_by if isinstance(cited_by, list) else [cited_by]) if h]
        texts = [h.get("source") or ", ".join(h.get("sources") or []) for h in holders]
        source = ", ".join(x for x in texts if x) or None
        citations = [c for h in holders for c in h.get("citations") or []]
        kind = "new" if before is None else "removed" if after is None else "changed"
        label = t(f"transition.topic.{topic}", lang)
        out.append(
            {
                "topic": topic,
                "label": label,
                "kind": kind,
                "old": before,
                "new": after,
                "source": source,
                "citations": citations,
            }
        )

    oa, na = old["appraisal"], new["appraisal"]
    op, np_ = old["approval"], new["approval"]
    new_src = na
    change(
        "procedure_level",
        _str(old.get("procedure_level")),
        _str(new.get("procedure_level")),
        new_src,
    )
    change("appraised_by", oa["appraised_by_label"], na["appraised_by_label"], new_src)
    change(
        "expert_opinion_by", oa["expert_opinion_by_label"], na["expert_opinion_by_label"], new_src
    )
    change(
        "appraisal_limit",
        _limit_text(oa["time_limit"], lang),
        _limit_text(na["time_limit"], lang),
        na["time_limit"],
    )
    change(
        "incomplete_response",
        _limit_text(oa["incomplete_dossier_response"], lang),
        _limit_text(na["incomplete_dossier_response"], lang),
        na["incomplete_dossier_response"],
    )
    change("approved_by", op["approved_by_label"], np_["approved_by_label"], np_)
    change(
        "approval_limit",
        _limit_text(op["time_limit"], lang),
        _limit_text(np_["time_limit"], lang),
        np_["time_limit"],
    )
    change(
        "inspection",
        _inspection_text(old["inspection"], lang),
        _inspection_text(new["inspection"], lang),
        new["inspection"],
    )
    new_rep = new.get("reporting", {}).get("deadlines", [])
    change(
        "reporting",
        _reporting_text(old, lang),
        _reporting_text(new, lang),
        list(new_rep),
    )
    for topic, key, text in (
        ("dossier_part", "dossier_parts", "title"),
        ("obligation", "obligations", "text"),
    ):
        before = {o["id"]: o for o in old.get(key, [])}
        after = {o["id"]: o for o in new.get(key, [])}
        for oid, item in after.items():
            if oid not in before:
                change(topic, None, item[text], item)
                if item.get("unconfirmed"):
                    out[-1]["unconfirmed"] = True
            elif before[oid][text] != item[text]:
                change(topic, before[oid][text], item[text], item)
        for oid, item in before.items():
            if oid not in after:
                change(topic, item[text], None, item)
    return out


def _decider_json(d: Decider, regime: Regime, lang: Lang) -> dict[str, Any]:
    c = d.fired.criterion
    return {
        "id": c.id,
        "level": c.level,
        "article": c.article(lang),
        "reason": d.fired.reason(regime, lang),
        "node": d.node_id,
        **({"unconfirmed": True} if c.unconfirmed else {}),
    }


def _moved_by(rec: SystemTransition, lang: Lang) -> list[dict[str, Any]]:
    """The criteria that moved the level: what now decides it, and what no longer does."""
    out: list[dict[str, Any]] = []
    if rec.direction not in ("up", "down"):
        return out
    new_ids = {d.fired.criterion.id for d in rec.new_deciders}
    for d in rec.new_deciders:
        item = _decider_json(d, rec.new.regime, lang)
        item["change"] = "decides"
        reason = item["reason"].rstrip(".")
        where = "" if d.node_id == rec.profile.id else f"{d.node_id}: "
        level = t("classify.level_n", lang, level=item["level"])
        item["summary"] = f"{where}{reason} → {level} ({item['article']})"
        out.append(item)
    if rec.direction == "down":
        for d in rec.old_deciders:
            if d.fired.criterion.id in new_ids:
                continue
            item = _decider_json(d, rec.old.regime, lang)
            item["change"] = "no_longer_applies"
            target = rec.new.regime.short(lang)
            gone = t("transition.no_longer_applies", lang, regime=target)
            reason = item["reason"].rstrip(".")
            where = "" if d.node_id == rec.profile.id else f"{d.node_id}: "
            item["summary"] = f"{where}{reason} ({item['article']}) — {gone}"
            out.append(item)
    return out


def record_json(
    rec: SystemTransition, tr: Transition, today: dt.date, lang: Lang
) -> dict[str, Any]:
    """One system's transition as plain data (what every output format renders)."""
    old, new = rec.old, rec.new
    changes: list[dict[str, Any]] = []
    # "Before" is the old regime at the level the system holds under it: a system in
    # construction finishes appraisal and approval under Decree 85 at its Decree 85 level
    # (Decree 331/2026 Art. 39.1), and an operating one keeps its level (Law 116 Art. 45.1).
    before_level = old.level if old.level is not None else new.level
    if new.level is not None and before_level is not None:
        managed_by = new.profile.data.get("managed_by")
        before = obligations(old.regime, before_level, today, lang, old.root.flags, managed_by)
        after = obligations(new.regime, new.level, today, lang, new.root.flags, managed_by)
        changes = compare_obligations(before, after, lang)
    applied = regime_for(rec.profile.data, None, None, today)
    deadlines = []
    if rec.rule is not None:
        deadlines = [
            {
                "id": d.id,
                "due": d.due.isoformat(),
                "days_left": (d.due - today).days,
                "text": d.text(lang),
                **source_json(d.source, lang),
                **({"unconfirmed": True} if d.unconfirmed else {}),
            }
            for d in rec.rule.deadlines
        ]
    return {
        "id": rec.profile.id,
        "name": rec.profile.name,
        "file": rec.profile.file,
        "lifecycle": rec.profile.data.get("lifecycle"),
        "old": {
            "regime": old.regime.id,
            "regime_label": old.regime.short(lang),
            "level": old.level,
            "deciding": [_decider_json(d, old.regime, lang) for d in rec.old_deciders],
        },
        "new": {
            "regime": new.regime.id,
            "regime_label": new.regime.short(lang),
            "level": new.level,
            "deciding": [_decider_json(d, new.regime, lang) for d in rec.new_deciders],
            "flags": [flag_json(new.regime, f, lang) for f in new.root.flags],
        },
        "direction": rec.direction,
        "provisional": rec.provisional,
        "compared": {"old_level": before_level, "new_level": new.level},
        "applies_now": {"regime": applied.regime, **applied.to_json(lang)},
        "moved_by": _moved_by(rec, lang),
        "missing_facts": [
            {
                "node": m.node_id,
                "fact": m.fact,
                "label": new.regime.facts[m.fact].label(lang),
                "why": m.why(lang),
            }
            for m in rec.missing
        ],
        "rule": None
        if rec.rule is None
        else {
            "id": rec.rule.id,
            "text": rec.rule.text(lang),
            **source_json(rec.rule.source, lang),
        },
        "deadlines": deadlines,
        "changes": changes,
    }


LEVEL_KEYS: tuple[str, ...] = ("1", "2", "3", "4", "5", "none")


def _key(level: int | None) -> str:
    return "none" if level is None else str(level)


def summary_json(records: Sequence[SystemTransition], lang: Lang) -> dict[str, Any]:
    """Organisation-wide counts: old level × new level, directions, facts still missing."""
    matrix = {o: dict.fromkeys(LEVEL_KEYS, 0) for o in LEVEL_KEYS}
    for r in records:
        matrix[_key(r.old.level)][_key(r.new.level)] += 1
    directions = Counter(r.direction for r in records)
    by_rule = Counter(r.rule.id if r.rule else "none" for r in records)
    return {
        "systems": len(records),
        "matrix": matrix,
        "old_levels": {k: sum(matrix[k].values()) for k in LEVEL_KEYS},
        "new_levels": {k: sum(matrix[o][k] for o in LEVEL_KEYS) for k in LEVEL_KEYS},
        "directions": {d: directions.get(d, 0) for d in DIRECTIONS},
        "needing_facts": sum(1 for r in records if r.missing),
        "provisional": sum(1 for r in records if r.provisional),
        "rules": dict(sorted(by_rule.items())),
    }


def report_json(
    records: Sequence[SystemTransition], tr: Transition, today: dt.date, lang: Lang
) -> dict[str, Any]:
    """The whole report: header, one record per system, and the summary."""
    return {
        "transition": tr.id,
        "title": tr.title(lang),
        "from": {"regime": tr.source.id, "label": tr.source.short(lang)},
        "to": {"regime": tr.target.id, "label": tr.target.short(lang)},
        **sources_json(tr.sources, lang),
        "today": today.isoformat(),
        "systems": [record_json(r, tr, today, lang) for r in records],
        "summary": summary_json(records, lang),
    }
