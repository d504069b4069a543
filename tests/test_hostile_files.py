"""Files the user did not name never change: devices and links are written through, `-` is
standard output, a dossier folder keeps the user's other files, parallel runs cannot all
win, and a full disk is one line naming the path (exit 6) with nothing half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, assert_no_traceback, assure_command, run_assure, write

#: Tests that name the dossier's Vietnamese files, so they run in the default language.
_VIETNAMESE_FILES = {
    "test_dossier_force_through_a_link_keeps_the_users_files",
    "test_dossier_force_refuses_to_replace_a_file_it_did_not_write",
    "test_parallel_dossiers_into_one_folder_one_wins",
}


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests compare the English wording of messages: run them with `ASSURE_LANG=en`
    (except those that name the Vietnamese dossier files)."""
    if request.node.originalname not in _VIETNAMESE_FILES:
        monkeypatch.setenv("ASSURE_LANG", "en")


DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
DOSSIER = "02-ho-so-de-xuat-cap-do.docx"


@pytest.mark.parametrize("device", ["/dev/null", "/dev/stdout"])
def test_output_to_a_device_is_written_through(device: str) -> None:
    """`-o /dev/null` and `-o /dev/stdout` write into the device; the device stays a device
    (as root, the old rename would have turned /dev/null into a regular file)."""
    before = os.stat(device, follow_symlinks=False)
    run = run_assure("plan", DEMO, "--format", "json", "-o", device)
    assert run.code == 0, run.err
    after = os.stat(device, follow_symlinks=False)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if device == "/dev/stdout":
        assert '"level"' in run.out


