"""Decree 331/2026 and Law 116/2025 requirement catalogues: integrity and per-level rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from assure.inputs.profile import load_profile
from assure.law.catalogue import PLAN_PARTS, PROBE_CHECKS, CatalogueSet, load_catalogues
from assure.law.classify import classify
from assure.law.plan import APPLIES, CONDITION_MET, TO_CONFIRM, Plan, build_plan
from assure.law.regime import load_regime
from tests.assurance_helpers import ids, profile
from tests.conftest import ROOT, run_assure, write

REGIME = "nd331-2026"
MEASURES = ("a", "b", "c", "d", "dd", "e", "g", "h")
ALWAYS = {"a", "d", "dd", "e", "g", "h"}  # Law 116 Art. 10.4: mandatory at levels 3-4
LIST_ONLY = {"b", "c"}  # Law 116 Art. 10.5: mandatory on the national-security list

# Synthetic systems, one per level, classified under Decree 331 (Arts. 11-15).
SYSTEMS: dict[str, tuple[int, str]] = {
    "l1": (1, "system_type: internal\n  information: [public]"),
    "l2": (2, "system_type: internal\n  information: [public, private]"),
    "l3": (3, "system_type: citizen_business\n  administrative_procedures: true"),
    "l4": (4, "system_type: other\n  national_system: true\n  availability_24x7: true"),
    "l5": (5, "system_type: other\n  national_data_store: true"),
    "l3-list": (
        3,
        "system_type: citizen_business\n  administrative_procedures: true\n"
        "  national_security_important: true",
    ),
}


def plan_for(facts: str, extra: str = "") -> Plan:
    """The nd331-2026 plan of a profile with these classification facts."""
    p = profile(f"id: sys\nname: System\n{extra}classification:\n  {facts}\n")
    return build_plan(classify(p, load_regime(REGIME)), load_catalogues(REGIME), p)


@pytest.fixture(scope="module")
def catalogues() -> CatalogueSet:
    return load_catalogues(REGIME)


def test_catalogues_load(catalogues: CatalogueSet) -> None:
    """The bundled nd331-2026 catalogues load and cover measures, obligations, portal, TCVN."""
    assert catalogues.regime == REGIME
    assert {c.id for c in catalogues.catalogues} == {
        "measures",
        "obligations",
        "portal",
        "tcvn14423",
    }
    assert all(c.regime == REGIME for c in catalogues.catalogues)


def test_ids_unique_and_probes_known(catalogues: CatalogueSet) -> None:
    """No requirement ID appears twice, and every probe ID is a known check."""
    found = [r.id for r in catalogues]
    assert len(found) == len(set(found))
    for r in catalogues:
        assert set(r.probes) <= PROBE_CHECKS, r.id


def test_every_requirement_is_bilingual_with_sources(catalogues: CatalogueSet) -> None:
    """Each requirement has vi/en title and description and cites at least one source."""
    for r in catalogues:
        assert r.title.vi and r.title.en and r.description.vi and r.description.en, r.id
        assert r.sources, r.id
        assert not r.annex, r.id  # Circular 12/2022 annex headings belong to nd85-2016
        for level in r.levels:
            assert r.sources_for(level) == list(r.sources), (r.id, level)


def test_every_tcvn14423_item_is_unconfirmed(catalogues: CatalogueSet) -> None:
    """Every TCVN 14423:2026 item is marked unconfirmed and says so in both languages."""
    tcvn = [r for r in catalogues if r.catalogue == "tcvn14423"]
    assert len(tcvn) >= 20
    for r in tcvn:
        assert r.id.startswith("TCVN14423."), r.id
        assert r.unconfirmed, r.id
        assert "UNCONFIRMED" in r.description.en, r.id
        assert "CHƯA XÁC NHẬN" in r.description.vi, r.id
    for r in catalogues:
        texts = [c.compact() for c in r.sources]
        if any("TCVN 14423" in s for s in texts) or any("UNCONFIRMED" in s for s in texts):
            assert r.unconfirmed, r.id


def test_tcvn14423_thresholds_per_level(catalogues: CatalogueSet) -> None:
    """Thresholds sit at the levels of the summary: WAF from 2, SIEM from 3, PAM from 4, DR at 5."""
    by_id = catalogues.by_id
    assert tuple(by_id["TCVN14423.MFA"].levels) == (1, 2, 3, 4, 5)
    assert tuple(by_id["TCVN14423.WAF"].levels) == (2, 3, 4, 5)
    assert tuple(by_id["TCVN14423.ZONES"].levels) == (2, 3, 4, 5)
    for rid in ("SIEM", "EDR", "BACKUP-321", "DBFW", "NAC", "ANTI-DDOS", "HOT-STANDBY"):
        assert tuple(by_id[f"TCVN14423.{rid}"].levels) == (3, 4, 5), rid
    for rid in ("PAM", "DLP", "DMARC", "MICROSEG", "SBOM", "SOC-24X7"):
        assert tuple(by_id[f"TCVN14423.{rid}"].levels) == (4, 5), rid
    assert tuple(by_id["TCVN14423.DR-SITE"].levels) == (5,)
    log = by_id["TCVN14423.LOG-RETENTION"].levels
    months = {lvl: e.measure.en for lvl, e in log.items() if e.measure}
    assert months == {
        2: "At least 1 month",
        3: "At least 3 months",
        4: "At least 6 months",
        5: "At least 12 months",
    }
    scan = by_id["TCVN14423.VULN-SCAN"].levels
    assert scan[5].measure is not None and "monthly" in scan[5].measure.en


def test_law116_art10_measures_listed_at_levels(catalogues: CatalogueSet) -> None:
    """Art. 10 measures are listed only at levels 3-5; b and c carry the list condition at 3-4."""
    by_id = catalogues.by_id
    for m in MEASURES:
        req = by_id[f"L116.10.2.{m}"]
        assert tuple(req.levels) == (3, 4, 5), m
        for level in (3, 4):
            cond = req.levels[level].when
            if m in LIST_ONLY:
                assert cond == {"fact": "national_security_important", "is": True}, m
            else:
                assert cond is None, m
        assert req.levels[5].when is None and req.when is None, m
    assert tuple(by_id["L116.10.1"].levels) == (1, 2, 3, 4, 5)


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_law116_art10_measures_mandatory_exactly_where_the_law_says(system: str) -> None:
    """Plans hold measures a, d, đ, e, g, h from level 3 and b, c only on the list or at level 5."""
    level, facts = SYSTEMS[system]
    plan = plan_for(facts)
    assert plan.level == level
    on_list = system == "l3-list" or level == 5
    if level <= 2:
        expected: set[str] = set()
    elif on_list:
        expected = set(MEASURES)
    else:
        expected = ALWAYS
    got = {i.id.removeprefix("L116.10.2.") for i in plan.items if i.id.startswith("L116.10.2.")}
    assert got == expected
    assert "L116.10.1" in ids(plan)  # the six tasks apply at every level
    excluded = {e.requirement.id for e in plan.excluded}
    if level in (3, 4) and not on_list:
        assert {f"L116.10.2.{m}" for m in LIST_ONLY} <= excluded


def test_list_system_gets_b_and_c_because_of_the_list() -> None:
    """On a listed level-3 system b and c apply by the list condition; at level 5 outright."""
    listed = {i.id: i for i in plan_for(SYSTEMS["l3-list"][1]).items}
    for m in LIST_ONLY:
        item = listed[f"L116.10.2.{m}"]
        assert item.applicability == CONDITION_MET
        assert "national security" in item.why.en
    level5 = {i.id: i for i in plan_for(SYSTEMS["l5"][1]).items}
    for m in MEASURES:
        assert level5[f"L116.10.2.{m}"].applicability == APPLIES, m
    assert "L116.11.1.b" in level5 and "L116.11.1.b" in listed
    assert "L116.11.1.b" not in ids(plan_for(SYSTEMS["l3"][1]))


def test_separation_on_rented_hosting() -> None:
    """Rented DC/cloud: logical separation at levels 3-4, physical at level 5 or on the list."""
    cloud = "hosting: {kind: cloud}\n"
    l3 = ids(plan_for(SYSTEMS["l3"][1], cloud))
    assert "ND331.30.8" in l3 and "ND331.30.9" not in l3
    l4 = ids(plan_for(SYSTEMS["l4"][1], cloud))
    assert "ND331.30.8" in l4 and "ND331.30.9" not in l4
    listed = ids(plan_for(SYSTEMS["l3-list"][1], cloud))
    assert "ND331.30.9" in listed and "ND331.30.8" not in listed
    l5 = ids(plan_for(SYSTEMS["l5"][1], "hosting: {kind: rented_datacenter}\n"))
    assert "ND331.30.9" in l5
    own = ids(plan_for(SYSTEMS["l5"][1], "hosting: {kind: own}\n"))
    assert "ND331.30.9" not in own
    unstated = {i.id: i for i in plan_for(SYSTEMS["l3"][1]).items}
    assert unstated["ND331.30.8"].applicability == TO_CONFIRM


def test_assessment_independence_and_external_assessor() -> None:
    """Independent self-assessment off the list; a licensed assessor at level 5 or listed."""
    l3 = ids(plan_for(SYSTEMS["l3"][1]))
    assert {"ND331.31.2.c.1", "ND331.31.2.c.2"} <= l3 and "ND331.31.2.c.3" not in l3
    for system in ("l3-list", "l5"):
        got = ids(plan_for(SYSTEMS[system][1]))
        assert {"ND331.31.2.c.2", "ND331.31.2.c.3"} <= got, system
        assert "ND331.31.2.c.1" not in got, system


def test_obligations_at_every_level(catalogues: CatalogueSet) -> None:
    """Risk assessment, plan parts, go-live, regulation, incidents, report apply at levels 1-5."""
    by_id = catalogues.by_id
    every = [
        "ND331.10.2",
        "ND331.10.3",
        "ND331.10.5",
        "ND331.30.6",
        "ND331.30.7",
        "ND331.31.2.d",
        "ND331.35",
        "L116.38.1",
        "L116.40.1.b",
    ]
    for rid in every:
        assert tuple(by_id[rid].levels) == (1, 2, 3, 4, 5), rid
    assert tuple(by_id["L116.34.2"].levels) == (3, 4, 5)
    assert tuple(by_id["ND331.33.5"].levels) == (3, 4, 5)
    incidents = by_id["ND331.31.2.d"].description.en
    assert "24 hours" in incidents and "72 hours" in incidents and "immediately" in incidents
    assert "25 December" in by_id["ND331.35"].description.en
    assert "15%" in by_id["L116.38.1"].description.en


def test_security_plan_has_the_seven_parts(catalogues: CatalogueSet) -> None:
    """One requirement per part of Decree 331 Art. 29.2, in its own plan part, at all levels."""
    parts = [r for r in catalogues if r.id.startswith("ND331.29.2.")]
    assert [r.plan_part for r in parts] == list(PLAN_PARTS)
    for r in parts:
        assert tuple(r.levels) == (1, 2, 3, 4, 5), r.id


def test_portal_requirements_map_every_web_check(catalogues: CatalogueSet) -> None:
    """Every IPv6/HTTPS/TLS check verifies some portal requirement that needs a public endpoint."""
    portal = [r for r in catalogues if r.catalogue == "portal"]
    used = {p for r in portal for p in r.probes}
    assert {c for c in PROBE_CHECKS if not c.startswith("doc_")} <= used
    for r in portal:
        assert r.when == {"fact": "public_endpoints", "gte": 1}, r.id
    by_id = catalogues.by_id
    assert not by_id["ND224.11.4.IPV6"].unconfirmed  # Decree 224/2026 is in force
    assert by_id["WEB.HTTPS"].unconfirmed and by_id["WEB.TLS"].unconfirmed


def test_portal_items_only_with_public_endpoints() -> None:
    """A system without public endpoints has the portal items excluded, not silently dropped."""
    plan = plan_for(SYSTEMS["l1"][1])
    excluded = {e.requirement.id for e in plan.excluded}
    assert {"ND224.11.4.IPV6", "WEB.HTTPS"} <= excluded
    web = plan_for(SYSTEMS["l1"][1], "endpoints:\n  - url: https://x.example.gov.vn\n")
    assert {"ND224.11.4.IPV6", "ND224.11.4.VN", "WEB.HTTPS", "WEB.TLS"} <= ids(web)


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_profile_plans_under_nd331(path: Path) -> None:
    """Every bundled profile, classified under nd331-2026, gets a plan without error."""
    p = load_profile(path, str(path))
    plan = build_plan(classify(p, load_regime(REGIME)), load_catalogues(REGIME), p)
    assert plan.level is not None and plan.items
    assert {i.id for i in plan.items} | {e.requirement.id for e in plan.excluded} == set(
        load_catalogues(REGIME).ids_at(plan.level)
    )


def test_cli_plan_for_nd331_profile(tmp_path: Path) -> None:
    """`assure plan` on a profile with `regime: nd331-2026` lists the decree's requirements."""
    prof = write(
        tmp_path / "p.yaml",
        "id: sys\nname: System\nregime: nd331-2026\nclassification:\n  " + SYSTEMS["l4"][1] + "\n",
    )
    run = run_assure("plan", prof, "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    assert '"regime": "nd331-2026"' in run.out
    assert '"L116.10.2.a"' in run.out and '"L116.10.2.b"' not in run.out.split('"excluded"')[0]
