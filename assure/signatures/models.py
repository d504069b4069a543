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
from assure.i18n import Msg

CHECK_VALID = "doc_signature_valid"
CHECK_TRUSTED = "doc_signer_trusted"
CHECK_COVERAGE = "doc_signature_coverage"
CHECKS = (CHECK_VALID, CHECK_TRUSTED, CHECK_COVERAGE)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One check's result for one signature.

    `summary` is a catalogue message, so reports word it in the reader's language; its
    English text is what the JSON contract's `summary` carries.
    """

    status: Status
    summary: Msg
    reason: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The summary in English, the JSON contract's language."""
        return self.summary.text("en")


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
            CHECK_VALID, Verdict(Status.FAIL, Msg.of("sig.malformed", name=self.name, why=why))
        )
        self.verdicts.setdefault(
            CHECK_TRUSTED,
            Verdict(Status.FAIL, Msg.of("sig.certs_unprocessable", name=self.name, why=why)),
        )
        self.verdicts.setdefault(
            CHECK_COVERAGE,
            Verdict(Status.NOT_APPLICABLE, Msg.of("sig.not_checked", name=self.name)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "name": self.name,
            "signer": self.signer,
            **self.evidence,
            "checks": {
                check: {
                    "status": v.status.value,
                    "summary": v.text,
                    "message": v.summary.to_json(),
                }
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
    error_msg: Msg | None = None  # the same, as a catalogue message
    unavailable: str | None = None  # the document could not be obtained (download failed)
    unavailable_msg: Msg | None = None  # the same, as a catalogue message

    def findings(self) -> list[Finding]:
        """One finding per check (interface §6), worst verdict over the signatures."""
        out: list[Finding] = []
        doc_ev = {"format": self.format, "size": self.size, "sha256": self.sha256}
        if self.error is not None:
            msg = Msg.of("sig.unfinished", error=self.error_msg or self.error)
            return [
                _finding(check, self.target, Status.ERROR, msg, dict(doc_ev), self.error)
                for check in CHECKS
            ]
        if self.unavailable is not None:
            why = self.unavailable_msg or self.unavailable
            msg = Msg.of("sig.not_downloaded", why=why)
            ev: dict[str, Any] = {"url": self.target}
            return [
                _finding(
                    check,
                    self.target,
                    Status.INCONCLUSIVE,
                    msg,
                    ev,
                    self.unavailable,
                    self.unavailable_msg,
                )
                for check in CHECKS
            ]
        if not self.signatures:
            unsigned = Msg.of("sig.unsigned")
            ev = {**doc_ev, "signatures": []}
            out.append(_finding(CHECK_VALID, self.target, Status.FAIL, unsigned, ev))
            for check in (CHECK_TRUSTED, CHECK_COVERAGE):
                nothing = Msg.of("sig.nothing_to_judge")
                out.append(_finding(check, self.target, Status.NOT_APPLICABLE, nothing, doc_ev))
            return out
        for check in CHECKS:
            verdicts = [(s, s.verdicts[check]) for s in self.signatures if check in s.verdicts]
            if not verdicts:
                continue
            status = worst(v.status for _, v in verdicts)
            out.append(
                _finding(
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
                                "summary": v.text,
                                "message": v.summary.to_json(),
                                **s.evidence,
                                **v.evidence,
                            }
                            for s, v in verdicts
                        ],
                    },
                    next((v.reason for _, v in verdicts if v.status == status), None),
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


def _finding(
    check: str,
    target: str,
    status: Status,
    msg: Msg,
    evidence: dict[str, Any],
    reason: str | None = None,
    reason_msg: Msg | None = None,
) -> Finding:
    """A finding whose summary is `msg`: English in JSON, the reader's language elsewhere."""
    return Finding(
        check,
        target,
        status,
        msg.text("en"),
        dict(evidence),
        reason,
        message=msg,
        reason_message=reason_msg,
    )


def _summary(verdicts: Sequence[tuple[SignatureReport, Verdict]], status: Status) -> Msg:
    if len(verdicts) == 1:
        return verdicts[0][1].summary
    hit = [(s, v) for s, v in verdicts if v.status == status]
    first = hit[0]
    return Msg.of(
        "sig.some_of",
        n=len(hit),
        total=len(verdicts),
        status=Msg.of(f"status.{status.value}"),
        index=first[0].index + 1,
        message=first[1].summary,
    )
