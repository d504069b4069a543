"""The run history: every recorded run (`--record`) of probe, gap, verify-signature,
classify (and gate) kept in a database, so a department can ask what changed since the last
run, the approval or a given day.

I/O lives here at the edge, at the rank of `probes/` and `signatures/`: `store.py` opens the
database (SQLite by default, PostgreSQL by URL) and runs the shipped Alembic migrations;
`model.py` holds the plain records the rest of the program reads; `drift.py` is the pure
diff between two points of the history. SQLAlchemy and Alembic are imported only by
`store.py`, `schema.py` and the migrations, so commands that do not record never load them.
"""
