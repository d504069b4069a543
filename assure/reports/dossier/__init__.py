"""The level-proposal dossier: content (`model`), rendering (`render`), and the files it
writes. `write_dossier` is the one entry point the commands use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assure import atomic, i18n
from assure.law.gap import GapReport
from assure.law.plan import Plan
from assure.law.regime import Lang
from assure.reports.dossier.model import (
    DocModel,
    cover_letter_model,
    dossier_model,
    expert_opinion_model,
    file_names,
    security_plan_sources,
    unit_name,
)
from assure.reports.dossier.render import to_docx, to_html
from assure.reports.templating import TODO_MARKER

__all__ = [
    "cover_letter_model",
    "dossier_files",
    "dossier_model",
    "expert_opinion_model",
    "file_names",
    "publish_dossier",
    "security_plan_sources",
    "share",
    "todos",
    "write_dossier",
]


@dataclass(frozen=True, slots=True)
class Todo:
    """A fact the profile does not state, and the document and section where it is missing."""

    text: str
    document: str
    section: str


def todos(models: Sequence[tuple[str, DocModel]]) -> list[Todo]:
    """Every `[Cần bổ sung: …]` marker of the documents, in reading order, each with where
    it stands (the file and the nearest heading above it)."""
    found: list[Todo] = []
    for base, model in models:
        section = model.title
        for b in model.blocks:
            if b.kind == "h":
                section = b.text
            texts = [b.text, *b.headers, *(c for r in b.rows for c in r)]
            for text in texts:
                for m in TODO_MARKER.finditer(text):
                    found.append(Todo(m.group(0), base, section))
    return found


def todo_section(model: DocModel, items: Sequence[Todo]) -> None:
    """The dossier's last section: what the operating unit completes before signing."""
    lang = model.lang
    model.h(i18n.t("dossier.todo_heading", lang))
    if not items:
        model.p(i18n.t("dossier.todo_none", lang), italic=True)
        return
    model.p(i18n.t("dossier.todo_intro", lang))
    fields = {
        i18n.t(k, lang): k.removeprefix("field.")
        for k in i18n.catalogue(lang)
        if k.startswith("field.")
    }
    model.table(
        [
            "#",
            i18n.t("dossier.todo_item", lang),
            i18n.t("dossier.todo_file", lang),
            i18n.t("dossier.todo_section", lang),
            i18n.t("dossier.todo_field", lang),
        ],
        [
            [str(i), t.text, t.document, t.section, fields.get(_what(t.text), "—")]
            for i, t in enumerate(items, 1)
        ],
        widths=(4, 34, 18, 28, 16),
    )


def _what(marker: str) -> str:
    """What a `[Cần bổ sung: …]` marker asks for, without the brackets."""
    return marker.strip("[]").partition(": ")[2]


class Written(list[Path]):
    """The files written, and the to-be-completed items listed at the end of the dossier."""

    def __init__(self, files: Sequence[Path], items: Sequence[Todo]) -> None:
        super().__init__(files)
        self.todos: list[Todo] = list(items)


def dossier_documents(
    plan: Plan,
    today: dt.date,
    lang: Lang,
    gap: GapReport | None = None,
    *,
    template: Path | None = None,
) -> tuple[dict[str, bytes], list[Todo]]:
    """The dossier's files (name → content, in the order they are listed) and what is left
    to complete in them.

    The dossier ends with the list of what is left to complete in every file; the Word
    files name the operating unit as author and `today` as their date, and are laid on
    the agency's `template` when one is given.
    """
    names = file_names(lang)
    models = [
        (base, model)
        for base, model in (
            (names["letter"], cover_letter_model(plan, today, lang)),
            (names["dossier"], dossier_model(plan, today, lang, gap)),
            (names["opinion"], expert_opinion_model(plan, today, lang)),
        )
        if model is not None
    ]
    items = todos(models)
    for base, model in models:
        if base == names["dossier"]:
            todo_section(model, items)
    author = unit_name(plan.profile.data.get("operator"), lang) or ""
    out: dict[str, bytes] = {}
    for base, model in models:
        out[f"{base}.docx"] = to_docx(model, author=author, created=today, template=template)
        out[f"{base}.html"] = to_html(model).encode("utf-8")
    return out, items


def dossier_files(
    plan: Plan, today: dt.date, lang: Lang, gap: GapReport | None = None
) -> dict[str, bytes]:
    """The dossier's files, name → content, in the order they are listed."""
    return dossier_documents(plan, today, lang, gap)[0]


def write_dossier(
    target: Path,
    plan: Plan,
    today: dt.date,
    lang: Lang,
    gap: GapReport | None = None,
    *,
    template: Path | None = None,
) -> Written:
    """Write the dossier files into the fresh (staging) folder `target`; returns the paths."""
    files, items = dossier_documents(plan, today, lang, gap, template=template)
    written: list[Path] = []
    for name, data in files.items():
        atomic.write_bytes(target / name, data)
        written.append(target / name)
    share(target, written)
    return Written(written, items)


def publish_dossier(
    target: Path,
    plan: Plan,
    today: dt.date,
    lang: Lang,
    gap: GapReport | None = None,
    *,
    force: bool = False,
    template: Path | None = None,
) -> Written:
    """Write the dossier into the user's folder `target` (see `atomic.publish_folder`):
    refused when the folder holds files, unless `force`, and even then only the files an
    earlier dossier wrote there are replaced."""
    files, items = dossier_documents(plan, today, lang, gap, template=template)
    paths = atomic.publish_folder(target, files, force=force, writer="assure dossier")
    return Written(paths, items)


def share(folder: Path, files: Sequence[Path]) -> None:
    """Make a written folder readable like any document folder (temp files start private)."""
    folder.chmod(0o755)
    for f in files:
        f.chmod(0o644)
