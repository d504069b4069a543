"""Start-up cost: commands load lazily, and a table-only command never imports the heavy
libraries (TLS, PDF and XML signature stacks, python-docx, Jinja2).

Each check runs in a fresh interpreter, because `sys.modules` in the test process already
holds whatever other tests imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from assure import cli

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "pyhanko",
    "pyhanko_certvalidator",
    "aiohttp",
    "docx",
    "lxml",
    "signxml",
    "requests",
    "dns",
    "jinja2",
    "openpyxl",
    "sqlalchemy",
    "alembic",
)


def _loaded_after(code: str) -> list[str]:
    probe = (
        "import sys, json\n"
        f"{code}\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_cli_and_classify_import_no_heavy_library() -> None:
    assert _loaded_after("import assure.cli, assure.commands.classify") == []


def test_running_classify_imports_no_heavy_library() -> None:
    code = (
        "from assure.cli import run\n"
        f"rc = run(['--today', '2026-12-01', 'classify', {str(ROOT / 'profiles')!r},"
        " '--format', 'json'])\n"
        "assert rc in (0, 1), rc"
    )
    assert _loaded_after(code) == []


def test_inventory_as_json_writes_no_document() -> None:
    """The portfolio as JSON (a CI job's daily check) loads neither python-docx nor openpyxl."""
    code = (
        "import contextlib, io\n"
        "from assure.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = run(['--today', '2026-12-01', 'inventory', {str(ROOT / 'profiles')!r},"
        " '--format', 'json', '-q'])\n"
        "assert rc in (0, 1), rc"
    )
    loaded = _loaded_after(code)
    assert "docx" not in loaded and "openpyxl" not in loaded, loaded


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_help_lists_every_command_without_importing_them(lang: str) -> None:
    """The one-line helps come from the catalogue in either language, not the modules."""
    code = (
        "import contextlib, io\n"
        "from assure.cli import run\n"
        f"with contextlib.redirect_stdout(io.StringIO()): run(['--help', '--lang', {lang!r}])\n"
        "assert not [m for m in sys.modules if m.startswith('assure.commands.')"
        " and m != 'assure.commands._common']"
    )
    assert _loaded_after(code) == []


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_every_listed_command_loads_under_its_name(name: str) -> None:
    ctx = click.Context(cli.cli)
    command = cli.cli.get_command(ctx, name)
    assert command is not None and command.name == name
    assert command.get_short_help_str(limit=200), name


def test_unknown_command_is_a_usage_error() -> None:
    assert cli.run(["no-such-command"]) == 2
