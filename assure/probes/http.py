"""HTTPS judging: availability, the http→https redirect chain, and HSTS (pure functions).

Gathering (`gather_redirects`, `gather_https`) records what each address answered; the judges
never touch the network. Interference — a 403/429 or WAF challenge, a reset right after
connecting, a timeout — is reported as `inconclusive` with its reason, never as `fail`.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urljoin, urlsplit

from assure.findings import JSONValue, Status
from assure.i18n import Msg
from assure.probes.context import Deadline, ProbeContext
from assure.probes.net import HttpResponse, NetError, ProbeNetError, http_get
from assure.probes.verdict import Verdict

ONE_YEAR = 31536000
# (address, port, host, path, tls): what identifies one request to one address.
FetchKey = tuple[str, int, str, str, bool]
REDIRECTS = (301, 302, 303, 307, 308)
_CHALLENGE = re.compile(
    rb"cf-chl|challenge-platform|captcha|attention required|access denied|request rejected"
    rb"|incapsula|ddos protection|just a moment",
    re.IGNORECASE,
)


@dataclass
class Fetch:
    """A response, or the classified failure instead of it."""

    response: HttpResponse | None = None
    error: tuple[str, str] | None = None

    def to_json(self) -> dict[str, JSONValue]:
        if self.response is None:
            return {
                "error": self.error[0] if self.error else "none",
                "detail": self.error[1] if self.error else "",
            }
        return {"status": self.response.status}


@dataclass
class RedirectChain:
    """The hops followed from http://host/ on one address."""

    start: str
    hops: list[dict[str, JSONValue]] = field(default_factory=list)
    end: str = "ok"  # ok | loop | too_long | error
    error: tuple[str, str] | None = None
    final: HttpResponse | None = None
    first: Fetch | None = None  # the first answer over plain HTTP, with its body (parity)


def blocked(resp: HttpResponse) -> str | None:
    """Why a response looks like interference (WAF, rate limit), or None."""
    if resp.status == 429:
        return "rate limited (HTTP 429)"
    if resp.status == 403:
        return "access denied (HTTP 403), possibly a WAF"
    if resp.status in (503, 200) and _CHALLENGE.search(resp.body[:65536]):
        return f"a WAF or bot challenge page (HTTP {resp.status})"
    return None


def fetch(
    address: str,
    port: int,
    host: str,
    path: str,
    *,
    tls: bool,
    ctx: ProbeContext,
    deadline: Deadline,
    read_body: bool = True,
    on_tls: Callable[[ssl.SSLSocket], None] | None = None,
    on_connect: Callable[[], None] | None = None,
) -> Fetch:
    try:
        return Fetch(
            http_get(
                address,
                port,
                host,
                path,
                tls=tls,
                deadline=deadline,
                max_body=ctx.max_body,
                user_agent=ctx.user_agent,
                read_body=read_body,
                on_tls=on_tls,
                on_connect=on_connect,
            )
        )
    except ProbeNetError as exc:
        return Fetch(error=(exc.kind.value, exc.detail))


