"""Probe a list in several processes: each probes a stable slice, the parent merges.

One interpreter runs its Python under one lock, so however many threads wait on the network
a probe uses about one core for the client's own work around each connection (sockets,
OpenSSL objects, parsing, judging). Several processes use several cores. Each worker is a
fork of the parent taken after the trust store, the context and the target list are ready,
so a worker costs a few milliseconds to start, not another interpreter's start-up.

Every host goes to one worker (the hosts in the order first given, dealt round-robin), so
the per-host politeness of `runner.run` still holds across processes and the split is the
same every time for the same list. A worker sends each finished target back as one line of
JSON (the findings' own `to_json`, which the spool round-trips anyway), so the parent
writes every format exactly as a single process would; the parent keeps only the target
list and the lines in flight. A worker that dies before saying it is done (a signal, an
exception) ends the run with one line naming it (exit 5), never a hang: the parent waits
only on the workers' pipes, which close when they die. Ctrl-C in the parent stops every
worker before the run ends.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import signal
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from assure import i18n
from assure.errors import AssureError
from assure.findings import Finding
from assure.probes import runner
from assure.probes.context import ProbeContext
from assure.probes.targets import Target

#: Below this many targets a list is probed in one process (see `default_workers`).
MIN_TARGETS_PER_WORKER = 50


class WorkerError(AssureError):
    """A worker process ended before it had sent all its targets: the run cannot be whole."""


def default_workers(n_targets: int, cores: int | None = None) -> int:
    """Processes when the user does not say: one per core, but only as many as give each at
    least `MIN_TARGETS_PER_WORKER` targets, and one for short lists.

    Measured on the nginx fleet (docs/benchmarks.md): a worker's start is cheap (a fork), but
    on a short list the slowest slice decides the wall time and the parent's own share
    (start-up, writing the reports) does not shrink, so below about a hundred targets more
    processes gain nothing.
    """
    c = cores if cores is not None else runner.cpu_count()
    return max(1, min(c, n_targets // MIN_TARGETS_PER_WORKER))


def slices(targets: Sequence[Target], n: int) -> list[list[int]]:
    """Indexes of `targets` for each of `n` workers: every host to one worker, hosts dealt
    round-robin in the order first seen, so slices differ by at most one host."""
    of_host: dict[str, int] = {}
    out: list[list[int]] = [[] for _ in range(n)]
    for i, t in enumerate(targets):
        k = of_host.setdefault(t.host, len(of_host) % n)
        out[k].append(i)
    return out


@dataclass
class _Worker:
    number: int
    pid: int
    fd: int
    buffer: bytes = b""
    done: bool = False
    error: str | None = None


def run(
    targets: Sequence[Target],
    ctx: ProbeContext,
    workers: int,
    concurrency: int,
    probe: Callable[[Target, ProbeContext], list[Finding]] = runner.probe_target,
) -> Generator[runner.TargetResult, None, None]:
    """Probe `targets` in `workers` processes of `concurrency` ÷ `workers` threads each,
    yielding each target's findings as a worker finishes it (finish order)."""
    results = run_json(targets, ctx, workers, concurrency, probe)
    with contextlib.closing(results):
        for target, items in results:
            yield runner.TargetResult(target, [Finding.from_json(d) for d in items])


def run_json(
    targets: Sequence[Target],
    ctx: ProbeContext,
    workers: int,
    concurrency: int,
    probe: Callable[[Target, ProbeContext], list[Finding]] = runner.probe_target,
) -> Generator[tuple[Target, list[dict[str, Any]]], None, None]:
    """`run`, each target's findings left in the JSON form the worker sent
    (`Finding.to_json`): the reports write that form anyway, so the parent need not
    rebuild every finding only to turn it back into the same JSON (`Sinks.add_json`)."""
    parts = [p for p in slices(targets, max(1, workers)) if p]
    each = max(1, math.ceil(concurrency / max(1, len(parts))))
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()  # a child must not write the parent's buffered output again
    started: list[_Worker] = []
    try:
        for number, part in enumerate(parts, 1):
            started.append(_start(number, part, targets, ctx, each, probe, started))
        yield from _collect(started, targets)
    finally:
        _stop(started)


