"""Renderers of the assurance plan: Markdown, HTML and DOCX over the plan's JSON form.

Every format renders the same plain data (`plan_json` plus its grouping by plan part), so
what a JSON consumer sees and what a reader sees cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assure import __version__
from assure.law.citation import cited_each
from assure.law.plan import Plan, display_name, grouped, plan_json
from assure.law.regime import Lang
from assure.reports.labels import labels
from assure.reports.templating import render_template

if TYPE_CHECKING:
    from assure.reports.docx import DocxBuilder


def context(plan: Plan, lang: Lang) -> dict[str, Any]:
    """Template context shared by the Markdown and HTML plan."""
    return {
        "plan": plan_json(plan, lang),
        "parts": grouped(plan, lang),
        "L": labels(lang),
        "lang": lang,
        "version": __version__,
    }


def plan_markdown(plan: Plan, lang: Lang) -> str:
    """The plan as Markdown."""
    return render_template("plan.md.j2", **context(plan, lang))


def plan_html(plan: Plan, lang: Lang) -> str:
    """The plan as one self-contained HTML page."""
    return render_template("plan.html.j2", **context(plan, lang))


def _measure(r: dict[str, Any], lb: dict[str, str]) -> str:
    text = r.get("measure", "—")
    return f"{text} ({lb['product']})" if r["product"] else text


def _verification(r: dict[str, Any], lb: dict[str, str]) -> str:
    v = r["verification"]
    head = lb["method_" + v["method"]]
    if v["probes"]:
        head += ": " + ", ".join(v["probes"])
    return f"{head}. {v['evidence']}"


def _title(r: dict[str, Any], lb: dict[str, str]) -> str:
    title = str(r["title"])
    if r.get("unconfirmed"):
        title += f" ({lb['unconfirmed']})"
    return title


def write_plan_sections(
    doc: DocxBuilder, plan: Plan, lang: Lang, *, level: int = 1, with_why: bool = True
) -> None:
    """The plan's parts and tables into `doc`, headings starting at `level`."""
    from assure.reports.docx import set_widths

    lb = labels(lang)
    data = plan_json(plan, lang)
    s = data["summary"]
    doc.para(
        f"{lb['level']}: {plan.level}. {lb['total']}: {s['total']} ({lb['management']}: "
        f"{s['by_group']['management']}; {lb['technical']}: {s['by_group']['technical']})."
    )
    parts = grouped(plan, lang)
    doc.table(
        [lb["plan_part"], lb["count"]],
        [[p["title"], str(p["count"])] for p in parts],
    )
    if data["annex_sections"]:
        doc.table(
            [lb["annex_section"], lb["count"]],
            [[sec["title"], str(sec["count"])] for sec in data["annex_sections"]],
        )
    for part in parts:
        doc.heading(part["title"], level)
        if not part["groups"]:
            doc.para(lb["none"], italic=True)
        for g in part["groups"]:
            doc.heading(g["title"], min(level + 1, 9))
            headers = [
                lb["id"],
                lb["requirement"],
                lb["sources"],
                lb["measure"],
                lb["verification"],
            ]
            if with_why:
                headers.append(lb["why"])
            rows: list[Sequence[str]] = []
            for r in g["items"]:
                row = [
                    r["id"],
                    _title(r, lb),
                    cited_each(r),
                    _measure(r, lb),
                    _verification(r, lb),
                ]
                if with_why:
                    flag = f"[{lb['to_confirm']}] " if r["applicability"] == "to_confirm" else ""
                    row.append(flag + r["why"])
                rows.append(row)
            doc.table(headers, rows)
            set_widths(
                doc,
                doc.doc.tables[-1],
                (13, 20, 18, 15, 17, 17) if with_why else (14, 24, 22, 18, 22),
            )
    if data["excluded"]:
        doc.heading(lb["excluded"], level)
        doc.table(
            [lb["id"], lb["requirement"], lb["why"]],
            [[e["id"], e["title"], e["why"]] for e in data["excluded"]],
        )


def operator_name(plan: Plan, lang: Lang) -> str:
    """The operating unit's name (the author of the documents), in `lang` when given."""
    unit = plan.profile.data.get("operator") or {}
    return str((lang == "en" and unit.get("name_en")) or unit.get("name") or "")


def plan_docx(plan: Plan, lang: Lang, today: dt.date | None = None) -> bytes:
    """The plan as a Word document (python-docx is imported only for this format), dated
    `today` and authored by the operating unit."""
    from assure.reports.docx import DocxBuilder, a4, stable_bytes

    lb = labels(lang)
    doc = DocxBuilder(
        f"{lb['plan_title']}: {display_name(plan, lang)}",
        lang=_docx_lang(lang),
        author=operator_name(plan, lang),
        created=today,
    )
    a4(doc, landscape=True)
    doc.title(lb["plan_title"])
    doc.para(f"{display_name(plan, lang)} ({plan.profile.id})", center=True, bold=True)
    write_plan_sections(doc, plan, lang)
    return stable_bytes(doc)


def _docx_lang(lang: Lang) -> str:
    return "vi-VN" if lang == "vi" else "en-GB"
