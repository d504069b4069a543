"""The portfolio inventory in every format: terminal table, JSON, Markdown, HTML, XLSX, DOCX.

Every format renders the same `Portfolio` (and the same words, from the catalogue's
`inventory.*`, `approval.*` and `deadline.*` keys): the systems worst first, with their
level, the approval on record and its standing, the last inspection and the next date; then
every deadline, overdue first. HTML and DOCX are built from one block model (the dossier's
`DocModel`), so they carry the same content; the DOCX is laid out as Decree 30/2020/NĐ-CP
lays out an administrative document.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from assure import i18n
from assure.law.portfolio import Deadline, Entry, Portfolio
from assure.law.regime import Lang
from assure.reports import text as textable
from assure.reports.dossier.model import DocModel, unit_name
from assure.reports.safe import md_text
from assure.reports.xlsx import Cell, Sheet


def national(lang: Lang) -> tuple[str, str]:
    """The national title and motto of a letterhead (Decree 30/2020, Annex I)."""
    return (
        t("dossier.socialist_republic_of_viet_nam", lang),
        t("dossier.independence_freedom_happiness", lang),
    )


def t(key: str, lang: Lang, **params: object) -> str:
    return i18n.t(key, lang, **params)


def _d(day: dt.date | None, lang: Lang) -> str:
    return i18n.date_short(day, lang) if day else t("deadline.now", lang)


def level_text(level: int | None) -> str:
    return "—" if level is None else str(level)


def approval_text(e: Entry, lang: Lang) -> str:
    """The decision on record in one cell: "1234/QĐ-UBND, 16/09/2024, cấp độ 3"."""
    a = e.standing.approval
    if a is None:
        return "—"
    return t(
        "inventory.approval_cell",
        lang,
        decision=a.decision,
        date=i18n.date_short(a.date, lang),
        level=a.level,
    )


def deadline_cell(d: Deadline | None, lang: Lang) -> str:
    if d is None:
        return "—"
    return f"{_d(d.due, lang)}: {d.text(lang)}"


def owner_of(pf: Portfolio, lang: Lang) -> str:
    """The owner most of the portfolio's systems name (the inventory's issuing body)."""
    names = Counter(
        unit_name(e.classification.profile.data.get("owner"), lang) or "" for e in pf.entries
    )
    names.pop("", None)
    return names.most_common(1)[0][0] if names else ""


# ---------------------------------------------------------------------------------------
# Rows shared by the formats


def system_headers(lang: Lang) -> list[str]:
    return [
        t("inventory.col.id", lang),
        t("inventory.col.name", lang),
        t("inventory.col.level", lang),
        t("inventory.col.regime", lang),
        t("inventory.col.approval", lang),
        t("inventory.col.standing", lang),
        t("inventory.col.last_inspection", lang),
        t("inventory.col.overdue", lang),
        t("inventory.col.next", lang),
        t("inventory.col.state", lang),
    ]


def system_row(e: Entry, lang: Lang) -> list[str]:
    return [
        e.id,
        e.name(lang),
        level_text(e.level),
        e.regime,
        approval_text(e, lang),
        t(f"approval.status.{e.standing.status.value}", lang),
        i18n.date_short(e.last_inspection.date, lang) if e.last_inspection else "—",
        i18n.number(len(e.overdue), lang),
        deadline_cell(e.next_due, lang),
        t(f"deadline.state.{e.state.value}", lang),
    ]


def deadline_headers(lang: Lang) -> list[str]:
    return [
        t("inventory.col.due", lang),
        t("inventory.col.id", lang),
        t("inventory.col.kind", lang),
        t("inventory.col.what", lang),
        t("inventory.col.source", lang),
        t("inventory.col.state", lang),
    ]


def _deadline_state(d: Deadline, today: dt.date, lang: Lang) -> str:
    if d.overdue:
        return t("deadline.state.overdue", lang)
    return t("deadline.state.due_soon" if d.soon(today) else "deadline.state.ok", lang)


def deadline_row(d: Deadline, today: dt.date, lang: Lang) -> list[str]:
    return [
        _d(d.due, lang),
        d.system or t("inventory.owner_row", lang),
        t(f"deadline.kind.{d.kind.value}", lang),
        d.text(lang),
        d.basis(lang) or "—",
        _deadline_state(d, today, lang),
    ]


def totals_rows(pf: Portfolio, lang: Lang) -> list[tuple[str, str]]:
    """(label, count) lines: per level, per approval standing, per calendar state."""
    tot = pf.totals()
    out: list[tuple[str, str]] = [
        (t("inventory.total_systems", lang), i18n.number(tot["systems"]["total"], lang))
    ]
    for k, n in tot["by_level"].items():
        if n:
            label = (
                t("inventory.level_n", lang, level=k)
                if k != "none"
                else t("inventory.level_none", lang)
            )
            out.append((label, i18n.number(n, lang)))
    for k, n in tot["by_approval"].items():
        if n:
            out.append((t(f"approval.status.{k}", lang), i18n.number(n, lang)))
    for k, n in tot["by_state"].items():
        if n:
            out.append((t(f"deadline.state.{k}", lang), i18n.number(n, lang)))
    out.append(
        (t("inventory.overdue_deadlines", lang), i18n.number(tot["deadlines"]["overdue"], lang))
    )
    return out


# ---------------------------------------------------------------------------------------
# Terminal table and Markdown


def table(pf: Portfolio, lang: Lang) -> str:
    """The systems table, the overdue deadlines and the totals, for a terminal."""
    head = [
        t("inventory.col.id", lang),
        t("inventory.col.level", lang),
        t("inventory.col.standing", lang),
        t("inventory.col.overdue", lang),
        t("inventory.col.next", lang),
    ]
    rows = [
        [
            e.id,
            level_text(e.level),
            t(f"approval.status.{e.standing.status.value}", lang),
            i18n.number(len(e.overdue), lang),
            deadline_cell(e.next_due, lang),
        ]
        for e in pf.ordered
    ]
    out = [t("inventory.title_on", lang, date=i18n.date_short(pf.today, lang)), ""]
    out.append(textable.render(head, rows))
    overdue = pf.overdue
    out.append("")
    if overdue:
        out.append(t("inventory.overdue_head", lang, n=i18n.number(len(overdue), lang)))
        for d in overdue:
            who = d.system or t("inventory.owner_row", lang)
            out.append(f"  ! {_d(d.due, lang)} {who}: {d.text(lang)} ({d.basis(lang) or '—'})")
    else:
        out.append(t("inventory.nothing_overdue", lang))
    out.append("")
    out.append("; ".join(f"{label}: {n}" for label, n in totals_rows(pf, lang)))
    return "\n".join(out) + "\n"


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(md_text(h) for h in headers) + " |"]
    out.append("|" + "---|" * len(headers))
    out += ["| " + " | ".join(md_text(c) for c in r) + " |" for r in rows]
    return out


def markdown(pf: Portfolio, lang: Lang) -> str:
    lines = [f"# {md_text(t('inventory.title', lang))}", ""]
    lines.append(md_text(t("inventory.as_of", lang, date=i18n.date_long(pf.today, lang))))
    lines += ["", f"## {md_text(t('inventory.totals', lang))}", ""]
    lines += _md_table(
        [t("inventory.col.item", lang), t("inventory.col.count", lang)], totals_rows(pf, lang)
    )
    lines += ["", f"## {md_text(t('inventory.systems', lang))}", ""]
    lines += _md_table(system_headers(lang), [system_row(e, lang) for e in pf.ordered])
    lines += ["", f"## {md_text(t('inventory.deadlines', lang))}", ""]
    lines += _md_table(
        deadline_headers(lang), [deadline_row(d, pf.today, lang) for d in pf.deadlines]
    )
    lines += ["", md_text(t("inventory.basis_note", lang))]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# HTML and DOCX (one block model)


def model(pf: Portfolio, lang: Lang) -> DocModel:
    """The inventory as an administrative document: letterhead, title, totals, tables."""
    doc = DocModel(t("inventory.title", lang), lang)
    owner = owner_of(pf, lang)
    doc.letterhead(
        owner or t("inventory.owner_unknown", lang),
        owner or t("inventory.owner_unknown", lang),
        t("inventory.number", lang),
        i18n.date_long(pf.today, lang),
        national(lang),
    )
    doc.title_block(t("inventory.title", lang))
    doc.p(t("inventory.as_of", lang, date=i18n.date_long(pf.today, lang)), center=True, italic=True)
    doc.h(t("inventory.totals", lang), 1)
    doc.table(
        [t("inventory.col.item", lang), t("inventory.col.count", lang)],
        totals_rows(pf, lang),
        widths=(70, 30),
    )
    doc.h(t("inventory.systems", lang), 1)
    doc.table(
        system_headers(lang),
        [system_row(e, lang) for e in pf.ordered],
        widths=(11, 15, 5, 8, 12, 10, 8, 6, 17, 8),
    )
    doc.h(t("inventory.deadlines", lang), 1)
    doc.table(
        deadline_headers(lang),
        [deadline_row(d, pf.today, lang) for d in pf.deadlines],
        widths=(9, 13, 10, 33, 25, 10),
    )
    doc.p(t("inventory.basis_note", lang), italic=True)
    return doc


def html(pf: Portfolio, lang: Lang) -> str:
    from assure.reports.dossier.render import to_html

    return to_html(model(pf, lang))


def docx(pf: Portfolio, lang: Lang) -> bytes:
    """The inventory as a Word document, A4 landscape (python-docx imported only here)."""
    from assure.reports.dossier.render import to_docx

    return to_docx(model(pf, lang), author=owner_of(pf, lang), created=pf.today, landscape=True)


# ---------------------------------------------------------------------------------------
# XLSX


def sheets(pf: Portfolio, lang: Lang) -> list[Sheet]:
    """The systems sheet (one row per system, dates as dates) and the deadlines sheet."""
    heads = [
        t("inventory.col.id", lang),
        t("inventory.col.name", lang),
        t("inventory.col.owner", lang),
        t("inventory.col.operator", lang),
        t("inventory.col.level", lang),
        t("inventory.col.regime", lang),
        t("inventory.col.decision", lang),
        t("inventory.col.decision_date", lang),
        t("inventory.col.approved_level", lang),
        t("inventory.col.approved_under", lang),
        t("inventory.col.standing", lang),
        t("inventory.col.standing_basis", lang),
        t("inventory.col.last_inspection", lang),
        t("inventory.col.cycle", lang),
        t("inventory.col.overdue", lang),
        t("inventory.col.next_date", lang),
        t("inventory.col.next", lang),
        t("inventory.col.state", lang),
        t("inventory.col.file", lang),
    ]
    rows: list[list[Cell]] = []
    for e in pf.ordered:
        data = e.classification.profile.data
        a = e.standing.approval
        nxt = e.next_due
        rows.append(
            [
                e.id,
                e.name(lang),
                unit_name(data.get("owner"), lang) or None,
                unit_name(data.get("operator"), lang) or None,
                e.level,
                e.regime,
                a.decision if a else None,
                a.date if a else None,
                a.level if a else None,
                a.regime if a else None,
                t(f"approval.status.{e.standing.status.value}", lang),
                e.standing.basis(lang),
                e.last_inspection.date if e.last_inspection else None,
                e.cycle_months,
                len(e.overdue),
                nxt.due if nxt else None,
                nxt.text(lang) if nxt else None,
                t(f"deadline.state.{e.state.value}", lang),
                e.classification.profile.file,
            ]
        )
    drows: list[list[Cell]] = [
        [
            d.due,
            d.system or t("inventory.owner_row", lang),
            t(f"deadline.kind.{d.kind.value}", lang),
            d.text(lang),
            d.basis(lang) or None,
            d.days_left(pf.today),
            t("inventory.yes" if d.overdue else "inventory.no", lang),
            _deadline_state(d, pf.today, lang),
        ]
        for d in pf.deadlines
    ]
    dheads = [
        t("inventory.col.due", lang),
        t("inventory.col.id", lang),
        t("inventory.col.kind", lang),
        t("inventory.col.what", lang),
        t("inventory.col.source", lang),
        t("inventory.col.days_left", lang),
        t("inventory.col.is_overdue", lang),
        t("inventory.col.state", lang),
    ]
    pre = [
        t("inventory.title", lang),
        t("inventory.as_of", lang, date=i18n.date_long(pf.today, lang)),
    ]
    totals = Sheet(
        t("inventory.totals", lang),
        [t("inventory.col.item", lang), t("inventory.col.count", lang)],
        [[label, int(n.replace(".", "").replace(",", ""))] for label, n in totals_rows(pf, lang)],
        pre,
    )
    return [
        Sheet(t("inventory.systems", lang), heads, rows, pre),
        Sheet(t("inventory.deadlines", lang), dheads, drows, pre),
        totals,
    ]


def xlsx(pf: Portfolio, lang: Lang) -> bytes:
    from assure.reports.xlsx import workbook

    return workbook(
        sheets(pf, lang), lang, title=t("inventory.title", lang), author=owner_of(pf, lang)
    )


__all__ = ["docx", "html", "markdown", "model", "sheets", "table", "xlsx"]