def test_output_to_dev_full_is_exit_6_naming_it() -> None:
    """`-o /dev/full`: the device refuses the bytes (ENOSPC); one line naming it, exit 6."""
    run = run_assure("plan", DEMO, "--regime", "nd85-2016", "-o", "/dev/full")
    assert run.code == 6, run.err
    assert_no_traceback(run)
    assert run.err.strip().splitlines() == [
        "assure: error: /dev/full: cannot write: No space left on device"
    ]
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", str(DEMO), "--regime", "nd85-2016"],
        ["probe", "x.test", "--nameserver", "127.0.0.1:1", "--timeout", "0.5", "--format", "jsonl"],
    ],
)
def test_standard_output_on_a_full_disk_is_exit_6(args: list[str]) -> None:
    """`assure … > /dev/full`: one line saying standard output is full, exit 6 (was exit 5,
    "internal error … OSError")."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [*assure_command(), *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert proc.returncode == 6, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "assure: error: standard output: cannot write: No space left on device"
    ]


def test_streamed_jsonl_to_dev_full_is_exit_6() -> None:
    """`probe --format jsonl -o /dev/full` streams into the device, which refuses: exit 6."""
    run = run_assure(
        "probe", "x.test", "--nameserver", "127.0.0.1:1", "--timeout", "0.5",
        "--format", "jsonl", "-o", "/dev/full",
    )  # fmt: skip
    assert run.code == 6, run.err
    assert "assure: error: /dev/full: cannot write: No space left on device" in run.err


def test_dossier_to_standard_output_is_refused(tmp_path: Path) -> None:
    """`dossier -o -` cannot mean standard output (a dossier is several files): exit 2, and
    no folder named `-` appears."""
    run = run_assure("dossier", DEMO, "-o", "-", cwd=tmp_path)
    assert run.code == 2, run.err
    assert "folder" in run.err
    assert list(tmp_path.iterdir()) == []


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    """A symlink named by `-o` stays a link; the file it points to gets the output."""
    real = write(tmp_path / "real" / "plan.md", "old\n")
    link = tmp_path / "plan.md"
    link.symlink_to(real)
    run = run_assure("plan", DEMO, "-o", link)
    assert run.code == 0, run.err
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8").startswith("# ")
    assert [p.name for p in real.parent.iterdir()] == ["plan.md"]  # no temp file left


def test_output_through_a_dangling_link_creates_no_far_folders(tmp_path: Path) -> None:
    """A dangling link whose far folder does not exist is refused (exit 6), and no folder is
    created at the far end."""
    link = tmp_path / "out.md"
    far = tmp_path / "far" / "away" / "out.md"
    link.symlink_to(far)
    run = run_assure("plan", DEMO, "-o", link)
    assert run.code == 6, run.err
    assert "symbolic link" in run.err
    assert not (tmp_path / "far").exists()


def test_dash_is_standard_output(tmp_path: Path) -> None:
    """`-o -` writes to standard output (it used to create a file named `-`)."""
    run = run_assure("gap", DEMO, "--format", "json", "-o", "-", cwd=tmp_path)
    assert run.code == 0, run.err
    assert '"findings"' in run.out
    assert not (tmp_path / "-").exists()
    run = run_assure("classify", DEMO, "-o", "-", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "cong-dvc-demo" in run.out
    assert list(tmp_path.iterdir()) == []


def test_targets_file_dash_reads_standard_input() -> None:
    """`--targets-file -` reads the target list from standard input; a bad line is reported
    as `<stdin>:LINE:1`."""
    run = run_assure("probe", "--targets-file", "-", input="# list\nnot a target!\n")
    assert run.code == 3, run.err
    assert run.err.startswith("<stdin>:2:1: target: "), run.err
    run = run_assure(
        "probe", "--targets-file", "-", "--nameserver", "127.0.0.1:1", "--timeout", "0.5",
        "--format", "json", input="unreachable.test  # from a pipe\n",
    )  # fmt: skip
    assert run.code == 4, run.err  # nothing reachable: probed, and undecided
    assert '"target": "unreachable.test"' in run.out


# --- dossier folders -----------------------------------------------------------------


def test_dossier_into_a_dangling_link_is_refused(tmp_path: Path) -> None:
    """`dossier -o LINK` with LINK dangling: refused (exit 2); the far folders are not
    created."""
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "far" / "deep")
    run = run_assure("dossier", DEMO, "-o", link)
    assert run.code == 2, run.err
    assert "symbolic link" in run.err
    assert not (tmp_path / "far").exists()


def test_dossier_force_through_a_link_keeps_the_users_files(tmp_path: Path) -> None:
    """With a link to a real folder and --force, the dossier is written there and the
    folder's other files survive; a second --force run replaces only its own files."""
    folder = tmp_path / "documents"
    mine = write(folder / "notes.txt", "mine")
    sub = write(folder / "old" / "keep.docx", "also mine")
    link = tmp_path / "out"
    link.symlink_to(folder)
    run = run_assure("dossier", DEMO, "-o", link)
    assert run.code == 2 and "không trống" in run.err, run.err
    run = run_assure("dossier", DEMO, "-o", link, "--force")
    assert run.code == 0, run.err
    assert link.is_symlink()
    assert mine.read_text() == "mine" and sub.read_text() == "also mine"
    assert (folder / DOSSIER).exists()
    first = (folder / DOSSIER).stat().st_ino
    run = run_assure("dossier", DEMO, "-o", link, "--force", "--lang", "en")
    assert run.code == 0, run.err
    assert not (folder / DOSSIER).exists()  # ours, from the run before: replaced
    assert (folder / "02-level-dossier.docx").exists()
    assert mine.read_text() == "mine" and sub.read_text() == "also mine"
    assert first  # the earlier file was really there
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            ".assure-manifest.json",
            "01-cover-letter.docx",
            "01-cover-letter.html",
            "02-level-dossier.docx",
            "02-level-dossier.html",
            "notes.txt",
            "old",
        ]
    )


def test_dossier_force_refuses_to_replace_a_file_it_did_not_write(tmp_path: Path) -> None:
    """A user's file that happens to have a dossier file's name is not replaced by --force."""
    folder = tmp_path / "out"
    theirs = write(folder / DOSSIER, "hand-edited")
    run = run_assure("dossier", DEMO, "-o", folder, "--force")
    assert run.code == 2, run.err
    assert "không do assure dossier ghi" in run.err  # a Vietnamese run says so in Vietnamese
    assert theirs.read_text() == "hand-edited"


