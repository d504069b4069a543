"""What a probe needs from the outside world, injected so tests can pin every part of it.

Nothing in the probe modules reads a clock, a resolver configuration or a trust store on its
own: the command builds one `ProbeContext` and hands it down. A test builds its own with a
loopback name server, a test CA and a fixed instant.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from cryptography import x509

from assure import __version__
from assure.probes.stub import AnswerCache
from assure.probes.trust import AnchorIndex

# HOST (lower case) → addresses pinned with --resolve, for any port we probe.
RESOLVER_CACHE_SIZE = 2048  # answers; a few MB, whatever the run's size
Pins = Mapping[str, Sequence[str]]
RUN_MEMO_SIZE = 4096
# Seconds a route lookup of the vantage point stays true for the targets after it: a route
# that changes within a second is no fact a verdict can rest on either way.
VANTAGE_FRESH = 1.0  # entries of what a run learns once (see `RunMemo`)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RunMemo(Generic[K, V]):
    """What one run learns once and every later target of the run may reuse: bounded (the
    oldest entry goes first), shared by every thread, forgotten when the run ends.

    Only answers that cannot differ from one target to the next belong here (a resolver's
    DNS64 prefixes, a name server that answered for its zone). What may pass (a timeout, a
    name server that did not answer) is never kept: the next target asks again and sees for
    itself."""

    def __init__(self, size: int = RUN_MEMO_SIZE) -> None:
        self._items: dict[K, V] = {}
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if key not in self._items and len(self._items) >= self._size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = value


@dataclass(frozen=True)
class ProbeContext:
    """Settings and collaborators of one probe run.

    `timeout` bounds every single network operation; `deadline` bounds a whole target, so a
    server that answers slowly on every port still cannot hold the run. `nameservers` replaces
    the resolver configuration (None: /etc/resolv.conf, which inside `ip netns exec` is the
    namespace's own). `anchors` are the trust anchors (default store plus --ca-file);
    `public_anchors` the default store alone, used to name the issuer family.
    """

    timeout: float = 5.0
    deadline: float = 60.0
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    pins: Pins = field(default_factory=dict)
    nameservers: tuple[tuple[str, int], ...] | None = None
    anchors: tuple[x509.Certificate, ...] = ()
    public_anchors: frozenset[bytes] = frozenset()  # SHA-256 of the default store's roots
    http_port: int = 80
    max_body: int = 1 << 20
    max_redirects: int = 10
    user_agent: str = f"assure-probe/{__version__}"
    # Special-purpose ranges (ULA, documentation, loopback…) the user allowed to count as a
    # site's addresses in DNS answers: test beds and internal networks (--allow-range).
    allow_ranges: tuple[str, ...] = ()
    # Built from `anchors` once per run (never passed in): the verifier store and anchor
    # indexes every certificate judgement of the run shares.
    anchor_index: AnchorIndex = field(init=False, repr=False, compare=False)
    # One resolver cache for the run (bounded, TTLs honoured): the targets of one zone ask the
    # same zone cut, name servers and their addresses; asking once is enough. Only lookups
    # are cached here; the name servers' own answers over IPv6 are `ns_memo`'s.
    resolver_cache: AnswerCache = field(init=False, repr=False, compare=False)
    # The resolver's DNS64 prefixes (RFC 7050: a property of the resolver, asked once per run
    # instead of once per target; a refusal to answer is kept too, a timeout is not).
    dns64_memo: RunMemo[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    # Name servers that gave an authoritative answer for a zone over a given address:
    # (address, port, zone) → "ok". The targets of one zone share its name servers; a server
    # that did not answer is asked again by the next target.
    ns_memo: RunMemo[tuple[str, int, str], str] = field(init=False, repr=False, compare=False)
    # The name servers /etc/resolv.conf names, read once per run (not once per target).
    resolv_memo: RunMemo[str, tuple[tuple[str, int], ...]] = field(
        init=False, repr=False, compare=False
    )
    # This machine's IPv6 route for a set of destinations (`dns.vantage_ipv6`), with the
    # monotonic instant it was asked: reused for `VANTAGE_FRESH` seconds, then asked again.
    vantage_memo: RunMemo[tuple[object, ...], tuple[float, tuple[bool, str]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchor_index", AnchorIndex(self.anchors))
        object.__setattr__(self, "resolver_cache", AnswerCache(RESOLVER_CACHE_SIZE))
        object.__setattr__(self, "dns64_memo", RunMemo())
        object.__setattr__(self, "ns_memo", RunMemo())
        object.__setattr__(self, "resolv_memo", RunMemo())
        object.__setattr__(self, "vantage_memo", RunMemo())


class Deadline:
    """A monotonic end time; every network call asks it how long it may still take."""

    def __init__(self, seconds: float, per_op: float) -> None:
        self._end = time.monotonic() + seconds
        self._per_op = per_op

    def remaining(self) -> float:
        return self._end - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def op_timeout(self) -> float:
        """Timeout for the next operation: the per-operation timeout, cut at the deadline."""
        return max(0.05, min(self._per_op, self.remaining()))
