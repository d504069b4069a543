"""A third, synthetic regime works with no engine change: rule sets really are data."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from assure.errors import DataError, UsageError
from assure.inputs.profile import SystemNode, load_profile
from assure.law.classify import classification_json, classify, obligations
from assure.law.regime import known_regimes, load_regime
from assure.law.transition import load_transition, record_json, transitions
from tests.conftest import ROOT, write

TODAY = dt.date(2030, 1, 15)

LEVEL = """\
  {n}:
    dossier:
      prepared_by: operator
      appraised_by: {appraiser}
      approved_by: owner
      appraisal_limit: {{days: {days}, working: true, source: [{{doc: Toy Act, art: 9}}]}}
      approval_limit: null
      sources: [{{doc: Toy Act, art: 8}}]
    inspection: {{interval_months: 12, source: [{{doc: Toy Act, art: 10}}]}}
"""

TOY = (
    """\
regime: toy-2030
version: 1
title: {vi: Nghị định thử 2030, en: Toy decree 2030}
short: {vi: NĐ thử, en: Toy decree}
facts:
  system_type:
    label: {vi: loại hệ thống, en: system type}
  users:
    label: {vi: số người dùng, en: users}
  critical:
    label: {vi: hệ thống trọng yếu, en: critical system}
    default: false
composite:
  id: toy-2030:art2
  article: {vi: Điều 2, en: Art. 2}
  reason: {vi: "Cao nhất: {parts}.", en: "Highest: {parts}."}
criteria:
  - id: toy-2030:art3.1
    level: 1
    article: {vi: Khoản 1 Điều 3, en: Art. 3.1}
    when: {fact: system_type, eq: internal}
    reason: {vi: Nội bộ., en: Internal.}
  - id: toy-2030:art3.2.a
    level: 2
    article: {vi: Điểm a Khoản 2 Điều 3, en: Art. 3.2.a}
    when:
      all:
        - {fact: system_type, eq: citizen_business}
        - {fact: users, lt: 500}
    reason: {vi: "Ít người dùng ({users}).", en: "Few users ({users})."}
  - id: toy-2030:art4
    level: 4
    article: {vi: Điều 4, en: Art. 4}
    when: {fact: users, gte: 500}
    reason: {vi: "Nhiều người dùng ({users}).", en: "Many users ({users})."}
    unconfirmed: true
flags:
  - id: critical
    label: {vi: Trọng yếu, en: Critical}
    source: [{doc: Toy Act, art: 5}]
    when: {fact: critical, is: true}
    procedure_level: 5
actors:
  operator: {vi: Đơn vị vận hành, en: Operator}
  owner: {vi: Chủ quản, en: Owner}
  agency: {vi: Cơ quan thử, en: Toy agency}
levels:
"""
    + "".join(
        LEVEL.format(n=n, appraiser="agency" if n >= 4 else "owner", days=10 * n)
        for n in range(1, 6)
    )
    + """\
obligations:
  - id: toy-logging
    levels: [2, 3, 4, 5]
    text: {vi: Ghi nhật ký., en: Keep logs.}
    source: [{doc: Toy Act, art: 6}]
  - id: toy-critical-drill
    levels: [1, 2, 3, 4, 5]
    applies_when: {flag: critical}
    text: {vi: Diễn tập hằng quý., en: Quarterly drills.}
    source: [{doc: Toy Act, art: 7}]
"""
)

TRANSITION = """\
transition: nd85-2016__toy-2030
from: nd85-2016
to: toy-2030
title: {vi: Chuyển sang NĐ thử, en: Move to the toy decree}
required_facts:
  - fact: users
    when: {fact: system_type, eq: citizen_business}
    why: {vi: Cần số người dùng., en: Users decide the level.}
