"""Verdict logic without a network: hand-built observations → findings."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from assure.findings import Status
from assure.probes import CHECKS, CheckId, certs, http, ipv6, runner, tls, trust
from assure.probes.context import ProbeContext
from assure.probes.dns import DnsObservation, NameServer
from assure.probes.net import HttpResponse
from assure.probes.targets import Target, parse_resolve, parse_target
from assure.probes.verdict import Verdict, overall, roll_up


def test_registry_matches_interface() -> None:
    """The registry holds exactly the 15 check IDs of interface §6, each with a title."""
    assert [c.value for c in CheckId] == [
        "web_aaaa",
        "web_reach_ipv6",
        "web_ipv46_parity",
        "ns_aaaa",
        "ns_reach_ipv6",
        "https_available",
        "https_redirect",
        "https_hsts",
        "tls_versions",
        "tls_ciphers",
        "tls_cert_trusted",
        "tls_cert_hostname",
        "tls_cert_expiry",
        "tls_cert_key",
        "tls_cert_signature",
    ]
    assert set(CHECKS) == set(CheckId)


@pytest.mark.parametrize(
    ("value", "max_age", "problem"),
    [
        ("max-age=31536000; includeSubDomains", 31536000, None),
        ('max-age="600"', 600, None),
        ("includeSubDomains", None, "no max-age directive"),
        ("max-age=abc", None, "max-age 'abc' is not a number"),
        ("max-age=1; max-age=2", None, "directive 'max-age' appears twice"),
    ],
)
def test_parse_hsts(value: str, max_age: int | None, problem: str | None) -> None:
    """HSTS values are parsed per RFC 6797, malformed ones are named."""
    got_age, _, got_problem = http.parse_hsts(value)
    assert (got_age, got_problem) == (max_age, problem)


def test_hsts_zero_fails() -> None:
    """max-age=0 switches HSTS off: fail."""
    resp = HttpResponse(200, "OK", [("strict-transport-security", "max-age=0")])
    assert http.judge_hsts(http.Fetch(resp)).status is Status.FAIL


def chain_of(*urls: str, end: str = "ok") -> http.RedirectChain:
    c = http.RedirectChain(start=urls[0], end=end)
    for a, b in itertools.pairwise(urls):
        c.hops.append({"url": a, "status": 301, "location": b})
    c.hops.append({"url": urls[-1], "status": 200})
    c.final = HttpResponse(200, "OK")
    return c


def test_redirect_downgrade_later_in_chain_fails() -> None:
    """http → https → http → https is a downgrade (Internet.nl #1521)."""
    c = chain_of("http://a.test/", "https://a.test/", "http://a.test/x", "https://a.test/x")
    v = http.judge_redirect(c, "a.test")
    assert v.status is Status.FAIL and "downgrade" in v.text


def test_redirect_to_other_host_first_fails() -> None:
    """The first hop must stay on the same host."""
    v = http.judge_redirect(chain_of("http://a.test/", "https://www.a.test/"), "a.test")
    assert v.status is Status.FAIL


def test_redirect_same_host_passes() -> None:
    """http://a.test/ → https://a.test/ passes."""
    assert http.judge_redirect(chain_of("http://a.test/", "https://a.test/"), "a.test").status is (
        Status.PASS
    )


def test_blocked_responses() -> None:
    """429, 403 and challenge pages read as interference."""
    assert http.blocked(HttpResponse(429, ""))
    assert http.blocked(HttpResponse(403, ""))
    assert http.blocked(HttpResponse(503, "", body=b"<title>Just a moment...</title>"))
    assert http.blocked(HttpResponse(200, "", body=b"welcome")) is None


@pytest.mark.parametrize(
    ("pattern", "host", "ok"),
    [
        ("a.test", "a.test", True),
        ("*.a.test", "www.a.test", True),
        ("*.a.test", "a.test", False),
        ("*.a.test", "x.www.a.test", False),
        ("*.test", "a.test", False),
        ("A.TEST", "a.test", True),
    ],
)
def test_host_matches(pattern: str, host: str, ok: bool) -> None:
    """SAN matching: one wildcard as the whole left-most label, never a public suffix."""
    assert certs.host_matches(pattern, host) is ok


def test_versions_untestable_is_inconclusive() -> None:
    """When this client cannot offer TLS 1.0, the verdict says so instead of passing."""
    obs = tls.TlsObservation(
        "192.0.2.1",
        443,
        versions={
            "SSLv3": "untestable",
            "TLSv1.0": "untestable",
            "TLSv1.1": "not_offered",
            "TLSv1.2": "offered",
            "TLSv1.3": "offered",
        },
    )
    v = tls.judge_versions(obs)
    assert v.status is Status.INCONCLUSIVE
    assert "Could not test TLSv1.0 from this client" in v.text


def test_ciphers_verdicts() -> None:
    """Weak suite → fail; no forward secrecy → fail; static RSA beside FS → warn."""
    assert (
        tls.judge_ciphers(
            tls.TlsObservation("a", 1, weak_accepted=["NULL-SHA"], forward_secrecy=True)
        ).status
        is Status.FAIL
    )
    assert tls.judge_ciphers(tls.TlsObservation("a", 1, forward_secrecy=False)).status is (
        Status.FAIL
    )
    assert (
        tls.judge_ciphers(
            tls.TlsObservation("a", 1, static_rsa_accepted="AES128-SHA", forward_secrecy=True)
        ).status
        is Status.WARN
    )


def test_roll_up_keeps_fail_over_inconclusive() -> None:
    """A fail on one address is not hidden by inconclusive on another; both are kept."""
    f = roll_up(
        "tls_cert_key",
        "t",
        {
            "192.0.2.1": Verdict(Status.FAIL, "weak"),
            "2001:db8::1": Verdict(Status.INCONCLUSIVE, "timeout", reason="timeout"),
        },
    )
    assert f.status is Status.FAIL
    assert set(f.evidence["addresses"]) == {"192.0.2.1", "2001:db8::1"}
    assert overall([Status.PASS, Status.INCONCLUSIVE]) is Status.INCONCLUSIVE


def test_web_reach_without_vantage_ipv6_is_inconclusive() -> None:
    """No IPv6 on this vantage point: reachability is inconclusive, never fail."""
    obs = DnsObservation(a=["192.0.2.1"], aaaa=["2001:db8::1"])
    v = ipv6.judge_web_reach(obs, {"192.0.2.1": {443: "ok"}}, (False, "no route"), (443, 80))
    assert v.status is Status.INCONCLUSIVE


def test_web_reach_black_hole_fails() -> None:
    """IPv4 answers on 443, IPv6 times out from a vantage point with IPv6: fail."""
    obs = DnsObservation(a=["192.0.2.1"], aaaa=["2001:db8::1"])
    reach = {"192.0.2.1": {443: "ok", 80: "ok"}, "2001:db8::1": {443: "timeout", 80: "timeout"}}
    v = ipv6.judge_web_reach(obs, reach, (True, "route"), (443, 80))
    assert v.status is Status.FAIL


def test_ns_aaaa_counts() -> None:
    """Two IPv6 name servers pass, one warns, none fails."""

    def obs(n6: int) -> DnsObservation:
        ns = [
            NameServer(f"ns{i}.test.", ["192.0.2.1"], ["2001:db8::53"] if i < n6 else [])
            for i in range(2)
        ]
        return DnsObservation(ns=ns, zone="test.")

    assert ipv6.judge_ns_aaaa(obs(2)).status is Status.PASS
    assert ipv6.judge_ns_aaaa(obs(1)).status is Status.WARN
    assert ipv6.judge_ns_aaaa(obs(0)).status is Status.FAIL


def test_similarity_ignores_nonces() -> None:
    """Pages that differ only in a CSRF token or nonce are the same page."""
    a = b'<form><input name="csrf_token" value="abc123"><script nonce="r4nd0m">x</script>'
    b = b'<form><input name="csrf_token" value="zzz999"><script nonce="0th3r">x</script>'
    assert ipv6.similarity(a, b) > 0.95


def _self_signed(name: x509.Name) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def _cert(org: str, cn: str) -> x509.Certificate:
    return _self_signed(
        x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )
    )


