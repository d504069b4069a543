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
    "dossier_model",
    "expert_opinion_model",
    "file_names",
    "security_plan_sources",
    "share",
    "write_dossier",
]


def write_dossier(
    target: Path, plan: Plan, today: dt.date, lang: Lang, gap: GapReport | None = None
) -> list[Path]:
    """Write the dossier files into the (staging) folder `target`; returns the paths."""
    names = file_names(lang)
    written: list[Path] = []
    for base, model in (
        (names["letter"], cover_letter_model(plan, today, lang)),
        (names["dossier"], dossier_model(plan, today, lang, gap)),
        (names["opinion"], expert_opinion_model(plan, today, lang)),
    ):
        if model is None:
            continue
        docx_path = target / f"{base}.docx"
        atomic.write_bytes(docx_path, to_docx(model))
        html_path = target / f"{base}.html"
        atomic.write_text(html_path, to_html(model))
        written += [docx_path, html_path]
    share(target, written)
    return written


def share(folder: Path, files: Sequence[Path]) -> None:
    """Make a written folder readable like any document folder (temp files start private)."""
    folder.chmod(0o755)
    for f in files:
        f.chmod(0o644)
