"""Shared test helpers: run the installed `assure` command as a user does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
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
) -> Run:
    """Run `assure ARGS...` in a subprocess and capture everything."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    proc = subprocess.run(
        [*assure_command(), *map(str, args)],
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


@pytest.fixture
def assure() -> type[_Runner]:
    """`assure(...)` fixture: run the installed command, get a `Run`."""
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
