"""Renderers of the gap report: Markdown, HTML (inline SVG charts), DOCX and JUnit XML.

All formats render `gap_json`, the findings-model form, so the CI view (JUnit), the
machine view (JSON) and the reader's view cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from assure import __version__, i18n
from assure.law.catalogue import GROUP_TITLES, PLAN_PART_TITLES, PLAN_PARTS
from assure.law.gap import GapReport, gap_json
from assure.law.regime import Lang
from assure.reports.labels import labels
from assure.reports.plan import operator_name
from assure.reports.safe import xml_text
from assure.reports.templating import render_template

if TYPE_CHECKING:
    pass


def _chart_rows(cov: dict[str, Any], titles: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "label": titles[k],
            "pct": v["covered_pct"],
            "implemented": v["implemented_pct"],
            "total": v["total"],
        }
        for k, v in cov.items()
        if v["total"]
    ]


def evidence_text(evidence: dict[str, Any], lang: Lang | None = None) -> str:
    """What an auditor checks: document references with dates, the waiver, probe results,
    dates and statuses written in the reader's language (the JSON keeps ISO days and codes)."""
    lg = lang or i18n.active()
    parts = [
        d["ref"] + (f" ({i18n.date_short(d['date'], lg)})" if d.get("date") else "")
        for d in evidence.get("documents", [])
    ]
    waiver = evidence.get("waiver")
    if waiver:
        parts.append(f"{waiver['approver']}, {i18n.date_short(waiver['expires'], lg)}")
    parts += [
        f"{p['check']}: "
        + (
            i18n.t(f"status.{p['status']}", lg)
            if i18n.has(f"status.{p['status']}")
            else p["status"]
        )
        for p in evidence.get("probes", [])
    ]
    check = evidence.get("profile_check")
    if check:
        parts.append(f"{check['check']}: {check['value']}")
    return "; ".join(parts) or "—"


def context(report: GapReport, lang: Lang) -> dict[str, Any]:
    """Template context shared by the Markdown and HTML gap report."""
    data = gap_json(report, lang)
    for f in data["findings"]:
        f["evidence_text"] = evidence_text(f["evidence"], lang)
    by_id = {f["check"]: f for f in data["findings"]}
    parts = [
        {
            "id": p,
            "title": PLAN_PART_TITLES[p](lang),
            "findings": [f for f in data["findings"] if f["plan_part"] == p],
        }
        for p in PLAN_PARTS
    ]
    return {
        "gap": data,
        "gaps": [by_id[i] for i in data["gaps"]],
        "parts": [p for p in parts if p["findings"]],
        "chart_groups": _chart_rows(
            data["coverage"]["by_group"], {k: v(lang) for k, v in GROUP_TITLES.items()}
        ),
        "chart_parts": _chart_rows(
            data["coverage"]["by_plan_part"], {k: v(lang) for k, v in PLAN_PART_TITLES.items()}
        ),
        "L": labels(lang),
        "lang": lang,
        "version": __version__,
    }


def gap_markdown(report: GapReport, lang: Lang) -> str:
    """The gap report as Markdown."""
    return render_template("gap.md.j2", **context(report, lang))


def gap_html(report: GapReport, lang: Lang) -> str:
    """The gap report as one self-contained HTML page with inline SVG coverage charts."""
    return render_template("gap.html.j2", **context(report, lang))


