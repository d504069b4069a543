"""The bundled example profiles: each validates cleanly and classifies to its pinned level."""

from __future__ import annotations

import ipaddress
import json
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT, run_assure

PROFILES = ROOT / "profiles"
REGIME = "nd85-2016"


def _ids(*articles: str) -> frozenset[str]:
    return frozenset(f"{REGIME}:{a}" for a in articles)


# Profile id -> (level under Decree 85/2016, the criteria of that level that fired).
EXPECTED: dict[str, tuple[int, frozenset[str]]] = {
    "ttnb-so-tai-chinh-binh-an": (1, _ids("art7")),
    "qlvb-bo-phat-trien-so": (2, _ids("art8.1")),
    "motcua-xa-an-phu": (2, _ids("art8.2.a", "art8.2.b", "art8.2.c")),
    "ha-tang-so-y-te-hoa-giang": (2, _ids("art8.3")),
    "dvc-binh-an": (3, _ids("art9.2.a", "art9.2.c")),
    "cong-dvc-demo": (3, _ids("art9.2.a", "art9.2.c")),
    "hssk-bvdk-binh-an": (3, _ids("art9.2.c")),
    "ttdl-binh-an": (3, _ids("art9.3")),
    "tslcd-hoa-giang": (3, _ids("art9.3")),
    "lgsp-bo-phat-trien-so": (3, _ids("art9.3")),
    "scada-nha-may-nuoc-song-lam": (3, _ids("art9.4")),
    "van-ban-mat-vp-ubnd-binh-an": (3, _ids("art9.1")),
    "vpdt-hoa-giang": (3, _ids("art5.2")),
    "cong-chinh-phu-so-quoc-gia": (4, _ids("art10.2")),
    "xtdt-chu-ky-so-quoc-gia": (4, _ids("art10.3")),
    "scada-ho-dong-mai": (4, _ids("art10.4")),
    "qpdp-binh-an": (4, _ids("art10.1")),
    "csdl-quoc-gia-ho-tich": (5, _ids("art11.2")),
    "ket-noi-internet-quoc-te": (5, _ids("art11.3")),
    "canh-bao-thien-tai-quoc-gia": (5, _ids("art11.5")),
}

# Composite profile id -> component id -> (level, the criteria of that level that fired).
COMPONENTS: dict[str, dict[str, tuple[int, frozenset[str]]]] = {
    "vpdt-hoa-giang": {
        "thu-dien-tu-hoa-giang": (2, _ids("art8.1")),
        "cong-noi-bo-hoa-giang": (1, _ids("art7")),
        "dvctt-hoa-giang": (3, _ids("art9.2.a", "art9.2.c")),
    },
}

SYSTEM_TYPES = {"internal", "citizen_business", "infrastructure", "ics", "other"}
UNIT_FIELDS = ("name", "mandate_document", "representative", "title", "address", "phone", "email")
DOCUMENTATION_NETS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]
PRIVATE_NETS = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
]
PROFILE_FILES = sorted(PROFILES.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for c in node.get("components") or () for n in _nodes(c))]


def _deciding(result: dict[str, Any]) -> frozenset[str]:
    return frozenset(c["id"] for c in result["criteria"] if c["level"] == result["level"])


