"""Factories for plan/gap/dossier tests: profiles from YAML text, plans from profiles."""

from __future__ import annotations

from assure.inputs.profile import Profile, parse_profile
from assure.inputs.yamldoc import parse_yaml
from assure.law.catalogue import load_catalogues
from assure.law.classify import classify
from assure.law.plan import Plan, build_plan
from assure.law.regime import load_regime

BASE = """id: {id}
name: {name}
"""


def profile(text: str, name: str = "test.yaml") -> Profile:
    """A validated profile from YAML text."""
    return parse_profile(parse_yaml(text, name))


def plan_of(text: str) -> Plan:
    """The plan of the profile written in `text`."""
    p = profile(text)
    return build_plan(classify(p, load_regime()), load_catalogues("nd85-2016"), p)


def ids(plan: Plan) -> set[str]:
    return {i.id for i in plan.items}


LEVEL1 = """id: noi-bo
name: Trang thông tin nội bộ
classification:
  system_type: internal
  information: [public]
"""

LEVEL3_PORTAL = """id: cong-l3
name: Cổng dịch vụ công thử nghiệm
endpoints:
  - url: https://dvc.example.gov.vn
    public: true
classification:
  system_type: citizen_business
  information: [public, personal]
  online_public_service_level: 4
  personal_data_users: 50000
"""

LEVEL3_INFRA = """id: ha-tang-tinh
name: Trung tâm dữ liệu tỉnh
hosting: {kind: own}
features: {services: [datacenter_cloud, lan], centralised_database: true, email_system: true}
classification:
  system_type: infrastructure
  infrastructure_scope: province
  information: [public]
"""

LEVEL4_NATIONAL = """id: quoc-gia-l4
name: Hệ thống quốc gia 24/7
hosting: {kind: cloud}
classification:
  system_type: citizen_business
  information: [public]
  national_system: true
  availability_24x7: true
"""

LEVEL5_STORE = """id: kho-du-lieu
name: Kho dữ liệu quốc gia
hosting: {kind: rented_datacenter, standby_distance_km: 45}
features: {wireless: false, email_system: false}
classification:
  system_type: other
  information: [public, state_secret]
  defence_security_harm: harm
  national_data_store: true
"""

LEVEL2_INTERNAL = """id: noi-bo-l2
name: Hệ thống quản lý văn bản nội bộ
classification:
  system_type: internal
  information: [public, private]
"""
