"""OpenSSL's second opinion asked of libcrypto in this process says what the command says.

`openssl verify` costs a process start per chain; the same library, set up as the command
sets itself up, answers in this process instead. Every x509-limbo server case and the chains
the probe tests build go to both, and the answers (accepted, and OpenSSL's reason when not)
must be the same. What libcrypto cannot take goes to the command.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from assure.probes import second_opinion
from tests.probes import pki

EXE = shutil.which("openssl")
DATA = Path(__file__).resolve().parents[1] / "data" / "x509-limbo" / "server-cases.json.gz"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)

pytestmark = [
    pytest.mark.skipif(EXE is None, reason="no openssl command"),
    pytest.mark.skipif(second_opinion._libcrypto() is None, reason="no libcrypto 3 to load"),
    pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning"),
]


def _both(
    chain: list[x509.Certificate], anchors: list[x509.Certificate], when: dt.datetime
) -> tuple[second_opinion.Opinion | None, second_opinion.Opinion | None]:
    assert EXE is not None
    der = [c.public_bytes(Encoding.DER) for c in chain]
    at = second_opinion.evaluation_instant(der[0], when)
    return (
        second_opinion._in_process(der, anchors, at),
        second_opinion._ask_openssl(EXE, der, anchors, at, 10),
    )


def _limbo() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(gzip.decompress(DATA.read_bytes()))
    return cases


def test_every_limbo_case_gets_the_commands_answer() -> None:
    """Accepted or refused, and with which reason, exactly as `openssl verify` answers."""
    compared, refused, differ = 0, 0, []
    for case in _limbo():
        chain = [
            x509.load_pem_x509_certificate(p.encode())
            for p in [case["peer_certificate"], *case["untrusted_intermediates"]]
        ]
        anchors = [x509.load_pem_x509_certificate(p.encode()) for p in case["trusted_certs"]]
        t = case["validation_time"]
        inside, command = _both(chain, anchors, dt.datetime.fromisoformat(t) if t else NOW)
        assert command is not None, case["id"]
        compared += 1
        refused += not command[0]
        if inside != command:
            differ.append((case["id"], inside, command))
    assert differ == []
    assert compared > 100 and refused > 20  # both kinds of answer were compared


def test_built_chains_get_the_commands_answer() -> None:
    """Good, expired, unknown-root, missing-intermediate and CA-as-leaf chains."""
    root = pki.make_ca("Inprocess Root")
    other = pki.make_ca("Inprocess Other Root")
    sub = pki.make_ca("Inprocess Intermediate", root)
    good = pki.make_leaf("good.test", sub)
    old = pki.make_leaf(
        "old.test",
        root,
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW - dt.timedelta(days=1),
    )
    cases = {
        "good": ([good.cert, sub.cert], [root.cert]),
        "no intermediate sent": ([good.cert], [root.cert]),
        "unknown root": ([good.cert, sub.cert], [other.cert]),
        "many anchors, none reached": ([good.cert, sub.cert], [other.cert, old.cert]),
        "expired leaf": ([old.cert], [root.cert]),
        "a CA as the leaf": ([sub.cert], [root.cert]),
    }
    answers = {}
    for name, (chain, anchors) in cases.items():
        inside, command = _both(chain, anchors, NOW)
        assert inside == command, (name, inside, command)
        answers[name] = inside
    assert answers["good"] == (True, "")
    assert answers["unknown root"] is not None and answers["unknown root"][0] is False


def test_what_libcrypto_cannot_parse_goes_to_the_command() -> None:
    """A certificate libcrypto will not parse is not answered here; the command is asked."""
    root = pki.make_ca("Inprocess Garbage Root")
    leaf = pki.make_leaf("garbage.test", root)
    der = [leaf.cert.public_bytes(Encoding.DER), b"\x30\x03\x02\x01\x00"]
    assert second_opinion._in_process(der, [root.cert], NOW) is None
