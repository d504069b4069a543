"""The history and its drift as a terminal table, JSON, Markdown and HTML.

The HTML carries two trend charts drawn as inline SVG (no script, no external asset): the
coverage of every recorded gap report, and the pass and fail counts of every recorded probe
run. Every value a user or a server supplied (subjects, summaries) is escaped for its
format (`reports.safe`, Jinja's autoescape).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from assure import __version__, i18n
from assure.findings import Status
from assure.history.drift import Change, Drift, Point
from assure.history.model import Run
from assure.i18n import Lang
from assure.reports import text as textable
from assure.reports.safe import md_text, xml_text

RUN_COLUMNS = ("run", "day", "command", "subject", "regime", "exit", "result", "version")
CHANGE_COLUMNS = ("kind", "command", "subject", "key", "target", "before", "after")
KINDS = ("new_failure", "regressed", "level", "fact", "certificate", "coverage", "fixed")


def result_text(run: Run, lang: Lang) -> str:
    """One run's figures in a few words: level, coverage, pass and fail counts."""
    s = run.summary
    parts = []
    if s.get("level") is not None:
        parts.append(i18n.t("history.result.level", lang, level=s["level"]))
    if isinstance(s.get("coverage"), int | float):
        parts.append(
            i18n.t("history.result.coverage", lang, coverage=i18n.percent(s["coverage"], lang))
        )
    counts = s.get("counts")
    if isinstance(counts, dict) and run.command != "gap":
        parts.append(
            i18n.t(
                "history.result.counts",
                lang,
                passed=i18n.number(int(counts.get("pass", 0)), lang),
                failed=i18n.number(int(counts.get("fail", 0)), lang),
            )
        )
    return "; ".join(parts) or "—"


def _run_row(run: Run, lang: Lang) -> list[str]:
    return [
        str(run.id),
        i18n.date_short(run.day, lang),
        run.command,
        run.subject,
        run.regime or "—",
        str(run.exit_code),
        result_text(run, lang),
        run.tool_version,
    ]


def _head(columns: Sequence[str], lang: Lang) -> list[str]:
    return [i18n.t(f"history.col.{c}", lang) for c in columns]


def runs_table(subject: str, runs: Sequence[Run], lang: Lang) -> str:
    """The recorded runs, newest first, with a count under them."""
    out = textable.render(_head(RUN_COLUMNS, lang), [_run_row(r, lang) for r in runs])
    return out + "\n" + i18n.plural(len(runs), "history.count", lang) + "\n"


