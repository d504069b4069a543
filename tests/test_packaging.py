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


def test_click_translation_ships() -> None:
    """The Vietnamese translation of click's messages (`.po` and the `.mo` gettext reads)
    is package data of `assure`: without it a Vietnamese run's usage errors are English."""
    import fnmatch

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in cfg["options.package_data"]["assure"].split(",")]
    files = sorted((ROOT / "assure" / "messages" / "locale").rglob("*.[mp]o"))
    assert {f.suffix for f in files} == {".po", ".mo"}
    for f in files:
        name = f.relative_to(ROOT / "assure").as_posix()
        assert any(fnmatch.fnmatch(name, p) for p in patterns), name
