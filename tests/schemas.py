"""The reference schemas every JUnit and SARIF output is validated against (vendored under
tests/data/schemas, with their sources and licences in SOURCES.md there)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree

SCHEMAS = Path(__file__).parent / "data" / "schemas"


@cache
def junit_schema() -> etree.XMLSchema:
    """The Jenkins xunit plugin's `junit-10.xsd`."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    """The OASIS SARIF 2.1.0 JSON schema (draft-04)."""
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid_junit(text: str) -> Any:
    """Well-formed XML (lxml refuses control characters) that junit-10.xsd accepts."""
    root = etree.fromstring(text.encode("utf-8"))
    schema = junit_schema()
    assert schema.validate(root), schema.error_log
    return root


def assert_valid_sarif(text: str) -> dict[str, Any]:
    """A SARIF log the OASIS schema accepts."""
    log: dict[str, Any] = json.loads(text)
    sarif_validator().validate(log)
    return log