def runs_json(subject: str, runs: Sequence[Run]) -> dict[str, Any]:
    return {"subject": subject, "runs": [r.to_json(with_findings=True) for r in runs]}


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(md_text(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def runs_markdown(subject: str, runs: Sequence[Run], lang: Lang) -> str:
    title = i18n.t("history.title.runs", lang, subject=md_text(subject))
    rows = [_run_row(r, lang) for r in runs]
    return (
        f"# {title}\n\n"
        + _md_table(_head(RUN_COLUMNS, lang), rows)
        + "\n"
        + (i18n.plural(len(runs), "history.count", lang) + "\n")
    )


def _value(value: Any, lang: Lang) -> str:
    """A before or after value for a person: a status worded, a certificate abbreviated."""
    if value is None:
        return i18n.t("history.absent", lang)
    if isinstance(value, str) and value in {s.value for s in Status}:
        return i18n.t(f"status.{value}", lang)
    if isinstance(value, dict) and "sha256" in value:
        expiry = str(value.get("not_after") or "")[:10]
        return f"{str(value['sha256'])[:16]}… ({expiry})" if expiry else str(value["sha256"])
    if isinstance(value, float):
        return i18n.percent(value, lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _change_row(c: Change, lang: Lang) -> list[str]:
    return [
        i18n.t(f"history.kind.{c.kind}", lang),
        c.command,
        c.subject,
        "—" if c.kind in ("level", "coverage") else c.key,  # the figure is named by the kind
        c.target or "—",
        _value(c.before, lang),
        _value(c.after, lang),
    ]


def _ordered(d: Drift) -> list[Change]:
    return [c for k in KINDS for c in d.of(k)]


def since_text(d: Drift, lang: Lang) -> str:
    if d.since.kind == "run" and d.since.run is not None:
        return i18n.t("history.since.run", lang, run=d.since.run.id)
    if d.since.kind == "date" and d.since.day is not None:
        return i18n.t("history.since.date", lang, day=i18n.date_short(d.since.day, lang))
    return i18n.t("history.since.previous", lang)


def totals(d: Drift, lang: Lang) -> str:
    return i18n.t(
        "history.totals",
        lang,
        new=i18n.number(len(d.new_failures), lang),
        fixed=i18n.number(len(d.of("fixed")), lang),
        regressed=i18n.number(len(d.of("regressed")), lang),
        level=i18n.number(len(d.of("level")), lang),
        cert=i18n.number(len(d.of("certificate")), lang),
    )


def _stream_rows(d: Drift, lang: Lang) -> list[list[str]]:
    none = i18n.t("history.no_baseline", lang)
    return [
        [
            s.command,
            s.subject,
            str(s.baseline.id) if s.baseline else none,
            str(s.latest.id),
            result_text(s.baseline, lang) if s.baseline else "—",
            result_text(s.latest, lang),
        ]
        for s in d.streams
    ]


_STREAM_COLUMNS = ("command", "subject", "baseline", "latest", "before", "after")


def drift_table(d: Drift, lang: Lang) -> str:
    out = i18n.t("history.title.drift", lang, system=d.system) + "\n" + since_text(d, lang)
    out += "\n\n" + textable.render(_head(_STREAM_COLUMNS, lang), _stream_rows(d, lang))
    changes = _ordered(d)
    if changes:
        rows = [_change_row(c, lang) for c in changes]
        out += "\n" + textable.render(_head(CHANGE_COLUMNS, lang), rows)
    else:
        out += "\n" + i18n.t("history.no_changes", lang) + "\n"
    return out + "\n" + totals(d, lang) + "\n"


def drift_json(d: Drift) -> dict[str, Any]:
    return d.to_json()


def drift_markdown(d: Drift, lang: Lang) -> str:
    out = f"# {md_text(i18n.t('history.title.drift', lang, system=d.system))}\n\n"
    out += md_text(since_text(d, lang)) + "\n\n"
    out += f"## {i18n.t('history.section.streams', lang)}\n\n"
    out += _md_table(_head(_STREAM_COLUMNS, lang), _stream_rows(d, lang)) + "\n"
    out += f"## {i18n.t('history.section.changes', lang)}\n\n"
    changes = _ordered(d)
    if changes:
        out += _md_table(_head(CHANGE_COLUMNS, lang), [_change_row(c, lang) for c in changes])
    else:
        out += i18n.t("history.no_changes", lang) + "\n"
    return out + "\n" + md_text(totals(d, lang)) + "\n"


# --- HTML ------------------------------------------------------------------------------

_W, _H, _PAD_L, _PAD_R, _PAD_T, _PAD_B = 640, 220, 48, 24, 16, 40


def _x(i: int, n: int) -> float:
    span = _W - _PAD_L - _PAD_R
    return _PAD_L + (span / 2 if n == 1 else span * i / (n - 1))


def _y(value: float, top: float) -> float:
    span = _H - _PAD_T - _PAD_B
    return _H - _PAD_B - (span * value / top if top else 0)


def line_chart(
    title: str,
    points: Sequence[Point],
    series: Sequence[tuple[str, str, str]],
    top: float,
    lang: Lang,
) -> str:
    """An SVG line chart: one polyline per series (label, Point attribute, colour), the runs
    along the x axis (labelled by day), 0…top on the y axis. Text is escaped here."""
    n = len(points)
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {_W} {_H}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{_PAD_L}" y1="{_H - _PAD_B}" x2="{_W - _PAD_R}" y2="{_H - _PAD_B}"'
        ' stroke="#888"/>',
        f'<line x1="{_PAD_L}" y1="{_PAD_T}" x2="{_PAD_L}" y2="{_H - _PAD_B}" stroke="#888"/>',
    ]
    for tick in (0.0, top / 2, top):
        y = _y(tick, top)
        parts.append(
            f'<text x="{_PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(i18n.number(round(tick, 1), lang))}</text>"
        )
    step = max(1, n // 8)
    for i, p in enumerate(points):
        if i % step == 0 or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else "start" if i == 0 and n > 1 else "middle"
            parts.append(
                f'<text x="{_x(i, n):.1f}" y="{_H - _PAD_B + 16}" text-anchor="{anchor}"'
                f' font-size="11">{escape(i18n.date_short(p.day, lang))}</text>'
            )
    for k, (label, attr, colour) in enumerate(series):
        coords = [(_x(i, n), _y(float(getattr(p, attr) or 0), top)) for i, p in enumerate(points)]
        if n > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
        for (x, y), p in zip(coords, points, strict=True):
            value = getattr(p, attr) or 0
            shown = i18n.percent(value, lang) if attr == "coverage" else i18n.number(value, lang)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)} #{p.run}: {escape(shown)}</title></circle>"
            )
        lx = _PAD_L + 120 * k
        parts.append(
            f'<rect x="{lx}" y="{_H - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{_H - 5}" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def charts(d: Drift, lang: Lang) -> list[str]:
    """The trend charts of a drift: coverage of gap runs; pass/fail counts of probe runs."""
    out = []
    if d.coverage_trend:
        out.append(
            line_chart(
                i18n.t("history.chart.coverage", lang),
                d.coverage_trend,
                [(i18n.t("history.chart.coverage_series", lang), "coverage", "#1a7f37")],
                100.0,
                lang,
            )
        )
    if d.probe_trend:
        top = max(max(p.passed, p.failed) for p in d.probe_trend) or 1
        out.append(
            line_chart(
                i18n.t("history.chart.probe", lang),
                d.probe_trend,
                [
                    (i18n.t("history.chart.pass", lang), "passed", "#1a7f37"),
                    (i18n.t("history.chart.fail", lang), "failed", "#cf222e"),
                ],
                float(top),
                lang,
            )
        )
    return out


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{escape(xml_text(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(xml_text(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, body: str, lang: Lang) -> str:
    from markupsafe import Markup

    from assure.reports.templating import render_template

    return render_template(
        "history.html.j2",
        lang=lang,
        title=title,
        body=Markup(body),  # noqa: S704 (built above from escaped parts)
        generated=i18n.t("history.generated", lang, version=__version__),
    )


def runs_html(subject: str, runs: Sequence[Run], lang: Lang) -> str:
    title = i18n.t("history.title.runs", lang, subject=subject)
    body = f"<h1>{escape(xml_text(title))}</h1>"
    body += _html_table(_head(RUN_COLUMNS, lang), [_run_row(r, lang) for r in runs])
    body += f"<p>{escape(i18n.plural(len(runs), 'history.count', lang))}</p>"
    return _page(title, body, lang)


def drift_html(d: Drift, lang: Lang) -> str:
    title = i18n.t("history.title.drift", lang, system=d.system)
    body = f"<h1>{escape(xml_text(title))}</h1><p>{escape(since_text(d, lang))}</p>"
    body += f"<p><strong>{escape(totals(d, lang))}</strong></p>"
    body += f"<h2>{escape(i18n.t('history.section.changes', lang))}</h2>"
    changes = _ordered(d)
    if changes:
        rows = [_change_row(c, lang) for c in changes]
        body += _html_table(_head(CHANGE_COLUMNS, lang), rows)
    else:
        body += f"<p>{escape(i18n.t('history.no_changes', lang))}</p>"
    drawn = charts(d, lang)
    if drawn:
        body += f"<h2>{escape(i18n.t('history.section.trends', lang))}</h2>" + "".join(
            f"<figure>{svg}</figure>" for svg in drawn
        )
    body += f"<h2>{escape(i18n.t('history.section.streams', lang))}</h2>"
    body += _html_table(_head(_STREAM_COLUMNS, lang), _stream_rows(d, lang))
    return _page(title, body, lang)
