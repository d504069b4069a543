"""Portal probes: IPv6, HTTPS and TLS checks (interface §6).

The registry below is the one place a check is declared: its ID (the public contract), its
family and a one-line title used by every report. Adding a check means one member here, one
judging function in its family module, and one test. No import-time discovery.
"""

from __future__ import annotations

from enum import StrEnum


class CheckId(StrEnum):
    """Check IDs of `assure probe`, in report order."""

    WEB_AAAA = "web_aaaa"
    WEB_REACH_IPV6 = "web_reach_ipv6"
    WEB_IPV46_PARITY = "web_ipv46_parity"
    NS_AAAA = "ns_aaaa"
    NS_REACH_IPV6 = "ns_reach_ipv6"
    HTTPS_AVAILABLE = "https_available"
    HTTPS_REDIRECT = "https_redirect"
    HTTPS_HSTS = "https_hsts"
    TLS_VERSIONS = "tls_versions"
    TLS_CIPHERS = "tls_ciphers"
    TLS_CERT_TRUSTED = "tls_cert_trusted"
    TLS_CERT_HOSTNAME = "tls_cert_hostname"
    TLS_CERT_EXPIRY = "tls_cert_expiry"
    TLS_CERT_KEY = "tls_cert_key"
    TLS_CERT_SIGNATURE = "tls_cert_signature"


CHECKS: dict[CheckId, tuple[str, str]] = {
    CheckId.WEB_AAAA: ("ipv6", "The web host has an IPv6 address (AAAA record)."),
    CheckId.WEB_REACH_IPV6: ("ipv6", "Every IPv6 address answers on the ports IPv4 serves."),
    CheckId.WEB_IPV46_PARITY: ("ipv6", "The site answers the same over IPv4 and IPv6."),
    CheckId.NS_AAAA: ("ipv6", "At least two name servers of the domain have IPv6 addresses."),
    CheckId.NS_REACH_IPV6: ("ipv6", "Every name server answers DNS queries over IPv6."),
    CheckId.HTTPS_AVAILABLE: ("https", "The site is served over HTTPS."),
    CheckId.HTTPS_REDIRECT: ("https", "http:// redirects to https:// on the same host first."),
    CheckId.HTTPS_HSTS: ("https", "HTTPS responses carry HSTS with max-age of a year or more."),
    CheckId.TLS_VERSIONS: ("tls", "Only TLS 1.2 and 1.3 are offered."),
    CheckId.TLS_CIPHERS: ("tls", "No weak cipher is accepted and forward secrecy is offered."),
    CheckId.TLS_CERT_TRUSTED: ("tls", "The certificate chains to a trusted root."),
    CheckId.TLS_CERT_HOSTNAME: ("tls", "The certificate's subjectAltName covers the host."),
    CheckId.TLS_CERT_EXPIRY: ("tls", "The certificate is valid now and for 30 more days."),
    CheckId.TLS_CERT_KEY: ("tls", "The certificate key is strong (RSA ≥ 2048, EC ≥ 256)."),
    CheckId.TLS_CERT_SIGNATURE: ("tls", "No certificate in the chain is signed with SHA-1 or MD5."),
}

__all__ = ["CHECKS", "CheckId"]
