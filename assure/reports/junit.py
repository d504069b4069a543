"""JUnit XML from findings, for CI dashboards (`assure probe`, `assure verify-signature`).

One test suite per target, one test case per check. `fail` is a failure and `error` an
error; statuses in `skip` (at least `inconclusive`) are skipped with their reason, since they
were not decided and must neither pass nor fail a build.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Collection, Sequence

from assure.findings import Finding, Status


def findings_junit(
    findings: Sequence[Finding],
    order: Sequence[str],
    *,
    name: str,
    skip: Collection[Status] = (Status.INCONCLUSIVE,),
) -> str:
    """JUnit XML; suites follow `order`, then any other target in the order first seen."""
    suites = ET.Element("testsuites", name=name)
    by: dict[str, list[Finding]] = {t: [] for t in order}
    for f in findings:
        by.setdefault(f.target, []).append(f)
    for target, fs in by.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=target,
            tests=str(len(fs)),
            failures=str(sum(f.status is Status.FAIL for f in fs)),
            errors=str(sum(f.status is Status.ERROR for f in fs)),
            skipped=str(sum(f.status in skip for f in fs)),
        )
        for f in fs:
            case = ET.SubElement(suite, "testcase", classname=target, name=f.check)
            said = f.text()  # the summary in the language of the run
            text = json.dumps(dict(f.evidence), ensure_ascii=False, indent=1)
            if f.status is Status.FAIL:
                ET.SubElement(case, "failure", message=said, type="fail").text = text
            elif f.status is Status.ERROR:
                ET.SubElement(case, "error", message=said, type="error").text = f.reason or text
            elif f.status in skip:
                ET.SubElement(case, "skipped", message=f"{f.status.value}: {said}")
            else:
                ET.SubElement(case, "system-out").text = f"{f.status.value}: {said}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
