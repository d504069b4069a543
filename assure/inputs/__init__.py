"""Loading: YAML with positions, then the JSON schema, then the typed Profile."""
