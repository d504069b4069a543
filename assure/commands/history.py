"""`assure history SYSTEM|TARGET`: the recorded runs of a system or a probe target."""

from __future__ import annotations

from pathlib import Path

import click

from assure import i18n
from assure.commands._common import (
    emit,
    format_option,
    lang_of,
    lang_option,
    note,
    output_option,
    to_json,
)
from assure.commands._record import db_option


@click.command("history")
@click.argument("subject")
@db_option
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the newest N runs.")
@format_option(["table", "json", "md", "html"], "table")
@lang_option
@output_option
def command(
    subject: str, db: str | None, limit: int | None, fmt: str, lang: str, output: Path | None
) -> int:
    """Recorded runs (`--record`) of a system (its id) or a probe target, newest first."""
    from assure.history.store import open_store
    from assure.reports import history as report

    lg = lang_of(lang)
    store = open_store(db)
    try:
        runs = store.runs([subject], limit=limit, with_findings=fmt == "json")
    finally:
        store.close()
    if not runs:
        note(i18n.t("history.no_runs", subject=subject, db=store.shown))
    if fmt == "json":
        emit(to_json(report.runs_json(subject, runs)), output)
    elif fmt == "md":
        emit(report.runs_markdown(subject, runs, lg), output)
    elif fmt == "html":
        emit(report.runs_html(subject, runs, lg), output)
    else:
        emit(report.runs_table(subject, runs, lg), output)
    return 0
