"""The one Jinja2 environment, and the helpers every text renderer shares.

Templates take only plain data (dicts built by the pipeline) and stay free of logic; filters
are registered here in one place. HTML is autoescaped (a system named `<script>` renders as
text) and undefined names fail loudly, so a renamed field never prints a silent blank.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from assure import i18n
from assure.paths import templates_dir
from assure.reports.safe import md_text, xml_text

if TYPE_CHECKING:
    import jinja2


#: A "[Cần bổ sung: …]" / "[To be completed: …]" marker (a fact the profile does not state).
TODO_MARKER = re.compile(r"\[(?:Cần bổ sung|To be completed): [^\]]*\]")


def _marked(value: Any) -> Any:
    """HTML-escaped text with each to-be-completed marker in a highlighted `<mark>`."""
    from markupsafe import Markup, escape

    text = str(escape(value))
    # the text was escaped on the line above; only our own <mark> tags are added to it
    return Markup(TODO_MARKER.sub(lambda m: f'<mark class="todo">{m.group(0)}</mark>', text))  # noqa: S704


def _upper_kept(value: Any) -> str:
    """Capitals outside the to-be-completed markers (letterheads, titles)."""
    text, out, pos = str(value), [], 0
    for m in TODO_MARKER.finditer(text):
        out += [text[pos : m.start()].upper(), m.group(0)]
        pos = m.end()
    return "".join([*out, text[pos:].upper()])


def _number(value: Any, lang: str = "vi") -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return i18n.number(value, i18n.as_lang(lang))


def _percent(value: Any, lang: str = "vi", digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return i18n.percent(value, i18n.as_lang(lang), digits=digits)


def _date_long(value: Any, lang: str = "vi") -> str:
    return i18n.date_long(value, i18n.as_lang(lang))


def _date_short(value: Any, lang: str = "vi") -> str:
    return i18n.date_short(value, i18n.as_lang(lang))


def _cited(value: Any, lang: str = "vi") -> str:
    """The citations of a JSON object worded in `lang`, from its structured `citations`
    (`{{ obj | cited(lang) }}`), so a page never prints the English contract string."""
    from assure.law.citation import source_text

    return source_text(value, "vi" if lang == "vi" else "en")


def wrap_lines(value: Any, width: int = 40) -> list[str]:
    """A label as lines of at most `width` characters, broken between words (chart labels
    are wrapped, never cut off)."""
    import textwrap

    return textwrap.wrap(str(value), width, break_long_words=False) or [""]


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
    env.filters["md"] = md_escape
    env.filters["marked"] = _marked
    env.filters["upper_kept"] = _upper_kept
    env.filters["wrap_lines"] = wrap_lines
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    env.filters["date_long"] = _date_long
    env.filters["date_short"] = _date_short
    env.filters["cited"] = _cited
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
