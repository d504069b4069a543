"""OpenSSL's opinion is asked once for a chain that both addresses of a portal send.

Asking OpenSSL is the costliest step of judging trust, so a run remembers the
answer for the same chain and anchors judged moments apart, but never across an instant at
which a certificate of the chain starts or stops being valid (the answer could differ there).
The answers themselves come from the real command.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from assure.probes import second_opinion
from tests.probes import pki

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def _count_asks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = second_opinion._ask

    def counting(*args: object, **kwargs: object) -> second_opinion.Opinion | None:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(second_opinion, "_ask", counting)
    return calls


def test_same_chain_moments_apart_is_asked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    root = pki.make_ca("Memo Root")
    leaf = pki.make_leaf("memo.test", root, san=["memo.test"])
    chain = [leaf.cert.public_bytes(Encoding.DER)]
    calls = _count_asks(monkeypatch)
    now = dt.datetime.now(dt.UTC)
    first = second_opinion.openssl_opinion(chain, [root.cert], now)
    again = second_opinion.openssl_opinion(chain, [root.cert], now + dt.timedelta(seconds=2))
    assert first == again == (True, "")
    assert len(calls) == 1
    later = second_opinion.openssl_opinion(chain, [root.cert], now + dt.timedelta(hours=1))
    assert later == (True, "") and len(calls) == 2  # too far apart: asked again


def test_a_validity_edge_between_the_instants_asks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    root = pki.make_ca("Memo Edge Root")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    intermediate = pki.make_ca("Memo Edge Intermediate", root)
    leaf = pki.make_leaf(
        "edge.test",
        intermediate,
        san=["edge.test"],
        not_before=start,
        not_after=start + dt.timedelta(days=30),
    )
    chain = [c.public_bytes(Encoding.DER) for c in (leaf.cert, intermediate.cert)]
    calls = _count_asks(monkeypatch)
    second_opinion.openssl_opinion(chain, [root.cert], start + dt.timedelta(seconds=30))
    second_opinion.openssl_opinion(chain, [root.cert], start + dt.timedelta(seconds=31))
    assert len(calls) == 1
    # an instant on the other side of the leaf's notBefore (clamped inside its validity by the
    # judge, still a different state for nothing else here): the memo may not answer for it
    assert not second_opinion._same_validity(
        chain, start - dt.timedelta(seconds=10), start + dt.timedelta(seconds=10)
    )


def test_only_anchors_reachable_by_issuer_names_are_handed_over() -> None:
    """An anchor that is itself issued by another anchor brings that one along (the closure
    over issuer names); unrelated roots stay out; OpenSSL's verdict is the bundle's."""
    root = pki.make_ca("Reach Root")
    sub = pki.make_ca("Reach Sub", root)
    unrelated = pki.make_ca("Reach Unrelated")
    leaf = pki.make_leaf("reach.test", sub, san=["reach.test"])
    anchors = [unrelated.cert, sub.cert, root.cert]
    assert second_opinion.reachable_anchors([leaf.cert], anchors) == [sub.cert, root.cert]
    chain = [leaf.cert.public_bytes(Encoding.DER)]
    now = dt.datetime.now(dt.UTC)
    assert second_opinion.openssl_opinion(chain, anchors, now) == (True, "")
    assert second_opinion.reachable_anchors([leaf.cert], [unrelated.cert]) == []
    refused = second_opinion.openssl_opinion(chain, [unrelated.cert], now)
    assert refused is not None and refused[0] is False
