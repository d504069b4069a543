"""The history's tables, as SQLAlchemy Core metadata (the migrations create them).

One row per run in `runs`; its findings in `findings`. A run is one subject (a system id,
a probe target or a document) of one command line; the runs of one command line share an
`invocation` id. Summaries and evidence are JSON, so a new figure needs no migration.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("invocation", sa.String(36), nullable=False),
    sa.Column("command", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(2000), nullable=False),
    sa.Column("system", sa.String(200), nullable=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tool_version", sa.String(40), nullable=False),
    sa.Column("regime", sa.String(40), nullable=True),
    sa.Column("inputs", sa.JSON, nullable=False),
    sa.Column("exit_code", sa.Integer, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Index("ix_runs_subject", "subject"),
    sa.Index("ix_runs_system", "system"),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("check", sa.String(200), nullable=False),
    sa.Column("target", sa.String(2000), nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Index("ix_findings_run", "run_id"),
)