def gather_redirects(
    address: str,
    host: str,
    path: str,
    ctx: ProbeContext,
    deadline: Deadline,
    resolve: Callable[[str], list[str]],
    http_port: int,
    known: Mapping[FetchKey, Fetch] | None = None,
    on_connect: Callable[[], None] | None = None,
) -> RedirectChain:
    """Follow redirects from http://host:http_port/path, the first hop on `address`.

    `known` holds responses this target already got (the HTTPS page itself): a hop asking
    exactly the same of the same address reuses it instead of another TLS handshake.
    `on_connect` is told when the first hop's TCP connection opened (the port answers).
    """
    port_part = "" if http_port == 80 else f":{http_port}"
    hostpart = f"[{host}]" if ":" in host else host
    url = f"http://{hostpart}{port_part}{path}"
    chain = RedirectChain(start=url)
    visited = {url}
    for _ in range(ctx.max_redirects + 1):
        parts = urlsplit(url)
        h = (parts.hostname or "").lower()
        tls = parts.scheme == "https"
        try:
            port = parts.port or (443 if tls else 80)
        except ValueError:
            chain.end, chain.error = "error", ("protocol", f"bad port in {url}")
            return chain
        if h == host:
            addr = address
        else:
            found = resolve(h)
            if not found:
                chain.end, chain.error = "error", ("dns", f"cannot resolve {h}")
                return chain
            addr = found[0]
        hop_path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        seen = (known or {}).get((addr, port, h, hop_path, tls))
        got = (
            seen
            if seen is not None and seen.response is not None
            else fetch(
                addr,
                port,
                h,
                hop_path,
                tls=tls,
                ctx=ctx,
                deadline=deadline,
                read_body=chain.first is None,  # the first page is kept for IPv4/IPv6 parity
                on_connect=on_connect if chain.first is None else None,
            )
        )
        if chain.first is None:
            chain.first = got
        if got.response is None:
            chain.end, chain.error = "error", got.error
            chain.hops.append({"url": url, "address": addr, **got.to_json()})
            return chain
        resp = got.response
        location = resp.header("location")
        hop: dict[str, JSONValue] = {"url": url, "address": addr, "status": resp.status}
        if location:
            hop["location"] = location
        chain.hops.append(hop)
        if resp.status in REDIRECTS and location:
            url = urljoin(url, location)
            if url in visited:
                chain.end = "loop"
                return chain
            visited.add(url)
            continue
        chain.final = resp
        return chain
    chain.end = "too_long"
    return chain


def judge_available(https: Fetch) -> Verdict:
    """Pass when an HTTP response came back over TLS; a refusal fails; interference is unknown."""
    if https.response is not None:
        ev: dict[str, JSONValue] = {"http_status": https.response.status}
        why = blocked(https.response)
        if why:
            ev["interference"] = why
        return Verdict(Status.PASS, Msg.of("http.answers", status=https.response.status), ev)
    kind, detail = https.error or ("other", "")
    ev = {"error": kind, "detail": detail}
    if kind == NetError.REFUSED:
        return Verdict(Status.FAIL, Msg.of("http.refused"), ev)
    if kind == NetError.TLS_ALERT:
        return Verdict(Status.FAIL, Msg.of("http.handshake_fails", detail=detail), ev)
    return Verdict(Status.INCONCLUSIVE, Msg.of("http.unknown", detail=detail), ev, reason_for(kind))


def reason_for(kind: str) -> str:
    """The `reason` of an inconclusive verdict caused by a network failure of `kind`."""
    return {
        "timeout": "timeout",
        "reset": "connection reset (possibly a firewall)",
        "not_tls": "the port answered with something other than TLS",
        "protocol": "malformed HTTP response",
        "deadline": "the target's deadline passed",
        "unreachable": "no route to the address from here",
    }.get(kind, kind)