def _start(
    number: int,
    part: list[int],
    targets: Sequence[Target],
    ctx: ProbeContext,
    concurrency: int,
    probe: Callable[[Target, ProbeContext], list[Finding]],
    before: list[_Worker],
) -> _Worker:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: never returns
        # Ctrl-C reaches the whole process group; the parent decides and stops the workers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.close(r)
        for other in before:
            with contextlib.suppress(OSError):
                os.close(other.fd)
        _work(w, part, targets, ctx, concurrency, probe)
    os.close(w)
    os.set_blocking(r, False)
    return _Worker(number, pid, r)


def _work(
    fd: int,
    part: list[int],
    targets: Sequence[Target],
    ctx: ProbeContext,
    concurrency: int,
    probe: Callable[[Target, ProbeContext], list[Finding]],
) -> None:
    """A worker's whole life: probe its slice, one line per target, then `done`; it leaves
    with `os._exit`, so nothing the parent had buffered or registered runs twice."""
    code = 0
    out = os.fdopen(fd, "wb", closefd=False)
    try:
        index = {id(targets[i]): i for i in part}
        chosen = [targets[i] for i in part]
        for result in runner.run(chosen, ctx, concurrency, probe):
            line = {"i": index[id(result.target)], "f": [f.to_json() for f in result.findings]}
            out.write(json.dumps(line).encode("ascii") + b"\n")
            out.flush()
        out.write(json.dumps({"done": len(part)}).encode("ascii") + b"\n")
        out.flush()
    except BrokenPipeError:
        code = 1  # the parent is gone: nobody to tell
    except BaseException as exc:  # told to the parent, which names it in one line
        code = 5
        with contextlib.suppress(OSError):
            message = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
            os.write(fd, message.encode("ascii") + b"\n")
    os._exit(code)


def _collect(
    started: list[_Worker], targets: Sequence[Target]
) -> Iterator[tuple[Target, list[dict[str, Any]]]]:
    sel = selectors.DefaultSelector()
    try:
        for wk in started:
            sel.register(wk.fd, selectors.EVENT_READ, wk)
        open_ = len(started)
        while open_:
            for key, _ in sel.select():
                wk = key.data
                try:
                    chunk = os.read(wk.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(wk.fd)
                    open_ -= 1
                    if not wk.done:
                        raise _failure(wk)
                    continue
                *lines, wk.buffer = (wk.buffer + chunk).split(b"\n")
                for line in lines:
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        wk.error = i18n.t("probe.workers.garbled")
                        raise _failure(wk) from None
                    if "i" in msg:
                        yield targets[msg["i"]], msg["f"]
                    elif "done" in msg:
                        wk.done = True
                    else:
                        wk.error = str(msg.get("error"))
    finally:
        sel.close()


def _failure(wk: _Worker) -> WorkerError:
    """Why a worker ended early, from its own word or from how the process ended."""
    how = wk.error
    if how is None:
        try:
            _, status = os.waitpid(wk.pid, 0)
            wk.pid = 0
        except ChildProcessError:
            status = 0
        if os.WIFSIGNALED(status):
            how = i18n.t("probe.workers.signal", signal=signal.Signals(os.WTERMSIG(status)).name)
        else:
            how = i18n.t("probe.workers.exit", code=os.waitstatus_to_exitcode(status))
    return WorkerError(i18n.t("probe.workers.failed", number=wk.number, reason=how))


def _stop(started: list[_Worker]) -> None:
    """Every worker is stopped and reaped, however the run ends (done, Ctrl-C, a failure)."""
    for wk in started:
        with contextlib.suppress(OSError):
            os.close(wk.fd)
    for wk in started:
        if wk.pid and not wk.done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(wk.pid, signal.SIGTERM)
    for wk in started:
        if wk.pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(wk.pid, 0)
            wk.pid = 0