rules:
  - id: all_systems
    text: {vi: Mọi hệ thống., en: Every system.}
    source: [{doc: Toy Act, art: 11}]
    deadlines:
      - id: comply
        due: 2031-01-01
        text: {vi: Tuân thủ, en: Comply}
        source: [{doc: Toy Act, art: 11}]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A data root with the toy regime, a copy of nd85-2016 and a transition between them."""
    write(tmp_path / "regimes" / "toy-2030.yaml", TOY)
    shutil.copy(
        ROOT / "checklists" / "regimes" / "nd85-2016.yaml",
        tmp_path / "regimes" / "nd85-2016.yaml",
    )
    write(tmp_path / "transitions" / "nd85-2016__toy-2030.yaml", TRANSITION)
    return tmp_path


def _profile(tmp_path: Path, facts: str) -> Path:
    return write(tmp_path / "p.yaml", f"id: p\nname: P\nclassification:\n{facts}")


def test_third_regime_loads_and_is_listed(root: Path) -> None:
    """The synthetic file is found by its stem, next to the copied regime."""
    assert set(known_regimes(root)) == {"nd85-2016", "toy-2030"}
    regime = load_regime("toy-2030", root=root)
    assert [c.id for c in regime.criteria] == [
        "toy-2030:art3.1",
        "toy-2030:art3.2.a",
        "toy-2030:art4",
    ]


def test_third_regime_classifies_with_the_same_engine(root: Path, tmp_path: Path) -> None:
    """Levels, reasons, unconfirmed marks and authorities come out of the toy file alone."""
    regime = load_regime("toy-2030", root=root)
    prof = load_profile(
        _profile(tmp_path, "  system_type: citizen_business\n  personal_data_users: 700\n")
    )
    # `personal_data_users` is not a toy fact: no level, reported unused.
    c = classify(prof, regime)
    assert c.level is None
    assert c.root.unused_facts == ("personal_data_users",)
    node = SystemNode("s", "S", {"system_type": "citizen_business", "users": 800})
    out = classification_json(
        classify(type(prof)(prof.file, node, prof.document), regime), TODAY, "en"
    )
    assert out["level"] == 4
    assert out["criteria"][0] == {
        "id": "toy-2030:art4",
        "level": 4,
        "article": "Art. 4",
        "reason": "Many users (800).",
        "unconfirmed": True,
    }
    assert out["appraisal"]["appraised_by_label"] == "Toy agency"
    assert out["appraisal"]["time_limit"]["days"] == 40
    assert [o["id"] for o in out["obligations"]] == ["toy-logging"]


def test_third_regime_flag_and_applies_when(root: Path) -> None:
    """A regime's own flag raises the procedure level and adds its obligation."""
    regime = load_regime("toy-2030", root=root)
    obs = obligations(regime, 1, TODAY, "en", ("critical",))
    assert obs["procedure_level"] == 5
    assert obs["appraisal"]["time_limit"]["days"] == 50
    assert [o["id"] for o in obs["obligations"]] == ["toy-critical-drill"]
    assert "obligations" not in obligations(regime, 1, TODAY, "en")


def test_transition_to_third_regime_is_data_only(root: Path, tmp_path: Path) -> None:
    """`nd85-2016 → toy-2030` needs only a transition file: levels, facts, deadlines."""
    tr = load_transition("nd85-2016", "toy-2030", root=root)
    prof = load_profile(
        _profile(
            tmp_path,
            "  system_type: citizen_business\n  information: [personal]\n"
            "  personal_data_users: 20000\n",
        )
    )
    [rec] = transitions([prof], tr)
    r = record_json(rec, tr, TODAY, "en")
    assert (r["old"]["level"], r["new"]["level"], r["direction"]) == (3, None, "undetermined")
    assert [m["fact"] for m in r["missing_facts"]] == ["users"]
    assert r["deadlines"] == [
        {
            "id": "comply",
            "due": "2031-01-01",
            "days_left": 351,
            "text": "Comply",
            "source": "Toy Act Art. 11",
            "citations": [{"doc": "Toy Act", "art": 11, "cited": "Art. 11 Toy Act"}],
        }
    ]


def test_engine_modules_name_no_regime() -> None:
    """The engine and the transition logic never test for a particular regime."""
    for name in ("classify.py", "transition.py", "regime.py", "conditions.py"):
        text = (ROOT / "assure" / "law" / name).read_text(encoding="utf-8")
        for regime in ("nd331", "toy-2030"):
            assert regime not in text, (name, regime)
    text = (ROOT / "assure" / "law" / "classify.py").read_text(encoding="utf-8")
    assert "nd85" not in text


def test_bad_third_regime_is_reported_with_position(root: Path) -> None:
    """A criterion reading an undeclared fact is a data error naming file and field."""
    bad = TOY.replace("when: {fact: users, gte: 500}", "when: {fact: visitors, gte: 500}")
    write(root / "regimes" / "toy-2031.yaml", bad.replace("toy-2030", "toy-2031"))
    with pytest.raises(DataError) as err:
        load_regime("toy-2031", root=root)
    assert "undeclared fact 'visitors'" in str(err.value)
    assert "toy-2031.yaml" in str(err.value)
    with pytest.raises(UsageError):
        load_transition("toy-2031", "toy-2030", root=root)
