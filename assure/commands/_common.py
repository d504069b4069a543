"""Options and helpers shared by commands: language, format, output, clock, messages."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from assure import atomic
from assure.errors import DataError, Problem

if TYPE_CHECKING:
    from assure.law.regime import Lang

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Env:
    """What commands need from the outside world, injected so tests can pin it."""

    today: dt.date = field(default_factory=dt.date.today)
    debug: bool = False


pass_env = click.make_pass_decorator(Env, ensure=True)


def lang_option(f: F) -> F:
    return click.option(
        "--lang",
        type=click.Choice(["vi", "en"]),
        default="vi",
        show_default=True,
        help="Language of labels and texts (Vietnamese first).",
    )(f)


def output_option(f: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        default=None,
        help="Write to FILE (atomically; devices and links are written through) instead of"
        " standard output; `-` is standard output.",
    )(f)


def format_option(choices: Sequence[str], default: str) -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help="Output format.",
        )(f)

    return deco


def emit(text: str, output: Path | None) -> None:
    """Write a result to `output` (see `atomic.write_bytes`), or to standard output."""
    if output is None or atomic.is_stdout(output):
        click.echo(text, nl=not text.endswith("\n"))
    else:
        atomic.write_text(output, text if text.endswith("\n") else text + "\n")


def emit_bytes(data: bytes, output: Path | None) -> None:
    """Write binary output (DOCX) to `output`, or to standard output when it is not a TTY."""
    if output is None or atomic.is_stdout(output):
        if sys.stdout.isatty():
            raise click.UsageError(
                "binary output needs -o FILE (refusing to write it to a terminal)"
            )
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        atomic.write_bytes(output, data)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_yaml(data: Any) -> str:
    import yaml  # only the YAML format needs it; `assure --help` should not pay for it

    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return text


def report_problems(problems: Iterable[Problem]) -> None:
    """Print problems to standard error, one per line."""
    for p in problems:
        click.echo(str(p), err=True)


def report_errors(errors: Iterable[DataError]) -> None:
    for e in errors:
        report_problems(e.problems)


def lang_of(value: str) -> Lang:
    return "en" if value == "en" else "vi"


def parse_instant(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> dt.datetime | None:
    """`--at`: ISO 8601 date or date-time; a time without zone is UTC."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or date-time") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
