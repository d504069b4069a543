"""The drift function on hand-made histories: each kind of change, each kind of baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assure.history.drift import Since, drift
from assure.history.model import RecordedFinding, Run

_ids = iter(range(1, 10_000))


def run(
    command: str,
    subject: str,
    day: int,
    findings: dict[str, str] | None = None,
    *,
    summary: dict[str, Any] | None = None,
    evidence: dict[str, dict[str, Any]] | None = None,
    invocation: str | None = None,
) -> Run:
    when = dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC)
    return Run(
        id=next(_ids),
        invocation=invocation or f"inv-{day}-{command}-{subject}",
        command=command,
        subject=subject,
        system="sys",
        day=when.date(),
        started_at=when,
        finished_at=when,
        tool_version="0.1.0",
        regime="nd85-2016",
        inputs=[],
        exit_code=0,
        summary=summary or {},
        findings=tuple(
            RecordedFinding(
                check, subject, status, f"{check} {status}", (evidence or {}).get(check, {})
            )
            for check, status in (findings or {}).items()
        ),
    )


def test_new_failures_fixes_and_regressed_controls() -> None:
    old = run("gap", "sys", 1, {"A": "pass", "B": "fail", "C": "pass", "D": "warn"})
    new = run("gap", "sys", 2, {"A": "fail", "B": "pass", "C": "warn", "D": "warn", "E": "fail"})
    d = drift("sys", [new, old])
    assert [(c.key, c.before, c.after) for c in d.new_failures] == [
        ("A", "pass", "fail"),
        ("E", None, "fail"),
    ]
    assert [c.key for c in d.of("fixed")] == ["B"]
    assert [(c.key, c.after) for c in d.of("regressed")] == [("A", "fail"), ("C", "warn")]
    assert d.exit_code == 1


def test_a_first_run_alone_changes_nothing() -> None:
    d = drift("sys", [run("gap", "sys", 1, {"A": "fail"})])
    assert d.changes == () and d.exit_code == 0
    assert d.streams[0].baseline is None


def test_since_a_day_and_since_a_run() -> None:
    r1 = run("probe", "https://p/", 1, {"https_hsts": "fail"})
    r2 = run("probe", "https://p/", 5, {"https_hsts": "pass"})
    r3 = run("probe", "https://p/", 9, {"https_hsts": "fail"})
    runs = [r1, r2, r3]
    assert drift("sys", runs).new_failures[0].before == "pass"  # previous run: r2
    by_day = drift("sys", runs, Since("date", day=dt.date(2026, 11, 3)))
    assert by_day.streams[0].baseline == r1
    assert by_day.changes == ()  # failed then, fails now
    by_run = drift("sys", runs, Since("run", run=r2))
    assert by_run.streams[0].baseline == r2 and len(by_run.new_failures) == 1
    before_all = drift("sys", runs, Since("date", day=dt.date(2026, 10, 1)))
    assert before_all.streams[0].baseline is None and len(before_all.new_failures) == 1


def test_level_change_names_the_facts() -> None:
    facts1 = {
        "classification": {"personal_data_users": 120000, "information": ["public"]},
        "components": [{"id": "db", "classification": {"system_type": "internal"}}],
    }
    facts2 = {
        "classification": {"personal_data_users": 50, "information": ["public"]},
        "components": [{"id": "db", "classification": {"system_type": "other"}}],
    }
    c1 = run("classify", "sys", 1, summary={"level": 3, "facts": facts1})
    c2 = run("classify", "sys", 2, summary={"level": 2, "facts": facts2})
    g1 = run("gap", "sys", 1, summary={"level": 3, "facts": facts1, "coverage": 60.0})
    g2 = run("gap", "sys", 2, summary={"level": 2, "facts": facts2, "coverage": 75.5})
    d = drift("sys", [c1, c2, g1, g2])
    assert [(c.before, c.after) for c in d.of("level")] == [(3, 2)]  # classify and gap agree
    assert [(c.key, c.before, c.after) for c in d.of("fact")] == [
        ("classification.personal_data_users", 120000, 50),
        ("components[db].classification.system_type", "internal", "other"),
    ]
    assert [(c.before, c.after) for c in d.of("coverage")] == [(60.0, 75.5)]
    assert [(p.run, p.coverage) for p in d.coverage_trend] == [(g1.id, 60.0), (g2.id, 75.5)]


def test_certificate_change_and_probe_trend() -> None:
    def chain(sha: str, exp: str) -> dict[str, dict[str, Any]]:
        return {"tls_cert_trusted": {"chain": [{"sha256": sha, "not_after": exp}, {"sha256": "r"}]}}

    a1 = run(
        "probe",
        "https://a/",
        1,
        {"tls_cert_trusted": "pass", "https_hsts": "fail"},
        evidence=chain("aa", "2027-01-01"),
        summary={"counts": {"pass": 1, "fail": 1}},
        invocation="one",
    )
    b1 = run(
        "probe",
        "https://b/",
        1,
        {"tls_cert_trusted": "pass"},
        evidence=chain("bb", "2027-01-01"),
        summary={"counts": {"pass": 3, "fail": 0}},
        invocation="one",
    )
    a2 = run(
        "probe",
        "https://a/",
        2,
        {"tls_cert_trusted": "pass", "https_hsts": "pass"},
        evidence=chain("cc", "2027-06-01"),
        summary={"counts": {"pass": 2, "fail": 0}},
        invocation="two",
    )
    b2 = run(
        "probe",
        "https://b/",
        2,
        {"tls_cert_trusted": "pass"},
        evidence=chain("bb", "2027-01-01"),
        summary={"counts": {"pass": 3, "fail": 0}},
        invocation="two",
    )
    d = drift("sys", [a1, b1, a2, b2])
    [cert] = d.of("certificate")
    assert cert.target == "https://a/"
    assert cert.before == {"sha256": "aa", "not_after": "2027-01-01"}
    assert cert.after == {"sha256": "cc", "not_after": "2027-06-01"}
    assert [c.key for c in d.of("fixed")] == ["https_hsts"]
    assert [(p.passed, p.failed) for p in d.probe_trend] == [(4, 1), (5, 0)]
    assert d.exit_code == 0
    doc = d.to_json()
    assert doc["changes"]["certificate"][0]["after"]["sha256"] == "cc"
    assert doc["trends"]["probe"] == [
        {"run": a1.id, "day": "2026-11-01", "pass": 4, "fail": 1},
        {"run": a2.id, "day": "2026-11-02", "pass": 5, "fail": 0},
    ]
