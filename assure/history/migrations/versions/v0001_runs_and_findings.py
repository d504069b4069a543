"""Runs and their findings: the first shape of the history.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
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
    )
    op.create_index("ix_runs_subject", "runs", ["subject"])
    op.create_index("ix_runs_system", "runs", ["system"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("check", sa.String(200), nullable=False),
        sa.Column("target", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_findings_run", "findings", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_findings_run", "findings")
    op.drop_table("findings")
    op.drop_index("ix_runs_system", "runs")
    op.drop_index("ix_runs_subject", "runs")
    op.drop_table("runs")
