"""Decree 331/2026 classification: every criterion, its boundaries, and the CLI around it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assure.inputs.profile import SystemNode
from assure.law.classify import classify_node, obligations
from assure.law.regime import known_regimes, load_regime
from tests.conftest import ROOT, run_assure, write

REGIME = "nd331-2026"
TODAY = dt.date(2026, 11, 22)
CB = {"system_type": "citizen_business"}
CB_PD = {**CB, "information": ["public", "personal"]}


def node(facts: dict[str, Any], *components: SystemNode, id: str = "sys") -> SystemNode:
    """A system node with the given facts (components optional)."""
    return SystemNode(id=id, name=id, facts=facts, components=tuple(components))


def fired(facts: dict[str, Any]) -> dict[str, int]:
    """Criterion ID → level, for every criterion that fires on `facts`."""
    result = classify_node(node(facts), load_regime(REGIME))
    return {f.criterion.id: f.criterion.level for f in result.fired}


def level(facts: dict[str, Any]) -> int | None:
    """The level of a single system with `facts`."""
    return classify_node(node(facts), load_regime(REGIME)).level


CASES: list[tuple[str, dict[str, Any], int]] = [
    ("art11.1", {"system_type": "internal", "information": ["public"]}, 1),
    ("art11.2", {"system_type": "other", "risk_framework_level": 1}, 1),
    ("art12.1", {"system_type": "internal", "information": ["public", "private"]}, 2),
    ("art12.2.a", {**CB, "conditional_business": False}, 2),
    ("art12.2.b", {**CB_PD, "personal_data_users": 99_999, "conditional_business": True}, 3),
    ("art12.3", {"system_type": "infrastructure", "infrastructure_scope": "organization"}, 2),
    ("art12.4", {"system_type": "other", "pm_decided_level": 2}, 2),
    ("art12.4", {"system_type": "other", "risk_framework_level": 2}, 2),
    ("art13.1", {"system_type": "internal", "defence_security_harm": "harm"}, 3),
    ("art13.1", {"system_type": "internal", "information": ["state_secret"]}, 3),
    ("art13.2.a", {**CB, "conditional_business": True}, 3),
    ("art13.2.b", {**CB, "administrative_procedures": True}, 3),
    ("art13.2.c", {**CB_PD, "personal_data_users": 100_000}, 3),
    ("art13.2.c", {**CB_PD, "sensitive_personal_data_users": 10_000}, 3),
    ("art13.3", {"system_type": "infrastructure", "infrastructure_scope": "multi_province"}, 3),
    ("art13.4", {"system_type": "ics", "ics_works_grade": "III"}, 3),
    ("art13.5", {"system_type": "other", "pm_decided_level": 3}, 3),
    ("art13.5", {"system_type": "other", "risk_framework_level": 3}, 3),
    ("art14.1", {"system_type": "internal", "defence_security_harm": "serious"}, 4),
    ("art14.2", {"system_type": "other", "national_system": True, "availability_24x7": True}, 4),
    (
        "art14.2",
        {
            "system_type": "infrastructure",
            "infrastructure_scope": "national",
            "availability_24x7": True,
        },
        4,
    ),
    ("art14.3", {"system_type": "ics", "ics_works_grade": "I"}, 4),
    ("art14.4", {"system_type": "other", "pm_decided_level": 4}, 4),
    ("art14.4", {"system_type": "other", "risk_framework_level": 4}, 4),
    ("art15.1", {"system_type": "other", "defence_security_harm": "especially_serious"}, 5),
    ("art15.2", {"system_type": "other", "national_data_store": True}, 5),
    ("art15.3", {"system_type": "infrastructure", "infrastructure_scope": "international"}, 5),
    ("art15.4", {"system_type": "ics", "ics_works_grade": "national_security"}, 5),
    ("art15.5", {"system_type": "other", "pm_designated": True}, 5),
    ("art15.5", {"system_type": "other", "pm_decided_level": 5}, 5),
    ("art15.5", {"system_type": "other", "risk_framework_level": 5}, 5),
]


@pytest.mark.parametrize(("crit", "facts", "expected"), CASES)
def test_each_criterion_fires(crit: str, facts: dict[str, Any], expected: int) -> None:
    """Each Decree 331 criterion fires on its facts and the system takes the highest level."""
    got = fired(facts)
    assert f"{REGIME}:{crit}" in got, got
    assert level(facts) == expected


def test_every_criterion_has_a_case() -> None:
    """No criterion of the regime file is left without a test case."""
    ids = {c.id for c in load_regime(REGIME).criteria}
    assert ids == {f"{REGIME}:{c}" for c, _, _ in CASES}


def test_criterion_ids_follow_the_interface() -> None:
    """IDs read `nd331-2026:art<article>[.<clause>[.<point>]]` and cite Arts. 11–15."""
    for c in load_regime(REGIME).criteria:
        article = int(c.id.split(":art")[1].split(".")[0])
        assert 11 <= article <= 15, c.id


@pytest.mark.parametrize(
    ("basic", "sensitive", "expected"),
    [
        (99_999, None, 2),
        (100_000, None, 3),
        (None, 9_999, 2),
        (None, 10_000, 3),
        (99_999, 9_999, 2),
        (99_999, 10_000, 3),
        (100_000, 0, 3),
        (0, 0, 2),
    ],
)
def test_personal_data_thresholds(basic: int | None, sensitive: int | None, expected: int) -> None:
    """100,000 basic or 10,000 sensitive data subjects is level 3; below both is level 2."""
    facts: dict[str, Any] = dict(CB_PD)
    if basic is not None:
        facts["personal_data_users"] = basic
    if sensitive is not None:
        facts["sensitive_personal_data_users"] = sensitive
    got = fired(facts)
    assert level(facts) == expected
    assert (f"{REGIME}:art13.2.c" in got) == (expected == 3)
    assert (f"{REGIME}:art12.2.b" in got) == (expected == 2)


def test_level_two_threshold_needs_a_stated_count() -> None:
    """Art. 12.2.b does not fire when neither data-subject count is stated."""
    assert f"{REGIME}:art12.2.b" not in fired(dict(CB_PD))


def test_public_service_level_is_not_a_criterion_but_derives_one() -> None:
    """Decree 331 has no online-public-service-level criterion, but Art. 13.2.b ("Hệ thống
    thông tin giải quyết thủ tục hành chính") follows from a level 3-4 online public service
    unless the profile says otherwise; a level 1-2 service derives nothing."""
    result = classify_node(node({**CB, "online_public_service_level": 4}), load_regime(REGIME))
    assert result.level == 3
    assert [d.fact for d in result.derived] == ["administrative_procedures"]
    assert result.unused_facts == ()  # the level is read, by the derivation
    low = classify_node(node({**CB, "online_public_service_level": 2}), load_regime(REGIME))
    assert low.level is None and not low.derived
    stated = {**CB, "online_public_service_level": 4, "administrative_procedures": False}
    assert level(stated) is None  # neither Art. 12.2.a nor 13.2.a: conditional_business unstated


def test_risk_and_pm_criteria_fire_only_from_explicit_facts() -> None:
    """Without `risk_framework_level` or `pm_decided_level` no such criterion fires."""
    got = fired({"system_type": "other"})
    assert got == {}
    assert level({"system_type": "other", "pm_decided_level": 1}) is None


def test_composite_takes_highest_component() -> None:
    """A composite system takes the highest level of its parts (Art. 8.2)."""
    regime = load_regime(REGIME)
    part = node({**CB, "administrative_procedures": True}, id="part")
    root = node({"system_type": "internal", "information": ["public"]}, part, id="root")
    result = classify_node(root, regime)
    assert (result.own_level, result.level) == (1, 3)
    assert result.decided_by_components


def test_national_security_flag_switches_procedure() -> None:
    """A level-3 system on the national-security list follows the level-5 procedure."""
    regime = load_regime(REGIME)
    facts = {
        "system_type": "infrastructure",
        "infrastructure_scope": "sector",
        "national_security_important": True,
    }
    result = classify_node(node(facts), regime)
    assert result.level == 3
    assert result.flags == ("national_security_important",)
    obs = obligations(regime, 3, TODAY, "en", result.flags)
    assert obs["procedure_level"] == 5
    assert obs["appraisal"]["appraised_by"] == "mps"
    ids = {o["id"] for o in obs["obligations"]}
    assert {"l116-art10.2.b", "l116-art10.2.c", "nd331-art30.9-physical-separation"} <= ids
    assert "nd331-art30.8-logical-separation" not in ids
    parts = {p["id"] for p in obs["dossier_parts"]}
    assert "national_security_list_proposal" in parts
    assert obs["inspection"]["performed_by"] == "licensed_assessor"
    plain = obligations(regime, 3, TODAY, "en")
    assert "procedure_level" not in plain
    assert plain["appraisal"]["appraised_by"] == "cyber_unit"
    assert plain["inspection"]["performed_by"] is None


def test_level_five_is_always_on_the_list() -> None:
    """Every level-5 system is important to national security (Art. 16.4)."""
    result = classify_node(
        node({"system_type": "other", "pm_designated": True}), load_regime(REGIME)
    )
    assert result.flags == ("national_security_important",)


def test_authorities_and_deadlines() -> None:
    """MPS appraises levels 4–5; 15/25 working days to appraise, 5 to answer, 7 to approve."""
    regime = load_regime(REGIME)
    l3 = obligations(regime, 3, TODAY, "en")
    l4 = obligations(regime, 4, TODAY, "en")
    assert l3["appraisal"]["time_limit"] == {
        "days": 15,
        "working_days": True,
        "source": "Decree 331/2026 Art. 23.3.a",
        "citations": [
            {
                "doc": "Decree 331/2026",
                "art": 23,
                "clause": 3,
                "point": "a",
                "cited": "Art. 23.3.a Decree 331/2026",
            }
        ],
    }
    assert l4["appraisal"]["time_limit"]["days"] == 25
    assert l4["appraisal"]["appraised_by"] == "mps"
    assert "Public Security" in l4["appraisal"]["appraised_by_label"]
    for lvl in range(1, 6):
        obs = obligations(regime, lvl, TODAY, "en")
        assert obs["appraisal"]["incomplete_dossier_response"]["days"] == 5
        assert obs["approval"]["time_limit"]["days"] == 7
    assert [d["by"] for d in l3["reporting"]["deadlines"]] == ["12-20", "12-25"]


def test_dossier_parts_and_obligations_by_level() -> None:
    """Risk report for levels 4–5, certified training for 3–5, 15% budget and 24h/72h for all."""
    regime = load_regime(REGIME)
    for lvl in range(1, 6):
        obs = obligations(regime, lvl, TODAY, "en")
        parts = {p["id"] for p in obs["dossier_parts"]}
        ids = {o["id"] for o in obs["obligations"]}
        assert "preliminary_risk_identification" in parts
        assert ("detailed_risk_assessment" in parts) == (lvl >= 4)
        assert ("l116-art34.2-certified-training" in ids) == (lvl >= 3)
        assert {"l116-art38.1-budget", "nd331-art31.2.d-incidents"} <= ids
        texts = " ".join(o["text"] for o in obs["obligations"])
        assert "24 hours" in texts
        assert "72 hours" in texts
        assert "15%" in texts
        tcvn = [o for o in obs["obligations"] if o["id"].startswith("tcvn14423")]
        assert len(tcvn) == 1
        assert tcvn[0]["unconfirmed"] is True
        assert "UNCONFIRMED" in tcvn[0]["text"]


def test_classify_cli_under_nd331() -> None:
    """`assure classify --regime nd331-2026` names Decree 331 criteria in JSON."""
    run = run_assure(
        "classify", "tests/data/nd331/up-admin.yaml", "--regime", REGIME, "--format", "json"
    )
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data[0]["regime"] == REGIME
    assert data[0]["level"] == 3
    assert data[0]["criteria"][0]["id"] == f"{REGIME}:art13.2.b"


def test_nd331_fact_under_nd85_is_reported_unused(tmp_path: Path) -> None:
    """A Decree 331 fact under nd85-2016 is accepted, and a note says the regime ignores it."""
    prof = write(
        tmp_path / "p.yaml",
        "id: p\nname: P\nclassification:\n  system_type: citizen_business\n"
        "  conditional_business: false\n"
        "  administrative_procedures: true\n  sensitive_personal_data_users: 20000\n",
    )
    run = run_assure("classify", prof, "--regime", "nd85-2016", "--lang", "en")
    assert run.code == 0, run.err
    assert "administrative_procedures: note: not used by regime nd85-2016" in run.err
    assert "sensitive_personal_data_users: note: not used by regime nd85-2016" in run.err


def test_unknown_regime_is_a_usage_error() -> None:
    """An unknown regime exits 2 and lists the regimes there are."""
    run = run_assure("classify", "profiles/", "--regime", "nd999-2030")
    assert run.code == 2
    assert "nd85-2016" in run.err
    assert REGIME in run.err
    assert set(known_regimes()) >= {"nd85-2016", REGIME}


@pytest.mark.parametrize("regime", ["nd85-2016", REGIME])
def test_bundled_profiles_classify_under_both_regimes(regime: str) -> None:
    """Every example in profiles/ gets a level under each regime."""
    run = run_assure("classify", ROOT / "profiles", "--regime", regime, "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data
    assert all(item["level"] in range(1, 6) for item in data)


def test_profile_can_choose_the_regime(tmp_path: Path) -> None:
    """A profile's own `regime: nd331-2026` is used when no option is given."""
    prof = write(
        tmp_path / "p.yaml",
        "id: p\nname: P\nregime: nd331-2026\nclassification:\n  system_type: other\n"
        "  risk_framework_level: 1\n",
    )
    run = run_assure("classify", prof, "--format", "json", "--lang", "en")
    assert run.code == 0, run.err
    [data] = json.loads(run.out)
    assert data["regime"] == REGIME
    crit = data["criteria"][0]
    assert crit["id"] == f"{REGIME}:art11.2"
    assert "not been issued" in crit["note"]


def test_flag_and_procedure_in_classify_json() -> None:
    """Classify JSON carries the national-security flag and the level-5 procedure."""
    run = run_assure(
        "classify",
        "tests/data/nd331/national-security.yaml",
        "--regime",
        REGIME,
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    [data] = json.loads(run.out)
    assert data["level"] == 3
    assert data["flags"][0]["id"] == "national_security_important"
    assert data["procedure_level"] == 5
    assert data["approval"]["approved_by"] == "pm"


def test_every_bundled_regime_and_transition_loads() -> None:
    """Every shipped regime and transition file validates and loads."""
    from assure.law.transition import load_transition, transition_files

    for regime_id in known_regimes():
        regime = load_regime(regime_id)
        assert all(c.reason("vi") and c.reason("en") for c in regime.criteria)
    for key in transition_files():
        source, target = key.split("__")
        tr = load_transition(source, target)
        assert tr.rules


def test_articles_cite_decree_331() -> None:
    """Every nd331-2026 criterion cites Decree 331/2026 in both languages, worded from its
    structured citation ("Khoản 1 Điều 11 Nghị định số 331/2026/NĐ-CP")."""
    for c in load_regime(REGIME).criteria:
        assert c.citations and all(x.document == "Decree 331/2026" for x in c.citations)
        assert "Nghị định số 331/2026/NĐ-CP" in c.article("vi")
        assert "Decree 331/2026" in c.article("en")


@settings(max_examples=200, deadline=None)
@given(
    basic=st.one_of(st.none(), st.integers(0, 1_000_000)),
    sensitive=st.one_of(st.none(), st.integers(0, 100_000)),
)
def test_thresholds_property(basic: int | None, sensitive: int | None) -> None:
    """For any counts, level 3 exactly when 100,000 basic or 10,000 sensitive is reached;
    with neither count stated (and the conditional business line unstated) nothing decides
    the level — an unstated fact is never taken as an answer."""
    facts: dict[str, Any] = dict(CB_PD)
    if basic is not None:
        facts["personal_data_users"] = basic
    if sensitive is not None:
        facts["sensitive_personal_data_users"] = sensitive
    over = (basic or 0) >= 100_000 or (sensitive or 0) >= 10_000
    if basic is None and sensitive is None:
        assert level(facts) is None
    else:
        assert level(facts) == (3 if over else 2)
