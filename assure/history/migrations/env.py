"""Alembic's environment for the history database.

The program runs migrations itself (`assure.history.store.open_store`), handing over a
connection already inside a transaction and holding the migration lock; there is no
alembic.ini and no logging configuration to read, so users never see either.
"""

from __future__ import annotations

from alembic import context

from assure.history.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand without the program
    raise RuntimeError("the history migrations run through assure.history.store.open_store")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
