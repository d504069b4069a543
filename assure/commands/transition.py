"""`assure transition PATH...`: each system under the old and the new regime, and what changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from assure import i18n
from assure.commands._common import (
    Env,
    emit,
    emit_bytes,
    format_option,
    lang_of,
    lang_option,
    output_option,
    pass_env,
    report_errors,
    report_problems,
    to_json,
)
from assure.errors import ExitCode, Msg, UsageError
from assure.inputs.profile import load_many
from assure.law.citation import cite, source_text
from assure.law.regime import Lang
from assure.law.transition import LEVEL_KEYS, load_transition, report_json, transitions
from assure.reports import text as textable
from assure.reports.templating import md_escape, render_template

ARROWS = {"up": "↑", "same": "=", "down": "↓", "undetermined": "?"}
#: The directions of a level change, worded by `transition.direction.*`.
DIRECTIONS = ("up", "same", "down", "undetermined")
#: The labels of the transition report's tables and headings (`transition.label.*`).
LABEL_KEYS = (
    "id",
    "name",
    "change",
    "deciding",
    "deadline",
    "summary",
    "total",
    "systems",
    "missing",
    "provisional",
    "moved",
    "changes",
    "topic",
    "kind",
    "old",
    "new",
    "source",
    "rule",
    "flags",
    "procedure",
    "level",
    "none",
    "unconfirmed",
    "directions",
    "days_left",
    "overdue",
)
KIND_KEYS = ("new", "changed", "removed")


def words(lang: Lang) -> dict[str, str]:
    """Each direction's word in `lang` ("tăng", "up")."""
    return {d: i18n.t(f"transition.direction.{d}", lang) for d in DIRECTIONS}


def labels(lang: Lang) -> dict[str, Any]:
    """The report's labels in `lang`; `kinds` names the kinds of obligation change. Texts
    with `{n}` are filled in where they are used."""
    out: dict[str, Any] = {k: i18n.t(f"transition.label.{k}", lang) for k in LABEL_KEYS}
    out["kinds"] = {k: i18n.t(f"transition.label.kinds.{k}", lang) for k in KIND_KEYS}
    return out


def _lvl(level: int | None) -> str:
    return "—" if level is None else str(level)


def _short(crit_id: str) -> str:
    return crit_id.split(":", 1)[1] if ":" in crit_id else crit_id


def _change_cell(s: Mapping[str, Any], lang: Lang) -> str:
    text = f"{ARROWS[s['direction']]} {words(lang)[s['direction']]}"
    return text + ("*" if s["provisional"] else "")


def _deadline_cell(s: Mapping[str, Any]) -> str:
    return ", ".join(d["due"] for d in s["deadlines"]) or "—"


def matrix_rows(summary: Mapping[str, Any], lang: Lang) -> list[list[str]]:
    """Rows of the old × new level matrix, with totals, for every output format."""
    lab = labels(lang)
    rows: list[list[str]] = []
    for old in LEVEL_KEYS:
        cells = [str(summary["matrix"][old][new]) for new in LEVEL_KEYS]
        rows.append(
            [lab["none"] if old == "none" else old, *cells, str(summary["old_levels"][old])]
        )
    rows.append(
        [
            lab["total"],
            *(str(summary["new_levels"][k]) for k in LEVEL_KEYS),
            str(summary["systems"]),
        ]
    )
    return rows


def matrix_head(report: Mapping[str, Any], lang: Lang) -> list[str]:
    lab = labels(lang)
    corner = f"{report['from']['label']} × {report['to']['label']}"
    return [corner, *("—" if k == "none" else k for k in LEVEL_KEYS), lab["total"]]


def table(report: Mapping[str, Any], lang: Lang) -> str:
    """Terminal view: one row per system, facts to supply, then the level matrix."""
    lab = labels(lang)
    head = [
        lab["id"],
        report["from"]["label"],
        report["to"]["label"],
        lab["change"],
        lab["deciding"],
        lab["deadline"],
    ]
    rows = [
        [
            s["id"],
            _lvl(s["old"]["level"]),
            _lvl(s["new"]["level"]),
            _change_cell(s, lang),
            ", ".join(dict.fromkeys(_short(c["id"]) for c in s["new"]["deciding"])) or "—",
            _deadline_cell(s),
        ]
        for s in report["systems"]
    ]
    out = textable.render(head, rows)
    notes: list[str] = []
    for s in report["systems"]:
        for m in s["moved_by"]:
            notes.append(f"  {s['id']}: {m['summary']}")
    if notes:
        out += f"\n{lab['moved']}:\n" + "\n".join(notes) + "\n"
    flags = [
        f"  {s['id']}: ⚑ {f['label']} ({source_text(f, lang)})"
        + (f" — {lab['procedure']} {f['procedure_level']}" if "procedure_level" in f else "")
        for s in report["systems"]
        for f in s["new"]["flags"]
    ]
    if flags:
        out += f"\n{lab['flags']}:\n" + "\n".join(flags) + "\n"
    missing = [
        f"  {s['id']}"
        + (f" ({m['node']})" if m["node"] != s["id"] else "")
        + f": {m['fact']} — {m['why']}"
        for s in report["systems"]
        for m in s["missing_facts"]
    ]
    if missing:
        out += f"\n{lab['missing']}:\n" + "\n".join(missing) + "\n"
    if report["summary"]["provisional"]:
        out += lab["provisional"] + "\n"
    summary = report["summary"]
    out += f"\n{lab['summary']} ({summary['systems']} {lab['systems']}):\n"
    out += textable.render(matrix_head(report, lang), matrix_rows(summary, lang))
    dirs = "; ".join(f"{words(lang)[k]}: {v}" for k, v in summary["directions"].items())
    out += f"{lab['directions']}: {dirs}\n"
    return out


