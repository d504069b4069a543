"""One module per command; `assure.cli` registers them explicitly."""
