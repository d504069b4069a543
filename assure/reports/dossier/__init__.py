"""The level-proposal dossier: content (`model`), rendering (`render`), and the files it
writes. `write_dossier` is the one entry point the commands use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from assure import atomic
from assure.law.gap import GapReport
from assure.law.plan import Plan
from assure.law.regime import Lang
from assure.reports.dossier.model import (
    cover_letter_model,
    dossier_model,
    expert_opinion_model,
    file_names,
    security_plan_sources,
)
from assure.reports.dossier.render import to_docx, to_html

__all__ = [
    "cover_letter_model",
    "dossier_files",
    "dossier_model",
    "expert_opinion_model",
    "file_names",
    "publish_dossier",
    "security_plan_sources",
    "share",
    "write_dossier",
]


def dossier_files(
    plan: Plan, today: dt.date, lang: Lang, gap: GapReport | None = None
) -> dict[str, bytes]:
    """The dossier's files, name → content, in the order they are listed."""
    names = file_names(lang)
    out: dict[str, bytes] = {}
    for base, model in (
        (names["letter"], cover_letter_model(plan, today, lang)),
        (names["dossier"], dossier_model(plan, today, lang, gap)),
        (names["opinion"], expert_opinion_model(plan, today, lang)),
    ):
        if model is None:
            continue
        out[f"{base}.docx"] = to_docx(model)
        out[f"{base}.html"] = to_html(model).encode("utf-8")
    return out


def write_dossier(
    target: Path, plan: Plan, today: dt.date, lang: Lang, gap: GapReport | None = None
) -> list[Path]:
    """Write the dossier files into the fresh (staging) folder `target`; returns the paths."""
    written: list[Path] = []
    for name, data in dossier_files(plan, today, lang, gap).items():
        atomic.write_bytes(target / name, data)
        written.append(target / name)
    share(target, written)
    return written


def publish_dossier(
    target: Path,
    plan: Plan,
    today: dt.date,
    lang: Lang,
    gap: GapReport | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Write the dossier into the user's folder `target` (see `atomic.publish_folder`):
    refused when the folder holds files, unless `force`, and even then only the files an
    earlier dossier wrote there are replaced."""
    files = dossier_files(plan, today, lang, gap)
    return atomic.publish_folder(target, files, force=force, writer="assure dossier")


def share(folder: Path, files: Sequence[Path]) -> None:
    """Make a written folder readable like any document folder (temp files start private)."""
    folder.chmod(0o755)
    for f in files:
        f.chmod(0o644)
