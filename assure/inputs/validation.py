"""JSON Schema validation that speaks in file positions and plain sentences.

jsonschema's own messages ("Additional properties are not allowed …") name no position and
read like a stack trace. Here each error becomes a `Problem` at the YAML position of the
offending key or value, with a message a person can act on (and a "did you mean" for typos).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from assure.errors import Msg, Problem
from assure.inputs.yamldoc import Document, PathKey, format_path
from assure.paths import schema_path


@cache
def validator_for(name: str) -> Draft202012Validator:
    """A validator for the packaged schema `name` (loaded once)."""
    return validator_for_file(schema_path(name))


@cache
def validator_for_file(path: Path) -> Draft202012Validator:
    """A validator for a schema file; the schema itself is checked first."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(inline_refs(schema), format_checker=FormatChecker())


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with local `#/$defs/…` references replaced by what they point to.

    Resolving a `$ref` costs jsonschema a registry lookup on every value it checks, which
    made validation most of the time spent loading a profile. Inlining once up front keeps
    the meaning; a self-recursive definition (components within components) keeps its
    `$ref`, so the schema stays finite.
    """
    defs: dict[str, Any] = schema.get("$defs", {})

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(x, stack) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            name = ref.removeprefix("#/$defs/")
            if name in defs and name not in stack:
                return walk(defs[name], (*stack, name))
            return node
        return {k: walk(v, stack) for k, v in node.items()}

    out: dict[str, Any] = walk(schema, ())
    out["$defs"] = defs  # recursive references still resolve here
    return out


def validate(doc: Document, validator: Draft202012Validator) -> list[Problem]:
    """Every schema problem in `doc`, in file order."""
    problems: dict[tuple[int, int, str, str], Problem] = {}
    for error in validator.iter_errors(doc.data):
        for problem in _explain(doc, error):
            pos = problem.position
            problems.setdefault((pos.line, pos.column, problem.field, problem.message), problem)
    return [problems[k] for k in sorted(problems)]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _type_key(value: Any) -> str:
    """The JSON Schema type name of a YAML value (what the message says was given)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


#: JSON Schema type names and the catalogue keys of how a person says them.
_TYPE_WORDS = {
    "string": "type.string",
    "integer": "type.integer",
    "number": "type.number",
    "boolean": "type.boolean",
    "array": "type.array",
    "object": "type.object",
    "null": "type.null",
}


_SIGNS = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}


def _suggest(word: str, choices: Iterable[str]) -> Msg | str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return Msg.of("val.did_you_mean", word=close[0]) if close else ""


def _either(words: list[str]) -> Msg:
    """`a or b` in the language of the run, each word a catalogue key."""
    msg = Msg.of(words[0])
    for w in words[1:]:
        msg = Msg.of("val.either", first=msg, second=Msg.of(w))
    return msg


def _explain(doc: Document, error: ValidationError) -> list[Problem]:
    path: PathKey = tuple(error.absolute_path)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    kind = error.validator
    rule: Any = error.validator_value
    value = error.instance

    def at(p: PathKey, message: Msg | str, *, key: bool = False) -> Problem:
        if isinstance(message, Msg):
            return Problem.of(doc.position(p, key=key), format_path(p), message)
        return Problem(doc.position(p, key=key), format_path(p), message)

    if kind == "additionalProperties" and isinstance(value, dict):
        known = set(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        out = []
        for key in value:
            if key in known or any(re.search(p, key) for p in patterns):
                continue
            hint: Any = _suggest(key, known)
            if not hint and known:
                hint = Msg.of("val.known_fields", fields=", ".join(sorted(known)))
            out.append(at((*path, key), Msg.of("val.unknown_field", key=key, hint=hint), key=True))
        return out
    if kind == "required" and isinstance(value, dict):
        missing = [k for k in rule if k not in value]
        return (
            [at(path, Msg.of("val.missing_required", key=k)) for k in missing]
            if path
            else [
                Problem.of(doc.position(()), k, Msg.of("val.missing_required", key=k))
                for k in missing
            ]
        )
    if kind == "enum":
        choices = [str(c) for c in rule]
        hint = _suggest(str(value), choices) if isinstance(value, str) else ""
        return [
            at(
                path,
                Msg.of("val.not_one_of", value=_show(value), choices=", ".join(choices), hint=hint),
            )
        ]
    if kind == "type":
        want = rule
        wants = [want] if isinstance(want, str) else list(want)
        words = _either([_TYPE_WORDS.get(w, "type.text") for w in wants])
        got = Msg.of(_TYPE_WORDS.get(_type_key(value), "type.text"))
        return [at(path, Msg.of("val.wrong_type", want=words, got=got, value=_show(value)))]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = _SIGNS[str(kind)]
        return [at(path, Msg.of("val.bound", sign=sign, rule=rule, value=_show(value)))]
    if kind in ("pattern", "format"):
        hint = schema.get("x-hint")
        if hint:
            return [at(path, Msg.of("val.invalid_hint", value=_show(value), hint=hint))]
        return [at(path, Msg.of("val.invalid_pattern", value=_show(value), rule=rule))]
    if kind in ("minLength", "minItems"):
        return [at(path, Msg.of("val.empty"))]
    if kind == "uniqueItems":
        return [at(path, Msg.of("val.duplicate"))]
    if kind == "const":
        return [at(path, Msg.of("val.const", value=_show(rule)))]
    if kind in ("oneOf", "anyOf") and error.context:
        inner = best_match(error.context)
        return _explain(doc, inner) if inner is not None else [at(path, error.message)]
    return [at(path, error.message)]
