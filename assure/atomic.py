"""Writes that never leave a half-written file behind, and never change a file nobody named.

A regular file is written next to its destination under a temporary name, flushed and
renamed into place (rename is atomic on POSIX within one file system). Renaming is only
right for regular files, though: renaming over `/dev/null` or over a symbolic link would
turn a device or a link into a plain file. So the destination is looked at first:

- a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe) is written through, as a
  shell's `>` would;
- a symbolic link is followed and the file it points to is replaced atomically (the link
  stays a link, and no folder is created at its far end);
- anything else gets the temp-file-and-rename treatment.

A folder of documents (`publish_folder`) is written beside a manifest of the files this
program put there, under a lock, so a second run replaces only its own files and four runs
at once cannot each believe they won.

Failures of the machine (no space, no permission) become one `EnvError` naming the
path (exit 6), after the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from assure.errors import EnvError, UsageError
from assure.i18n import Msg

#: The name a command uses for "standard output" instead of a file.
STDOUT = "-"

#: The list of files `publish_folder` wrote into a folder; only these are ever replaced.
MANIFEST = ".assure-manifest.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def is_stdout(path: Path | str | None) -> bool:
    """Does this output path mean standard output (`-`)?"""
    return path is not None and str(path) == STDOUT


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path`: through to a device, atomically to a file (see the module)."""
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise EnvError.from_os(str(path), exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise EnvError(str(path), Msg.of("atomic.is_folder"))
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_through(path, data)
        return
    if path.is_symlink():
        dest = Path(os.path.realpath(path))
        if not dest.parent.is_dir():
            raise EnvError(str(path), Msg.of("atomic.dangling_link", dest=str(dest)))
    else:
        dest = path
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvError.from_os(str(dest.parent), exc, "cannot_create_folder") from None
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    _replace_file(dest, data, mode, shown=str(path))


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 `text` to `path` (see `write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))


def _write_through(path: Path, data: bytes) -> None:
    """Write into an existing special file without replacing it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
    except OSError as exc:
        raise EnvError.from_os(str(path), exc) from None


def _replace_file(dest: Path, data: bytes, mode: int, *, shown: str) -> None:
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.fchmod(fd, mode)  # mkstemp makes 0600; keep the old file's mode or the umask's
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        tmp = None
    except OSError as exc:
        raise EnvError.from_os(shown, exc) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@contextlib.contextmanager
def staged_dir(target: Path, *, replace: bool, writer: str = "assure") -> Iterator[Path]:
    """Yield a temporary folder that becomes `target` only if the block succeeds.

    The new folder carries a manifest of its files. With `replace`, an existing non-empty
    `target` is swapped out (and removed) after the new one is complete, but only when it
    carries such a manifest itself, i.e. when an earlier run wrote it: a folder of the
    user's (or a link to one) is never replaced. Without `replace`, a non-empty target is
    refused.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes 0700
    try:
        yield stage
        files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        manifest = json.dumps({"writer": writer, "files": files}, indent=1) + "\n"
        (stage / MANIFEST).write_text(manifest, encoding="utf-8")
        if target.exists():
            if any(target.iterdir()):
                if not replace:
                    raise UsageError(Msg.of("atomic.not_empty", path=str(target)))
                if not (target / MANIFEST).is_file():
                    raise UsageError(
                        Msg.of("atomic.foreign_folder", path=str(target), writer=writer)
                    )
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "x")
            os.replace(stage, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(stage, target)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def folder_target(target: Path) -> Path:
    """The real folder `target` names, or a refusal when following it would surprise.

    A symbolic link to an existing folder is followed (the user named it); a dangling link
    is refused, since writing there would create folders far from where the user looked.
    """
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if not real.is_dir():
            raise UsageError(Msg.of("atomic.link_not_folder", path=str(target), dest=str(real)))
        return real
    if target.exists() and not target.is_dir():
        raise UsageError(Msg.of("atomic.exists_not_folder", path=str(target)))
    return target


def read_manifest(folder: Path) -> set[str]:
    """Names of the files a previous `publish_folder` wrote into `folder` (none if unknown)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return set()
    return {f for f in files if isinstance(f, str) and f and "/" not in f and f != MANIFEST}


def publish_folder(
    target: Path, files: Mapping[str, bytes], *, force: bool, writer: str
) -> list[Path]:
    """Write `files` (name → content) into the folder `target`; return their paths.

    Without `force` the folder must be missing or empty. With `force`, only the files listed
    in the folder's manifest (what `writer` wrote there before) may be replaced or removed;
    any other file is the user's and is never touched, and one of ours by name that the
    manifest does not list is refused. A lock on the folder serialises concurrent runs, so
    of several runs without `force` exactly one writes and the others are refused. Every file
    is staged first, so a full disk leaves the folder as it was.
    """
    real = folder_target(target)
    created = not real.exists()
    try:
        real.mkdir(parents=True, exist_ok=True)
        lock = os.open(real, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise EnvError.from_os(str(target), exc, "cannot_create_folder") from None
    stage: Path | None = None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        present = set(os.listdir(real))
        ours = read_manifest(real)
        if present and not force:
            raise UsageError(Msg.of("atomic.not_empty", path=str(target)))
        foreign = (set(files) & present) - ours
        if foreign:
            raise UsageError(
                Msg.of(
                    "atomic.foreign_file", path=str(target), name=sorted(foreign)[0], writer=writer
                )
            )
        stage = Path(tempfile.mkdtemp(prefix=".assure-stage.", dir=real))
        for name, data in files.items():
            _replace_file(stage / name, data, 0o666 & ~_umask(), shown=str(target / name))
        manifest = json.dumps({"writer": writer, "files": sorted(files)}, indent=1) + "\n"
        _replace_file(stage / MANIFEST, manifest.encode(), 0o666 & ~_umask(), shown=str(target))
        for name in files:
            os.replace(stage / name, real / name)
        for stale in sorted(ours - set(files)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(real / stale)
        os.replace(stage / MANIFEST, real / MANIFEST)
        os.rmdir(stage)
        stage = None
    except OSError as exc:
        raise EnvError.from_os(str(target), exc) from None
    except BaseException:
        if created and stage is None:
            with contextlib.suppress(OSError):
                real.rmdir()
        raise
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
            if created:
                with contextlib.suppress(OSError):
                    real.rmdir()
        os.close(lock)
    return [target / name for name in files]


class OutputStream:
    """A UTF-8 text stream to `path` for output written as it arrives (JSON Lines).

    A regular file (or the file a link points to) appears only at `commit()`, whole; a
    device or FIFO is written through as the lines come. `abort()` leaves nothing behind.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: str | None = None
        self._dest = path
        try:
            st: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise EnvError.from_os(str(path), exc) from None
        try:
            if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
                self.file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed in commit)
                return
            if path.is_symlink():
                self._dest = Path(os.path.realpath(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(
                prefix=f".{self._dest.name}.", suffix=".tmp", dir=self._dest.parent
            )
            os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
            self.file = os.fdopen(fd, "w", encoding="utf-8")
        except OSError as exc:
            raise EnvError.from_os(str(path), exc) from None

    def commit(self) -> None:
        """Flush and move the finished file into place."""
        try:
            self.file.flush()
            if self._tmp is not None:
                os.fsync(self.file.fileno())
            self.file.close()
            if self._tmp is not None:
                os.replace(self._tmp, self._dest)
                self._tmp = None
        except OSError as exc:
            self.abort()
            raise EnvError.from_os(str(self.path), exc) from None

    def abort(self) -> None:
        """Close and remove the unfinished file."""
        with contextlib.suppress(OSError):
            self.file.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None