def test_parallel_dossiers_into_one_folder_one_wins(tmp_path: Path) -> None:
    """Four `dossier -o same/` at once without --force: exactly one writes, three are
    refused, and the folder holds one complete dossier."""
    out = tmp_path / "same"
    procs = [
        subprocess.Popen(
            [*assure_command(), "--today", "2026-11-22", "dossier", str(DEMO), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    assert all("thư mục không trống" in err for code, err in results if code == 2), results
    assert sorted(p.name for p in out.iterdir()) == [
        ".assure-manifest.json",
        "01-to-trinh.docx",
        "01-to-trinh.html",
        "02-ho-so-de-xuat-cap-do.docx",
        "02-ho-so-de-xuat-cap-do.html",
    ]


# --- a full disk, a folder we may not write ---------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 KiB tmpfs the test mounts (root only); skipped where mounting is refused."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k,mode=0777", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def test_full_disk_is_exit_6_and_leaves_nothing(tiny_disk: Path) -> None:
    """A DOCX bigger than the disk: one line naming the file, exit 6, and no temp file or
    half-written file left on the disk."""
    out = tiny_disk / "plan.docx"
    run = run_assure("plan", DEMO, "--regime", "nd85-2016", "--format", "docx", "-o", out)
    assert run.code == 6, run.err
    assert_no_traceback(run)
    assert run.err.strip().splitlines() == [
        f"assure: error: {out}: cannot write: No space left on device"
    ]
    assert list(tiny_disk.iterdir()) == []


def test_full_disk_dossier_leaves_the_folder_as_it_was(tiny_disk: Path) -> None:
    """A dossier that does not fit: exit 6, and neither the folder nor a staged file stays."""
    out = tiny_disk / "dossier"
    run = run_assure("dossier", DEMO, "-o", out)
    assert run.code == 6, run.err
    assert_no_traceback(run)
    assert str(out) in run.err and "No space left on device" in run.err
    assert list(tiny_disk.iterdir()) == []


def test_full_disk_keeps_the_old_file_whole(tiny_disk: Path) -> None:
    """The previous output survives a write that runs out of space."""
    out = write(tiny_disk / "plan.json", '{"old": true}\n')
    filler = tiny_disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as fh:
        while True:
            fh.write(b"x" * 4096)
            fh.flush()
    run = run_assure("plan", DEMO, "--format", "json", "-o", out)
    assert run.code == 6, run.err
    assert out.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler", "plan.json"]


def test_permission_denied_is_exit_6(tmp_path: Path) -> None:
    """A folder we may not write (read-only for everyone, and we drop root to test it)."""
    if os.geteuid() == 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        # root ignores modes; a read-only bind mount is refused even to root
        proc = subprocess.run(
            ["mount", "--bind", "-o", "ro", str(locked), str(locked)],
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            pytest.skip("a read-only bind mount is not permitted here")
        try:
            run = run_assure("plan", DEMO, "-o", locked / "plan.md")
        finally:
            subprocess.run(["umount", "-l", str(locked)], capture_output=True, check=False)
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        run = run_assure("plan", DEMO, "-o", locked / "plan.md")
    assert run.code == 6, run.err
    assert_no_traceback(run)
    assert str(locked / "plan.md") in run.err
    assert "Read-only file system" in run.err or "Permission denied" in run.err


# --- XML input ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8"])
def test_xml_doctype_is_refused_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    """A DOCTYPE with entities is refused whatever the encoding, BOM-less UTF-16 included
    (the byte search for `<!DOCTYPE` missed it): exit 3 naming the file."""
    label = "UTF-8" if encoding == "utf-8" else "UTF-16"
    text = (
        f'<?xml version="1.0" encoding="{label}"?>\n'
        '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        "<r>&b;</r>\n"
    )
    doc = tmp_path / "signed.xml"
    doc.write_bytes(text.encode(encoding))
    run = run_assure("verify-signature", doc, "--format", "json")
    assert run.code == 3, (run.code, run.out, run.err)
    assert_no_traceback(run)
    assert str(doc) in run.err and "DOCTYPE" in run.err, run.err


def test_demo_force_never_replaces_a_users_folder(tmp_path: Path) -> None:
    """`demo --out LINK --force` with LINK pointing at a folder of the user's: refused (the
    old swap would have deleted the whole folder); a folder an earlier demo wrote is still
    replaced."""
    folder = tmp_path / "documents"
    mine = write(folder / "notes.txt", "mine")
    link = tmp_path / "demo"
    link.symlink_to(folder)
    run = run_assure("demo", "--out", link, "--force")
    assert run.code == 2, run.err
    assert "did not write" in run.err
    assert mine.read_text() == "mine" and link.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no stage left
    ours = tmp_path / "ours"
    assert run_assure("demo", "--out", ours).code == 0
    assert (ours / ".assure-manifest.json").is_file()
    assert run_assure("demo", "--out", ours, "--force").code == 0
