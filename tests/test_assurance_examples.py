"""Every bundled example profile goes through plan, gap report and dossier without error."""

from __future__ import annotations

import datetime as dt

import pytest

from assure.commands._assurance import check_references
from assure.inputs.profile import load_profile
from assure.law.catalogue import load_catalogues
from assure.law.classify import classify
from assure.law.gap import gap_report
from assure.law.plan import build_plan, plan_json
from assure.law.regime import DEFAULT_REGIME, load_regime
from assure.paths import profiles_dir
from assure.reports.dossier import cover_letter_model, dossier_model, expert_opinion_model

PROFILES = sorted(profiles_dir().glob("*.yaml"))
TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_bundled_profile_plans(path) -> None:  # type: ignore[no-untyped-def]
    """Plan, gap and dossier build for each example; its controls name real requirements."""
    profile = load_profile(path)
    regime = load_regime(DEFAULT_REGIME)
    classification = classify(profile, regime)
    if classification.level is None:
        pytest.skip("no level under the default regime")
    catalogues = load_catalogues(regime.id)
    plan = build_plan(classification, catalogues, profile)
    check_references(profile, catalogues, plan)
    data = plan_json(plan, "vi")
    assert len(data["requirements"]) + len(data["excluded"]) == len(catalogues.ids_at(plan.level))
    report = gap_report(plan, [], TODAY, "vi")
    assert len(report.items) == len(plan.items)
    assert dossier_model(plan, TODAY, "vi", report).blocks
    assert cover_letter_model(plan, TODAY, "en").blocks
    opinion = expert_opinion_model(plan, TODAY, "vi")
    assert (opinion is not None) == (plan.level >= 4)
