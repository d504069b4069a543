"""Requirement catalogues: what each security level requires, as validated data.

A catalogue file (`checklists/<regime>/<name>.yaml`) lists requirements with stable IDs,
bilingual titles and summaries, the levels they apply to (each level listed explicitly with
the TCVN clause the annex gives for it, because every annex is a complete list of its own),
conditions over profile facts, sources, and how each is verified. Loading checks what a
schema cannot: IDs unique across every file of the regime, probe IDs that exist, conditions
that read facts the planner knows. Any problem is a `DataError` naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from assure.errors import DataError, UsageError
from assure.i18n import Msg, t
from assure.inputs.validation import validate, validator_for
from assure.inputs.yamldoc import Document, PathKey, load_yaml
from assure.law.citation import Citation, Cites, structure
from assure.law.regime import Condition, Text, load_regime
from assure.paths import checklists_dir
from assure.probes import CheckId
from assure.signatures.models import CHECKS as SIGNATURE_CHECKS

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


def annex_citation(level: int) -> Citation:
    """The annex of Circular 12/2022 that lists the requirements of `level` (Art. 10:
    Annex I for level 1 … Annex V for level 5)."""
    return Citation("Circular 12/2022", annex=ROMAN[level])


#: Check IDs that probes and signature checks report (interface §6), from their registries.
#: A catalogue that names any other probe is rejected, so a renamed check cannot silently
#: stop verifying anything.
PROBE_CHECKS: frozenset[str] = frozenset({c.value for c in CheckId} | set(SIGNATURE_CHECKS))

#: Facts a catalogue condition may read besides the regime's classification facts; the
#: planner derives them from the rest of the profile (see `assure.law.plan.plan_facts`).
DERIVED_FACTS: Mapping[str, Text] = {
    k: Text.message(f"catalogue.fact.{k}")
    for k in [
        "criteria",
        "level",
        "hosting_kind",
        "public_endpoints",
        "email_system",
        "wireless",
        "in_house_software",
        "centralised_database",
        "services",
        "lifecycle",
    ]
}

#: Derived facts a profile may leave unstated, and where to state them. A condition that
#: needs one of them while the profile is silent cannot be decided ("to confirm"). Missing
#: classification facts are different: the profile schema says facts that do not apply are
#: omitted, so their absence is an answer. A profile that lists no endpoints has no portal.
FACT_FIELDS: Mapping[str, str] = {
    "hosting_kind": "hosting.kind",
    "email_system": "features.email_system",
    "wireless": "features.wireless",
    "in_house_software": "features.in_house_software",
    "centralised_database": "features.centralised_database",
    "services": "features.services",
    "lifecycle": "lifecycle",
}

PLAN_PARTS: tuple[str, ...] = (
    "design_build",
    "operation",
    "inspection",
    "risk_management",
    "monitoring",
    "standby_incident_recovery",
    "end_of_life",
)

#: The 7 parts of the security plan (Decree 85/2016 Art. 19), in the decree's order.
PLAN_PART_TITLES: Mapping[str, Text] = {
    k: Text.message(f"catalogue.plan_part.{k}") for k in PLAN_PARTS
}

GROUP_TITLES: Mapping[str, Text] = {
    k: Text.message(f"catalogue.group.{k}") for k in ("management", "technical")
}


@dataclass(frozen=True, slots=True)
class LevelEntry:
    """What one level asks of a requirement: its TCVN clause, product, measure, condition."""

    tcvn: str | None = None
    product: bool | None = None
    product_when: Condition | None = None
    measure: Text | None = None
    when: Condition | None = None
    product_measure: Text | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a catalogue, with everything a plan and a gap report need."""

    id: str
    title: Text
    description: Text
    group: str
    category: str
    plan_part: str
    annex: bool
    when: Condition | None
    levels: Mapping[int, LevelEntry]
    sources: Cites
    method: str
    probes: tuple[str, ...]
    evidence: Text
    weight: int
    unconfirmed: bool
    catalogue: str
    file: str
    line: int
    profile_check: str | None = None
    #: For a dedicated-product requirement split off a design measure: the measure's ID.
    product_of: str | None = None

    def sources_for(self, level: int) -> list[Citation]:
        """Citations for this requirement at `level`: annex, TCVN clause, other rules.

        An annex item is cited to the Circular 12/2022 annex of its level; the TCVN clause
        the annex names is a standard no outline holds, so it is a citation of text alone.
        """
        out: list[Citation] = []
        entry = self.levels.get(level)
        if self.annex:
            out.append(annex_citation(level))
        if entry is not None and entry.tcvn:
            out.append(Citation("", text=f"TCVN 11930:2017 {entry.tcvn}"))
        out.extend(self.sources)
        return out


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One catalogue file."""

    id: str
    regime: str
    version: int
    title: Text
    source: Cites
    requirements: tuple[Requirement, ...]
    file: str


@dataclass(frozen=True, slots=True)
class CatalogueSet:
    """Every catalogue of one regime, with requirements in file order."""

    regime: str
    catalogues: tuple[Catalogue, ...]

    def __iter__(self) -> Iterator[Requirement]:
        for c in self.catalogues:
            yield from c.requirements

    @property
    def by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self}

    def ids_at(self, level: int, *, annex_only: bool = False, products: bool = True) -> list[str]:
        """IDs of the requirements listed at `level` (conditions not evaluated).

        `products=False` leaves out the dedicated-product requirements split off design
        measures, giving the headings exactly as the annex table numbers them.
        """
        return [
            r.id
            for r in self
            if level in r.levels
            and (r.annex or not annex_only)
            and (products or r.product_of is None)
        ]


def _facts_in(cond: Condition) -> list[str]:
    if "all" in cond or "any" in cond:
        return [f for c in cond.get("all", cond.get("any", [])) for f in _facts_in(c)]
    return [str(cond["fact"])]


def _opt_text(data: Mapping[str, Any] | None) -> Text | None:
    return Text.of(data) if data else None


#: Suffix of the requirement a design measure's dedicated product becomes.
PRODUCT_SUFFIX = ".PRODUCT"


def split_products(req: Requirement) -> tuple[Requirement, ...]:
    """A design measure and its dedicated product, as two requirements.

    Circular 12/2022 Annexes II–V word a design measure as "Có phương án X; sử dụng sản phẩm Y
    đối với hệ thống Z": the plan X binds every system at the level, only the product Y
    depends on Z. Reading the item as one all-or-nothing requirement drops the plan when Z
    does not hold, so a level entry that names a product (`product: true`, or a condition in
    `product_when`) yields a second requirement `<id>.PRODUCT`, listed at those levels, with
    the product condition as its own `when` and its own gap status. The measure itself keeps
    only the plan.
    """
    product_levels = {
        lvl: LevelEntry(
            tcvn=e.tcvn,
            product=True,
            measure=e.product_measure or e.measure,
            when=_and(e.when, e.product_when),
        )
        for lvl, e in req.levels.items()
        if e.product or e.product_when
    }
    if not product_levels:
        return (req,)
    plan_levels = {
        lvl: LevelEntry(tcvn=e.tcvn, product=False, measure=e.measure, when=e.when)
        for lvl, e in req.levels.items()
    }
    base = replace(req, levels=plan_levels)
    product = replace(
        req,
        id=req.id + PRODUCT_SUFFIX,
        title=Text.each(lambda lg: t("catalogue.product_title", lg, title=req.title(lg))),
        levels=product_levels,
        product_of=req.id,
        profile_check=None,
    )
    return (base, product)


def _and(a: Condition | None, b: Condition | None) -> Condition | None:
    if a and b:
        return {"all": [a, b]}
    return a or b


def parse_catalogue(doc: Document, known_facts: frozenset[str]) -> Catalogue:
    """Validate a loaded catalogue document; raises DataError with every problem."""
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping at the top of the catalogue file")
    problems = validate(doc, validator_for("catalogue"))
    if problems:
        raise DataError(problems)
    # Citations are structured in the file, and requirements carry them as `Citation`s.
    data = structure(doc.data)
    assert isinstance(data, dict)
    errors: list[DataError] = []
    reqs: list[Requirement] = []
    for i, r in enumerate(data["requirements"]):
        where: PathKey = ("requirements", i)
        conds: list[tuple[PathKey, Condition]] = []
        if r.get("when"):
            conds.append(((*where, "when"), r["when"]))
        levels: dict[int, LevelEntry] = {}
        for key, e in r["levels"].items():
            lvl = int(key)
            for name in ("when", "product_when"):
                if e.get(name):
                    conds.append(((*where, "levels", key, name), e[name]))
            tcvn = e.get("tcvn")
            if tcvn and not tcvn.startswith(str(lvl + 4)):
                errors.append(
                    doc.error(
                        (*where, "levels", key, "tcvn"),
                        f"TCVN clause {tcvn} does not belong to level {lvl}"
                        f" (level {lvl} clauses start with {lvl + 4})",
                    )
                )
            levels[lvl] = LevelEntry(
                tcvn=tcvn,
                product=e.get("product"),
                product_when=e.get("product_when"),
                measure=_opt_text(e.get("measure")),
                when=e.get("when"),
                product_measure=_opt_text(e.get("product_measure")),
            )
        for path, cond in conds:
            for fact in _facts_in(cond):
                if fact not in known_facts:
                    errors.append(doc.error(path, f"condition reads unknown fact {fact!r}"))
        ver = r["verification"]
        probes = tuple(ver.get("probes", ()))
        for j, p in enumerate(probes):
            if p not in PROBE_CHECKS:
                errors.append(
                    doc.error(
                        (*where, "verification", "probes", j),
                        f"unknown probe check ID {p!r} (known: see interface §6)",
                    )
                )
        if ver["method"] == "probe" and not probes:
            errors.append(
                doc.error(
                    (*where, "verification"), "method 'probe' needs at least one probe check ID"
                )
            )
        reqs.extend(
            split_products(
                Requirement(
                    id=r["id"],
                    title=Text.of(r["title"]),
                    description=Text.of(r["description"]),
                    group=r["group"],
                    category=r["category"],
                    plan_part=r["plan_part"],
                    annex=bool(r.get("annex", False)),
                    when=r.get("when"),
                    levels=dict(sorted(levels.items())),
                    sources=tuple(r.get("sources", ())),
                    method=ver["method"],
                    probes=probes,
                    evidence=Text.of(ver["evidence"]),
                    weight=r["weight"],
                    unconfirmed=bool(r.get("unconfirmed", False)),
                    catalogue=data["catalogue"],
                    file=doc.file,
                    line=doc.position(where).line,
                    profile_check=ver.get("profile_check"),
                )
            )
        )
    if errors:
        raise DataError.merge(errors)
    return Catalogue(
        id=data["catalogue"],
        regime=data["regime"],
        version=data["version"],
        title=Text.of(data["title"]),
        source=data.get("source", ()),
        requirements=tuple(reqs),
        file=doc.file,
    )


def load_catalogues(regime_id: str, folder: Path | None = None) -> CatalogueSet:
    """Load every catalogue of `regime_id` from `folder` (default: the bundled one).

    Raises UsageError when the regime has no catalogues, DataError for bad files (every
    problem of every file, plus IDs used twice across files).
    """
    if folder is None:
        return _bundled(regime_id)
    return _load(regime_id, folder)


@cache
def _bundled(regime_id: str) -> CatalogueSet:
    return _load(regime_id, checklists_dir() / regime_id, f"checklists/{regime_id}")


def _load(regime_id: str, folder: Path, display: str | None = None) -> CatalogueSet:
    """Load a folder of catalogues; files are named `display/<name>` in messages."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        have = sorted(
            d.name for d in checklists_dir().iterdir() if d.is_dir() and any(d.glob("*.yaml"))
        )
        have = [h for h in have if h not in ("regimes", "transitions")]
        raise UsageError(
            Msg.of(
                "usage.no_catalogue",
                regime=repr(regime_id),
                folder=str(display or folder),
                have=", ".join(have) or "—",
            )
        )
    regime = load_regime(regime_id)
    known = frozenset(regime.facts) | frozenset(DERIVED_FACTS)
    catalogues: list[Catalogue] = []
    errors: list[DataError] = []
    docs: dict[str, Document] = {}
    for f in files:
        name = f"{display}/{f.name}" if display else str(f)
        if f.exists() and not f.is_file() and not f.is_dir():
            # a FIFO or device among the entries would block the run or read forever
            errors.append(DataError.at(name, "is not a regular file; a catalogue is a YAML file"))
            continue
        try:
            doc = load_yaml(f, name)
            docs[doc.file] = doc
            cat = parse_catalogue(doc, known)
        except DataError as exc:
            errors.append(exc)
            continue
        if cat.regime != regime_id:
            errors.append(
                doc.error(("regime",), f"catalogue is for regime {cat.regime!r}, not {regime_id!r}")
            )
            continue
        catalogues.append(cat)
    seen: dict[str, Requirement] = {}
    for cat in catalogues:
        i = -1
        for r in cat.requirements:
            if r.product_of is None:
                i += 1  # the position in the file; a product shares its measure's
            if r.id in seen:
                first = seen[r.id]
                errors.append(
                    docs[r.file].error(
                        ("requirements", i, "id"),
                        f"duplicate requirement id {r.id!r} (first at {first.file}:{first.line})",
                    )
                )
            else:
                seen[r.id] = r
    if errors:
        raise DataError.merge(errors)
    return CatalogueSet(regime_id, tuple(catalogues))
