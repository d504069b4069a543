"""Command-line entry point and the single error funnel.

`main()` is the only place that turns exceptions into messages and exit codes
(interface §2): usage errors → 2, invalid data → 3 with `file:line:column: field: message`,
a full disk or a refused file → 6 naming the path, anything unexpected → 5 with a one-line
message (the traceback only with `--debug`).
Commands return their exit code; they never call `sys.exit` themselves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

import click

from assure import __version__, config, i18n
from assure.commands._common import (
    Env,
    WordedContext,
    click_speaking,
    common_options,
    lang_param,
)
from assure.errors import AssureError, DataError, ExitCode, environment_failure

#: Every command and its module under `assure.commands`. Its one-line help is the
#: catalogue's `help.<command>.short`, so that `assure --help` lists the commands in the
#: run's language without importing any of them (probe and verify-signature pull in TLS,
#: PDF and XML libraries that take most of a second to import).
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "classify": "classify",
    "plan": "plan",
    "gap": "gap",
    "dossier": "dossier",
    "transition": "transition",
    "probe": "probe",
    "verify-signature": "verify_signature",
    "render": "render",
    "trust": "trust",
    "gate": "gate",
    "history": "history",
    "drift": "drift",
    "demo": "demo",
    "inventory": "inventory",
    "annual-report": "annual_report",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs (click's lazy
    group pattern): `assure classify` never loads pyHanko, lxml or python-docx. Its help
    pages are worded in the run's language (`WordedContext`)."""

    context_class = WordedContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:  # added with add_command (plugins, tests)
            _defaults_for(ctx, cmd_name, self.commands[cmd_name])
            return common_options(self.commands[cmd_name])
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"assure.commands.{module_name}")
        command: click.Command = module.command
        _defaults_for(ctx, cmd_name, command)
        return common_options(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, i18n.t(f"help.{name}.short")) for name in COMMANDS]
        rows += [
            (name, cmd.get_short_help_str())
            for name, cmd in self.commands.items()
            if name not in COMMANDS
        ]
        with formatter.section(gettext.gettext("Commands")):  # click's msgid, worded by it
            formatter.write_dl(rows)


def _defaults_for(ctx: click.Context, name: str, command: click.Command) -> None:
    """The configuration's defaults for a command the map does not list yet (one added
    with `add_command`) and for a group's subcommands (`trust add`): click looks a
    command's defaults up under its name in its parent's map."""
    if not isinstance(ctx.default_map, dict):
        return
    mine = ctx.default_map.setdefault(name, config.active().command_defaults())
    if isinstance(command, click.Group) and isinstance(mine, dict):
        common = {k: v for k, v in mine.items() if not isinstance(v, dict)}
        for sub in command.commands:
            mine.setdefault(sub, dict(common))


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(i18n.t("cli.bad_date", value=value)) from None


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version` in the run's language (click's own version option words its line when
    the module is imported, before the language of the run is known)."""
    if value and not ctx.resilient_parsing:
        click.echo(i18n.t("cli.version", prog="assure", version=__version__))
        ctx.exit()


@click.group(
    "assure",
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option(
    "--today",
    callback=_parse_today,
    metavar="YYYY-MM-DD",
    help="Evaluate dates (deadlines, expiry of waivers) as of this day; default: today.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, today: dt.date | None) -> None:
    """assure: classify Vietnamese state information systems by security level, plan and
    check what the level requires, and probe portals for IPv6, HTTPS and TLS.

    Exit codes: 0 done; 1 findings or gaps over the threshold; 2 usage error; 3 invalid
    input data; 4 nothing could be decided; 5 internal error; 6 the environment refused
    (disk full, permission denied).
    """
    ctx.obj = Env(today=today or dt.date.today(), debug=debug)


# `assure --lang en COMMAND` as well as `assure COMMAND --lang en` (and `ASSURE_LANG`)
cli.params.append(lang_param())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its code; the funnel for every error."""
    args = list(sys.argv[1:] if argv is None else argv)
    code = run(args, debug=wants_debug(args))
    sys.exit(code)


def wants_debug(args: Sequence[str]) -> bool:
    """Whether a run shows tracebacks: `--debug` anywhere on the line, or `ASSURE_DEBUG=1`
    (read before click parses, so an error while parsing is shown in full too)."""
    return "--debug" in args or os.environ.get("ASSURE_DEBUG") == "1"


def _lang_in(args: Sequence[str]) -> i18n.Lang | None:
    """The `--lang` of a command line, read before click parses it, so that a usage error
    in front of the option is already worded in the chosen language."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return i18n.as_lang(arg.removeprefix("--lang="))
        if arg == "--lang" and i + 1 < len(args):
            return i18n.as_lang(args[i + 1])
    return None


def run(args: Sequence[str], *, debug: bool = False) -> int:
    """Run the CLI with `args` and return the exit code instead of exiting."""
    with contextlib.ExitStack() as stack:
        return _run(args, debug, stack)


def _run(args: Sequence[str], debug: bool, stack: contextlib.ExitStack) -> int:
    """`run` inside `stack`, which holds click's own language (entered once the run's
    language is known, left after the last message is printed)."""
    chosen = _lang_in(args)
    i18n.set_active(chosen or i18n.from_env())  # a run never inherits an earlier run's
    try:
        settings = config.load_active()
        config.set_active(settings)
        if chosen is None and not os.environ.get(i18n.ENV_VAR) and settings.language:
            i18n.set_active(i18n.as_lang(settings.language))
        stack.enter_context(click_speaking(i18n.active()))
        rv = cli.main(
            args=list(args),
            prog_name="assure",
            standalone_mode=False,
            default_map=settings.default_map(COMMANDS),
        )
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo(i18n.t("cli.aborted"), err=True)
        return 130
    except click.UsageError as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except DataError as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        return int(exc.exit_code)
    except AssureError as exc:
        click.echo(i18n.t("cli.error", message=exc), err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        # `assure … | head`: the reader went away; that is not an error of ours.
        sys.stderr.close()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        click.echo(i18n.t("cli.interrupted"), err=True)
        return 130
    except Exception as exc:
        fault = None if debug else environment_failure(exc)
        if fault is not None:
            # The machine refused (no space, no permission) where no writer caught it itself,
            # e.g. standard output redirected to a full disk: still exit 6, named.
            with contextlib.suppress(OSError):
                click.echo(i18n.t("cli.error", message=fault), err=True)
            return int(fault.exit_code)
        if debug:
            traceback.print_exc()
        click.echo(
            i18n.t("cli.internal", kind=type(exc).__name__, message=exc)
            + ("" if debug else i18n.t("cli.internal_hint")),
            err=True,
        )
        return int(ExitCode.INTERNAL)
    return int(rv) if isinstance(rv, int) else int(ExitCode.OK)
