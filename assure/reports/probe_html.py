"""The probe report as a page people act on: per target, checks grouped by family, failures
first, each failed or warned check with why it matters and how to fix it.

What to fix is said in the reader's language from the message catalogue (`check.<id>.*`);
the configuration lines for nginx, Apache and IIS are code, the same in every language, and
live here. The findings themselves are not changed: this module only arranges them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from assure import i18n
from assure.findings import Finding, Status
from assure.i18n import Msg
from assure.probes import CHECKS
from assure.signatures.models import CHECKS as DOCUMENT_CHECKS

#: Families in report order; signature checks of sample documents come last.
FAMILIES = ("ipv6", "https", "tls", "documents")
_FAMILY = {c.value: fam for c, (fam, _title) in CHECKS.items()} | dict.fromkeys(
    DOCUMENT_CHECKS, "documents"
)
#: Failures first: the order in which a reader should look at the results.
_ATTENTION = (
    Status.FAIL,
    Status.WARN,
    Status.ERROR,
    Status.INCONCLUSIVE,
    Status.INFO,
    Status.NOT_APPLICABLE,
    Status.PASS,
)
PASSED = frozenset({Status.PASS, Status.INFO, Status.NOT_APPLICABLE})
TO_FIX = frozenset({Status.FAIL, Status.WARN})
UNTESTED = frozenset({Status.INCONCLUSIVE, Status.ERROR})

#: Server configuration that fixes a check, for the three servers state portals run on.
SERVER_HINTS: dict[str, dict[str, str]] = {
    "web_reach_ipv6": {
        "nginx": "listen [::]:443 ssl;\nlisten [::]:80;",
        "Apache": "Listen [::]:443\nListen [::]:80",
        "IIS": "Site Bindings → Add… → IP address: All Unassigned (IPv4 and IPv6)",
    },
    "web_ipv46_parity": {
        "nginx": "server { listen 443 ssl; listen [::]:443 ssl; server_name portal.example; … }",
        "Apache": "<VirtualHost *:443 [::]:443> ServerName portal.example … </VirtualHost>",
        "IIS": "Site Bindings: the same host name on the IPv4 and the IPv6 address",
    },
    "https_redirect": {
        "nginx": "server { listen 80; listen [::]:80; return 301 https://$host$request_uri; }",
        "Apache": "<VirtualHost *:80>\n  Redirect permanent / https://portal.example/\n</VirtualHost>",
        "IIS": 'URL Rewrite: <action type="Redirect" url="https://{HTTP_HOST}/{R:1}"'
        ' redirectType="Permanent" />',
    },
    "https_hsts": {
        "nginx": 'add_header Strict-Transport-Security "max-age=31536000" always;',
        "Apache": 'Header always set Strict-Transport-Security "max-age=31536000"',
        "IIS": '<hsts enabled="true" max-age="31536000" redirectHttpToHttps="true" />',
    },
    "tls_versions": {
        "nginx": "ssl_protocols TLSv1.2 TLSv1.3;",
        "Apache": "SSLProtocol -all +TLSv1.2 +TLSv1.3",
        "IIS": "Registry SCHANNEL\\Protocols: disable SSL 3.0, TLS 1.0, TLS 1.1 (IIS Crypto)",
    },
    "tls_ciphers": {
        "nginx": "ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;\nssl_prefer_server_ciphers on;",
        "Apache": "SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20\nSSLHonorCipherOrder on",
        "IIS": "Group Policy → SSL Cipher Suite Order: only TLS_ECDHE_*_GCM_* suites",
    },
    "tls_cert_trusted": {
        "nginx": "ssl_certificate /etc/ssl/portal-fullchain.pem;  # leaf + intermediates",
        "Apache": "SSLCertificateFile /etc/ssl/portal-fullchain.pem",
        "IIS": "Import the intermediate certificates into Intermediate Certification Authorities",
    },
}


def _title(check: str, lang: i18n.Lang) -> str:
    key = f"check.{check}.title"
    return i18n.t(key, lang) if i18n.has(key) else check


def _advice(check: str, lang: i18n.Lang) -> dict[str, Any] | None:
    why, fix = f"check.{check}.why", f"check.{check}.fix"
    if not (i18n.has(why) and i18n.has(fix)):
        return None
    return {
        "why": i18n.t(why, lang),
        "fix": i18n.t(fix, lang),
        "servers": SERVER_HINTS.get(check, {}),
    }


def _finding(f: Finding, lang: i18n.Lang) -> dict[str, Any]:
    d = f.to_json()
    d["summary"] = f.text(lang)
    if f.reason is not None:
        d["reason"] = f.reason_text(lang)
    d["title"] = _title(f.check, lang)
    d["status_text"] = i18n.t(f"status.{f.status.value}", lang)
    d["evidence_json"] = json.dumps(dict(f.evidence), ensure_ascii=False, indent=2)
    d["advice"] = _advice(f.check, lang) if f.status in TO_FIX else None
    per = f.evidence.get("addresses")
    rows = (
        [
            {
                "address": a,
                "status": v.get("status", ""),
                "status_text": i18n.t(f"status.{v['status']}", lang)
                if i18n.has(f"status.{v.get('status')}")
                else str(v.get("status", "")),
                "summary": Msg.from_json(v["message"]).text(lang)
                if isinstance(v.get("message"), dict)
                else v.get("summary", ""),
            }
            for a, v in per.items()
        ]
        if isinstance(per, dict)
        else []
    )
    same = len({(r["status"], r["summary"]) for r in rows}) <= 1
    d["per_address"] = [] if same else rows
    d["same_on"] = [r["address"] for r in rows] if same and len(rows) > 1 else []
    return d


def tally(findings: Sequence[Finding]) -> dict[str, int]:
    """Passed, to fix and could not test: the three numbers a target's owner acts on."""
    return {
        "passed": sum(f.status in PASSED for f in findings),
        "to_fix": sum(f.status in TO_FIX for f in findings),
        "untested": sum(f.status in UNTESTED for f in findings),
    }


def target_section(
    target: str, status: Status, findings: Sequence[Finding], lang: i18n.Lang
) -> dict[str, Any]:
    """One target: its verdict, its tally, and its findings by family, failures first."""
    groups = []
    for fam in FAMILIES:
        mine = [f for f in findings if _FAMILY.get(f.check, "tls") == fam]
        if not mine:
            continue
        mine.sort(key=lambda f: _ATTENTION.index(f.status))
        groups.append(
            {
                "family": fam,
                "title": i18n.t(f"family.{fam}", lang),
                "findings": [_finding(f, lang) for f in mine],
                "tally": tally(mine),
            }
        )
    counts = tally(findings)
    return {
        "target": target,
        "status": status.value,
        "status_text": i18n.t(f"status.{status.value}", lang),
        "tally": counts,
        "tally_text": i18n.t("probe.target_summary", lang, **counts),
        "groups": groups,
    }
