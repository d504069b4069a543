"""Classification regimes: versioned rule sets loaded from data, never code paths.

A regime file (`checklists/regimes/<id>.yaml`) declares the facts it reads, its criteria as
conditions over those facts, who appraises and approves at each level, and the time limits.
Adding a regime means adding a file; the engine (`assure.law.classify`) does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assure.errors import DataError, UsageError
from assure.i18n import Msg, t
from assure.inputs.validation import validate, validator_for_file
from assure.inputs.yamldoc import load_yaml
from assure.paths import checklists_dir, schema_path

if TYPE_CHECKING:  # citation.py words citations with this module's Text and Lang
    from assure.law.citation import Cites

DEFAULT_REGIME = "nd85-2016"
Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Text:
    """A bilingual text; Vietnamese first, as the documents are."""

    vi: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.vi if lang == "vi" else self.en

    @classmethod
    def of(cls, data: Mapping[str, str]) -> Text:
        return cls(data["vi"], data["en"])

    @classmethod
    def message(cls, key: str, /, **params: Any) -> Text:
        """The catalogue's message `key` in both languages, with the same `params`."""
        return cls(t(key, "vi", **params), t(key, "en", **params))

    @classmethod
    def each(cls, word: Callable[[Lang], str]) -> Text:
        """A text worded once per language (parameters that are themselves worded)."""
        return cls(word("vi"), word("en"))


@dataclass(frozen=True, slots=True)
class Fact:
    """A classification fact a regime reads, with its labels for explanations."""

    name: str
    label: Text
    values: Mapping[str, Text] = field(default_factory=dict)
    default: Any = None

    def show(self, value: Any, lang: Lang) -> str:
        """A value as a person reads it: enum labels, grouped digits, yes/no."""
        if isinstance(value, bool):
            return t("regime.yes" if value else "regime.no", lang)
        if isinstance(value, int):
            sep = "." if lang == "vi" else ","
            return f"{value:,}".replace(",", sep)
        if isinstance(value, list | tuple):
            return " / ".join(self.show(v, lang) for v in value)
        if isinstance(value, str) and value in self.values:
            return self.values[value](lang)
        return str(value)