def judge_redirect(chain: RedirectChain, host: str) -> Verdict:
    """http:// must go to https:// on the same host first, with no downgrade later."""
    ev: dict[str, JSONValue] = {"start": chain.start, "hops": list(chain.hops), "end": chain.end}
    if not chain.hops or "error" in chain.hops[0]:  # plain HTTP itself did not answer
        kind, detail = chain.error or ("other", "")
        if kind == NetError.REFUSED:
            return Verdict(
                Status.NOT_APPLICABLE,
                Msg.of("http.plain_refused"),
                ev,
            )
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("http.plain_unreachable", detail=detail),
            ev,
            reason_for(kind),
        )
    first = chain.hops[0]
    if "location" not in first:
        if chain.final is not None and blocked(chain.final):
            return Verdict(
                Status.INCONCLUSIVE,
                Msg.of("http.plain_blocked", why=blocked(chain.final)),
                ev,
                blocked(chain.final),
            )
        return Verdict(
            Status.FAIL,
            Msg.of("http.no_redirect", status=first.get("status")),
            ev,
        )
    urls = [str(h["url"]) for h in chain.hops]
    if "location" in chain.hops[-1]:  # where the last answer sent us, fetched or not
        urls.append(urljoin(urls[-1], str(chain.hops[-1]["location"])))
    second = urlsplit(urls[1])
    if second.scheme != "https" or (second.hostname or "").lower() != host:
        return Verdict(Status.FAIL, Msg.of("http.redirect_elsewhere", url=urls[1], host=host), ev)
    for a, b in pairwise(urls):
        if urlsplit(a).scheme == "https" and urlsplit(b).scheme == "http":
            return Verdict(Status.FAIL, Msg.of("http.downgrade", a=a, b=b), ev)
    if chain.end == "loop":
        return Verdict(Status.INCONCLUSIVE, Msg.of("http.loop"), ev, "redirect loop")
    if chain.end == "too_long":
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("http.too_long", n=len(chain.hops) - 1),
            ev,
            "redirect chain too long",
        )
    if chain.end == "error":
        # Only the rest of the chain failed: where it started is already judged above.
        kind, detail = chain.error or ("other", "")
        return Verdict(
            Status.INCONCLUSIVE, Msg.of("http.broke_off", detail=detail), ev, reason_for(kind)
        )
    return Verdict(
        Status.PASS,
        Msg.of("http.redirects", url=urls[1], n=len(chain.hops)),
        ev,
    )


def parse_hsts(value: str) -> tuple[int | None, list[str], str | None]:
    """(max-age, directives, problem) of a Strict-Transport-Security value (RFC 6797 6.1)."""
    names: list[str] = []
    max_age: int | None = None
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        name, sep, val = part.partition("=")
        name = name.strip().lower()
        if name in names:
            return None, names, f"directive {name!r} appears twice"
        names.append(name)
        if name == "max-age":
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            if not sep or not val.isdigit():
                return None, names, f"max-age {val!r} is not a number"
            max_age = int(val)
    if max_age is None:
        return None, names, "no max-age directive"
    return max_age, names, None


def judge_hsts(https: Fetch) -> Verdict:
    """max-age ≥ 1 year passes, shorter warns, missing or malformed fails (HTTPS only)."""
    if https.response is None:
        kind, detail = https.error or ("other", "")
        if kind == NetError.REFUSED:
            return Verdict(Status.FAIL, Msg.of("http.no_hsts_response"), {"error": kind})
        return Verdict(
            Status.INCONCLUSIVE,
            Msg.of("http.no_response_for_hsts", detail=detail),
            {"error": kind},
            reason_for(kind),
        )
    resp = https.response
    values = resp.all("strict-transport-security")
    ev: dict[str, JSONValue] = {"http_status": resp.status, "headers": values}
    why = blocked(resp)
    if why and not values:
        return Verdict(Status.INCONCLUSIVE, Msg.of("http.hsts_blocked", why=why), ev, why)
    if not values:
        return Verdict(Status.FAIL, Msg.of("http.no_hsts"), ev)
    max_age, directives, problem = parse_hsts(values[0])
    ev.update(max_age=max_age, directives=directives)
    if problem or max_age is None:
        return Verdict(Status.FAIL, Msg.of("http.hsts_malformed", problem=problem), ev)
    if max_age == 0:
        return Verdict(Status.FAIL, Msg.of("http.hsts_zero"), ev)
    if max_age < ONE_YEAR:
        return Verdict(Status.WARN, Msg.of("http.hsts_short", seconds=max_age), ev)
    return Verdict(Status.PASS, Msg.of("http.hsts_ok", seconds=max_age), ev)


__all__ = [
    "Fetch",
    "RedirectChain",
    "blocked",
    "fetch",
    "gather_redirects",
    "judge_available",
    "judge_hsts",
    "judge_redirect",
    "parse_hsts",
]
