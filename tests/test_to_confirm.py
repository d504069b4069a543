"""Facts the profile does not state are questions, never answers (classify and plan)."""

from __future__ import annotations

import datetime as dt

from assure.law.catalogue import load_catalogues
from assure.law.classify import classification_json, classify
from assure.law.plan import build_plan, plan_json
from assure.law.regime import load_regime
from tests.assurance_helpers import profile

TODAY = dt.date(2026, 12, 1)
PORTAL = """id: cong
name: Cổng dịch vụ trực tuyến
classification:
  system_type: citizen_business
  information: [public, personal]
  personal_data_users: 500
"""


def _ids(crit: list[dict[str, object]]) -> set[str]:
    return {str(c["id"]) for c in crit}


def test_unstated_conditional_business_does_not_fire() -> None:
    """Decree 331/2026 Art. 12.2.a: level 2 for a system "cung cấp dịch vụ trực tuyến không
    thuộc danh mục ngành, nghề đầu tư kinh doanh có điều kiện". A profile that does not say
    whether its service is in a conditional line has not said it is outside one: the criterion
    does not fire, and Art. 13.2.a (inside one, level 3) is listed to confirm."""
    c = classify(profile(PORTAL), load_regime("nd331-2026"))
    data = classification_json(c, TODAY, "vi")
    assert "nd331-2026:art12.2.a" not in _ids(data["criteria"])
    assert c.level == 2  # Art. 12.2.b still holds from the stated number of data subjects
    confirm = {t["id"]: t for t in data["to_confirm"]}
    assert "nd331-2026:art13.2.a" in confirm
    assert "chưa khai báo" in confirm["nd331-2026:art13.2.a"]["question"]


def test_stated_fact_fires() -> None:
    """Stated, the same fact decides: outside the conditional lines fires Art. 12.2.a."""
    c = classify(profile(PORTAL + "  conditional_business: false\n"), load_regime("nd331-2026"))
    data = classification_json(c, TODAY, "en")
    assert "nd331-2026:art12.2.a" in _ids(data["criteria"])
    assert "nd331-2026:art13.2.a" not in {t["id"] for t in data.get("to_confirm", [])}


def test_online_public_service_level_3_derives_administrative_procedures() -> None:
    """Decree 331/2026 Art. 13.2.b: level 3 for "Hệ thống thông tin giải quyết thủ tục hành
    chính". An online public service at level 3 or 4 carries out the administrative procedure
    online, so the criterion applies unless the profile says otherwise — and the output says
    the fact was derived."""
    p = profile(PORTAL + "  online_public_service_level: 3\n")
    c = classify(p, load_regime("nd331-2026"))
    data = classification_json(c, TODAY, "vi")
    assert c.level == 3
    assert "nd331-2026:art13.2.b" in _ids(data["criteria"])
    (d,) = data["derived_facts"]
    assert d["fact"] == "administrative_procedures" and "suy ra" in d["because"]
    assert "mức độ 3" in d["because"]
    assert "online_public_service_level" not in data.get("unused_facts", [])
    no = profile(PORTAL + "  online_public_service_level: 3\n  administrative_procedures: false\n")
    assert classify(no, load_regime("nd331-2026")).level == 2  # a stated fact wins


def test_plan_lists_the_criteria_to_confirm() -> None:
    """The plan carries the same questions as classify."""
    p = profile(PORTAL)
    regime = load_regime("nd331-2026")
    plan = build_plan(classify(p, regime), load_catalogues(regime.id), p)
    data = plan_json(plan, "en")
    assert "nd331-2026:art13.2.a" in {t["id"] for t in data["criteria_to_confirm"]}