def _inside(network: str, nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    net = ipaddress.ip_network(network, strict=True)
    return any(net.version == n.version and net.subnet_of(n) for n in nets)


@pytest.fixture(scope="module")
def classified() -> dict[str, dict[str, Any]]:
    """Profile id -> its classification, from one run of the installed command."""
    run = run_assure("classify", "--regime", "nd85-2016", "profiles/", "--format", "json")
    assert run.code == 0, run.err
    # Decree 331 facts (administrative_procedures, …) are notes under nd85-2016, nothing worse
    assert all(": note: not used by regime" in line for line in run.err.splitlines()), run.err
    results = json.loads(run.out)
    by_id = {r["id"]: r for r in results}
    assert len(by_id) == len(results), "two bundled profiles share an id"
    return by_id


def test_every_bundled_profile_is_pinned(classified: dict[str, dict[str, Any]]) -> None:
    """Every bundled profile has an expected level here, and every pinned id is bundled."""
    assert set(classified) == set(EXPECTED)


@pytest.mark.parametrize("profile_id", sorted(EXPECTED))
def test_level(profile_id: str, classified: dict[str, dict[str, Any]]) -> None:
    """Each profile classifies to its pinned level under the default regime."""
    result = classified[profile_id]
    assert result["regime"] == REGIME
    assert result["level"] == EXPECTED[profile_id][0]


@pytest.mark.parametrize("profile_id", sorted(EXPECTED))
def test_deciding_criteria(profile_id: str, classified: dict[str, dict[str, Any]]) -> None:
    """The criteria at the profile's level are exactly the pinned articles."""
    assert _deciding(classified[profile_id]) == EXPECTED[profile_id][1]


@pytest.mark.parametrize("profile_id", sorted(COMPONENTS))
def test_composite_takes_highest_component(
    profile_id: str, classified: dict[str, dict[str, Any]]
) -> None:
    """A composite system's components keep their own levels and the system takes the highest."""
    result = classified[profile_id]
    parts = {c["id"]: c for c in result["components"]}
    assert set(parts) == set(COMPONENTS[profile_id])
    for comp_id, (level, deciding) in COMPONENTS[profile_id].items():
        assert parts[comp_id]["level"] == level, comp_id
        assert _deciding(parts[comp_id]) == deciding, comp_id
    highest = max([result["own_level"], *(c["level"] for c in parts.values())])
    assert result["level"] == highest
    assert f"{REGIME}:art5.2" in {c["id"] for c in result["criteria"]}


def test_profiles_validate_without_warnings() -> None:
    """`assure validate profiles/` accepts every file and prints nothing on stderr."""
    run = run_assure("validate", "profiles/")
    assert run.code == 0, run.err
    assert run.err == "", run.err
    assert f"{len(PROFILE_FILES)}/{len(PROFILE_FILES)} valid" in run.out


def test_every_level_is_covered() -> None:
    """The examples span all five levels."""
    assert {level for level, _ in EXPECTED.values()} == {1, 2, 3, 4, 5}


def test_every_system_type_is_covered() -> None:
    """The examples span all five system types of Decree 85/2016 Art. 6.2."""
    types = {_load(p)["classification"]["system_type"] for p in PROFILE_FILES}
    assert types == SYSTEM_TYPES


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_file_name_is_id(path: Path) -> None:
    """Each profile file is named after its id."""
    assert _load(path)["id"] == path.stem


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_names_are_vietnamese(path: Path) -> None:
    """Names are NFC Vietnamese with diacritics, and each system has an English name."""
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    for node in _nodes(_load(path)):
        name = node["name"]
        decomposed = unicodedata.normalize("NFD", name)
        assert any(unicodedata.combining(ch) for ch in decomposed) or "đ" in name.lower(), name
        assert node.get("name_en", "").isascii() and node["name_en"], node["id"]


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_dossier_contacts_are_complete(path: Path) -> None:
    """Owner, operator and security unit carry every contact detail a level dossier needs."""
    data = _load(path)
    for role in ("owner", "operator", "security_unit"):
        unit = data.get(role) or {}
        missing = [f for f in UNIT_FIELDS if not unit.get(f)]
        assert not missing, f"{role}: {missing}"


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_addresses_are_reserved(path: Path) -> None:
    """Public addresses come from documentation ranges and private ones from RFC 1918/ULA."""
    zones = (_load(path).get("architecture") or {}).get("network_zones") or []
    for zone in zones:
        for net in zone.get("public_ips") or []:
            assert _inside(net, DOCUMENTATION_NETS), f"{zone['name']}: {net}"
        for net in zone.get("private_ips") or []:
            assert _inside(net, PRIVATE_NETS), f"{zone['name']}: {net}"


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_endpoints_are_gov_vn(path: Path) -> None:
    """Every endpoint is a host under .gov.vn."""
    for endpoint in _load(path).get("endpoints") or []:
        host = urlsplit(endpoint["url"]).hostname or ""
        assert host.endswith(".gov.vn"), endpoint["url"]
