"""SARIF 2.1.0 from probe findings, for code-scanning dashboards.

Kept to the OASIS schema (the tests validate every output against it) and to the parts of
the standard dashboards read: one rule per check, with a short and a full description and
a `helpUri`; one result per finding that is not a pass; and one invocation saying how the
run ended. A result is `kind: fail` only when the portal was judged and found wanting
(`fail`, `warn`); a check that could not be decided (`inconclusive`, `error`) is `kind:
open`, and SARIF §3.27.10 then requires `level: none`: an undecided check is not an error
of the portal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from assure import __version__
from assure.findings import Finding, Status
from assure.probes import CHECKS

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

#: Where each check is explained (`#<check id>` is appended): the probe documentation.
DOCS = "https://assure.example/docs/probes.html"

#: What passing means, one sentence per check (the README's table of checks).
FULL: Mapping[str, str] = {
    "web_aaaa": "Passes when the host has an AAAA record; IPv4-mapped addresses do not count.",
    "web_reach_ipv6": "Passes when every IPv6 address answers on the ports IPv4 serves.",
    "web_ipv46_parity": "Passes when IPv4 and IPv6 give the same status and nearly the same"
    " page (nonces ignored).",
    "ns_aaaa": "Passes when at least two name servers of the domain have IPv6 addresses;"
    " one is a warning.",
    "ns_reach_ipv6": "Passes when every IPv6 name server answers a DNS query over IPv6.",
    "https_available": "Passes when the site answers over HTTPS.",
    "https_redirect": "Passes when http:// redirects to https:// on the same host first, with"
    " no downgrade, loop or endless chain.",
    "https_hsts": "Passes when HTTPS responses carry HSTS with max-age of at least a year;"
    " shorter is a warning, missing or malformed a failure.",
    "tls_versions": "Passes when only TLS 1.2 and 1.3 are offered; SSLv3, TLS 1.0 and 1.1 fail.",
    "tls_ciphers": "Passes when no NULL, EXPORT, anonymous, RC4, 3DES or DES suite is accepted"
    " and forward secrecy is offered; static RSA is a warning.",
    "tls_cert_trusted": "Passes when the certificate chain verifies to a trusted root.",
    "tls_cert_hostname": "Passes when the certificate's subjectAltName covers the host (the"
    " common name is never used).",
    "tls_cert_expiry": "Passes when the certificate is valid now and for 30 more days; fewer"
    " days is a warning.",
    "tls_cert_key": "Passes when the certificate key is RSA of at least 2048 bits or EC of at"
    " least 256 bits.",
    "tls_cert_signature": "Passes when no certificate in the chain is signed with SHA-1 or MD5.",
}

_LEVEL = {Status.FAIL: "error", Status.WARN: "warning"}
_OPEN = frozenset({Status.ERROR, Status.INCONCLUSIVE})


def rules() -> list[dict[str, Any]]:
    """One reporting descriptor per check, in registry order."""
    return [
        {
            "id": c.value,
            "name": c.value,
            "shortDescription": {"text": title},
            "fullDescription": {"text": FULL.get(c.value, title)},
            "helpUri": f"{DOCS}#{c.value}",
            "properties": {"family": fam},
        }
        for c, (fam, title) in CHECKS.items()
    ]


def result(f: Finding, index: Mapping[str, int]) -> dict[str, Any] | None:
    """The SARIF result of one finding, or None for a pass (or info, not applicable)."""
    if f.status in _LEVEL:
        kind, level = "fail", _LEVEL[f.status]
    elif f.status in _OPEN:
        kind, level = "open", "none"
    else:
        return None
    out: dict[str, Any] = {
        "ruleId": f.check,
        "kind": kind,
        "level": level,
        "message": {"text": f"{f.target}: {f.summary}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(f.target)}}}],
        "properties": {
            "status": f.status.value,
            "target": f.target,
            "reason": f.reason,
            "evidence": dict(f.evidence),
        },
    }
    if f.check in index:
        out["ruleIndex"] = index[f.check]
    return out


def sarif(
    findings: Sequence[Finding],
    *,
    exit_code: int | None = None,
    started: str | None = None,
    ended: str | None = None,
) -> str:
    """The SARIF log; `exit_code`, `started` and `ended` (ISO 8601 UTC) fill its invocation."""
    index = {c.value: i for i, c in enumerate(CHECKS)}
    results = [r for f in findings if (r := result(f, index)) is not None]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "assure",
                "version": __version__,
                "informationUri": DOCS,
                "rules": rules(),
            }
        },
        "results": results,
    }
    if exit_code is not None:
        run["invocations"] = invocations(exit_code, started, ended)
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def invocations(
    exit_code: int | None, started: str | None = None, ended: str | None = None
) -> list[dict[str, Any]]:
    """How the run ended, as SARIF's `invocations` (none when the exit code is unknown)."""
    if exit_code is None:
        return []
    invocation: dict[str, Any] = {
        "executionSuccessful": exit_code in (0, 1, 4),
        "exitCode": exit_code,
    }
    if started:
        invocation["startTimeUtc"] = _utc(started)
    if ended:
        invocation["endTimeUtc"] = _utc(ended)
    return [invocation]


def _utc(when: str) -> str:
    """SARIF §3.9 writes UTC times with a `Z`."""
    return when.removesuffix("+00:00") + "Z" if when.endswith("+00:00") else when


def uri(target: str) -> str:
    """A target as the URI of what was examined (a bare host is its https:// root)."""
    return target if "://" in target else f"https://{target}/"
