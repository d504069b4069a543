"""JUnit XML from findings, for CI dashboards (`assure probe`, `assure verify-signature`).

One test suite per target, one test case per check; the layout keeps to the Jenkins xunit
schema (`junit-10.xsd`) and every text passes through `safe.xml_text`. The writer itself
streams from a spool (`assure.reports.findings.write_junit`); this is its form for a list
already in memory.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence

from assure.findings import Finding, Status
from assure.reports.findings import Spool, write_junit


def findings_junit(
    findings: Sequence[Finding],
    order: Sequence[str],
    *,
    name: str,
    skip: Collection[Status] = (Status.INCONCLUSIVE,),
) -> str:
    """JUnit XML; suites follow `order`, then any other target in the order first seen."""
    buf = io.StringIO()
    with Spool(order) as spool:
        spool.add(findings)
        write_junit(buf, spool, name=name, skip=skip)
    return buf.getvalue()
