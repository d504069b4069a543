"""JUnit XML from findings, for CI dashboards (`assure probe`, `assure verify-signature`).

One test suite per target, one test case per check. `fail` is a failure and `error` an
error; statuses in `skip` (at least `inconclusive`) are skipped with their reason, since they
were not decided and must neither pass nor fail a build. Every text (targets, summaries,
evidence: a certificate subject or a server's banner may hold anything) passes through
`safe.xml_text`, so the file stays well-formed XML; the layout keeps to the Jenkins xunit
schema (`junit-10.xsd`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Collection, Sequence

from assure.findings import Finding, Status
from assure.reports.safe import xml_text as x


def findings_junit(
    findings: Sequence[Finding],
    order: Sequence[str],
    *,
    name: str,
    skip: Collection[Status] = (Status.INCONCLUSIVE,),
) -> str:
    """JUnit XML; suites follow `order`, then any other target in the order first seen."""
    suites = ET.Element("testsuites", name=x(name))
    by: dict[str, list[Finding]] = {t: [] for t in order}
    for f in findings:
        by.setdefault(f.target, []).append(f)
    for target, fs in by.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=x(target),
            tests=str(len(fs)),
            failures=str(sum(f.status is Status.FAIL for f in fs)),
            errors=str(sum(f.status is Status.ERROR for f in fs)),
            skipped=str(sum(f.status in skip for f in fs)),
        )
        for f in fs:
            case = ET.SubElement(suite, "testcase", classname=x(target), name=x(f.check))
            text = x(json.dumps(dict(f.evidence), ensure_ascii=False, indent=1))
            summary = x(f.summary)
            if f.status is Status.FAIL:
                ET.SubElement(case, "failure", message=summary, type="fail").text = text
            elif f.status is Status.ERROR:
                ET.SubElement(case, "error", message=summary, type="error").text = (
                    x(f.reason) if f.reason else text
                )
            elif f.status in skip:
                ET.SubElement(case, "skipped", message=f"{f.status.value}: {summary}")
            else:
                ET.SubElement(case, "system-out").text = f"{f.status.value}: {summary}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
