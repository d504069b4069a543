"""The annual report rendered: a DOCX laid out as Decree 30/2020 lays out a report, and an
XLSX with one sheet per item of the report plus the per-requirement detail.

Both carry the same tables, built once here (`item_table`) with typed cells: the workbook
keeps dates as dates and numbers as numbers, the document shows them as the language writes
them. The words are those of the regime (Decree 85/2016 speaks of "an toàn thông tin" and
reports to the Ministry of Information and Communications; Decree 331/2026 of "an ninh
mạng" and reports to the Ministry of Public Security), from the catalogue's `annual.*` keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from assure import i18n
from assure.law.annual import AnnualReport, SystemYear
from assure.law.regime import Lang
from assure.reports.dossier.model import DocModel, unit_name
from assure.reports.inventory import national, owner_of
from assure.reports.xlsx import Cell, Sheet

Table = tuple[list[str], list[list[Cell]]]
#: Preferred column proportions of the wider tables of the DOCX.
WIDTHS: Mapping[str, tuple[float, ...]] = {
    "units": (10, 15, 22, 13, 14, 14, 12),
    "inspected": (5, 25, 10, 30, 12, 18),
    "other": (5, 20, 10, 40, 25),
}


def t(key: str, lang: Lang, **params: object) -> str:
    return i18n.t(key, lang, **params)


def _term(r: AnnualReport, lang: Lang) -> str:
    return t(f"annual.term.{r.regime.id}", lang)


def _cell_text(value: Cell, lang: Lang) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return i18n.date_short(value, lang)
    if isinstance(value, float):
        return i18n.percent(value, lang)
    if isinstance(value, int):
        return i18n.number(value, lang)
    return value


def _name(x: SystemYear, lang: Lang) -> str:
    return x.entry.name(lang)


def _data(x: SystemYear) -> Mapping[str, Any]:
    return x.entry.classification.profile.data


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def item_title(r: AnnualReport, key: str, lang: Lang) -> str:
    return t(f"annual.item.{key}", lang, term=_term(r, lang))


def item_table(r: AnnualReport, key: str, lang: Lang) -> Table:
    """The table of one item of the report: headers and typed rows."""
    no, name = t("annual.col.no", lang), t("annual.col.system", lang)
    s = r.systems
    if key == "units":
        heads = [
            t("annual.col.role", lang),
            t("annual.col.unit", lang),
            t("annual.col.mandate", lang),
            t("annual.col.representative", lang),
            t("annual.col.address", lang),
            t("annual.col.contact", lang),
            t("annual.col.systems", lang),
        ]
        units: dict[tuple[str, str], tuple[Mapping[str, Any], list[str]]] = {}
        for x in s:
            for role in ("owner", "security_unit", "operator"):
                u = _data(x).get(role)
                if not u:
                    continue
                k = (role, unit_name(u, lang) or "")
                units.setdefault(k, (u, []))[1].append(x.id)
        rows: list[list[Cell]] = []
        for (role, uname), (u, ids) in units.items():
            rep = ", ".join(v for v in (u.get("representative"), u.get("title")) if v)
            contact = "; ".join(v for v in (u.get("phone"), u.get("email")) if v)
            rows.append(
                [
                    t(f"annual.role.{role}", lang, term=_term(r, lang)),
                    uname,
                    u.get("mandate_document"),
                    rep or None,
                    u.get("address"),
                    contact or None,
                    ", ".join(ids),
                ]
            )
        return heads, rows
    if key == "systems":
        return (
            [no, name, t("annual.col.operator", lang), t("annual.col.level", lang)],
            [
                [i, _name(x, lang), unit_name(_data(x).get("operator"), lang), x.entry.level]
                for i, x in enumerate(s, 1)
            ],
        )
    if key == "national_security":
        chosen = [x for x in s if x.national_security]
        return (
            [no, name, t("annual.col.level", lang), t("annual.col.basis", lang)],
            [
                [
                    i,
                    _name(x, lang),
                    x.entry.level,
                    t("annual.ns_level5" if x.entry.level == 5 else "annual.ns_flag", lang),
                ]
                for i, x in enumerate(chosen, 1)
            ],
        )
    if key in ("approved", "decisions"):
        chosen = [x for x in s if x.entry.standing.approval is not None]
        heads = [
            no,
            name,
            t("annual.col.decision", lang),
            t("annual.col.date", lang),
            t("annual.col.approved_level", lang),
            t("annual.col.standing", lang),
        ]
        if key == "decisions":
            heads += [
                t("annual.col.met", lang),
                t("annual.col.unmet", lang),
                t("annual.col.roadmap", lang),
            ]
        rows = []
        for i, x in enumerate(chosen, 1):
            a = x.entry.standing.approval
            assert a is not None
            row: list[Cell] = [
                i,
                _name(x, lang),
                a.decision,
                a.date,
                a.level,
                t(f"approval.status.{x.entry.standing.status.value}", lang),
            ]
            if key == "decisions":
                if x.gaps is not None:
                    gaps = x.gaps.roadmap
                    dated = [g.due for g in gaps if g.due is not None]
                    row += [
                        x.coverage.passed + x.coverage.waived if x.coverage else None,
                        len(gaps),
                        t(
                            "annual.roadmap",
                            lang,
                            n=i18n.number(len(dated), lang),
                            last=i18n.date_short(max(dated), lang),
                        )
                        if dated
                        else t("annual.no_roadmap", lang),
                    ]
                else:
                    row += [None, None, t("annual.no_plan", lang)]
            rows.append(row)
        return heads, rows
    if key == "implementation":
        return (
            [
                no,
                name,
                t("annual.col.level", lang),
                t("annual.col.implementation", lang),
                t("annual.col.coverage", lang),
            ],
            [
                [
                    i,
                    _name(x, lang),
                    x.entry.level,
                    t(f"annual.impl.{x.implementation}", lang),
                    round(x.coverage.covered_pct, 1) if x.coverage else None,
                ]
                for i, x in enumerate(s, 1)
            ],
        )
    if key in ("regulation", "regulation_decisions"):
        chosen = [x for x in s if _data(x).get("security_regulation")]
        heads = [no, name, t("annual.col.decision", lang), t("annual.col.date", lang)]
        if key == "regulation_decisions":
            heads.append(t("annual.col.issued_by", lang))
        rows = []
        for i, x in enumerate(chosen, 1):
            reg = _data(x)["security_regulation"]
            row = [i, _name(x, lang), reg["decision"], _date(reg["date"])]
            if key == "regulation_decisions":
                row.append(reg.get("issued_by") or unit_name(_data(x).get("owner"), lang))
            rows.append(row)
        return heads, rows
    if key == "compliance":
        return (
            [no, name, t("annual.col.compliance", lang), t("annual.col.basis", lang)],
            [
                [
                    i,
                    _name(x, lang),
                    t(f"annual.compliance.{x.compliance}", lang),
                    t("annual.compliance_basis", lang)
                    if x.compliance != "unknown"
                    else t("annual.compliance_none", lang),
                ]
                for i, x in enumerate(s, 1)
            ],
        )
    if key == "inspected":
        rows = []
        n = 0
        for x in s:
            for ins in x.inspections:
                n += 1
                rows.append(
                    [
                        n,
                        _name(x, lang),
                        ins.date,
                        ins.by,
                        t(f"annual.compliance.{ins.result or 'unknown'}", lang),
                        ins.report,
                    ]
                )
        return (
            [
                no,
                name,
                t("annual.col.date", lang),
                t("annual.col.inspected_by", lang),
                t("annual.col.result", lang),
                t("annual.col.report", lang),
            ],
            rows,
        )
    if key == "assessment":
        rows = []
        for i, x in enumerate(s, 1):
            c = x.coverage
            if c is None:
                rows.append([i, _name(x, lang), None, None, None, None, None, None, None])
                continue
            rows.append(
                [
                    i,
                    _name(x, lang),
                    c.applicable,
                    c.passed,
                    c.counts.get("warn", 0),
                    c.counts.get("fail", 0),
                    c.waived,
                    c.counts.get("not_applicable", 0),
                    round(c.covered_pct, 1),
                ]
            )
        return (
            [
                no,
                name,
                t("annual.col.applicable", lang),
                t("annual.col.pass", lang),
                t("annual.col.partial", lang),
                t("annual.col.fail", lang),
                t("annual.col.waived", lang),
                t("annual.col.na", lang),
                t("annual.col.coverage", lang),
            ],
            rows,
        )
    # other: what the owner must still act on
    rows = []
    for x in s:
        for d in x.entry.deadlines:
            if d.overdue:
                rows.append(
                    [
                        len(rows) + 1,
                        _name(x, lang),
                        d.due,
                        d.text(lang),
                        d.basis(lang) or None,
                    ]
                )
    return (
        [
            no,
            name,
            t("annual.col.due", lang),
            t("annual.col.what", lang),
            t("annual.col.basis", lang),
        ],
        rows,
    )


def _texts(rows: Sequence[Sequence[Cell]], lang: Lang) -> list[list[str]]:
    return [[_cell_text(c, lang) for c in row] for row in rows]


def title(r: AnnualReport, lang: Lang) -> str:
    return t(f"annual.title.{r.regime.id}", lang, year=r.year)


def model(r: AnnualReport, lang: Lang) -> DocModel:
    """The report as an administrative document (Decree 30/2020): letterhead, title, the
    addressee, the basis and period, one section per item of the regime, the signature."""
    doc = DocModel(title(r, lang), lang)
    owner = owner_of(r.portfolio, lang) or t("inventory.owner_unknown", lang)
    doc.letterhead(
        owner,
        owner,
        t("annual.number", lang),
        i18n.date_long(r.day, lang),
        national(lang),
    )
    doc.title_block(t("annual.kind", lang))
    doc.p(title(r, lang), bold=True, center=True)
    authority = r.authority.get(lang) or r.authority.get("vi") or ""
    doc.p(t("annual.to", lang, authority=authority), center=True)
    period = r.period
    doc.p(
        t(
            f"annual.basis.{r.regime.id}",
            lang,
            start=i18n.date_short(period[0], lang),
            end=i18n.date_short(period[1], lang),
        )
    )
    counts = r.counts()
    doc.p(
        t(
            "annual.summary",
            lang,
            systems=i18n.number(counts["systems"], lang),
            approved=i18n.number(counts["approved"], lang),
            full=i18n.number(counts["implementation_full"], lang),
            partial=i18n.number(counts["implementation_partial"], lang),
            inspected=i18n.number(counts["inspected"], lang),
            regulation=i18n.number(counts["regulation"], lang),
        )
    )
    for i, (key, cite) in enumerate(r.items, 1):
        doc.h(f"{i}. {item_title(r, key, lang)}", 1)
        doc.p(f"({cite.render(lang)})", italic=True)
        heads, rows = item_table(r, key, lang)
        if key == "other" and not rows:
            doc.p(t("annual.nothing_other", lang))
            continue
        if not rows:
            doc.p(t("annual.none", lang), italic=True)
            continue
        doc.table(heads, _texts(rows, lang), widths=WIDTHS.get(key, ()))
        if key in ("assessment", "decisions"):
            doc.p(t("annual.detail_in_xlsx", lang), italic=True)
    doc.signature(
        [
            t("annual.recipients", lang),
            t("annual.recipient_authority", lang, authority=authority),
            t("annual.recipient_file", lang),
        ],
        [
            t("annual.signer", lang),
            t("annual.sign_note", lang),
            "",
        ],
    )
    return doc


def docx(r: AnnualReport, lang: Lang) -> bytes:
    """The report as a Word document, A4 landscape (python-docx imported only here)."""
    from assure.reports.dossier.render import to_docx

    return to_docx(
        model(r, lang), author=owner_of(r.portfolio, lang), created=r.day, landscape=True
    )


def detail_sheet(r: AnnualReport, lang: Lang) -> Sheet:
    """Every requirement of every system's plan with its status, due date and owner."""
    rows: list[list[Cell]] = []
    for x in r.systems:
        if x.gaps is None:
            continue
        for g in x.gaps.items:
            rows.append(
                [
                    x.id,
                    g.item.requirement.id,
                    g.item.requirement.title(lang),
                    t(f"annual.status.{g.finding.status.value}", lang),
                    t(f"annual.declared.{g.declared}", lang),
                    g.due,
                    g.owner,
                    t("inventory.yes" if g.overdue else "inventory.no", lang),
                ]
            )
    return Sheet(
        t("annual.detail", lang),
        [
            t("inventory.col.id", lang),
            t("annual.col.requirement", lang),
            t("annual.col.requirement_title", lang),
            t("annual.col.status", lang),
            t("annual.col.declared", lang),
            t("annual.col.due", lang),
            t("annual.col.owner", lang),
            t("inventory.col.is_overdue", lang),
        ],
        rows,
        [title(r, lang)],
    )