Condition = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion of one level, e.g. `nd85-2016:art9.2.c`."""

    id: str
    level: int
    article: Text
    reason: Text
    when: Condition
    unconfirmed: bool = False
    note: Text | None = None
    #: The article as citations (what `article` words), empty when the data gives text.
    citations: Cites = ()


@dataclass(frozen=True, slots=True)
class Flag:
    """A status a regime attaches to a system on top of its level.

    Some rules do not change the level but change what follows from it: a system on a
    list (raised by `when` over facts, or by reaching `from_level`) may have to follow the
    procedure of a higher level (`procedure_level`) and carry extra obligations. Keeping it
    as data lets any regime declare such lists without the engine knowing their names.
    """

    id: str
    label: Text
    source: Cites
    when: Condition | None = None
    from_level: int | None = None
    procedure_level: int | None = None
    note: Text | None = None
    inspection_level: int | None = None


@dataclass(frozen=True, slots=True)
class Successor:
    """Who holds a function now that the body the regime's text names is gone."""

    text: Text
    source: Cites | None
    unconfirmed: bool

    def note(self, lang: Lang) -> str:
        from assure.law.citation import cite

        tail = ""
        if self.source:
            tail += f" ({cite(self.source, lang)})"
        if self.unconfirmed:
            tail += " " + t("regime.unconfirmed", lang)
        return t("regime.now", lang, text=self.text(lang)) + tail


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A legal time limit: so many (working) days, and the rule that sets it."""

    days: int
    working: bool
    source: Cites

    def to_json(self, lang: Lang = "en") -> dict[str, Any]:
        from assure.law.citation import compact, to_json

        return {
            "days": self.days,
            "working_days": self.working,
            "source": compact(self.source),
            "citations": to_json(self.source, lang),
        }


@dataclass(frozen=True, slots=True)
class Regime:
    """A loaded, validated rule set."""

    id: str
    version: int
    title: Text
    short: Text
    facts: Mapping[str, Fact]
    criteria: tuple[Criterion, ...]
    composite_id: str
    composite_article: Text
    composite_reason: Text
    actors: Mapping[str, Text]
    levels: Mapping[int, Mapping[str, Any]]
    raw: Mapping[str, Any]
    file: str
    flags: tuple[Flag, ...] = ()
    #: Actors the text names that were renamed or merged since: who holds the function now.
    successors: Mapping[str, Successor] = field(default_factory=dict)

    def level_data(self, level: int) -> Mapping[str, Any]:
        return self.levels.get(level, {})

    def actor(self, key: str | None, lang: Lang) -> str | None:
        """The body as the regime's text names it, then who holds the function now when the
        body was renamed or merged (with its source, or marked unconfirmed)."""
        if key is None:
            return None
        name = self.actors[key](lang) if key in self.actors else key
        succ = self.successors.get(key)
        return f"{name} — {succ.note(lang)}" if succ else name


def facts_in(cond: Condition) -> list[str]:
    """Every fact a condition reads, in order (repeats kept)."""
    if "all" in cond or "any" in cond:
        return [f for c in cond.get("all", cond.get("any", [])) for f in facts_in(c)]
    return [cond["fact"]]


def parse_regime(path: Path) -> Regime:
    """Load and validate one regime file; raises DataError naming file, line and field."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping at the top of the regime file")
    problems = validate(doc, validator_for_file(schema_path("regime")))
    if problems:
        raise DataError(problems)
    from assure.law.citation import structure

    # Citations are structured in the file, and the regime hands them on as `Citation`s.
    data = structure(doc.data)
    assert isinstance(data, dict)
    facts = {
        name: Fact(
            name,
            Text.of(f["label"]),
            {k: Text.of(v) for k, v in (f.get("values") or {}).items()},
            f.get("default"),
        )
        for name, f in data["facts"].items()
    }
    criteria: list[Criterion] = []
    seen: set[str] = set()
    errors: list[DataError] = []
    for i, c in enumerate(data["criteria"]):
        where = ("criteria", i)
        if c["id"] in seen:
            errors.append(doc.error((*where, "id"), f"duplicate criterion id {c['id']!r}"))
        seen.add(c["id"])
        if not c["id"].startswith(f"{data['regime']}:"):
            errors.append(
                doc.error((*where, "id"), f"criterion id must start with '{data['regime']}:'")
            )
        for fact in facts_in(c["when"]):
            if fact not in facts:
                errors.append(
                    doc.error((*where, "when"), f"condition reads undeclared fact {fact!r}")
                )
        criteria.append(
            Criterion(
                c["id"],
                c["level"],
                _article_text(c["article"]),
                Text.of(c["reason"]),
                c["when"],
                bool(c.get("unconfirmed", False)),
                Text.of(c["note"]) if "note" in c else None,
                _article_cites(c["article"]),
            )
        )
        cites = _article_cites(c["article"])
        if cites and cites[0].ref() != c["id"].partition(":art")[2]:
            errors.append(
                doc.error(
                    (*where, "article"),
                    f"criterion {c['id']!r} cites Art. {cites[0].ref()}; the ID names another",
                )
            )
    levels = {int(k): v for k, v in data["levels"].items()}
    for lvl in range(1, 6):
        if lvl not in levels:
            errors.append(doc.error(("levels",), f"level {lvl} is missing"))
    for lvl, ldata in levels.items():
        d = ldata["dossier"]
        for role in ("prepared_by", "expert_opinion_by", "appraised_by", "approved_by"):
            key = d.get(role)
            if key is not None and key not in data["actors"]:
                errors.append(
                    doc.error(("levels", str(lvl), "dossier", role), f"unknown actor {key!r}")
                )
        for managed, key in (d.get("appraised_by_managed") or {}).items():
            if key not in data["actors"]:
                mpath = ("levels", str(lvl), "dossier", "appraised_by_managed", managed)
                errors.append(doc.error(mpath, f"unknown actor {key!r}"))
    for key in data.get("successors") or {}:
        if key not in data["actors"]:
            errors.append(doc.error(("successors", key), f"unknown actor {key!r}"))
    flags: list[Flag] = []
    for i, f in enumerate(data.get("flags", [])):
        for fact in facts_in(f["when"]) if "when" in f else []:
            if fact not in facts:
                errors.append(
                    doc.error(("flags", i, "when"), f"condition reads undeclared fact {fact!r}")
                )
        flags.append(
            Flag(
                f["id"],
                Text.of(f["label"]),
                f["source"],
                f.get("when"),
                f.get("from_level"),
                f.get("procedure_level"),
                Text.of(f["note"]) if "note" in f else None,
                f.get("inspection_level"),
            )
        )
    flag_ids = {f.id for f in flags}
    for section in ("obligations", "dossier_parts"):
        for i, item in enumerate(data.get(section, [])):
            flag = (item.get("applies_when") or {}).get("flag")
            if flag is not None and flag not in flag_ids:
                errors.append(
                    doc.error((section, i, "applies_when", "flag"), f"unknown flag {flag!r}")
                )
    if errors:
        raise DataError.merge(errors)
    comp = data["composite"]
    return Regime(
        id=data["regime"],
        version=data["version"],
        title=Text.of(data["title"]),
        short=Text.of(data["short"]),
        facts=facts,
        criteria=tuple(criteria),
        composite_id=comp["id"],
        composite_article=_article_text(comp["article"]),
        composite_reason=Text.of(comp["reason"]),
        actors={k: Text.of(v) for k, v in data["actors"].items()},
        levels=levels,
        raw=data,
        file=str(path),
        flags=tuple(flags),
        successors={
            k: Successor(Text.of(v), v.get("source"), bool(v.get("unconfirmed", False)))
            for k, v in (data.get("successors") or {}).items()
        },
    )


