"""Options and helpers shared by commands: language, format, output, clock, messages."""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
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


#: click's own messages ("Usage:", "Error: …", "No such option …") have a Vietnamese
#: translation of their own: a gettext catalogue of the installed click's msgids,
#: `messages/locale/vi/LC_MESSAGES/assure-click.po`, compiled next to it as `.mo`.
CLICK_DOMAIN = "assure-click"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "messages" / "locale"


@contextlib.contextmanager
def click_speaking(lang: i18n.Lang) -> Iterator[None]:
    """Within the block, click words its own messages in `lang`.

    click looks every message up with `gettext.gettext`, i.e. in the process's text domain
    and in the languages of `LANGUAGE`; a Vietnamese run points both at our catalogue, and
    both are put back afterwards, so an in-process caller (a test runner, a plugin host)
    keeps its own. English is click's own wording and needs nothing.
    """
    if lang != "vi":
        yield
        return
    domain = gettext.textdomain()
    language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = "vi"
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language


def help_key(path: str, name: str) -> str:
    """The catalogue key of a subcommand or an option of the command at `path`: the root's
    commands are keyed by their own name (`help.classify`), others under their group's
    (`help.trust.add`)."""
    return f"help.{name}" if path == "assure" else f"help.{path}.{name}"


def help_path(ctx: click.Context) -> str:
    """Where a command's help texts sit in the catalogue: `assure` for the root, else the
    command's names from the root down, dot-separated (`classify`, `trust.add`)."""
    names: list[str] = []
    node: click.Context | None = ctx
    while node is not None:
        names.append(node.command.name or node.info_name or "")
        node = node.parent
    names.reverse()
    if names[0] == "assure" and len(names) > 1:
        names.pop(0)
    return ".".join(names)


def help_texts(
    command: click.Command, ctx: click.Context, path: str
) -> Iterator[tuple[object, str, tuple[str, ...]]]:
    """Every help text of a help page: (holder, attribute, catalogue keys, first found wins).

    An option's text is the command's own (`help.classify.fmt`) or, for options many
    commands share (`--lang`, `-o`, `--db`), the common one (`help.common.lang`).
    """
    yield command, "help", (f"help.{path}",)
    yield command, "short_help", (f"help.{path}.short",)
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and param.name and not param.hidden:
            yield param, "help", (f"help.{path}.{param.name}", f"help.common.{param.name}")
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield sub, "help", (help_key(path, name),)
            yield sub, "short_help", (help_key(path, name) + ".short",)


#: A placeholder's words: click's type names ("INTEGER RANGE" as one) and ours ("PATHS").
_METAVAR_WORD = re.compile(r"(?:INTEGER|FLOAT) RANGE|[A-Z][A-Z_]*")


def _metavar_word(m: re.Match[str]) -> str:
    key = f"cli.metavar.{m[0].replace(' ', '_')}"
    return i18n.t(key) if i18n.has(key) else m[0]


def synopsis_words(command: click.Command, ctx: click.Context) -> Iterator[tuple[object, str, str]]:
    """The placeholders of a usage line ("[OPTIONS] PATHS...", "COMMAND [ARGS]...") and of
    the options ("--timeout FLOAT RANGE", "--nameserver ADDR[:PORT]"), each with its English
    form: (holder, attribute, English). Their words are worded from the
    catalogue (`cli.metavar.PATHS`), the brackets and dots kept, as translated command-line
    tools write "Cách dùng: assure classify [TÙY_CHỌN] ĐƯỜNG_DẪN...". Argument metavars are
    worked out as click does, then set, so click prints them as they are."""
    yield command, "options_metavar", command.options_metavar or ""
    if isinstance(command, click.Group):
        yield command, "subcommand_metavar", command.subcommand_metavar or ""
    for param in command.get_params(ctx):
        flag = isinstance(param, click.Option) and (param.is_flag or param.count)
        if not flag:  # a flag prints no placeholder
            yield param, "metavar", param.make_metavar(ctx)


@contextlib.contextmanager
def worded(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """Within the block, the help texts of `command` (its description, its options', its
    subcommands' one-line helps) are the catalogue's in the active language; afterwards
    they are what they were (the English of the code), so nothing leaks into the next run.
    A text the catalogue does not have (a plugin's command) stays as written."""
    saved: list[tuple[object, str, object]] = []
    for holder, attr, keys in help_texts(command, ctx, help_path(ctx)):
        key = next((k for k in keys if i18n.has(k)), None)
        if key is not None:
            saved.append((holder, attr, getattr(holder, attr)))
            setattr(holder, attr, i18n.t(key))
    for holder, attr, english in synopsis_words(command, ctx):
        saved.append((holder, attr, getattr(holder, attr)))
        setattr(holder, attr, _METAVAR_WORD.sub(_metavar_word, english))
    try:
        yield
    finally:
        for holder, attr, value in reversed(saved):
            setattr(holder, attr, value)


class WordedContext(click.Context):
    """A context whose help page is worded in the run's language when it is formatted
    (`--help`, and a group called without its command), from the catalogue."""

    def get_help(self) -> str:
        with worded(self.command, self):
            return super().get_help()

    def get_usage(self) -> str:
        """The usage line of a usage error, in the run's language like the help page."""
        with worded(self.command, self):
            return super().get_usage()


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


def _name_path_types(command: click.Command) -> None:
    """Word the noun click puts in a path parameter's errors ("File 'x' does not exist.")
    in this run's language. click translates it once, when the command's module builds the
    parameter, so a module first loaded by a Vietnamese run would keep "Tệp" for an English
    run later in the same process (a test runner, an embedding program); naming it again
    here, as click's `Path.__init__` does, keeps each run in its own language."""
    for param in command.params:
        kind = param.type
        if isinstance(kind, click.Path):
            if kind.file_okay and not kind.dir_okay:
                kind.name = gettext.gettext("file")
            elif kind.dir_okay and not kind.file_okay:
                kind.name = gettext.gettext("directory")
            else:
                kind.name = gettext.gettext("path")


def common_options(command: click.Command) -> click.Command:
    """Give a command (and every subcommand) the options every command has: `--lang`,
    `--today` (also accepted before the command) and `-q/--quiet`.

    Added once here instead of in each command, so no command can miss one; a command that
    declares its own `--lang` or `-q` keeps it. Idempotent: a command loaded twice is not
    given the options twice.
    """
    command.context_class = WordedContext
    _name_path_types(command)
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