def sheets(r: AnnualReport, lang: Lang) -> list[Sheet]:
    pre = [
        title(r, lang),
        t(
            "annual.period",
            lang,
            start=i18n.date_short(r.period[0], lang),
            end=i18n.date_short(r.period[1], lang),
        ),
    ]
    counts = r.counts()
    out = [
        Sheet(
            t("annual.summary_sheet", lang),
            [t("inventory.col.item", lang), t("inventory.col.count", lang)],
            [[t(f"annual.count.{k}", lang), v] for k, v in counts.items()],
            pre,
        )
    ]
    for i, (key, cite) in enumerate(r.items, 1):
        heads, rows = item_table(r, key, lang)
        out.append(
            Sheet(
                f"{i}. {t(f'annual.tab.{key}', lang)}",
                heads,
                rows,
                [f"{i}. {item_title(r, key, lang)}", cite.render(lang)],
            )
        )
    out.append(detail_sheet(r, lang))
    return out


def xlsx(r: AnnualReport, lang: Lang) -> bytes:
    from assure.reports.xlsx import workbook

    return workbook(sheets(r, lang), lang, title=title(r, lang), author=owner_of(r.portfolio, lang))


def file_stem(r: AnnualReport, lang: Lang) -> str:
    return t("annual.file", lang, year=r.year)


__all__ = ["docx", "file_stem", "item_table", "model", "sheets", "title", "xlsx"]
