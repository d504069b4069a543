"""Errors and exit codes: one hierarchy, one funnel (see `assure.cli.main`).

Every failure a user can cause carries its own exit code, so no error path can fall back to
"1", which means "the gate said no" (interface §2). Data errors carry a position so the
message reads `file:line:column: field.path: message`, like a compiler's.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from assure import i18n
from assure.i18n import Msg

__all__ = ["AssureError", "DataError", "ExitCode", "Msg", "Position", "Problem", "UsageError"]


class ExitCode(IntEnum):
    """Documented exit codes of every command (interface §2)."""

    OK = 0
    GATE_FAILED = 1
    USAGE = 2
    INVALID_DATA = 3
    INCONCLUSIVE = 4
    INTERNAL = 5
    ENVIRONMENT = 6


@dataclass(frozen=True, slots=True)
class Position:
    """Where in a source file a problem is: 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in input data, rendered as `file:line:col: field: message`.

    `message` is the English text (what JSON output and logs keep); with `msg` set, the
    printed line is worded in the language of the run.
    """

    position: Position
    field: str
    message: str
    severity: str = "error"
    msg: Msg | None = None

    @classmethod
    def of(cls, position: Position, field: str, msg: Msg, *, severity: str = "error") -> Problem:
        """A problem whose message comes from the catalogue (worded when printed)."""
        return cls(position, field, msg.text("en"), severity, msg)

    def text(self, lang: i18n.Lang | None = None) -> str:
        """The message in `lang` (default: the language of the run)."""
        return self.msg.text(lang) if self.msg is not None else self.message

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        sev = f"severity.{self.severity}"
        tag = "" if self.severity == "error" else f"{i18n.t(sev) if i18n.has(sev) else sev}: "
        return f"{self.position}: {where}{tag}{self.text()}"


class AssureError(Exception):
    """Root of every error the program raises on purpose.

    Its message may be a catalogue `Msg`: it is then worded when printed, in the language
    of the run, so an error raised deep down reads in Vietnamese or English alike.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __str__(self) -> str:
        if len(self.args) == 1 and isinstance(self.args[0], Msg):
            return self.args[0].text()
        return super().__str__()


class UsageError(AssureError):
    """A bad option or argument: the user must change the command line."""

    exit_code = ExitCode.USAGE


class EnvError(AssureError):
    """The machine refused: a full disk, a folder we may not write, a device that failed.

    Not the user's data and not our bug, so neither 3 nor 5: exit 6 with one line that names
    the path, so the operator knows what to free or fix.
    """

    exit_code = ExitCode.ENVIRONMENT

    def __init__(self, path: str, reason: str | Msg) -> None:
        self.path = path
        self.reason = reason
        super().__init__(path, reason)

    def __str__(self) -> str:
        reason = self.reason.text() if isinstance(self.reason, Msg) else self.reason
        return f"{self.path}: {reason}"

    @classmethod
    def from_os(cls, path: str, exc: OSError, doing: str = "cannot_write") -> EnvError:
        """One sentence from an OSError: `PATH: cannot write: No space left on device`.

        `doing` names the act (`atomic.<doing>` in the catalogue: cannot_write, failed,
        cannot_create_folder), and the system's reason is worded by `os_reason`.
        """
        return cls(path, Msg.of(f"atomic.{doing}", reason=os_reason(exc)))


def os_reason(exc: OSError) -> Msg | str:
    """The system's reason for `exc` in the run's language when the catalogue knows its
    errno (no such file, no space, permission denied, …), else the system's own words."""
    name = errno.errorcode.get(exc.errno or 0, "")
    key = f"atomic.os.{name}"
    return Msg.of(key) if name and i18n.has(key) else str(exc.strerror or exc)


#: errno values that mean "the machine refused", not "the program is wrong".
ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG}
)


def environment_failure(exc: BaseException, where: str | None = None) -> EnvError | None:
    """The `EnvError` an OSError stands for (a full disk, a read-only file system, no
    permission), naming `where` or the error's own file name; None for any other error."""
    if not isinstance(exc, OSError):
        return None
    if exc.filename is not None:
        return EnvError.from_os(str(exc.filename), exc, "failed")
    if exc.errno in ENVIRONMENT_ERRNOS:
        return EnvError.from_os(where or "standard output", exc)
    return None


class DataError(AssureError):
    """Invalid input data (profile, catalogue, target list, document).

    Holds every problem found, so one run reports all of them instead of the first.
    """

    exit_code = ExitCode.INVALID_DATA

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("DataError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(
        cls, file: str, message: str | Msg, *, line: int = 1, column: int = 1, field: str = ""
    ) -> DataError:
        """Shortcut for a single problem at one position (`message` worded when printed
        when it is a catalogue `Msg`)."""
        where = Position(file, line, column)
        if isinstance(message, Msg):
            return cls([Problem.of(where, field, message)])
        return cls([Problem(where, field, message)])

    @classmethod
    def merge(cls, errors: Iterable[DataError]) -> DataError:
        """Combine several data errors into one, keeping every problem."""
        return cls([p for e in errors for p in e.problems])