def _registry_cert(anchor_id: str) -> x509.Certificate:
    """A self-made certificate whose subject is exactly a registered national root's."""
    from assure import trust as national

    anchor = next(a for a in national.registry().anchors if a.id == anchor_id)
    return _self_signed(
        x509.Name([x509.NameAttribute(national._DN_KEYS[k], v) for k, v in anchor.subject.items()])
    )


def test_issuer_family_by_name() -> None:
    """Vietnamese roots are named from the shared registry; public and other otherwise."""
    gov = _registry_cert("vgca-root-g2")
    neac = _registry_cert("vnrca-g2")
    other = _cert("Example", "Example Root")
    assert trust.issuer_family([gov], False) == trust.FAMILY_VN_GOV
    assert trust.issuer_family([neac], True) == trust.FAMILY_VN_ROOT
    assert trust.issuer_family([other], True) == trust.FAMILY_PUBLIC
    assert trust.issuer_family([other], False) == trust.FAMILY_OTHER


@pytest.mark.parametrize(
    ("text", "host", "port", "scheme"),
    [
        ("portal.gov.vn", "portal.gov.vn", 443, "https"),
        ("https://Portal.Gov.VN:8443/x", "portal.gov.vn", 8443, "https"),
        ("http://portal.gov.vn:8080/", "portal.gov.vn", 443, "http"),
        ("https://[2001:db8::1]/", "2001:db8::1", 443, "https"),
        ("dịchvụcông.vn", "xn--dchvcng-x0a0689dsha.vn", 443, "https"),
    ],
)
def test_parse_target(text: str, host: str, port: int, scheme: str) -> None:
    """URLs and names parse to host, HTTPS port and scheme (IDNA for Vietnamese names)."""
    t = parse_target(text)
    assert (t.host, t.port, t.scheme) == (host, port, scheme)


