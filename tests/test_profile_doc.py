"""`docs/profile.md` names the type of every profile field, with an example.

The table is made from the profile schema itself (and an example value taken from the bundled
profiles where one of them states the field), so a field added to the schema without a line in
the reference fails here. Regenerate the section with `python -m tests.test_profile_doc`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from tests.conftest import ROOT

SCHEMA = ROOT / "assure" / "schemas" / "profile.schema.json"
DOC = ROOT / "docs" / "profile.md"
BEGIN = "<!-- field types: generated from the schema by tests/test_profile_doc.py -->"
END = "<!-- end of field types -->"


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs[ref.removeprefix("#/$defs/")]
    return node


def type_of(node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    """How a person says the type of a schema node: "list of text", "one of: a, b", …"""
    node = _resolve(node, defs)
    if "enum" in node:
        return "one of: " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(dict.fromkeys(type_of(n, defs) for n in node[key]))
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(type_of({**node, "type": k}, defs) for k in kind)
    if kind == "array":
        return "list of " + type_of(node.get("items", {}), defs)
    if kind == "object":
        return "mapping" if node.get("properties") else "mapping of name → value"
    if kind == "string":
        if node.get("format") == "date" or "date" in str(node.get("x-hint", "")):
            return "date (text `YYYY-MM-DD`)"
        return "text"
    if kind == "integer":
        low = node.get("minimum")
        return "whole number" + (f" ≥ {low}" if low is not None else "")
    if kind == "number":
        return "number"
    if kind == "boolean":
        return "true/false"
    if kind == "null":
        return "null"
    if node.get("properties"):
        return "mapping"
    return "any"


def fields(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every field path of the schema (`architecture.network_zones[].private_ips`)."""
    defs = schema.get("$defs", {})

    def walk(
        node: Mapping[str, Any], prefix: str, seen: tuple[str, ...]
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/$defs/")
            if name in seen:
                return
            seen = (*seen, name)
        node = _resolve(node, defs)
        for key, sub in (node.get("properties") or {}).items():
            path = f"{prefix}{key}"
            yield path, sub
            target = _resolve(sub, defs)
            if target.get("type") == "array" and isinstance(target.get("items"), Mapping):
                yield from walk(target["items"], f"{path}[].", seen)
            else:
                yield from walk(sub, f"{path}.", seen)
        for sub in node.get("oneOf", []) + node.get("anyOf", []):
            yield from walk(sub, prefix, seen)

    seen: set[str] = set()
    for path, node in walk(schema, "", ()):
        if path not in seen:
            seen.add(path)
            yield path, node


def _values(data: Any, path: list[str]) -> Iterator[Any]:
    if not path:
        yield data
        return
    head, *rest = path
    if head.endswith("[]"):
        items = data.get(head[:-2]) if isinstance(data, dict) else None
        for item in items or ():
            yield from _values(item, rest)
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest)


def example(path: str, profiles: list[Any]) -> str:
    """A value of the field from a bundled profile, written as YAML flow (one line)."""
    parts = path.replace("[].", "[]\0").replace(".", "\0").split("\0")
    for data in profiles:
        for value in _values(data, parts):
            if isinstance(value, dict):
                continue
            if isinstance(value, list) and value and isinstance(value[0], dict):
                continue
            text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
            text = text.strip().removesuffix("...").strip()
            if len(text) > 50:
                text = text[:47] + "…"
            return f"`{text}`"
    return ""


def made_up(kind: str) -> str:
    """An example for a field no bundled profile states, from its type."""
    if kind.startswith("one of: "):
        return kind.removeprefix("one of: ").split(", ")[0]
    if kind.startswith("mapping"):
        return "(the fields below)" if kind == "mapping" else "`{name: value}`"
    if kind.startswith("date"):
        return "`2026-12-01`"
    if kind.startswith("whole number"):
        return "`3`"
    if kind.startswith("list of text"):
        return "`[a, b]`"
    if kind.startswith("list of mapping"):
        return "(a list of the fields below)"
    return {"text": "`…`", "true/false": "`true`", "number": "`1.5`"}.get(kind, "")


def section() -> str:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = schema.get("$defs", {})
    profiles = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "profiles").glob("*.yaml"))
    ]
    lines = [BEGIN, "", "| field | type | example |", "|---|---|---|"]
    for path, node in fields(schema):
        kind = type_of(node, defs)
        shown = example(path, profiles) or made_up(kind)
        cell = kind.replace("|", "\\|")
        lines.append(f"| `{path}` | {cell} | {shown} |")
    lines += ["", END]
    return "\n".join(lines)


def test_profile_reference_lists_every_field_with_its_type() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/profile.md lacks the field-type table"
    current = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert current == section(), "regenerate with: python -m tests.test_profile_doc"


def test_lists_read_as_lists() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "| `architecture.network_zones[].private_ips` | list of text |" in text


if __name__ == "__main__":
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc:
        doc = doc[: doc.index(BEGIN)] + section() + doc[doc.index(END) + len(END) :]
    else:
        doc = (
            doc.rstrip("\n") + "\n\n## Every field, its type and an example\n\n" + section() + "\n"
        )
    DOC.write_text(doc, encoding="utf-8")
