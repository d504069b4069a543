"""signxml's interop and XAdES vectors against `assure verify-signature` and signxml's verdict.

The files are signxml's (tests/data/signxml/README.md). Each goes through the installed
`assure verify-signature` and through signxml's own `XMLVerifier` (`XAdESVerifier` where the
signature carries XAdES qualifying properties) with signxml's default `expect_config` (its
algorithm policy: no SHA-1, no MD5, no HMAC without a key) and the signer's certificate from
the document pinned, as signxml's interop tests do; the verification instant is set inside that
certificate's validity so that the maths, not the calendar, is compared (validity and trust are
assure's chain judgement, compared with pyHanko/OpenSSL elsewhere). The compared verdict is
`doc_signature_valid`: intact and made with acceptable algorithms. A difference fails the test
unless it is listed in KNOWN with its reason (and docs/probes.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from tests.conftest import run_assure

DATA = Path(__file__).resolve().parent / "data" / "signxml"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS, "xades": "http://uri.etsi.org/01903/v1.3.2#"}
FILES = sorted(p.name for p in DATA.glob("*.xml"))

# file → (assure's status, why it differs from signxml's default verdict); empty: agreement
KNOWN: dict[str, tuple[str, str]] = {}


def anchor_for(name: str) -> Path:
    """The CA file signxml's interop test uses for the file (XAdES: none is needed here)."""
    if "enveloped" in name:
        return DATA / "cacert-enveloped.pem"
    return DATA / "cacert.pem"


def _first_signature(root: Any) -> Any:
    if root.tag == f"{{{DS}}}Signature":
        return root
    return root.find(".//ds:Signature", NS)


def signxml_verdict(name: str) -> str:
    """`pass` if signxml accepts the document's first signature with a certificate it carries."""
    data = (DATA / name).read_bytes()
    sig = _first_signature(etree.fromstring(data))
    if sig is None:
        return "fail"
    xades = sig.find(".//xades:QualifyingProperties", NS) is not None
    certs = [
        x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split())))
        for el in sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    ]
    return "pass" if any(_accepts(data, cert, xades=xades) for cert in certs) else "fail"


def _accepts(data: bytes, cert: x509.Certificate, *, xades: bool) -> bool:
    """signxml's default policy with `cert` pinned, at an instant inside its validity."""
    when = cert.not_valid_before_utc + dt.timedelta(seconds=1)
    try:
        if xades:
            config = XAdESSignatureConfiguration(verification_time=when, expect_references=True)
            XAdESVerifier().verify(data, x509_cert=cert, expect_config=config)
        else:
            plain = SignatureConfiguration(verification_time=when, expect_references=True)
            XMLVerifier().verify(data, x509_cert=cert, expect_config=plain)
    except Exception:  # signxml's refusal (any kind) is the verdict
        return False
    return True


@cache
def assure_verdicts() -> dict[str, str]:
    """The installed command over every file with its CA: file → doc_signature_valid."""
    out: dict[str, str] = {}
    groups: dict[Path, list[str]] = {}
    for name in FILES:
        groups.setdefault(anchor_for(name), []).append(name)
    for anchor, names in groups.items():
        run = run_assure(
            "verify-signature",
            *(DATA / n for n in names),
            "--trust",
            anchor,
            "--no-store",
            "--no-revocation",
            "--format",
            "json",
        )
        assert run.code in (0, 1), run.err
        for f in json.loads(run.out)["findings"]:
            if f["check"] == "doc_signature_valid":
                out[Path(f["target"]).name] = f["status"]
    return out


def test_the_set_is_what_the_readme_lists() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert FILES and all(f"`{n}`" in readme for n in FILES)


@pytest.mark.parametrize("name", FILES)
def test_assure_agrees_with_signxml(name: str) -> None:
    ours = assure_verdicts()[name]
    known = KNOWN.get(name)
    if known is not None:
        assert ours == known[0], f"{name}: the known difference changed ({ours})"
        return
    assert ours == signxml_verdict(name), f"{name}: assure {ours}, signxml {signxml_verdict(name)}"