def gap_docx(report: GapReport, lang: Lang) -> bytes:
    """The gap report as a Word document (python-docx is imported only for this format)."""
    from assure.reports.docx import DocxBuilder, a4, stable_bytes

    ctx = context(report, lang)
    lb, data = ctx["L"], ctx["gap"]
    doc = DocxBuilder(
        f"{lb['gap_title']}: {data['name']}",
        lang="vi-VN" if lang == "vi" else "en-GB",
        author=operator_name(report.plan, lang),
        created=report.today,
    )
    a4(doc, landscape=True)
    doc.title(lb["gap_title"])
    doc.para(f"{data['name']} ({data['id']})", center=True, bold=True)
    ov = data["coverage"]["overall"]
    doc.para(
        f"{lb['level']}: {data['level']}. {lb['as_of']}: {i18n.date_short(data['as_of'], lang)}. "
        f"{lb['covered_pct']}: {i18n.percent(ov['covered_pct'], lang)}. "
        f"{lb['implemented_pct']}: {i18n.percent(ov['implemented_pct'], lang)}."
    )
    doc.heading(lb["coverage"], 1)
    doc.table(
        [
            lb["by_group"] + " / " + lb["by_part"],
            lb["total"],
            lb["covered_pct"],
            lb["implemented_pct"],
        ],
        [
            [
                r["label"],
                i18n.number(r["total"], lang),
                i18n.percent(r["pct"], lang),
                i18n.percent(r["implemented"], lang),
            ]
            for r in ctx["chart_groups"] + ctx["chart_parts"]
        ],
    )
    doc.heading(lb["gaps"], 1)
    if ctx["gaps"]:
        doc.table(
            [lb["id"], lb["requirement"], lb["status"], lb["weight"], lb["summary_col"]],
            [
                [
                    f["check"],
                    f["title"],
                    lb["status_" + f["status"]],
                    str(f["weight"]),
                    f["summary"],
                ]
                for f in ctx["gaps"]
            ],
        )
    else:
        doc.para(lb["no_gaps"])
    doc.heading(lb["roadmap"], 1)
    if data["roadmap"]:
        doc.table(
            [lb["due"], lb["id"], lb["requirement"], lb["owner"], lb["status"]],
            [
                [
                    (i18n.date_short(r["due"], lang) if r["due"] else lb["no_due"])
                    + (f" ({lb['overdue']})" if r["overdue"] else ""),
                    r["id"],
                    r["title"],
                    r["owner"] or "—",
                    lb["status_" + r["status"]],
                ]
                for r in data["roadmap"]
            ],
        )
    else:
        doc.para(lb["no_gaps"])
    doc.heading(lb["all_requirements"], 1)
    for part in ctx["parts"]:
        doc.heading(part["title"], 2)
        doc.table(
            [lb["id"], lb["requirement"], lb["status"], lb["summary_col"], lb["evidence"]],
            [
                [
                    f["check"],
                    f["title"],
                    lb["status_" + f["status"]],
                    f["summary"],
                    f["evidence_text"],
                ]
                for f in part["findings"]
            ],
        )
    return stable_bytes(doc)


def gap_junit(report: GapReport, lang: Lang) -> str:
    """JUnit XML: one test suite per plan part, one test case per requirement.

    `fail`/`warn` are failures, `error` is an error, and `inconclusive`, `not_applicable` and
    waived (`info`) requirements are skipped with the reason, so CI dashboards show them
    without counting them as passes. Text passes through `safe.xml_text` (a control
    character in a name would make the file unreadable), and the document keeps to the
    Jenkins xunit schema (`junit-10.xsd`).
    """
    x = xml_text
    data = gap_json(report, lang)
    suites = ET.Element("testsuites", name=x(f"assure gap {data['id']}"))
    total = fails = errors = 0
    for part in PLAN_PARTS:
        findings = [f for f in data["findings"] if f["plan_part"] == part]
        if not findings:
            continue
        suite = ET.SubElement(
            suites, "testsuite", name=x(f"{data['id']}: {PLAN_PART_TITLES[part](lang)}")
        )
        s_fail = s_err = s_skip = 0
        for f in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=x(f"{data['id']}.{part}"),
                name=x(f"{f['check']} {f['title']}"),
            )
            status = f["status"]
            if status in ("fail", "warn"):
                ET.SubElement(case, "failure", type=status, message=x(f["summary"]))
                s_fail += 1
            elif status == "error":
                ET.SubElement(case, "error", type=status, message=x(f["summary"]))
                s_err += 1
            elif status in ("inconclusive", "not_applicable", "info"):
                ET.SubElement(case, "skipped", message=x(f"{status}: {f['summary']}"))
                s_skip += 1
        suite.set("tests", str(len(findings)))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("skipped", str(s_skip))
        total += len(findings)
        fails += s_fail
        errors += s_err
    suites.set("tests", str(total))
    suites.set("failures", str(fails))
    suites.set("errors", str(errors))
    # no `skipped` on <testsuites>: the xunit schema (junit-10.xsd) allows it on suites only
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
