"""Shared test helpers: run the `assure` command as a user does."""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """The tests see none of the user's own settings: no `assure.toml` from the user
    configuration folder, no history database in the user data folder, no `ASSURE_*`
    variable of the shell that started them. Tests that need one set it themselves."""
    home = Path(tempfile.mkdtemp(prefix="assure-tests-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    for name in ("ASSURE_CONFIG", "ASSURE_DB", "ASSURE_LANG"):
        os.environ.pop(name, None)


def assure_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m assure`."""
    beside = Path(sys.executable).parent / "assure"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("assure")
    return [found] if found else [sys.executable, "-m", "assure"]


@dataclass(frozen=True)
class Run:
    """Outcome of one `assure` invocation."""

    code: int
    out: str
    err: str


def run_assure(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    timeout: float = 120,
    input: str | None = None,
    env: dict[str, str] | None = None,
    installed: bool = False,
) -> Run:
    """Run `assure ARGS...` and capture everything.

    The command runs in this process through `assure.cli.run`, the same funnel the console
    script's `main()` calls, with its own working folder, environment, standard streams,
    warning filters and context (language, configuration): what the user sees is the same, but
    a run costs a function call instead of an interpreter start and the imports of every
    library again (hundreds of runs in the suite). It runs as a real process instead when the
    test is about the installed program (`installed=True`), when the run forks (`--workers`),
    when it writes to its own descriptors (`-o /dev/stdout`) and when `ASSURE_CHECKLISTS`
    points elsewhere (the loaded law is cached per process)."""
    argv = [str(a) for a in args]
    if installed or _needs_a_process(argv, env or {}):
        return _run_process(argv, cwd=cwd, timeout=timeout, input=input, env=env)
    return _run_in_process(argv, cwd=cwd, input=input, env=env)


#: Paths that name the process's own descriptors: writing there needs a process of its own.
_OWN_DESCRIPTORS = ("/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/fd/", "/proc/self/")


def _needs_a_process(argv: list[str], env: dict[str, str]) -> bool:
    forks = any(a == "--workers" or a.startswith("--workers=") for a in argv)
    own_fd = any(a.startswith(_OWN_DESCRIPTORS) for a in argv)
    return forks or own_fd or "ASSURE_CHECKLISTS" in env


def _run_process(
    argv: list[str],
    *,
    cwd: Path | None,
    timeout: float,
    input: str | None,
    env: dict[str, str] | None,
) -> Run:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    proc = subprocess.run(
        [*assure_command(), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd or ROOT,
        timeout=timeout,
        input=input,
        env=full_env,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


class _Kept(io.BytesIO):
    """A captured stream that survives `close()` (the CLI closes standard error when the
    reader of standard output went away), so that what was written can still be read."""

    def close(self) -> None:
        pass


#: The warning filters of a plain `python` (the suite's own turn every warning into an error).
_PYTHON_WARNINGS: tuple[tuple[str, type[Warning]], ...] = (
    ("ignore", DeprecationWarning),
    ("ignore", PendingDeprecationWarning),
    ("ignore", ImportWarning),
    ("ignore", ResourceWarning),
)
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGPIPE)


def _run_in_process(
    argv: list[str], *, cwd: Path | None, input: str | None, env: dict[str, str] | None
) -> Run:
    from assure.cli import run, wants_debug

    out, err = _Kept(), _Kept()
    streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_env = {k: os.environ.get(k) for k in (env or {})}
    handlers = {s: signal.getsignal(s) for s in _SIGNALS}
    here = os.getcwd()
    sys.stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    try:
        os.environ.update(env or {})
        os.chdir(cwd or ROOT)
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category in _PYTHON_WARNINGS:
                warnings.simplefilter(action, category)  # type: ignore[arg-type]
            try:
                code = contextvars.copy_context().run(run, argv, debug=wants_debug(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        with contextlib.suppress(ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        os.chdir(here)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return Run(code, _text(out.getvalue()), _text(err.getvalue()))


def _text(data: bytes) -> str:
    """Bytes as a text-mode pipe reads them (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def assure() -> type[_Runner]:
    """`assure(...)` fixture: run the command, get a `Run`."""
    return _Runner


class _Runner:
    def __new__(cls, *args: str | os.PathLike[str], **kw: object) -> Run:  # type: ignore[misc]
        return run_assure(*args, **kw)  # type: ignore[arg-type]


def write(path: Path, text: str) -> Path:
    """Write a test file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err, run.err
    assert "Traceback" not in run.out, run.out


__all__: Sequence[str] = ["ROOT", "Run", "assert_no_traceback", "run_assure", "write"]
