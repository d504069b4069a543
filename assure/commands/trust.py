"""`assure trust add FILE` and `assure trust list`: the user's store of national anchors.

The project does not ship certificate files. An auditor downloads a root from the official
site (the registry lists where) and imports it here; the import is refused unless its
fingerprint is one the registry knows, so a tampered or wrong download never becomes an
anchor by accident. `--custom` is the explicit way to trust anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assure import i18n, trust
from assure.commands._common import emit, format_option, note, output_option, to_json
from assure.errors import DataError, ExitCode, Position, Problem
from assure.reports import text as textable


@click.group("trust")
def command() -> None:
    """Trust anchors for signed documents: import national roots, list what is present."""


@command.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--custom",
    is_flag=True,
    help="Also store certificates that match no national root (your own anchors).",
)
def add(files: tuple[Path, ...], custom: bool) -> int:
    """Import certificates (PEM, DER or PKCS#7 .p7b) downloaded from the official sites.

    A certificate is stored only when its SHA-256 fingerprint matches a national root or
    intermediate in the registry, unless --custom is given. Exit 3 when nothing was stored.
    """
    unreadable: list[Problem] = []
    rejected: list[Problem] = []
    accepted = 0
    for f in files:
        try:
            certs = trust.read_certificate_file(f)
        except DataError as exc:
            unreadable.extend(exc.problems)
            continue
        for outcome in trust.add(certs, custom=custom):
            if outcome.accepted:
                accepted += 1
                click.echo(f"{f}: {outcome.message.text()}", err=True)
                for item in outcome.anchor.unconfirmed if outcome.anchor else ():
                    note(f"{f}: {i18n.t('trust.unconfirmed', item=item)}")
            else:
                rejected.append(Problem.of(Position(str(f)), "", outcome.message))
    if unreadable or (rejected and not accepted):
        raise DataError([*unreadable, *rejected])
    for p in rejected:
        click.echo(f"{p.position.file}: {i18n.t('trust.skipped', why=p.text())}", err=True)
    note(i18n.t("trust.stored", n=accepted, folder=trust.store_dir()))
    return int(ExitCode.OK)


def _listing() -> dict[str, Any]:
    reg = trust.registry()
    present = {trust.fingerprint(s.cert): s for s in trust.stored()}
    national = []
    for anchor in reg.anchors:
        s = present.get(anchor.sha256)
        national.append(
            {
                **anchor.to_json(),
                "family_label": reg.family_label(anchor.family),
                "present": s is not None,
                "path": str(s.path) if s else None,
            }
        )
    custom = [{**trust.describe(s.cert), "path": str(s.path)} for s in present.values() if s.custom]
    return {"store": str(trust.store_dir()), "national": national, "custom": custom}


@command.command("list")
@format_option(["table", "json"], "table")
@output_option
def list_(fmt: str, output: Path | None) -> int:
    """Show the national roots the registry knows, which are present, and custom anchors."""
    data = _listing()
    if fmt == "json":
        emit(to_json(data), output)
        return int(ExitCode.OK)
    yes, missing_word = i18n.t("trust.list.yes"), i18n.t("trust.list.missing")
    rows = [
        [
            yes if a["present"] else missing_word,
            a["id"],
            i18n.t(f"trust.role.{a['role']}") if i18n.has(f"trust.role.{a['role']}") else a["role"],
            a["family"],
            i18n.date_short(a["not_after"]),
            a["sha256"][:23] + "…",
            a["download_url"] or "—",
        ]
        for a in data["national"]
    ]
    rows += [
        [
            yes,
            i18n.t("trust.list.custom"),
            "—",
            "other",
            i18n.date_short(c["not_after"][:10]),
            c["sha256"][:23] + "…",
            c["subject"],
        ]
        for c in data["custom"]
    ]
    cols = ("present", "id", "role", "family", "valid_until", "sha256", "source")
    text = textable.render(tuple(i18n.t(f"trust.list.col.{c}") for c in cols), rows)
    missing = sum(1 for a in data["national"] if not a["present"])
    text += (
        "\n"
        + i18n.t(
            "trust.list.footer",
            store=data["store"],
            present=len(data["national"]) - missing,
            total=len(data["national"]),
            custom=len(data["custom"]),
        )
        + "\n"
    )
    emit(text, output)
    return int(ExitCode.OK)
