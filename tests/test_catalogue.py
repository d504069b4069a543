"""Requirement catalogues: schema, integrity, and each level against the annex tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from assure.errors import DataError
from assure.law.catalogue import PROBE_CHECKS, load_catalogues
from tests.conftest import ROOT, run_assure, write

ALL = (1, 2, 3, 4, 5)
L2UP = (2, 3, 4, 5)
L3UP = (3, 4, 5)
L4UP = (4, 5)

# Circular 12/2022 Annexes I–V as tabulated in the reference (legal.md §2.3). Each row:
# catalogue ID, levels that list the heading, and the TCVN clause per level ("x" = level + 4,
# per-level overrides where the annex gives a different clause number).
MANAGEMENT: list[tuple[str, tuple[int, ...], str | None, dict[int, str]]] = [
    ("QL.1.1.1", ALL, "x.1.1.1", {}),
    ("QL.1.1.2", ALL, "x.1.1.2", {}),
    ("QL.1.1.3", ALL, "x.1.1.3", {}),
    ("QL.1.2.1", ALL, "x.1.2.1", {}),
    ("QL.1.2.2", ALL, "x.1.2.2", {}),
    ("QL.1.3.1", ALL, "x.1.3.1", {}),
    ("QL.1.3.2", ALL, "x.1.3.2", {}),
    ("QL.1.3.3", ALL, "x.1.3.3", {}),
    ("QL.1.4.1", ALL, "x.1.4.1", {}),
    ("QL.1.4.2", L2UP, "x.1.4.2", {}),
    ("QL.1.4.3", ALL, "x.1.4.3", {1: "5.1.4.2"}),
    ("QL.1.5.1", ALL, "x.1.5.1", {}),
    ("QL.1.5.2", ALL, "x.1.5.2", {}),
    ("QL.1.5.3", ALL, "x.1.5.3", {}),
    ("QL.1.5.4", L3UP, "x.1.5.4", {}),
    ("QL.1.5.5", L3UP, "x.1.5.5", {}),
    ("QL.1.5.6", L3UP, "x.1.5.6", {}),
    ("QL.1.5.7", L3UP, "x.1.5.7", {}),
    ("QL.1.5.8", L2UP, "x.1.5.8", {2: "6.1.5.4"}),
    ("QL.1.5.9", L2UP, "x.1.5.9", {2: "6.1.5.5"}),
    ("QL.1.6", ALL, None, {}),
    ("QL.1.7", ALL, None, {}),
]
ZONES: list[tuple[str, tuple[int, ...]]] = [
    ("TK.ZONE.INTERNAL", ALL),
    ("TK.ZONE.PERIMETER", ALL),
    ("TK.ZONE.DMZ", ALL),
    ("TK.ZONE.SERVERS", L2UP),
    ("TK.ZONE.WIRELESS", L2UP),
    ("TK.ZONE.DATABASE", L3UP),
    ("TK.ZONE.MANAGEMENT", L3UP),
    ("TK.ZONE.DEVICE-MGMT", L4UP),
]
MEASURES: list[tuple[str, tuple[int, ...]]] = [
    ("TK.VPN", ALL),
    ("TK.FW-IPS", ALL),
    ("TK.ANTIMALWARE", (1, 2)),
    ("TK.WAF", L2UP),
    ("TK.EMAIL", L2UP),
    ("TK.REDUNDANCY", L2UP),
    ("TK.DBFW", L3UP),
    ("TK.NET-ANTIMALWARE", L3UP),
    ("TK.DDOS", L3UP),
    ("TK.NAC", L3UP),
    ("TK.SYSMON", L3UP),
    ("TK.SIEM", L3UP),
    ("TK.BACKUP", L3UP),
    ("TK.EDR", L3UP),
    ("TK.DLP", L3UP),
    ("TK.INTERNET-REDUNDANCY", L3UP),
    ("TK.WIRELESS", L3UP),
    ("TK.PAM", L4UP),
    ("TK.STANDBY-SITE", (5,)),
    ("TK.STANDBY-LINKS", (5,)),
]
CONFIGURATION: list[tuple[str, tuple[int, ...], str, dict[int, str]]] = [
    ("CH.2.1.2", ALL, "x.2.1.2", {}),
    ("CH.2.1.3", L2UP, "x.2.1.3", {}),
    ("CH.2.1.4", ALL, "x.2.1.4", {1: "5.2.1.3", 2: "6.2.1.4"}),
    ("CH.2.1.5", ALL, "x.2.1.5", {1: "5.2.1.4", 2: "6.2.1.5"}),
    ("CH.2.1.6", L3UP, "x.2.1.6", {}),
    ("CH.2.1.7", ALL, "x.2.1.7", {1: "5.2.1.5", 2: "6.2.1.6"}),
    ("CH.2.2.1", ALL, "x.2.2.1", {}),
    ("CH.2.2.2", ALL, "x.2.2.2", {}),
    ("CH.2.2.3", ALL, "x.2.2.3", {}),
    ("CH.2.2.4", ALL, "x.2.2.4", {}),
    ("CH.2.2.5", ALL, "x.2.2.5", {}),
    ("CH.2.2.6", L2UP, "x.2.2.6", {}),
    ("CH.2.3.1", ALL, "x.2.3.1", {}),
    ("CH.2.3.2", ALL, "x.2.3.2", {}),
    ("CH.2.3.3", ALL, "x.2.3.3", {}),
    ("CH.2.3.4", L3UP, "x.2.3.4", {}),
    ("CH.2.3.5", L3UP, "x.2.3.5", {}),
    ("CH.2.3.6", L2UP, "x.2.3.6", {2: "6.2.3.4"}),
    ("CH.2.4.1", L3UP, "x.2.4.1", {}),
    ("CH.2.4.2", L2UP, "x.2.4.2", {2: "6.2.4.1"}),
    ("CH.2.4.3", ALL, "x.2.4.3", {1: "5.2.4.1", 2: "6.2.4.2"}),
]
HEADINGS_PER_LEVEL = {1: 34, 2: 46, 3: 66, 4: 68, 5: 70}


def expected_at(level: int) -> set[str]:
    """Annex heading IDs the tables list at `level`."""
    rows = [(r[0], r[1]) for r in MANAGEMENT] + ZONES + MEASURES
    rows += [(r[0], r[1]) for r in CONFIGURATION]
    return {rid for rid, levels in rows if level in levels}


def expected_clause(level: int, pattern: str | None, overrides: dict[int, str]) -> str | None:
    if pattern is None:
        return None
    return overrides.get(level, pattern.replace("x", str(level + 4)))


@pytest.fixture(scope="module")
def catalogues():  # type: ignore[no-untyped-def]
    return load_catalogues("nd85-2016")


@pytest.mark.parametrize("level", ALL)
def test_each_level_matches_the_annex_table(catalogues, level: int) -> None:  # type: ignore[no-untyped-def]
    """The annex headings listed at each level are exactly those of the legal tables."""
    assert set(catalogues.ids_at(level, annex_only=True, products=False)) == expected_at(level)


def test_heading_counts_per_level(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Counts of annex headings are 34/46/66/68/70 for levels 1–5 (legal.md §2.3.4)."""
    for level, count in HEADINGS_PER_LEVEL.items():
        assert len(catalogues.ids_at(level, annex_only=True, products=False)) == count
        assert len(expected_at(level)) == count


