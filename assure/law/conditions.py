"""The one evaluator of the condition language that regimes and catalogues are written in.

Criteria of a regime (which level a system is), flags (a system processes state secrets),
transition rules and the `when` of a catalogue requirement all use the same small language:
`{fact, op: value}` comparisons combined with `all` and `any`. Every one of them is decided
here, to one of three answers:

- `holds`: the facts meet the condition;
- `fails`: a stated fact contradicts it;
- `unknown`: it turns on a fact the profile does not state, so it can be neither claimed nor
  denied until someone answers the question.

Keeping the third answer apart is the point: a criterion that depends on an unstated fact
must be asked, not silently taken as met or unmet. The outcome also carries the comparisons
that did not hold, so a report can say what is lacking ("users ≥ 10,000, now 500").
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assure.i18n import t
from assure.law.regime import Condition, Fact, Lang, Regime

#: A fact the profile does not state (distinct from None or False).
MISSING: Any = object()


class Truth(StrEnum):
    """What a condition comes to on the facts at hand."""

    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison of a condition that did not hold: what was needed, what there is."""

    fact: str
    op: str
    expected: Any
    actual: Any  # MISSING when the profile does not state the fact
    unknown: bool = False  # the fact is missing and could be stated: undecided, not false

    def describe(self, regime: Regime, lang: Lang) -> str:
        """The shortfall as a person reads it, e.g. `Số người sử dụng ≥ 10.000 (hiện là 500)`."""
        fact = regime.facts[self.fact]
        label = fact.label(lang)
        want = _op_text(self.op, self.expected, fact, lang)
        if self.actual is MISSING:
            now = t("classify.not_stated", lang)
        else:
            now = t("conditions.now", lang, value=fact.show(self.actual, lang))
        return f"{label} {want} ({now})"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A condition's answer and the comparisons that kept it from holding."""

    truth: Truth
    unmet: tuple[Comparison, ...] = ()

    @property
    def holds(self) -> bool:
        return self.truth is Truth.HOLDS


_HOLDS = Outcome(Truth.HOLDS)


def _op_text(op: str, expected: Any, fact: Fact, lang: Lang) -> str:
    if op == "present":
        return t("conditions.must_be_stated", lang)
    return f"{t(f'plan.op.{op}', lang)} {fact.show(expected, lang)}"


def atom_holds(op: str, expected: Any, actual: Any) -> bool:
    """Whether one comparison holds; a missing fact meets nothing but `present: false`."""
    if op == "present":
        return bool(expected) == (actual is not MISSING)
    if actual is MISSING:
        return False
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return bool(actual in expected)
    if op == "not_in":
        return bool(actual not in expected)
    if op == "is":
        return actual is expected
    if op in ("gte", "gt", "lte", "lt"):
        if not isinstance(actual, int | float) or isinstance(actual, bool):
            return False
        return bool(
            {
                "gte": actual >= expected,
                "gt": actual > expected,
                "lte": actual <= expected,
                "lt": actual < expected,
            }[op]
        )
    values = set(actual) if isinstance(actual, list | tuple) else {actual}
    if op == "contains":
        return expected in values
    if op == "contains_any":
        return bool(values & set(expected))
    if op == "excludes":
        return expected not in values
    if op == "subset_of":
        return values <= set(expected)
    raise ValueError(f"unknown operator {op!r}")  # the schemas rule this out


class RegimeDefaults(Mapping[str, Any]):
    """The defaults a regime gives its facts, read in place (a fact with a default is never
    missing); a view rather than a copy because classification asks for it per criterion."""

    __slots__ = ("_facts",)

    def __init__(self, regime: Regime) -> None:
        self._facts = regime.facts

    def __getitem__(self, name: str) -> Any:
        default = self._facts[name].default
        if default is None:
            raise KeyError(name)
        return default

    def __iter__(self) -> Iterator[str]:
        return (n for n, f in self._facts.items() if f.default is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def evaluate(
    cond: Condition,
    facts: Mapping[str, Any],
    *,
    defaults: Mapping[str, Any] | None = None,
    askable: Collection[str] | None = None,
) -> Outcome:
    """Decide `cond` on `facts` (pure).

    `defaults` fill facts that are not stated. A fact still missing makes its comparison
    unknown when it is `askable` (every fact, when `askable` is None); a missing fact that
    nobody can state (a derived one) simply does not meet the comparison.

    For `any`, the reported branch is the closest way to meet the condition: one that can
    still come true (unknown) before one that is false, then the fewest shortfalls, then the
    first written.
    """
    if "all" in cond:
        unmet: list[Comparison] = []
        truth = Truth.HOLDS
        for c in cond["all"]:
            out = evaluate(c, facts, defaults=defaults, askable=askable)
            unmet.extend(out.unmet)
            if out.truth is Truth.FAILS:
                truth = Truth.FAILS
            elif out.truth is Truth.UNKNOWN and truth is Truth.HOLDS:
                truth = Truth.UNKNOWN
        return Outcome(truth, tuple(unmet)) if unmet or truth is not Truth.HOLDS else _HOLDS
    if "any" in cond:
        best: Outcome | None = None
        for c in cond["any"]:
            out = evaluate(c, facts, defaults=defaults, askable=askable)
            if out.holds:
                return _HOLDS
            if best is None or _closer(out, best):
                best = out
        return best or _HOLDS
    name = cond["fact"]
    if name in facts:
        actual = facts[name]
    elif defaults is not None and name in defaults:
        actual = defaults[name]
    else:
        actual = MISSING
    if actual is MISSING and cond.get("missing_ok"):
        return _HOLDS
    unknown = actual is MISSING and (askable is None or name in askable)
    misses = tuple(
        Comparison(name, op, expected, actual, unknown)
        for op, expected in cond.items()
        if op not in ("fact", "missing_ok") and not atom_holds(op, expected, actual)
    )
    if not misses:
        return _HOLDS
    return Outcome(Truth.UNKNOWN if unknown else Truth.FAILS, misses)


def _closer(a: Outcome, b: Outcome) -> bool:
    """Whether branch `a` is a closer way than `b` to meet an `any`."""
    rank_a = (a.truth is Truth.FAILS, len(a.unmet))
    rank_b = (b.truth is Truth.FAILS, len(b.unmet))
    return rank_a < rank_b


def holds(cond: Condition, facts: Mapping[str, Any], regime: Regime) -> bool:
    """Whether `cond` holds on a node's facts with the regime's defaults."""
    return evaluate(cond, facts, defaults=RegimeDefaults(regime)).holds
