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

from assure import atomic, i18n
from assure.errors import DataError, Problem

if TYPE_CHECKING:
    from assure.law.regime import Lang

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Env:
    """What commands need from the outside world, injected so tests can pin it."""

    today: dt.date = field(default_factory=dt.date.today)
    debug: bool = False
    quiet: bool = False


pass_env = click.make_pass_decorator(Env, ensure=True)


def _choose_lang(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    """`--lang` (or `ASSURE_LANG`) read: the run's messages switch to that language now, so
    even an error in a later option is worded in it."""
    lang = i18n.as_lang(value) if value else i18n.active()
    i18n.set_active(lang)
    return lang


def lang_param() -> click.Option:
    return click.Option(
        ["--lang"],
        type=click.Choice(list(i18n.LANGS)),
        default=None,
        envvar=i18n.ENV_VAR,
        show_envvar=True,
        is_eager=True,
        expose_value=False,
        callback=_choose_lang,
        help="Language of every text: vi (default) or en.",
    )


def lang_option(f: F) -> F:
    """`--lang vi|en` for a command that passes the language on itself."""
    return click.option(
        "--lang",
        type=click.Choice(list(i18n.LANGS)),
        default=None,
        envvar=i18n.ENV_VAR,
        show_envvar=True,
        is_eager=True,
        callback=_choose_lang,
        help="Language of every text: vi (default) or en.",
    )(f)


def _set_today(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(i18n.t("cli.bad_date", value=value)) from None
    ctx.ensure_object(Env).today = day


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Env).quiet = True


def common_options(command: click.Command) -> click.Command:
    """Give a command (and every subcommand) the options every command has: `--lang`,
    `--today` (also accepted before the command) and `-q/--quiet`.

    Added once here instead of in each command, so no command can miss one; a command that
    declares its own `--lang` or `-q` keeps it. Idempotent: a command loaded twice is not
    given the options twice.
    """
    names = {p.name for p in command.params}
    if "lang" not in names:
        command.params.append(lang_param())
    if "today" not in names:
        command.params.append(
            click.Option(
                ["--today"],
                metavar="YYYY-MM-DD",
                expose_value=False,
                callback=_set_today,
                help="Evaluate dates as of this day (as `assure --today DAY COMMAND`).",
            )
        )
    if "quiet" not in names:
        command.params.append(
            click.Option(
                ["-q", "--quiet"],
                is_flag=True,
                expose_value=False,
                callback=_set_quiet,
                help="Print only results and problems, no notes.",
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            common_options(sub)
    return command


def note(text: str) -> None:
    """An informational line on standard error, silenced by `-q/--quiet`."""
    ctx = click.get_current_context(silent=True)
    env = ctx.find_object(Env) if ctx is not None else None
    if env is None or not env.quiet:
        click.echo(text, err=True)


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
            raise click.UsageError(i18n.t("cli.binary_to_tty"))
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
    """Print problems to standard error, one per line; `-q` silences warnings and notes."""
    ctx = click.get_current_context(silent=True)
    env = ctx.find_object(Env) if ctx is not None else None
    quiet = env is not None and env.quiet
    for p in problems:
        if p.severity == "error" or not quiet:
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
        raise click.BadParameter(i18n.t("cli.bad_instant", value=value)) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def from_config(name: str) -> bool:
    """Whether the current command's option `name` took its value from `assure.toml`
    (click's default map) rather than from the command line or the environment."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.get_parameter_source(name) is ParameterSource.DEFAULT_MAP
