"""`assure probe TARGET...`: IPv6, HTTPS and TLS checks of portals (interface §1, §2, §6).

Exit codes: 1 when any check fails (the CI gate says no), 4 when nothing could be decided
(e.g. every target unreachable from here), else 0. `inconclusive` never counts as a pass.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import IO

import click
from cryptography.hazmat.primitives.serialization import Encoding

from assure.atomic import OutputStream, is_stdout
from assure.commands._common import emit, parse_instant
from assure.errors import DataError, ExitCode, UsageError, environment_failure
from assure.findings import Finding, Status
from assure.inputs.profile import load_many
from assure.probes import runner, trust
from assure.probes.context import ProbeContext
from assure.probes.targets import collect_targets, parse_resolve
from assure.reports import findings as output
from assure.reports.safe import excel_bom


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
        raise UsageError(f"--nameserver {value!r}: bad port")
    return addr, int(port)


@click.command("probe")
@click.argument("targets", nargs=-1)
@click.option(
    "--targets-file",
    "targets_files",
    multiple=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File with one target per line (# comments, duplicates merged); `-` reads standard input.",
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
    default=16,
    show_default=True,
    help="Targets probed at the same time.",
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
    "--format",
    "fmt",
    type=click.Choice(output.FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to FILE (atomically; devices and links are written through) instead of"
    " standard output; `-` is standard output.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr [default: when stderr is a terminal].",
)
def command(
    targets: tuple[str, ...],
    targets_files: tuple[Path, ...],
    profiles: tuple[Path, ...],
    ca_files: tuple[Path, ...],
    resolves: tuple[str, ...],
    timeout: float,
    deadline: float | None,
    concurrency: int,
    at: dt.datetime | None,
    http_port: int,
    nameservers: tuple[str, ...],
    fmt: str,
    out: Path | None,
    progress: bool | None,
) -> int:
    """Probe portals (URL or host name) for IPv6, HTTPS and TLS.

    Every address of a target (IPv4 and IPv6) is checked; the worst result wins. Statuses:
    pass, info, not_applicable, warn, fail, inconclusive (could not be decided from here),
    error (the tool failed). Exit 1 if any check fails, 4 if nothing could be decided.
    """
    if not targets and not targets_files and not profiles:
        raise click.UsageError("give at least one TARGET, --targets-file or --profile")
    urls, documents = profile_endpoints(profiles)
    tlist = collect_targets([*targets, *urls], targets_files)
    pins = parse_resolve(resolves)
    bundle = trust.default_bundle()
    public = trust.load_pem_file(bundle) if bundle else []
    extra = [c for f in ca_files for c in trust.load_pem_file(f)]
    fixed_now = at
    ctx = ProbeContext(
        timeout=timeout,
        deadline=deadline or max(10.0, 12 * timeout),
        now=(lambda: fixed_now) if fixed_now else (lambda: dt.datetime.now(dt.UTC)),
        pins=pins,
        nameservers=tuple(_parse_ns(n) for n in nameservers) or None,
        anchors=trust.dedupe([*public, *extra]),
        public_anchors=frozenset(trust.der_sha256(c.public_bytes(_der())) for c in public),
        http_port=http_port,
    )
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    show = progress if progress is not None else (sys.stderr.isatty() and len(tlist) > 1)
    order = [t.name for t in tlist] + [d for d in documents if d not in {t.name for t in tlist}]
    decided = False
    failed = False
    kept: list[Finding] = []
    stream, tmp = _open_stream(out) if fmt == "jsonl" else (None, None)
    done = 0
    try:
        for result in runner.run(tlist, ctx, concurrency):
            done += 1
            decided = decided or any(_service_decided(f) for f in result.findings)
            failed = failed or any(f.status is Status.FAIL for f in result.findings)
            if stream is not None:
                output.JsonlStream(stream).write(result.findings)
            else:
                kept.extend(result.findings)
            if show:
                _progress(done, len(tlist))
        if show:
            click.echo("", err=True)
        if documents:
            from assure.signatures import verify as signatures  # pyHanko, signxml: only here

            found = signatures.document_findings(documents, at=at, timeout=timeout)
            decided = decided or any(f.status in _VERDICTS for f in found)
            failed = failed or any(f.status is Status.FAIL for f in found)
            if stream is not None:
                output.JsonlStream(stream).write(found)
            else:
                kept.extend(found)
        if stream is not None:
            if tmp is not None:
                tmp.commit()
                tmp = None
        else:
            code = _exit_code(failed=failed, decided=decided)
            ended = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            text = output.render(
                fmt, kept, order, generated, exit_code=code, started=generated, ended=ended
            )
            emit(excel_bom(text) if fmt == "csv" and _is_csv_file(out) else text, out)
    except OSError as exc:
        fault = environment_failure(exc, str(out)) if tmp is not None else None
        if fault is None:
            raise
        raise fault from None
    finally:
        if tmp is not None:
            tmp.abort()
    return _exit_code(failed=failed, decided=decided)


def _exit_code(*, failed: bool, decided: bool) -> int:
    if failed:
        return int(ExitCode.GATE_FAILED)
    if not decided:
        return int(ExitCode.INCONCLUSIVE)
    return int(ExitCode.OK)


def _is_csv_file(out: Path | None) -> bool:
    """`-o NAME.csv`: a file a person will double-click open in a spreadsheet."""
    return out is not None and not is_stdout(out) and out.suffix.lower() == ".csv"


def profile_endpoints(paths: tuple[Path, ...]) -> tuple[list[str], list[str]]:
    """Endpoint URLs and signed sample documents listed by the profiles under `paths`.

    A bad profile is invalid input (exit 3), reported with every problem of every file.
    """
    if not paths:
        return [], []
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


# Checks answered from DNS or the target's name alone: they never prove that the service itself
# could be examined from here.
_NAME_ONLY = frozenset({"web_aaaa", "ns_aaaa"})
_VERDICTS = frozenset({Status.PASS, Status.INFO, Status.WARN, Status.FAIL})


def _service_decided(f: Finding) -> bool:
    """Did this finding judge the service itself? If none did, the run is exit 4, not 0: a CI
    gate must never read "could not reach anything" as success."""
    return f.check not in _NAME_ONLY and f.status in _VERDICTS


def _der() -> Encoding:
    return Encoding.DER


def _open_stream(out: Path | None) -> tuple[IO[str], OutputStream | None]:
    """stdout, or a stream to OUT that appears there whole at the end (see `OutputStream`)."""
    if out is None or is_stdout(out):
        return sys.stdout, None
    stream = OutputStream(out)
    return stream.file, stream


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    click.echo(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}", err=True, nl=False)
