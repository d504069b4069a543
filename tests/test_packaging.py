"""Packaging: a plain `pip install .` must ship every module and every data folder."""

from __future__ import annotations

import configparser

from tests.conftest import ROOT


def _packages() -> list[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return [p.strip() for p in cfg["options"]["packages"].split() if p.strip()]


def test_every_subpackage_is_listed_in_setup_cfg() -> None:
    """Each folder of the package with an __init__.py is named in setup.cfg `packages`."""
    listed = set(_packages())
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "assure").rglob("__init__.py")
        if "_data" not in init.parts
    }
    missing = sorted(found - listed)
    assert not missing, f"add to setup.cfg [options] packages: {missing}"


def test_data_folders_are_mapped_into_the_package() -> None:
    """checklists/, templates/ and profiles/ ship as assure._data.* and exist in the tree."""
    listed = set(_packages())
    for name in ("checklists", "templates", "profiles"):
        assert f"assure._data.{name}" in listed
        assert any((ROOT / name).iterdir()), f"{name}/ must not be empty"


def test_every_data_file_of_the_package_ships() -> None:
    """Every file under assure/ that is not Python (catalogues, click's translation, schemas,
    the migration template, py.typed) is matched by `[options.package_data]` as setuptools
    itself reads it: a pattern list that parses differently from how it looks (a comma
    list broken over lines) would leave a plain `pip install .` without its messages."""
    import fnmatch
    import subprocess

    from setuptools.config.setupcfg import read_configuration

    data: dict[str, list[str]] = read_configuration(str(ROOT / "setup.cfg"))["options"][
        "package_data"
    ]
    tracked = subprocess.run(
        ["git", "ls-files", "assure"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = [f for f in tracked if not f.endswith(".py")] or [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "assure").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert "assure/messages/vi.json" in files
    for name in files:
        parts = name.split("/")
        owners = [
            ("/".join(parts[:k]), "/".join(parts[k:]))
            for k in range(len(parts) - 1, 0, -1)
            if ".".join(parts[:k]) in data
        ]
        assert any(
            fnmatch.fnmatch(rest, pattern)
            for pkg, rest in owners
            for pattern in data[pkg.replace("/", ".")]
        ), f"{name} is not package data in setup.cfg"
