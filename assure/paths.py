"""The one place that knows where bundled data lives.

Installed (`pip install .`), the top-level `checklists/`, `templates/` and `profiles/` folders
are shipped inside the package as `assure/_data/<name>` (see setup.cfg). From a source
checkout or an editable install they are read where they stand, at the repository's top.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Folder of bundled data `name` (`checklists`, `templates` or `profiles`)."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"bundled data folder {name!r} is missing from this installation")


def schema_path(name: str) -> Path:
    """JSON Schema file shipped in the package, e.g. `profile` → schemas/profile.schema.json."""
    return _PACKAGE / "schemas" / f"{name}.schema.json"


def checklists_dir() -> Path:
    """Rule sets and requirement catalogues; `ASSURE_CHECKLISTS` points at a folder of one's own.

    Regimes and catalogues are data, so an organisation can run a reviewed copy (or a draft
    of a new regime) without touching the installation.
    """
    override = os.environ.get("ASSURE_CHECKLISTS")
    return Path(override) if override else data_dir("checklists")


def templates_dir() -> Path:
    """Jinja2 templates for every rendered document."""
    return data_dir("templates")


def profiles_dir() -> Path:
    """Bundled example profiles (used by `assure demo`)."""
    return data_dir("profiles")
