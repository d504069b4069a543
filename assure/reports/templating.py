"""The one Jinja2 environment, and the helpers every text renderer shares.

Templates take only plain data (dicts built by the pipeline) and stay free of logic; filters
are registered here in one place. HTML is autoescaped (a system named `<script>` renders as
text) and undefined names fail loudly, so a renamed field never prints a silent blank.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from assure.paths import templates_dir
from assure.reports.safe import md_text, xml_text

if TYPE_CHECKING:
    import jinja2


def _thousands(value: Any, lang: str = "vi") -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.0f}" if isinstance(value, int) else f"{value:,.1f}"
    return text.replace(",", ".") if lang == "vi" else text


def _date_vi(value: Any) -> str:
    """`2026-11-22` → `22/11/2026`, the way Vietnamese documents write dates."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.date):
        return str(value.strftime("%d/%m/%Y"))
    return str(value)


def _pct(value: Any) -> str:
    return f"{float(value):.0f}%" if isinstance(value, int | float) else str(value)


@cache
def environment(folder: Path | None = None) -> jinja2.Environment:
    """The shared environment over `templates/` (or `folder`, for tests).

    Jinja2 is imported here, not at module level: commands that print only a table or JSON
    never pay for it.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder or templates_dir())),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg", "html.j2", "svg.j2"),
            default_for_string=False,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_inert,
    )
    env.filters["thousands"] = _thousands
    env.filters["date_vi"] = _date_vi
    env.filters["pct"] = _pct
    env.filters["md"] = md_escape
    return env


def _inert(value: Any) -> Any:
    """Every `{{ … }}` output without control characters (`safe.xml_text`): server text in
    an HTML report must not carry what an XML or terminal reader chokes on. Markup stays
    Markup, so autoescaping does not escape it twice."""
    if isinstance(value, str):
        cleaned = xml_text(value)
        if cleaned != value:
            return type(value)(cleaned)
    return value


def render_template(name: str, **context: Any) -> str:
    """Render template `name` from the shared environment."""
    return environment().get_template(name).render(**context)


def stream_template(out: IO[str], name: str, **context: Any) -> None:
    """Render template `name` into `out` piece by piece, so a report over thousands of
    targets is never one string in memory (the template's loops may read lazily)."""
    for chunk in environment().get_template(name).generate(**context):
        out.write(chunk)


def md_escape(text: Any) -> str:
    """User text for a Markdown line or table cell: markup and HTML escaped (`reports.safe`)."""
    return md_text(str(text))
