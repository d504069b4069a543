"""What a verification produces: per-signature verdicts rolled up into findings.

Interface §6 asks for one finding per check per target. A document may carry several
signatures, so each check's finding takes the worst verdict over the signatures and keeps
every signature's details in its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assure.findings import Finding, Status, worst

CHECK_VALID = "doc_signature_valid"
CHECK_TRUSTED = "doc_signer_trusted"
CHECK_COVERAGE = "doc_signature_coverage"
CHECKS = (CHECK_VALID, CHECK_TRUSTED, CHECK_COVERAGE)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One check's result for one signature."""

    status: Status
    summary: str
    reason: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SignatureReport:
    """Everything found about one signature of a document."""

    index: int
    kind: str  # "pdf", "pdf-document-timestamp", "xmldsig" or "xades"
    name: str  # PDF field name or XML Id
    signer: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def malformed(self, why: str) -> None:
        """Close the checks an unexpected failure on hostile data left open.

        Parsers of certificates and CMS are lazy, so malformed parts can surface late (in
        path building, in extensions); whatever was decided before stands, the rest is
        judged against the document: its signature data cannot be processed.
        """
        self.verdicts.setdefault(
            CHECK_VALID,
            Verdict(Status.FAIL, f"Signature {self.name!r}: malformed signature data ({why})."),
        )
        self.verdicts.setdefault(
            CHECK_TRUSTED,
            Verdict(
                Status.FAIL,
                f"Signature {self.name!r}: the signer's certificates cannot be processed ({why}).",
            ),
        )
        self.verdicts.setdefault(
            CHECK_COVERAGE,
            Verdict(Status.NOT_APPLICABLE, f"Signature {self.name!r} could not be checked."),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "name": self.name,
            "signer": self.signer,
            **self.evidence,
            "checks": {
                check: {"status": v.status.value, "summary": v.summary}
                for check, v in self.verdicts.items()
            },
        }


@dataclass(slots=True)
class DocumentReport:
    """A verified document: what it is, its signatures, and the findings they roll up to."""

    target: str
    format: str  # "pdf" or "xml"
    size: int
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str | None = None  # the tool could not finish (e.g. the time limit ran out)
    unavailable: str | None = None  # the document could not be obtained (download failed)

    def findings(self) -> list[Finding]:
        """One finding per check (interface §6), worst verdict over the signatures."""
        out: list[Finding] = []
        doc_ev = {"format": self.format, "size": self.size, "sha256": self.sha256}
        if self.error is not None:
            return [
                Finding(
                    check,
                    self.target,
                    Status.ERROR,
                    f"Verification did not finish: {self.error}.",
                    dict(doc_ev),
                    reason=self.error,
                )
                for check in CHECKS
            ]
        if self.unavailable is not None:
            return [
                Finding(
                    check,
                    self.target,
                    Status.INCONCLUSIVE,
                    f"The document could not be downloaded: {self.unavailable}.",
                    {"url": self.target},
                    reason=self.unavailable,
                )
                for check in CHECKS
            ]
        if not self.signatures:
            out.append(
                Finding(
                    CHECK_VALID,
                    self.target,
                    Status.FAIL,
                    "The document carries no digital signature.",
                    {**doc_ev, "signatures": []},
                )
            )
            for check in (CHECK_TRUSTED, CHECK_COVERAGE):
                out.append(
                    Finding(
                        check,
                        self.target,
                        Status.NOT_APPLICABLE,
                        "There is no signature to judge.",
                        dict(doc_ev),
                    )
                )
            return out
        for check in CHECKS:
            verdicts = [(s, s.verdicts[check]) for s in self.signatures if check in s.verdicts]
            if not verdicts:
                continue
            status = worst(v.status for _, v in verdicts)
            out.append(
                Finding(
                    check,
                    self.target,
                    status,
                    _summary(verdicts, status),
                    {
                        **doc_ev,
                        "signatures": [
                            {
                                "index": s.index,
                                "name": s.name,
                                "signer": s.signer,
                                "status": v.status.value,
                                "summary": v.summary,
                                **s.evidence,
                                **v.evidence,
                            }
                            for s, v in verdicts
                        ],
                    },
                    reason=next((v.reason for _, v in verdicts if v.status == status), None),
                )
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "format": self.format,
            "size": self.size,
            "sha256": self.sha256,
            "signatures": [s.to_json() for s in self.signatures],
            "error": self.error,
            "unavailable": self.unavailable,
        }


def _summary(verdicts: Sequence[tuple[SignatureReport, Verdict]], status: Status) -> str:
    if len(verdicts) == 1:
        return verdicts[0][1].summary
    hit = [(s, v) for s, v in verdicts if v.status == status]
    first = hit[0]
    return f"{len(hit)} of {len(verdicts)} signatures: {status.value}; #{first[0].index + 1}: " + (
        first[1].summary
    )
