"""The launch gate's verdict as a terminal table, JSON, JUnit and SARIF.

Each condition is a `Finding` (check `gate_<condition>`, target the system), so JUnit and
SARIF come from the findings writers: one test case per condition in one suite, one SARIF
result per condition that did not pass. The conditions' messages carry raw numbers (the
JSON keeps them so); `worded` formats them in the reader's language (87,5 % / 87.5%)
before any text is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from assure import __version__, i18n
from assure.findings import Finding, Status
from assure.i18n import Msg
from assure.law.approval import regime_name
from assure.law.gate import CONDITIONS
from assure.reports import sarif as sarif_parts
from assure.reports import text as textable
from assure.reports.findings import _status_word
from assure.reports.junit import findings_junit
from assure.reports.safe import xml_text as x

FORMATS = ("table", "json", "junit", "sarif")

_PERCENT = frozenset({"coverage", "min"})
_NUMBER = frozenset({"open", "max", "n", "undecided"})
_DATE = frozenset({"date", "window", "measures"})
_REGIME = frozenset({"under", "regime", "previous"})


@dataclass(frozen=True, slots=True)
class GateResult:
    """One gate run: the system, the file it came from, the conditions and the verdict."""

    system: str
    name: str
    profile: str
    regime: str
    level: int
    conditions: tuple[Finding, ...]
    verdict: Status
    exit_code: int
    generated_at: str


def _word(key: str, value: Any, lang: i18n.Lang) -> Any:
    """One message parameter as `lang` writes it: numbers, percentages, dates, regimes."""
    if key in _DATE and isinstance(value, str):
        return i18n.date_short(value, lang)
    if key in _REGIME and isinstance(value, str):
        return regime_name(value, lang)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if key in _PERCENT:
        digits = 0 if float(value).is_integer() else 1
        return i18n.percent(float(value), lang, digits=digits)
    if key in _NUMBER:
        return i18n.number(value, lang)
    return value


def worded(f: Finding, lang: i18n.Lang) -> Finding:
    """The finding with its message's numbers written as `lang` writes them."""
    if f.message is None:
        return f
    params = tuple((k, _word(k, v, lang)) for k, v in f.message.params)
    return replace(f, message=Msg(f.message.key, params))


def condition_title(check: str, lang: i18n.Lang) -> str:
    """The short name of a condition (`gate_gaps` → "Khoảng cách so với kế hoạch")."""
    return i18n.t(f"gate.title.{check.removeprefix('gate_')}", lang)


def gate_table(result: GateResult, lang: i18n.Lang) -> str:
    """The conditions one per row, then the verdict in words (FAIL stays in capitals)."""
    headers = [i18n.t(f"gate.col.{c}", lang) for c in ("condition", "status", "detail")]
    rows = [
        [
            x(condition_title(f.check, lang)),
            _status_word(f.status, lang),
            x(worded(f, lang).text(lang)),
        ]
        for f in result.conditions
    ]
    head = i18n.t(
        "gate.heading",
        lang,
        name=x(result.name),
        system=x(result.system),
        level=result.level,
        regime=regime_name(result.regime, lang),
    )
    verdict = i18n.t(
        "gate.verdict", lang, verdict=_status_word(result.verdict, lang), code=result.exit_code
    )
    return f"{head}\n\n{textable.render(headers, rows)}\n{verdict}\n"


def gate_json(result: GateResult) -> dict[str, Any]:
    """`{"findings": [...], "gate": {...}}`: the findings shape every reader of findings
    takes (`assure render`, `gap --findings`), with the verdict beside it."""
    return {
        "generated_at": result.generated_at,
        "gate": {
            "system": result.system,
            "name": result.name,
            "profile": result.profile,
            "regime": result.regime,
            "level": result.level,
            "verdict": result.verdict.value,
            "exit_code": result.exit_code,
            "conditions": [f.check for f in result.conditions],
        },
        "findings": [f.to_json() for f in result.conditions],
    }


def gate_junit(result: GateResult, lang: i18n.Lang) -> str:
    """One suite (the system), one test case per condition; inconclusive ones skipped."""
    with i18n.speaking(lang):
        return findings_junit(
            [worded(f, lang) for f in result.conditions], [result.system], name="assure gate"
        )


def _rules(lang: i18n.Lang) -> list[dict[str, Any]]:
    return [
        {
            "id": f"gate_{c}",
            "name": f"gate_{c}",
            "shortDescription": {"text": i18n.t(f"gate.title.{c}", lang)},
            "fullDescription": {"text": i18n.t(f"gate.rule.{c}", lang)},
            "helpUri": f"{sarif_parts.DOCS.rsplit('/', 1)[0]}/gate.html#{c}",
        }
        for c in CONDITIONS
    ]


def gate_sarif(result: GateResult, lang: i18n.Lang) -> str:
    """SARIF 2.1.0: a result per condition that did not pass, located at the profile."""
    index: Mapping[str, int] = {f"gate_{c}": i for i, c in enumerate(CONDITIONS)}
    results: list[dict[str, Any]] = []
    for f in result.conditions:
        r = sarif_parts.result(worded(f, lang), index, lang)
        if r is None:
            continue
        r["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": _file_uri(result.profile)}}}
        ]
        results.append(r)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "assure",
                "version": __version__,
                "informationUri": sarif_parts.DOCS,
                "rules": _rules(lang),
            }
        },
        "results": results,
        "invocations": sarif_parts.invocations(result.exit_code, result.generated_at),
    }
    doc = {"$schema": sarif_parts.SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _file_uri(path: str) -> str:
    """A profile path as a relative URI reference (SARIF artifact locations)."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/"))


def render(fmt: str, result: GateResult, lang: i18n.Lang) -> str:
    """The gate result in `fmt` (one of `FORMATS`)."""
    if fmt == "json":
        return json.dumps(gate_json(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "junit":
        return gate_junit(result, lang)
    if fmt == "sarif":
        return gate_sarif(result, lang)
    return gate_table(result, lang)
