"""`assure probe TARGET...`: IPv6, HTTPS and TLS checks of portals (interface §1, §2, §6).

Exit codes: 1 when any check fails (the CI gate says no), 4 when nothing could be decided
(e.g. every target unreachable from here), else 0. `inconclusive` never counts as a pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assure import i18n
from assure.commands._common import parse_instant
from assure.commands._outputs import Sinks, outputs_option, parse_outputs
from assure.commands._record import record_options, record_run, sha256_inputs
from assure.errors import DataError, Msg, UsageError
from assure.findings import Finding, count_by_status
from assure.reports import findings as output

if TYPE_CHECKING:
    from assure.probes.context import ProbeContext
    from assure.probes.targets import Target


def _parse_ns(value: str) -> tuple[str, int]:
    text = value.strip()
    if text.startswith("["):
        addr, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else "53"
    elif text.count(":") == 1:
        addr, port = text.split(":")
    else:
        addr, port = text, "53"
    if not port.isdigit():
        raise UsageError(Msg.of("usage.nameserver_port", value=repr(value)))
    return addr, int(port)


def _parse_range(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        raise UsageError(Msg.of("usage.allow_range", value=repr(value))) from None


@click.command("probe")
@click.argument("targets", nargs=-1)
@click.option(
    "--targets-file",
    "targets_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File with one target per line (# comments, duplicates merged).",
)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Probe the endpoints of these profiles (files or folders), and verify the signed "
    "sample documents they list (repeatable).",
)
@click.option(
    "--ca-file",
    "ca_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PEM file of extra trust anchors (repeatable).",
)
@click.option(
    "--resolve",
    "resolves",
    multiple=True,
    metavar="HOST:PORT:ADDR",
    help="Use ADDR for HOST like curl (repeatable; ADDR may be [v6]; for every port probed).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=5.0,
    show_default=True,
    help="Seconds allowed for each network operation.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(1, 3600),
    default=None,
    help="Seconds allowed for one whole target [default: 12 × timeout, ≥ 10].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1024),
    default=None,
    help="Targets probed at the same time [default: 4 per CPU core, at most 32 and at most "
    "the number of targets; on the benchmark fleet more threads gained no time, since every "
    "connection also needs the CPU (docs/benchmarks.md)].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes probing the list, each a stable slice of its hosts, the reports merged "
    "as one process writes them [default: one per CPU core, but at most one per 50 targets, "
    "so lists under 100 targets run in one process, where start-up and the slowest slice "
    "outweigh the gain; measured in docs/benchmarks.md]. --concurrency is shared among them.",
)
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Probe only shard K of N (1 ≤ K ≤ N): a stable 1/N of the targets, chosen by a hash "
    "of each target, so N machines (a CI matrix, Kubernetes Jobs) share one list; "
    "`assure render` merges their outputs.",
)
@click.option(
    "--at",
    "at",
    callback=parse_instant,
    metavar="ISO8601",
    help="Judge certificate validity at this instant instead of now.",
)
@click.option(
    "--http-port",
    type=click.IntRange(1, 65535),
    default=80,
    show_default=True,
    help="Port of plain HTTP for the redirect check.",
)
@click.option(
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="ADDR[:PORT]",
    help="Ask this DNS server instead of /etc/resolv.conf (repeatable).",
)
@click.option(
    "--allow-range",
    "allow_ranges",
    multiple=True,
    metavar="CIDR",
    help="Count DNS answers in this special-purpose range (ULA, documentation, loopback…) "
    "as the site's own addresses, for test beds and internal networks (repeatable). "
    "Without it only global unicast IPv6 counts and such addresses are never probed.",
)
@outputs_option(output.FORMATS, "table")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr [default: when stderr is a terminal].",
)
@record_options
def command(
    targets: tuple[str, ...],
    targets_files: tuple[Path, ...],
    profiles: tuple[Path, ...],
    ca_files: tuple[Path, ...],
    resolves: tuple[str, ...],
    timeout: float,
    deadline: float | None,
    concurrency: int | None,
    workers: int | None,
    shard: str | None,
    at: dt.datetime | None,
    http_port: int,
    nameservers: tuple[str, ...],
    allow_ranges: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    progress: bool | None,
    record: bool,
    db: str | None,
) -> int:
    """Probe portals (URL or host name) for IPv6, HTTPS and TLS.

    Every address of a target (IPv4 and IPv6) is checked; the worst result wins. Statuses:
    pass, info, not_applicable, warn, fail, inconclusive (could not be decided from here),
    error (the tool failed). Exit 1 if any check fails, 4 if nothing could be decided.
    """
    from assure.probes import runner
    from assure.probes import workers as processes
    from assure.probes.targets import collect_targets

    if not targets and not targets_files and not profiles:
        raise click.UsageError(i18n.t("usage.no_targets"))
    sinks_to = parse_outputs(fmt, outputs, output.FORMATS)
    part = parse_shard(shard)
    urls, documents = profile_endpoints(profiles)
    tlist: list[Target] = collect_targets([*targets, *urls], targets_files)
    if part is not None:
        tlist = [t for t in tlist if in_shard(t.name, part)]
        documents = [d for d in documents if in_shard(d, part)]
    ctx = probe_context(
        ca_files=ca_files,
        resolves=resolves,
        timeout=timeout,
        deadline=deadline,
        at=at,
        http_port=http_port,
        nameservers=nameservers,
        allow_ranges=allow_ranges,
    )
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    show = progress if progress is not None else (sys.stderr.isatty() and len(tlist) > 1)
    names = {t.name for t in tlist}
    order = [t.name for t in tlist] + [d for d in documents if d not in names]
    del names
    threads = concurrency or runner.default_concurrency(len(tlist))
    procs = min(workers or processes.default_workers(len(tlist)), max(1, len(tlist)))
    kept: dict[str, list[Finding]] = {}  # only with --record: what the history stores
    with Sinks(sinks_to, order) as sinks:
        # From worker processes the findings arrive as JSON and are written as such; only
        # --record rebuilds them, for the history.
        results: Generator[runner.TargetResult | tuple[Target, list[dict[str, Any]]], None, None]
        if procs == 1:
            results = runner.run(tlist, ctx, threads)
        else:
            results = processes.run_json(tlist, ctx, procs, threads)
        # Closed as soon as the run stops, however it stops (a full disk while writing, say),
        # so no worker process outlives it.
        with contextlib.closing(results):
            for done, result in enumerate(results, 1):
                if isinstance(result, runner.TargetResult):
                    found = result.findings
                    sinks.add(found)
                else:
                    # mypy joins the two branches' generators into one of `object`.
                    items: list[dict[str, Any]] = result[1]  # type: ignore[index]
                    sinks.add_json(items)
                    found = [Finding.from_json(d) for d in items] if record else []
                if record:
                    for f in found:
                        kept.setdefault(f.target, []).append(f)
                if show:
                    _progress(done, len(tlist))
        if show:
            click.echo("", err=True)
        if documents:
            from assure.signatures import verify as signatures  # pyHanko, signxml: only here

            checked = signatures.document_findings(documents, at=at, timeout=timeout)
            sinks.add(checked)
            if record:
                for f in checked:
                    kept.setdefault(f.target, []).append(f)
        sinks.finish(generated)
    if record:
        owners = endpoint_owners(profiles)
        inputs = sha256_inputs([*targets_files, *profiles])
        for name in order:
            found = kept.get(name, [])
            record_run(
                db,
                command="probe",
                subject=name,
                system=owners.get(name),
                inputs=inputs,
                exit_code=sinks.exit_code,
                findings=found,
                summary={"counts": count_by_status(found), "checks": len(found)},
            )
    return sinks.exit_code


def probe_context(
    *,
    ca_files: Sequence[Path] = (),
    resolves: Sequence[str] = (),
    timeout: float = 5.0,
    deadline: float | None = None,
    at: dt.datetime | None = None,
    http_port: int = 80,
    nameservers: Sequence[str] = (),
    allow_ranges: Sequence[str] = (),
) -> ProbeContext:
    """The context of a probe run from its options, for `probe` and `gate --probe` alike:
    the public trust bundle plus `--ca-file`, the pinned names, the clock and the limits."""
    from cryptography.hazmat.primitives.serialization import Encoding  # only when probing

    from assure.probes import trust
    from assure.probes.context import ProbeContext
    from assure.probes.targets import parse_resolve

    bundle = trust.default_bundle()
    public = trust.load_pem_file(bundle) if bundle else []
    extra = [c for f in ca_files for c in trust.load_pem_file(f)]
    fixed_now = at
    return ProbeContext(
        timeout=timeout,
        deadline=deadline or max(10.0, 12 * timeout),
        now=(lambda: fixed_now) if fixed_now else (lambda: dt.datetime.now(dt.UTC)),
        pins=parse_resolve(resolves),
        nameservers=tuple(_parse_ns(n) for n in nameservers) or None,
        anchors=trust.dedupe([*public, *extra]),
        public_anchors=frozenset(trust.der_sha256(c.public_bytes(Encoding.DER)) for c in public),
        http_port=http_port,
        allow_ranges=tuple(_parse_range(r) for r in allow_ranges),
    )


def endpoint_owners(paths: tuple[Path, ...]) -> dict[str, str]:
    """Probe target (or signed document) → the id of the profile that lists it, so a
    system's history holds the probes of its own portals."""
    if not paths:
        return {}
    from assure.inputs.profile import load_many
    from assure.probes.targets import collect_targets

    owners: dict[str, str] = {}
    for prof in load_many([str(p) for p in paths]).profiles:
        for endpoint in prof.data.get("endpoints") or ():
            for t in collect_targets([endpoint["url"]], ()):
                owners.setdefault(t.name, prof.id)
            for doc in endpoint.get("signed_documents") or ():
                owners.setdefault(doc, prof.id)
    return owners


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """`K/N` → (K, N), with 1 ≤ K ≤ N; a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise UsageError(Msg.of("usage.shard_form", value=repr(value)))
    part = int(k), int(n)
    if not 1 <= part[0] <= part[1]:
        raise UsageError(Msg.of("usage.shard_range", value=repr(value)))
    return part


def in_shard(name: str, part: tuple[int, int]) -> bool:
    """Is target `name` in shard K of N? A hash of the name alone decides, so every machine
    agrees without talking to the others, and the split does not move when the list is
    reordered or other targets are added."""
    k, n = part
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def profile_endpoints(paths: tuple[Path, ...]) -> tuple[list[str], list[str]]:
    """Endpoint URLs and signed sample documents listed by the profiles under `paths`.

    A bad profile is invalid input (exit 3), reported with every problem of every file.
    """
    if not paths:
        return [], []
    from assure.inputs.profile import load_many  # YAML and JSON Schema: only with --profile

    loaded = load_many([str(p) for p in paths])
    if loaded.errors:
        raise DataError.merge(loaded.errors)
    urls: list[str] = []
    documents: list[str] = []
    for prof in loaded.profiles:
        for endpoint in prof.data.get("endpoints") or ():
            urls.append(endpoint["url"])
            documents.extend(endpoint.get("signed_documents") or ())
    return list(dict.fromkeys(urls)), list(dict.fromkeys(documents))


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    click.echo(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}", err=True, nl=False)
