"""Targets: what the user names (URL or host) and how it is reached (--resolve pins)."""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from assure.atomic import is_stdout
from assure.errors import DataError, Position, Problem, UsageError, os_reason
from assure.i18n import Msg

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Target:
    """One portal to probe: the host, the HTTPS port and the path of its start page."""

    name: str  # as the user wrote it (after trimming); the key of findings
    host: str  # lower case, IDNA-encoded; an IP literal without brackets
    port: int = 443
    path: str = "/"
    scheme: str = "https"
    # Port of plain HTTP when the user named an http:// URL with a port; else the run's default.
    http_port: int | None = None

    @property
    def is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


class TargetError(ValueError):
    """Why a text is not a target: a catalogue message (English as `str`, for callers that
    only need a `ValueError`)."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.text("en"))
        self.msg = msg


def parse_target(text: str) -> Target:
    """Parse `host`, `host:port` or an http(s) URL; raises ValueError with a reason."""
    raw = text.strip()
    if not raw:
        raise TargetError(Msg.of("targets.empty"))
    url = raw if "://" in raw else f"https://{raw}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetError(Msg.of("targets.scheme", scheme=repr(parts.scheme)))
    if parts.username or parts.password:
        raise TargetError(Msg.of("targets.credentials"))
    try:
        port = parts.port
    except ValueError:
        raise TargetError(Msg.of("targets.port")) from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetError(Msg.of("targets.no_host"))
    if not _is_ip(host):
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise TargetError(Msg.of("targets.bad_host", host=repr(host))) from None
        if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
            raise TargetError(Msg.of("targets.bad_host", host=repr(host)))
    https_port = port if (port and parts.scheme == "https") else 443
    http_port = port if (port and parts.scheme == "http") else None
    return Target(
        name=raw,
        host=host,
        port=https_port,
        path=parts.path or "/",
        scheme=parts.scheme,
        http_port=http_port,
    )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def read_targets_file(path: Path) -> list[tuple[int, str]]:
    """Lines of a targets file: one target per line, `#` starts a comment; `-` is stdin."""
    try:
        if is_stdout(path):  # `-`: the conventional name of the standard stream
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError.at(
            str(path), Msg.of("targets.not_utf8", detail=exc.reason), field="target"
        ) from None
    except OSError as exc:
        raise DataError.at(
            str(path), Msg.of("targets.cannot_read", reason=os_reason(exc)), field="target"
        ) from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if body:
            out.append((n, body))
    return out


def collect_targets(args: Iterable[str], files: Iterable[Path]) -> list[Target]:
    """Targets from arguments and files, parsed, duplicates merged (first spelling kept).

    Every bad line is reported at once (exit 3), as `file:line:col: target: message`.
    """
    problems: list[Problem] = []
    seen: dict[tuple[str, str, int, int | None, str], Target] = {}

    def add(text: str, where: Position) -> None:
        try:
            t = parse_target(text)
        except TargetError as exc:
            why = Msg.of("targets.bad", text=repr(text), why=exc.msg)
            problems.append(Problem.of(where, "target", why))
            return
        seen.setdefault((t.scheme, t.host, t.port, t.http_port, t.path), t)

    for i, a in enumerate(args, 1):
        add(a, Position("<arguments>", i, 1))
    for f in files:
        shown = "<stdin>" if is_stdout(f) else str(f)
        for line, text in read_targets_file(f):
            add(text, Position(shown, line, 1))
    if problems:
        raise DataError(problems)
    return list(seen.values())


def parse_resolve(values: Iterable[str]) -> dict[str, list[str]]:
    """curl-style `HOST:PORT:ADDR[,ADDR...]` pins; ADDR may be `[v6]`. Bad syntax is exit 2."""
    pins: dict[str, list[str]] = {}
    for value in values:
        m = re.fullmatch(r"([^:\s]+):(\d{1,5}|\*):(.+)", value.strip())
        if not m:
            raise UsageError(Msg.of("targets.resolve_syntax", value=repr(value)))
        host = m.group(1).rstrip(".").lower()
        for addr in _split_addrs(m.group(3)):
            try:
                ipaddress.ip_address(addr)
            except ValueError:
                raise UsageError(
                    Msg.of("targets.resolve_addr", value=repr(value), addr=repr(addr))
                ) from None
            pins.setdefault(host, [])
            if addr not in pins[host]:
                pins[host].append(addr)
    return pins


def _split_addrs(text: str) -> Iterator[str]:
    for part in text.split(","):
        part = part.strip()
        if part.startswith("[") and part.endswith("]"):
            part = part[1:-1]
        yield part
