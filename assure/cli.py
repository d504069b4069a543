"""Command-line entry point and the single error funnel.

`main()` is the only place that turns exceptions into messages and exit codes
(interface §2): usage errors → 2, invalid data → 3 with `file:line:column: field: message`,
anything unexpected → 5 with a one-line message (the traceback only with `--debug`).
Commands return their exit code; they never call `sys.exit` themselves.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence

import click

from assure import __version__
from assure.commands import (
    classify,
    demo,
    dossier,
    gap,
    plan,
    probe,
    transition,
    trust,
    validate,
    verify_signature,
)
from assure.commands._common import Env
from assure.errors import AssureError, DataError, ExitCode


def _parse_today(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="assure")
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
    input data; 4 nothing could be decided; 5 internal error.
    """
    ctx.obj = Env(today=today or dt.date.today(), debug=debug)


for _module in (
    validate,
    classify,
    plan,
    gap,
    dossier,
    transition,
    probe,
    verify_signature,
    trust,
    demo,
):
    cli.add_command(_module.command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI and exit with its code; the funnel for every error."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("ASSURE_DEBUG") == "1"
    code = run(args, debug=debug)
    sys.exit(code)


def run(args: Sequence[str], *, debug: bool = False) -> int:
    """Run the CLI with `args` and return the exit code instead of exiting."""
    try:
        rv = cli.main(args=list(args), prog_name="assure", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("assure: aborted", err=True)
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
        click.echo(f"assure: error: {exc}", err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        # `assure … | head`: the reader went away; that is not an error of ours.
        sys.stderr.close()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        click.echo("assure: interrupted", err=True)
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(
            f"assure: internal error: {type(exc).__name__}: {exc}"
            + ("" if debug else " (run with --debug for the traceback)"),
            err=True,
        )
        return int(ExitCode.INTERNAL)
    return int(rv) if isinstance(rv, int) else int(ExitCode.OK)
