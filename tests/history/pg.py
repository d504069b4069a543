"""A real PostgreSQL server for the tests: Debian's `initdb` and `pg_ctl` in a temporary
folder, listening only on a Unix socket there (no TCP port to collide with anything).

The server refuses to run as root, so under root the folder is handed to `nobody` and the
binaries run through `runuser`. Where no server binaries are installed the tests that need
one skip and say why; `.ci/run` installs Debian's `postgresql` package first.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PORT = 5432  # the socket file is .s.PGSQL.5432 in our own folder: no clash with others


def binaries() -> Path | None:
    """The folder of initdb/pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(folders):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


@dataclass
class Server:
    """A running server; `url(name)` is a SQLAlchemy URL of database `name` on it."""

    folder: Path
    bin: Path
    as_user: list[str]

    @property
    def socket_dir(self) -> Path:
        return self.folder / "run"

    def url(self, name: str = "postgres", *, scheme: str = "postgresql") -> str:
        return f"{scheme}://postgres@/{name}?host={self.socket_dir}&port={PORT}"

    def create_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=PORT,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.encode())

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Server:
    """initdb + pg_ctl start in a new temporary folder; skips the test when impossible."""
    folder_bin = binaries()
    if folder_bin is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed;"
            " `apt-get install postgresql` (as .ci/run does) to run these tests"
        )
    folder = Path(tempfile.mkdtemp(prefix="assure-pg-"))
    (folder / "run").mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without `runuser`: initdb refuses root")
        shutil.chown(folder, "nobody")
        shutil.chown(folder / "run", "nobody")
        folder.chmod(0o755)
        as_user = [runuser, "-u", "nobody", "--"]
    server = Server(folder, folder_bin, as_user)
    init = subprocess.run(
        [
            *as_user,
            str(folder_bin / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr}")
    opts = (
        f"-c listen_addresses='' -k {folder / 'run'} -p {PORT} -c fsync=off -c max_connections=100"
    )
    started = subprocess.run(
        [
            *as_user,
            str(folder_bin / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-o",
            opts,
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    if started.returncode != 0:
        log = (
            (folder / "server.log").read_text(errors="replace")
            if (folder / "server.log").exists()
            else ""
        )
        server.stop()
        raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log}")
    return server