def _article_cites(value: Any) -> Cites:
    """The citations of a criterion's `article` when the data gives them structured."""
    return tuple(value) if isinstance(value, tuple) else ()


def _article_text(value: Any) -> Text:
    """A criterion's article worded per language: from its citations (legal style in
    Vietnamese, the compact form in English), or the bilingual text the data gives."""
    cites = _article_cites(value)
    if not cites:
        return Text.of(value)
    from assure.law.citation import render_all

    vi = render_all(cites, "vi")  # a label, so it opens with a capital ("Khoản 2 Điều 5 …")
    return Text(vi[:1].upper() + vi[1:], render_all(cites, "en"))


def regime_files(root: Path | None = None) -> dict[str, Path]:
    """Regime ID → file, for every `*.yaml` in the regimes folder (IDs are file stems)."""
    folder = (root or checklists_dir()) / "regimes"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


@cache
def _load_cached(path: Path) -> Regime:
    return parse_regime(path)


def load_regime(regime_id: str = DEFAULT_REGIME, root: Path | None = None) -> Regime:
    """The regime `regime_id`; an unknown ID is a usage error that lists the known ones."""
    files = regime_files(root)
    if regime_id not in files:
        known = ", ".join(files) or "none"
        raise UsageError(Msg.of("usage.unknown_regime", regime=repr(regime_id), known=known))
    regime = _load_cached(files[regime_id])
    if regime.id != regime_id:
        raise DataError.at(
            str(files[regime_id]),
            f"file declares regime {regime.id!r}; rename it or fix 'regime'",
            field="regime",
        )
    return regime


def known_regimes(root: Path | None = None) -> Sequence[str]:
    """IDs of every regime shipped or found under `root`."""
    return list(regime_files(root))
