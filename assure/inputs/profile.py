"""System profiles: discovery, loading, validation and the typed model the engine reads.

A profile is one YAML file describing one information system (interface §3). Loading never
raises on the first problem: it gathers every problem of a file into one `DataError`, so a
user fixes a file in one pass, and a run over many files reports each bad file while the
good ones still get their result.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assure.errors import DataError, Problem, UsageError
from assure.i18n import Msg
from assure.inputs.validation import validate, validator_for
from assure.inputs.yamldoc import Document, PathKey, format_path, load_yaml

PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class SystemNode:
    """A system or one of its components: identity, facts and sub-components.

    `path` is where the node sits in its file (`()` for the system itself), so engine
    results can point back at the exact YAML lines that decided them.
    """

    id: str
    name: str
    facts: Mapping[str, Any]
    components: tuple[SystemNode, ...] = ()
    path: PathKey = ()
    name_en: str | None = None

    def walk(self) -> Iterator[SystemNode]:
        """This node, then every component below it, depth first."""
        yield self
        for child in self.components:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Profile:
    """A validated profile: the system tree plus the whole document for later stages."""

    file: str
    system: SystemNode
    document: Document
    regime: str | None = None
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.system.id

    @property
    def name(self) -> str:
        return self.system.name

    @property
    def data(self) -> Mapping[str, Any]:
        """The profile as plain data (validated against the schema)."""
        data: Mapping[str, Any] = self.document.data
        return data


def _node(data: Mapping[str, Any], path: PathKey) -> SystemNode:
    comps = tuple(
        _node(c, (*path, "components", i)) for i, c in enumerate(data.get("components") or ())
    )
    return SystemNode(
        id=data["id"],
        name=data["name"],
        facts=dict(data["classification"]),
        components=comps,
        path=path,
        name_en=data.get("name_en"),
    )


def _semantic_checks(doc: Document, root: SystemNode) -> tuple[list[Problem], list[Problem]]:
    """Checks a schema cannot express: unique IDs, facts that contradict each other."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    seen: dict[str, PathKey] = {}
    for node in root.walk():
        id_path = (*node.path, "id")
        if node.id in seen:
            first = doc.position(seen[node.id])
            errors.append(
                Problem.of(
                    doc.position(id_path),
                    format_path(id_path),
                    Msg.of("profile.duplicate_id", id=node.id, line=first.line),
                )
            )
        else:
            seen[node.id] = id_path
        facts = node.facts
        cpath = (*node.path, "classification")

        def warn(key: str, message: Msg, cpath: PathKey = cpath) -> None:
            p = (*cpath, key)
            warnings.append(
                Problem.of(doc.position(p, key=True), format_path(p), message, severity="warning")
            )

        kind = facts.get("system_type")
        if "ics_works_grade" in facts and kind != "ics":
            warn("ics_works_grade", Msg.of("profile.only_for", kind="ics"))
        if "infrastructure_scope" in facts and kind != "infrastructure":
            warn("infrastructure_scope", Msg.of("profile.only_for", kind="infrastructure"))
        info = set(facts.get("information") or ())
        if facts.get("personal_data_users") and not info & {"private", "personal"}:
            warn("personal_data_users", Msg.of("profile.personal_without_info"))
        if "state_secret" in info and facts.get("defence_security_harm") in (None, "none"):
            warn("information", Msg.of("profile.secret_without_harm"))
    return errors, warnings


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable http(s) address of a portal, or None when it is.

    The schema's pattern only sees the start of the text; the parts every later stage reads
    (scheme, host, port) are checked here, once, so `https://[::1` or `https://h:99999` is a
    positioned error at `validate` rather than a crash in `gap` or `probe`.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{url!r} is not a valid address ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} is not an http:// or https:// address"
    host = parts.hostname or ""
    if not host:
        return f"{url!r} names no host"
    if any(c.isspace() for c in url) or not _HOST.fullmatch(host):
        return f"{url!r}: {host!r} is not a host name or IP address"
    if port == 0:
        return f"{url!r}: port 0 is not a port a portal listens on"
    if parts.netloc.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return f"{url!r}: {host!r} is not an IPv6 address"
    return None


_HOST = re.compile(r"[0-9A-Za-z\u00a0-\uffff._:%-]+")


def _endpoint_checks(doc: Document) -> list[Problem]:
    problems: list[Problem] = []
    for i, endpoint in enumerate(doc.data.get("endpoints") or ()):
        url = endpoint.get("url") if isinstance(endpoint, dict) else None
        if isinstance(url, str):
            why = url_problem(url)
            if why is not None:
                path: PathKey = ("endpoints", i, "url")
                problems.append(Problem(doc.position(path), format_path(path), why))
    return problems


def parse_profile(doc: Document) -> Profile:
    """Validate a loaded document as a profile; raises DataError with every problem."""
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping of profile fields at the top of the file")
    problems = validate(doc, validator_for("profile"))
    if problems:
        raise DataError(problems)
    root = _node(doc.data, ())
    errors, warnings = _semantic_checks(doc, root)
    errors += _endpoint_checks(doc)
    if errors:
        raise DataError(errors)
    return Profile(doc.file, root, doc, doc.data.get("regime"), tuple(warnings))


def load_profile(path: Path, display: str | None = None) -> Profile:
    """Load, validate and model one profile file."""
    return parse_profile(load_yaml(path, display))


def discover(paths: Iterable[str]) -> list[Path]:
    """Profile files named by `paths`: files as given, folders searched for *.yaml/*.yml.

    A path that does not exist is a usage error (exit 2): it is the command line that is
    wrong, not a data file.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix in PROFILE_SUFFIXES and f.is_file())
            if not files:
                raise UsageError(Msg.of("usage.no_profiles_in_folder", path=raw))
            found.extend(files)
        elif p.exists():
            found.append(p)
        else:
            raise UsageError(Msg.of("usage.no_such_path", path=raw))
    unique: dict[Path, None] = {}
    for f in found:
        unique.setdefault(f, None)
    return list(unique)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Outcome of loading many files: the good profiles and the errors of the bad ones."""

    profiles: tuple[Profile, ...]
    errors: tuple[DataError, ...]


def load_many(paths: Iterable[str]) -> LoadResult:
    """Load every profile under `paths`; bad files are collected, not fatal."""
    good: list[Profile] = []
    bad: list[DataError] = []
    for f in discover(paths):
        try:
            good.append(load_profile(f, str(f)))
        except DataError as exc:
            bad.append(exc)
    return LoadResult(tuple(good), tuple(bad))