def worded(node: Any, lang: Lang, key: str = "") -> Any:
    """The report as a reader sees it: the citations JSON keeps in their compact English form
    ("Decree 331/2026 Art. 23.3.a") worded in `lang`
    ("điểm a khoản 3 Điều 23 Nghị định số 331/2026/NĐ-CP"), and the ISO days of deadlines
    written as the language writes them."""
    if isinstance(node, Mapping):
        return {k: worded(v, lang, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [worded(v, lang, key) for v in node]
    if isinstance(node, str) and key in ("source", "sources"):
        return cite(node, lang)
    if isinstance(node, str) and key == "due":
        return i18n.date_short(node, lang)
    return node


def _topic_value(value: Any) -> str:
    return "—" if value is None else str(value)


def docx_bytes(report: Mapping[str, Any], lang: Lang) -> bytes:
    """The report as a Word document: headings per system, real tables."""
    lab = labels(lang)
    from assure.reports.docx import DocxBuilder  # python-docx only for this format

    doc = DocxBuilder(report["title"], lang="vi-VN" if lang == "vi" else "en-GB")
    doc.title(report["title"])
    doc.para(source_text(report, lang), italic=True, center=True)
    doc.heading(lab["summary"], 1)
    doc.table(matrix_head(report, lang), matrix_rows(report["summary"], lang))
    doc.table(
        [lab["id"], report["from"]["label"], report["to"]["label"], lab["change"], lab["deadline"]],
        [
            [
                s["id"],
                _lvl(s["old"]["level"]),
                _lvl(s["new"]["level"]),
                _change_cell(s, lang),
                _deadline_cell(s),
            ]
            for s in report["systems"]
        ],
    )
    for s in report["systems"]:
        doc.heading(f"{s['id']} — {s['name']}", 1)
        doc.para(
            f"{report['from']['label']}: {lab['level']} {_lvl(s['old']['level'])}; "
            f"{report['to']['label']}: {lab['level']} {_lvl(s['new']['level'])} "
            f"({_change_cell(s, lang)})",
            bold=True,
        )
        for c in s["new"]["deciding"]:
            doc.bullet(f"[{c['level']}] {c['article']}: {c['reason']}")
        for f in s["new"]["flags"]:
            doc.bullet(f"{lab['flags']}: {f['label']} ({source_text(f, lang)})")
        if s["moved_by"]:
            doc.heading(lab["moved"], 2)
            for m in s["moved_by"]:
                doc.bullet(m["summary"])
        if s["missing_facts"]:
            doc.heading(lab["missing"], 2)
            for m in s["missing_facts"]:
                doc.bullet(f"{m['node']}: {m['fact']} ({m['label']}) — {m['why']}")
        if s["rule"]:
            doc.heading(lab["rule"], 2)
            doc.para(f"{s['rule']['text']} ({source_text(s['rule'], lang)})")
            if s["deadlines"]:
                doc.table(
                    [lab["deadline"], lab["topic"], lab["source"]],
                    [[d["due"], d["text"], source_text(d, lang)] for d in s["deadlines"]],
                )
        if s["changes"]:
            doc.heading(lab["changes"], 2)
            doc.table(
                [lab["topic"], lab["kind"], lab["old"], lab["new"], lab["source"]],
                [
                    [
                        c["label"],
                        lab["kinds"][c["kind"]]
                        + (f" ({lab['unconfirmed']})" if c.get("unconfirmed") else ""),
                        _topic_value(c["old"]),
                        _topic_value(c["new"]),
                        source_text(c, lang) or "—",
                    ]
                    for c in s["changes"]
                ],
            )
    return doc.to_bytes()


def render_text(report: Mapping[str, Any], fmt: str, lang: Lang) -> str:
    """Markdown or HTML through the shared template environment."""
    ctx: dict[str, Any] = {
        "r": report,
        "lab": labels(lang),
        "words": words(lang),
        "arrows": ARROWS,
        "lang": lang,
        "mhead": matrix_head(report, lang),
        "mrows": matrix_rows(report["summary"], lang),
        "esc": md_escape,
    }
    return render_template(f"transition.{fmt}.j2", **ctx)


@click.command("transition")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--from", "source", default="nd85-2016", show_default=True, help="Regime left behind."
)
@click.option("--to", "target", default="nd331-2026", show_default=True, help="Regime taking over.")
@format_option(["table", "json", "md", "html", "docx"], "table")
@lang_option
@output_option
@pass_env
def command(
    env: Env,
    paths: Sequence[str],
    source: str,
    target: str,
    fmt: str,
    lang: str,
    output: Path | None,
) -> int:
    """Level of each system under both regimes, what moved it, what changes and by when."""
    if fmt == "docx" and output is None:
        raise UsageError(Msg.of("usage.docx_needs_output"))
    tr = load_transition(source, target)
    loaded = load_many(paths)
    for p in loaded.profiles:
        report_problems(p.warnings)
    report_errors(loaded.errors)
    lg = lang_of(lang)
    report = report_json(transitions(loaded.profiles, tr), tr, env.today, lg)
    if fmt == "json":
        emit(to_json(report), output)
        return int(ExitCode.INVALID_DATA if loaded.errors else ExitCode.OK)
    report = worded(report, lg)
    if fmt == "docx":
        emit_bytes(docx_bytes(report, lg), output)
    elif fmt in ("md", "html"):
        emit(render_text(report, fmt, lg), output)
    else:
        emit(table(report, lg), output)
    return int(ExitCode.INVALID_DATA if loaded.errors else ExitCode.OK)


__all__ = ["command", "docx_bytes", "render_text", "table"]