def test_parse_resolve_v6() -> None:
    """--resolve accepts [v6] addresses and several addresses per entry."""
    assert parse_resolve(["a.test:443:[2001:db8::1],192.0.2.1"]) == {
        "a.test": ["2001:db8::1", "192.0.2.1"]
    }


def test_runner_turns_exceptions_into_error_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe that raises yields `error` findings with the reason, not a crash."""

    def boom(_t: Target, _c: ProbeContext) -> runner.TargetObservation:
        raise RuntimeError("kaput")

    monkeypatch.setattr(runner, "gather_target", boom)
    results = list(runner.run([Target("a", "a.test"), Target("b", "b.test")], ProbeContext(), 2))
    assert len(results) == 2
    for r in results:
        assert len(r.findings) == 15
        assert {f.status for f in r.findings} == {Status.ERROR}
        assert "kaput" in (r.findings[0].reason or "")


def test_similarity_of_large_pages_is_bounded_in_time() -> None:
    """Two different 1 MiB pages are told apart quickly (no quadratic stall)."""
    import time

    a = b"\n".join(b"<p>v4 line %d</p>" % i for i in range(60000))
    b = b"\n".join(b"<p>v6 line %d</p>" % i for i in range(60000))
    start = time.monotonic()
    assert ipv6.similarity(a, b) < ipv6.PARITY_MIN_RATIO
    assert ipv6.similarity(a, a + b"<p>one more line</p>") > ipv6.PARITY_MIN_RATIO
    assert time.monotonic() - start < 5


def test_trust_causes_from_the_chain_alone() -> None:
    """Leaf only → incomplete chain; leaf + intermediate of an unknown root → untrusted root;
    with the root as anchor → pass, family 'other' (not in the public store)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.probes import pki

    root = pki.make_ca("Unit Root")
    inter = pki.make_ca("Unit Intermediate", root)
    leaf = pki.make_leaf("unit.test", inter)
    other = pki.make_ca("Someone Else")
    der = [c.public_bytes(Encoding.DER) for c in (leaf.cert, inter.cert)]
    now = dt.datetime.now(dt.UTC)

    def judge(chain: list[bytes], anchors: list[x509.Certificate]) -> Verdict:
        return certs.judge_trusted(certs.CertInput("unit.test", chain, anchors, frozenset(), now))

    assert judge(der[:1], [other.cert]).evidence["cause"] == "incomplete_chain"
    assert judge(der, [other.cert]).evidence["cause"] == "untrusted_root"
    ok = judge(der, [root.cert])
    assert ok.status is Status.PASS
    assert ok.evidence["issuer_family"] == "other"


def test_issuer_family_ids_are_the_registry_ones() -> None:
    """Probes and signature checks name the Vietnamese families with the registry's IDs."""
    from assure import trust as national

    assert {trust.FAMILY_VN_ROOT, trust.FAMILY_VN_GOV} <= set(national.registry().families)


def test_redirect_to_unresolvable_other_host_still_fails() -> None:
    """A first redirect to another host fails even when that host cannot be reached."""
    c = http.RedirectChain(start="http://a.test/", end="error", error=("dns", "cannot resolve"))
    # the unresolvable host adds no hop; the last hop still says where it was sent
    c.hops.append({"url": "http://a.test/", "status": 301, "location": "https://b.test/"})
    v = http.judge_redirect(c, "a.test")
    assert v.status is Status.FAIL


def test_redirect_first_hop_unreachable_is_inconclusive() -> None:
    """A timeout on plain HTTP itself is inconclusive (maybe a firewall), not a fail."""
    c = http.RedirectChain(start="http://a.test/", end="error", error=("timeout", "no answer"))
    c.hops.append({"url": "http://a.test/", "error": "timeout", "detail": "no answer"})
    v = http.judge_redirect(c, "a.test")
    assert v.status is Status.INCONCLUSIVE and v.reason == "timeout"