def test_tcvn_clauses_per_level(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Every level entry cites the TCVN 11930:2017 clause the annex gives for that level."""
    by_id = catalogues.by_id
    for rid, levels, pattern, overrides in [*MANAGEMENT, *CONFIGURATION]:
        req = by_id[rid]
        assert tuple(req.levels) == levels, rid
        for level in levels:
            assert req.levels[level].tcvn == expected_clause(level, pattern, overrides), (
                rid,
                level,
            )


def test_ids_unique_and_probes_known(catalogues) -> None:  # type: ignore[no-untyped-def]
    """No requirement ID appears twice, and every probe ID is a check of interface §6."""
    ids = [r.id for r in catalogues]
    assert len(ids) == len(set(ids))
    for r in catalogues:
        assert set(r.probes) <= PROBE_CHECKS, r.id


def test_every_check_id_verifies_a_requirement(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Every check ID of interface §6 (IPv6, HTTPS, TLS, documents) verifies a requirement."""
    used = {p for r in catalogues for p in r.probes}
    assert used == PROBE_CHECKS


def test_unconfirmed_items_are_marked(catalogues) -> None:  # type: ignore[no-untyped-def]
    """The 4-layer model is marked UNCONFIRMED, as the legal reference says."""
    four = catalogues.by_id["CT14.4LAYER"]
    assert four.unconfirmed
    assert "UNCONFIRMED" in four.description.en
    assert "CHƯA XÁC NHẬN" in four.description.vi


def test_every_requirement_is_bilingual_with_sources(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Each requirement has vi/en titles and at least one source at each of its levels."""
    for r in catalogues:
        assert r.title.vi and r.title.en and r.description.vi and r.description.en
        for level in r.levels:
            assert r.sources_for(level), (r.id, level)


def _copy_catalogues(tmp_path: Path) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    for f in (ROOT / "checklists" / "nd85-2016").glob("*.yaml"):
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_duplicate_id_is_rejected_with_position(tmp_path: Path) -> None:
    """A requirement ID used in two files is a data error naming file and line."""
    folder = _copy_catalogues(tmp_path)
    portal = folder / "portal.yaml"
    portal.write_text(
        portal.read_text(encoding="utf-8").replace("id: CT.TLS", "id: QL.1.1.1"),
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        load_catalogues("nd85-2016", folder)
    message = str(exc.value)
    assert "portal.yaml:" in message
    assert "duplicate requirement id 'QL.1.1.1'" in message


def test_unknown_probe_gives_exit_3(tmp_path: Path) -> None:
    """A catalogue naming an unknown probe check fails with exit 3 and file:line:col."""
    folder = _copy_catalogues(tmp_path)
    portal = folder / "portal.yaml"
    portal.write_text(
        portal.read_text(encoding="utf-8").replace("tls_ciphers", "tls_cipherz"),
        encoding="utf-8",
    )
    run = run_assure("plan", ROOT / "profiles" / "cong-dvc-demo.yaml", "--catalogue", folder)
    assert run.code == 3, run.err
    assert "portal.yaml:" in run.err
    assert "unknown probe check ID 'tls_cipherz'" in run.err
    assert "verification.probes[" in run.err


def test_bad_catalogue_field_gives_exit_3(tmp_path: Path) -> None:
    """A misspelt field or a wrong level key is reported with its position."""
    folder = tmp_path / "cat"
    write(
        folder / "one.yaml",
        """catalogue: one
regime: nd85-2016
version: 1
title: {vi: Một, en: One}
requirements:
  - id: X.1
    title: {vi: Một, en: One}
    description: {vi: Một, en: One}
    group: managment
    category: policy
    plan_part: operation
    levels: {6: {}}
    verification: {method: document, evidence: {vi: a, en: b}}
    weight: 2
""",
    )
    run = run_assure("plan", ROOT / "profiles" / "cong-dvc-demo.yaml", "--catalogue", folder)
    assert run.code == 3
    assert "one.yaml:9:12: requirements[0].group:" in run.err
    assert "did you mean 'management'" in run.err
    assert "requirements[0].levels.6" in run.err


def test_wrong_clause_for_level_is_rejected(tmp_path: Path) -> None:
    """A TCVN clause of another level (7.x cited at level 2) is a data error."""
    folder = _copy_catalogues(tmp_path)
    mgmt = folder / "management.yaml"
    text = mgmt.read_text(encoding="utf-8").replace('2: {tcvn: "6.1.1.1"}', '2: {tcvn: "7.1.1.1"}')
    mgmt.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="does not belong to level 2"):
        load_catalogues("nd85-2016", folder)


def test_condition_on_unknown_fact_is_rejected(tmp_path: Path) -> None:
    """A condition reading a fact nobody provides would never hold; it is refused."""
    folder = _copy_catalogues(tmp_path)
    design = folder / "design.yaml"
    text = design.read_text(encoding="utf-8").replace("fact: wireless", "fact: wirelss", 1)
    design.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="unknown fact 'wirelss'"):
        load_catalogues("nd85-2016", folder)


# Levels at which the design table names a dedicated product (outright, or for the systems a
# condition names); the conditions themselves are checked in test_plan.
PRODUCTS = {
    "TK.VPN": {3, 4, 5},
    "TK.FW-IPS": {5},
    "TK.WAF": {2, 3, 4, 5},
    "TK.EMAIL": {3, 4, 5},
    "TK.DBFW": {3, 4, 5},
    "TK.DDOS": {3, 4, 5},
    "TK.NAC": {3, 4, 5},
    "TK.SYSMON": {4, 5},
    "TK.DLP": {3, 4, 5},
    "TK.PAM": {4, 5},
    "TK.BACKUP": {3, 4, 5},
}


def test_dedicated_products_per_level(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Design measures name a dedicated product exactly where the annex table does; each is
    its own requirement `<id>.PRODUCT` (Circular 12/2022 Annexes II–V, II.1.b: "Có phương án
    X; sử dụng sản phẩm Y …"), and the measure itself never demands a product."""
    by_id = {r.id: r for r in catalogues}
    for r in catalogues:
        if r.category != "design_measures" or r.product_of:
            continue
        assert not any(e.product for e in r.levels.values()), r.id
        product = by_id.get(r.id + ".PRODUCT")
        named = set(product.levels) if product else set()
        assert named == PRODUCTS.get(r.id, set()), r.id
        if product:
            assert product.product_of == r.id
            assert set(product.levels) <= set(r.levels)


def test_every_plan_part_has_requirements_at_every_level(catalogues) -> None:  # type: ignore[no-untyped-def]
    """Each of the 7 parts of Decree 85 Art. 19 holds requirements at each level."""
    for level in ALL:
        parts = {r.plan_part for r in catalogues if level in r.levels}
        assert len(parts) == 7, (level, parts)
