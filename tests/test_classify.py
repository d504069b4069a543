"""The Decree 85 classification engine: every criterion, its boundaries, composites, obligations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from assure.inputs.profile import Profile, parse_profile
from assure.inputs.yamldoc import parse_yaml
from assure.law.classify import classification_json, classify, next_on_or_after
from assure.law.regime import load_regime

REGIME = load_regime("nd85-2016")
TODAY = dt.date(2026, 11, 22)


def profile(facts: dict[str, Any], **extra: Any) -> Profile:
    """A minimal valid profile with these classification facts."""
    data = {"id": "he-thong", "name": "Hệ thống thử", "classification": facts, **extra}
    return parse_profile(parse_yaml(yaml.safe_dump(data, allow_unicode=True), "t.yaml"))


def result(facts: dict[str, Any], lang: str = "en", **extra: Any) -> dict[str, Any]:
    return classification_json(classify(profile(facts, **extra), REGIME), TODAY, lang)  # type: ignore[arg-type]


def fired(facts: dict[str, Any]) -> set[str]:
    return {c["id"] for c in result(facts)["criteria"]}


CB = {"system_type": "citizen_business", "information": ["public", "personal"]}


@pytest.mark.parametrize(
    ("facts", "level", "criterion"),
    [
        ({"system_type": "internal", "information": ["public"]}, 1, "art7"),
        ({"system_type": "internal", "information": ["public", "private"]}, 2, "art8.1"),
        ({"system_type": "internal", "information": ["personal"]}, 2, "art8.1"),
        ({**CB, "online_public_service_level": 2}, 2, "art8.2.a"),
        ({**CB, "online_public_service_level": 1}, 2, "art8.2.a"),
        ({**CB, "conditional_business": False}, 2, "art8.2.b"),
        ({**CB, "personal_data_users": 9_999}, 2, "art8.2.c"),
        ({"system_type": "infrastructure", "infrastructure_scope": "organization"}, 2, "art8.3"),
        ({"system_type": "internal", "information": ["state_secret"]}, 3, "art9.1"),
        ({"system_type": "other", "defence_security_harm": "harm"}, 3, "art9.1"),
        ({**CB, "online_public_service_level": 3}, 3, "art9.2.a"),
        ({**CB, "online_public_service_level": 4}, 3, "art9.2.a"),
        ({**CB, "conditional_business": True}, 3, "art9.2.b"),
        ({**CB, "personal_data_users": 10_000}, 3, "art9.2.c"),
        ({"system_type": "infrastructure", "infrastructure_scope": "sector"}, 3, "art9.3"),
        ({"system_type": "infrastructure", "infrastructure_scope": "province"}, 3, "art9.3"),
        ({"system_type": "infrastructure", "infrastructure_scope": "multi_province"}, 3, "art9.3"),
        ({"system_type": "infrastructure", "infrastructure_scope": "national"}, 3, "art9.3"),
        ({"system_type": "ics", "ics_works_grade": "IV"}, 3, "art9.4"),
        ({"system_type": "ics", "ics_works_grade": "III"}, 3, "art9.4"),
        ({"system_type": "ics", "ics_works_grade": "II"}, 3, "art9.4"),
        ({"system_type": "other", "defence_security_harm": "serious"}, 4, "art10.1"),
        (
            {
                "system_type": "internal",
                "information": ["state_secret"],
                "defence_security_harm": "serious",
            },
            4,
            "art10.1",
        ),
        (
            {
                **CB,
                "national_system": True,
                "availability_24x7": True,
                "online_public_service_level": 4,
            },
            4,
            "art10.2",
        ),
        (
            {
                "system_type": "infrastructure",
                "infrastructure_scope": "national",
                "availability_24x7": True,
            },
            4,
            "art10.3",
        ),
        ({"system_type": "ics", "ics_works_grade": "I"}, 4, "art10.4"),
        ({"system_type": "other", "defence_security_harm": "especially_serious"}, 5, "art11.1"),
        (
            {"system_type": "internal", "information": ["private"], "national_data_store": True},
            5,
            "art11.2",
        ),
        ({"system_type": "infrastructure", "infrastructure_scope": "international"}, 5, "art11.3"),
        ({"system_type": "ics", "ics_works_grade": "special"}, 5, "art11.4"),
        ({"system_type": "ics", "ics_works_grade": "national_security"}, 5, "art11.4"),
        ({"system_type": "other", "pm_designated": True}, 5, "art11.5"),
    ],
)
def test_each_criterion_sets_its_level(facts: dict[str, Any], level: int, criterion: str) -> None:
    """Each criterion of Arts. 7–11 fires on its facts and decides the expected level."""
    out = result(facts)
    assert out["level"] == level
    top = [c["id"] for c in out["criteria"] if c["level"] == level]
    assert f"nd85-2016:{criterion}" in top
    assert out["criteria"] == sorted(out["criteria"], key=lambda c: -c["level"])


def test_personal_data_user_boundary() -> None:
    """9,999 users is level 2 (Art. 8.2.c); 10,000 is level 3 (Art. 9.2.c)."""
    assert result({**CB, "personal_data_users": 9_999})["level"] == 2
    assert result({**CB, "personal_data_users": 10_000})["level"] == 3
    assert "nd85-2016:art9.2.c" not in fired({**CB, "personal_data_users": 9_999})
    assert "nd85-2016:art8.2.c" not in fired({**CB, "personal_data_users": 10_000})


def test_online_public_service_boundary() -> None:
    """Public-service level 2 is level 2; level 3 is level 3."""
    assert result({**CB, "online_public_service_level": 2})["level"] == 2
    assert result({**CB, "online_public_service_level": 3})["level"] == 3


@pytest.mark.parametrize(
    ("scope", "level"),
    [
        ("organization", 2),
        ("sector", 3),
        ("province", 3),
        ("multi_province", 3),
        ("national", 3),
        ("international", 5),
    ],
)
def test_each_infrastructure_scope(scope: str, level: int) -> None:
    """Infrastructure scope alone decides levels 2, 3 and 5; nationwide needs 24/7 for 4."""
    assert (
        result({"system_type": "infrastructure", "infrastructure_scope": scope})["level"] == level
    )


@pytest.mark.parametrize(
    ("grade", "level"),
    [("IV", 3), ("III", 3), ("II", 3), ("I", 4), ("special", 5), ("national_security", 5)],
)
def test_each_ics_grade(grade: str, level: int) -> None:
    """Every construction-works grade maps to its level."""
    assert result({"system_type": "ics", "ics_works_grade": grade})["level"] == level


@pytest.mark.parametrize(
    ("harm", "level"), [("none", None), ("harm", 3), ("serious", 4), ("especially_serious", 5)]
)
def test_each_harm_degree(harm: str, level: int | None) -> None:
    """Harm to defence and security: harm → 3, serious → 4, especially serious → 5."""
    assert result({"system_type": "other", "defence_security_harm": harm})["level"] == level


def test_state_secret_without_stated_harm_is_at_least_level_3() -> None:
    """Processing state secrets is Art. 9.1 even when the harm degree is not stated."""
    assert (
        result({"system_type": "internal", "information": ["public", "state_secret"]})["level"] == 3
    )


def test_nationwide_infrastructure_needs_24x7_for_level_4() -> None:
    """Art. 10.3 needs both nationwide scope and 24/7 operation."""
    base = {"system_type": "infrastructure", "infrastructure_scope": "national"}
    assert result(base)["level"] == 3
    assert result({**base, "availability_24x7": True})["level"] == 4


def test_national_system_needs_24x7() -> None:
    """Art. 10.2 needs both a national e-Government system and 24/7 operation."""
    base = {**CB, "online_public_service_level": 4, "national_system": True}
    assert result(base)["level"] == 3
    assert result({**base, "availability_24x7": True})["level"] == 4


def test_unclassifiable_system_says_what_is_missing() -> None:
    """An `other` system with no deciding fact gets no level, and the closest criteria."""
    out = result({"system_type": "other"})
    assert out["level"] is None
    assert out["criteria"] == []
    assert out["not_higher"]["next_level"] == 1
    assert out["not_higher"]["closest"], "the closest criteria must be listed"
    assert "appraisal" not in out


def test_why_not_higher_lists_next_level_criteria_closest_first() -> None:
    """A level-3 portal is told which level-4 facts are missing, fewest changes first."""
    out = result({**CB, "online_public_service_level": 4, "national_system": True})
    nh = out["not_higher"]
    assert nh["next_level"] == 4
    one_away = {m["id"]: m["unmet"] for m in nh["closest"] if len(m["unmet"]) == 1}
    assert "nd85-2016:art10.2" in one_away
    assert "24/7" in one_away["nd85-2016:art10.2"][0]
    assert all(m["level"] == 4 for m in nh["closest"])
    counts = [len(m["unmet"]) for m in nh["closest"]]
    assert counts == sorted(counts)


def test_level_5_has_no_higher_level() -> None:
    """Level 5 is the top: no 'why not higher'."""
    assert result({"system_type": "other", "pm_designated": True})["not_higher"] is None


def test_reason_mentions_the_facts() -> None:
    """Reasons quote the numbers that decided them, with Vietnamese digit grouping."""
    vi = result({**CB, "personal_data_users": 350_000}, lang="vi")
    reason = next(c["reason"] for c in vi["criteria"] if c["id"] == "nd85-2016:art9.2.c")
    assert "350.000" in reason
    en = result({**CB, "personal_data_users": 350_000}, lang="en")
    reason = next(c["reason"] for c in en["criteria"] if c["id"] == "nd85-2016:art9.2.c")
    assert "350,000" in reason


def test_composite_takes_the_highest_component_level() -> None:
    """Art. 5.2: the system's level is the highest of its own and its components' levels."""
    out = result(
        {"system_type": "internal", "information": ["public", "private"]},
        components=[
            {
                "id": "thu-dien-tu",
                "name": "Thư điện tử",
                "classification": {"system_type": "internal", "information": ["private"]},
            },
            {
                "id": "dvc",
                "name": "Dịch vụ công",
                "classification": {**CB, "online_public_service_level": 3},
                "components": [
                    {
                        "id": "thanh-toan",
                        "name": "Thanh toán",
                        "classification": {**CB, "conditional_business": True},
                    }
                ],
            },
        ],
    )
    assert out["level"] == 3
    assert out["own_level"] == 2
    assert out["criteria"][0]["id"] == "nd85-2016:art5.2"
    assert out["criteria"][0]["level"] == 3
    assert [c["level"] for c in out["components"]] == [2, 3]
    assert out["components"][1]["components"][0]["level"] == 3
    assert "Dịch vụ công (level 3)" in out["criteria"][0]["reason"]


def test_composite_whose_own_level_is_highest_still_cites_art_5_2() -> None:
    """A composite system always carries the highest-level rule, after its own top criterion."""
    out = result(
        {**CB, "online_public_service_level": 3},
        components=[
            {
                "id": "a",
                "name": "A",
                "classification": {"system_type": "internal", "information": ["public"]},
            }
        ],
    )
    ids = [c["id"] for c in out["criteria"]]
    assert out["level"] == 3
    assert ids[0] == "nd85-2016:art9.2.a"
    assert "nd85-2016:art5.2" in ids


@pytest.mark.parametrize(
    ("level", "facts", "appraiser", "days", "approver", "months"),
    [
        (
            1,
            {"system_type": "internal", "information": ["public"]},
            "security_unit",
            None,
            "security_unit",
            None,
        ),
        (
            2,
            {"system_type": "internal", "information": ["private"]},
            "security_unit",
            None,
            "security_unit",
            None,
        ),
        (3, {**CB, "online_public_service_level": 3}, "security_unit", 15, "owner", 12),
        (4, {"system_type": "ics", "ics_works_grade": "I"}, "mic", 30, "owner", 12),
        (5, {"system_type": "other", "pm_designated": True}, "mic", 30, "pm", 6),
    ],
)
def test_derived_obligations(
    level: int,
    facts: dict[str, Any],
    appraiser: str,
    days: int | None,
    approver: str,
    months: int | None,
) -> None:
    """Who appraises and approves, the time limits and the inspection cycle follow the level."""
    out = result(facts)
    assert out["level"] == level
    ap = out["appraisal"]
    assert ap["appraised_by"] == appraiser
    assert (ap["time_limit"] or {}).get("days") == days
    assert ap["prepared_by"] == "operator"
    assert (ap["expert_opinion_by"] == "security_unit") == (level >= 4)
    assert out["approval"]["approved_by"] == approver
    assert out["approval"]["time_limit"] == {
        "days": 7,
        "working_days": True,
        "source": "Decree 85/2016 Art. 17.2",
        "citations": [
            {"doc": "Decree 85/2016", "art": 17, "clause": 2, "cited": "Art. 17.2 Decree 85/2016"}
        ],
    }
    assert out["inspection"]["interval_months"] == months
    assert out["inspection"]["organisation_wide_months"] == 24
    parts = [p["id"] for p in out["dossier_parts"]]
    assert ("expert_opinion" in parts) == (level >= 4)


def test_annual_report_dates_follow_the_clock() -> None:
    """Annual report deadlines are the next 20/12 and 25/12 from the injected day."""
    out = result({**CB, "online_public_service_level": 3})
    due = {d["to"]: d["next_due"] for d in out["reporting"]["deadlines"]}
    assert due == {"owner": "2026-12-20", "ais": "2026-12-25"}
    assert next_on_or_after(dt.date(2026, 12, 26), "12-25") == dt.date(2027, 12, 25)
    assert next_on_or_after(dt.date(2026, 12, 25), "12-25") == dt.date(2026, 12, 25)


def test_vietnamese_labels_have_diacritics() -> None:
    """Vietnamese output is written with its diacritics, not stripped ASCII."""
    out = result({**CB, "online_public_service_level": 3}, lang="vi")
    assert out["appraisal"]["appraised_by_label"].startswith(
        "Đơn vị chuyên trách về an toàn thông tin"
    )
    assert "Điều 9" in out["criteria"][0]["article"]


def test_unused_facts_are_reported() -> None:
    """A fact the regime does not read (a Decree 331 fact under Decree 85) is listed as unused."""
    out = result({**CB, "online_public_service_level": 3, "administrative_procedures": True})
    assert out["unused_facts"] == ["administrative_procedures"]
    assert out["level"] == 3


def test_facts_not_stated_are_not_assumed() -> None:
    """Art. 8.2.b needs the non-conditional service stated; level 0 is no service."""
    assert "nd85-2016:art8.2.b" not in fired(CB)
    assert "nd85-2016:art8.2.b" in fired({**CB, "conditional_business": False})
    assert "nd85-2016:art8.2.a" not in fired({**CB, "online_public_service_level": 0})


def test_infrastructure_criteria_cite_the_right_article() -> None:
    """Nationwide 24/7 is Art. 10.3 only; international is Art. 11.3, not 9.3 or 10.3."""
    national = fired(
        {
            "system_type": "infrastructure",
            "infrastructure_scope": "national",
            "availability_24x7": True,
        }
    )
    assert "nd85-2016:art10.3" in national
    assert "nd85-2016:art9.3" not in national
    world = fired(
        {
            "system_type": "infrastructure",
            "infrastructure_scope": "international",
            "availability_24x7": True,
        }
    )
    assert world == {"nd85-2016:art11.3"}


def test_state_secret_reason_does_not_invent_harm() -> None:
    """With no harm stated, the Art. 9.1 reason says so instead of asserting harm."""
    out = result({"system_type": "internal", "information": ["state_secret"]})
    assert "not stated" in out["criteria"][0]["reason"]


def test_composite_why_not_higher_looks_into_components() -> None:
    """A composite is told which component comes closest to the next level."""
    out = result(
        {"system_type": "internal", "information": ["private"]},
        components=[
            {
                "id": "dvc",
                "name": "Dịch vụ công",
                "classification": {**CB, "online_public_service_level": 4, "national_system": True},
            }
        ],
    )
    assert out["level"] == 3
    closest = out["not_higher"]["closest"]
    assert any(
        m.get("component") == "dvc" and m["id"] == "nd85-2016:art10.2" and len(m["unmet"]) == 1
        for m in closest
    )


@pytest.mark.parametrize(
    ("regime_id", "managed_by", "appraiser"),
    [
        ("nd85-2016", None, "mic"),
        ("nd85-2016", "civil", "mic"),
        ("nd85-2016", "defence", "mod"),
        ("nd85-2016", "public_security", "mps"),
        ("nd331-2026", None, "mps"),
        ("nd331-2026", "defence", "mod"),
        ("nd331-2026", "cipher", "cipher_committee"),
    ],
)
def test_appraiser_follows_who_manages_the_system(
    regime_id: str, managed_by: str | None, appraiser: str
) -> None:
    """At level 4 the appraising body is the one the regime names for the system's manager."""
    extra = {"managed_by": managed_by} if managed_by else {}
    prof = profile({"system_type": "ics", "ics_works_grade": "I"}, **extra)
    out = classification_json(classify(prof, load_regime(regime_id)), TODAY, "vi")
    assert out["level"] == 4
    assert out["appraisal"]["appraised_by"] == appraiser
    assert out["appraisal"]["appraised_by_label"]


def test_manager_does_not_change_lower_levels() -> None:
    """At level 3 the owner's own unit appraises, whoever manages the system."""
    out = result({**CB, "online_public_service_level": 3}, managed_by="defence")
    assert out["appraisal"]["appraised_by"] == "security_unit"
