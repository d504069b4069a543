"""No English in Vietnamese output and no Vietnamese in English output.

Every output format of every command is scanned in both languages: the plan, gap report and
dossier (Markdown, HTML, DOCX, JSON, JUnit) of the demo, the transition report (table, JSON,
Markdown, HTML, DOCX), the classification (table, JSON, YAML), the probe against real
servers on 127.0.0.1 (table, JSON, JSONL, CSV, HTML, JUnit, SARIF), signature verification
of real signed documents (table, JSON, JUnit) and their re-rendering (HTML, CSV, SARIF,
JSONL), the trust store listing, and the error messages (validation, YAML syntax, refused
writes, bad targets, unreadable documents).

What the input itself says (a profile's names and descriptions, a certificate's names, a
document's signers: the user's or a third party's own words) and identifiers are taken out
first; what is left is the tool's own text, and it must be in the language asked for. The
scan is strict (`tests/langscan.py`): in Vietnamese, any word that cannot be a Vietnamese
syllable is a leak, beyond acronyms, product and format names; in English, any Vietnamese
letter is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, run_assure, write
from tests.langscan import foreign_words, visible_text
from tests.probes import pki
from tests.probes.dnsserver import DnsServer
from tests.probes.servers import (
    Server,
    closed_port,
    has_ipv6_loopback,
    response,
    server_context,
)

DEMO = ROOT / "profiles" / "cong-dvc-demo.yaml"
FORMATS = (".md", ".html", ".docx", ".xml", ".xlsx", ".json")
LANGS = ("vi", "en")
#: Documents whose signatures cover what the checks can say: intact and altered, PDF and XML,
#: XAdES, a bare KeyValue, weak algorithms, partial coverage, unreadable CMS.
DOCUMENTS = sorted((ROOT / "tests" / "data" / "pyhanko").glob("*.pdf")) + sorted(
    (ROOT / "tests" / "data" / "signxml").glob("*.xml")
)


def _strings(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return {s for v in node.values() for s in _strings(v)}
    if isinstance(node, list):
        return {s for v in node for s in _strings(v)}
    return set()


#: What the bundled profiles say (the demo's inventory and annual report name every system).
PROFILE_WORDS = sorted(
    {
        s
        for path in sorted((ROOT / "profiles").glob("*.yaml"))
        for s in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
        if len(s) > 2
    },
    key=len,
    reverse=True,
)
#: `file:line:column: field.path:` in front of a message (positions and field names).
_POSITION = re.compile(r"^\S+:\d+:\d+: (?:[\w.\[\]-]+: )?", re.M)


def _words_of(strings: list[str]) -> re.Pattern[str]:
    """One pattern for every string, longest first, each standing alone (not "portal" inside
    "portal.test"), also in capitals (letterheads write names so)."""
    alts = sorted({*strings, *(s.upper() for s in strings)}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, alts)) + r")(?!\.?\w)")


_PROFILE = _words_of(PROFILE_WORDS)


def tool_text(text: str, data: list[str] | None = None) -> str:
    """`text` without what the input says (the user's own words, in any language)."""
    text = _POSITION.sub("", text)
    if data:
        text = _words_of(data).sub(" ", text)
    return _PROFILE.sub(" ", text)


def leaks(path: Path, lang: str, data: list[str] | None = None) -> list[str]:
    return sorted(set(foreign_words(tool_text(visible_text(path), data), lang)))


def assert_one_language(files: list[Path], lang: str, data: list[str] | None = None) -> None:
    found = {p.name: w for p in files if (w := leaks(p, lang, data))}
    assert found == {}, found


# --- the main job: plan, gap report, dossier --------------------------------------------------


@pytest.fixture(scope="module", params=LANGS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    lang: str = request.param
    out = tmp_path_factory.mktemp(f"scan-{lang}") / "out"
    run = run_assure("demo", "-o", out, "--lang", lang, "--today", "2026-12-01")
    assert run.code == 0, run.err
    (out / "stdout.txt").write_text(run.out, encoding="utf-8")
    for fmt in ("json", "md", "html", "junit"):
        run = run_assure("gap", DEMO, "--format", fmt, "-o", out / f"gap-cli.{fmt}", "--lang", lang)
        assert run.code in (0, 1), run.err
    run = run_assure("plan", DEMO, "--format", "json", "-o", out / "plan-cli.json", "--lang", lang)
    assert run.code == 0, run.err
    return lang, out


def test_every_document_is_in_one_language(demo: tuple[str, Path]) -> None:
    """Plan, gap report and dossier in every format, with no known leak left."""
    lang, out = demo
    files = sorted(
        p for p in out.rglob("*") if p.suffix in (*FORMATS, ".junit") and not p.name.startswith(".")
    )
    files.append(out / "stdout.txt")
    assert len(files) >= 17
    assert_one_language(files, lang)


def test_tcvn_sources_read_as_vietnamese(demo: tuple[str, Path]) -> None:
    """The Decree 331 catalogue's TCVN 14423 sources (a third-party summary, UNCONFIRMED)
    are cited in Vietnamese in a Vietnamese plan, and kept as written in English."""
    lang, out = demo
    text = (out / "plan.md").read_text(encoding="utf-8")
    if lang == "vi":
        assert "khoản 3 đến khoản 7 TCVN 14423:2026" in text
        assert "theo bản tóm tắt của bên thứ ba; CHƯA XÁC NHẬN" in text
        assert "third-party summary" not in text
    else:
        assert "TCVN 14423:2026 clauses 3-7 (third-party summary; UNCONFIRMED)" in text


@pytest.mark.parametrize("lang", LANGS)
def test_transition_and_classification_in_every_format(lang: str, tmp_path: Path) -> None:
    files = []
    for fmt in ("table", "json", "md", "html", "docx"):
        path = tmp_path / f"transition.{fmt if fmt != 'table' else 'txt'}"
        run = run_assure(
            "transition", DEMO, "--format", fmt, "-o", path, "--lang", lang, "--today", "2026-12-01"
        )
        assert run.code == 0, run.err
        files.append(path)
    for fmt, suffix in (("table", "txt"), ("json", "json"), ("yaml", "yaml")):
        path = tmp_path / f"classify.{suffix}"
        run = run_assure("classify", ROOT / "profiles", "--format", fmt, "--lang", lang)
        assert run.code == 0, run.err
        if fmt == "yaml":  # read as the JSON it is the same data of
            path = path.with_suffix(".json")
            path.write_text(json.dumps(yaml.safe_load(run.out), ensure_ascii=False), "utf-8")
        else:
            path.write_text(run.out, encoding="utf-8")
        files.append(path)
    assert_one_language(files, lang)
    md = (tmp_path / "transition.md").read_text(encoding="utf-8")
    if lang == "vi":  # citations in Vietnamese legal style, deadlines as Vietnamese dates
        assert "khoản 1 Điều 45 Luật An ninh mạng số 116/2025/QH15" in md
        assert "Art." not in md and "Decree" not in md
    else:
        assert "45.1 Law 116/2025" in md


# --- probes against real servers on the loopback --------------------------------------------


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A portal without HSTS, one with an expired certificate for another name, one with a
    self-signed certificate, one that never answers, and a port nobody listens on."""
    tmp: Path = tmp_path_factory.mktemp("portals")
    now = dt.datetime.now(dt.UTC)
    root = pki.make_ca("Scan Root")
    good = pki.make_leaf("portal.test", root, san=["portal.test"])
    old = pki.make_leaf(
        "old.test",
        root,
        san=["other.test"],
        not_before=now - dt.timedelta(days=30),
        not_after=now - dt.timedelta(days=3),
    )
    own = pki.make_leaf("self.test", None)
    (tmp / "root.pem").write_bytes(pki.pem(root.cert))
    servers = {
        "portal.test": Server(
            tls=server_context(*pki.write_chain(tmp, "good", good, root.cert)),
            handler=lambda _p, _h: response(),
            v6=False,
        ),
        "old.test": Server(
            tls=server_context(*pki.write_chain(tmp, "old", old, root.cert)), v6=False
        ),
        "self.test": Server(tls=server_context(*pki.write_chain(tmp, "own", own)), v6=False),
        "silent.test": Server(mode="silent", v6=False),
    }
    refused = closed_port()
    args = ["--ca-file", str(tmp / "root.pem"), "--timeout", "1", "--http-port", str(refused)]
    for host, srv in servers.items():
        args += ["--resolve", f"{host}:{srv.port}:127.0.0.1"]
    targets = [f"https://{h}:{s.port}/" for h, s in servers.items()]
    targets.append(f"https://127.0.0.1:{refused}/")
    yield {"targets": targets, "args": args, "data": ["Scan Root", "Assure Test PKI"]}
    for srv in servers.values():
        srv.close()


@pytest.mark.parametrize("lang", LANGS)
def test_probe_outputs_are_in_one_language(
    lang: str, portals: dict[str, Any], tmp_path: Path
) -> None:
    """The probe's table, JSON, JSONL, CSV, HTML, JUnit and SARIF: titles, statuses,
    summaries, reasons, advice; and `render` of the saved JSON."""
    fmts = ("json", "jsonl", "csv", "html", "junit", "sarif")
    outs = [x for f in fmts for x in ("-o", f"{f}={tmp_path / f'probe.{f}'}")]
    run = run_assure(
        "probe", *portals["targets"], *portals["args"], *outs, "-o", "table=-", "--lang", lang
    )
    assert run.code == 1, run.err
    (tmp_path / "table.txt").write_text(run.out, encoding="utf-8")
    rendered = tmp_path / "render.html"
    again = run_assure("render", tmp_path / "probe.json", "-o", f"html={rendered}", "--lang", lang)
    assert again.code == 1, again.err
    files = [tmp_path / "table.txt", rendered, *(tmp_path / f"probe.{f}" for f in fmts)]
    assert_one_language(files, lang, portals["data"])
    table = run.out
    if lang == "vi":
        assert "Chứng thư đã hết hạn ngày" in table and "/20" in table  # 29/11/2026
        assert "kết nối bị từ chối" in table
    else:
        assert "The certificate expired on" in table and "connection refused" in table


@pytest.mark.parametrize("lang", LANGS)
def test_every_finding_can_be_worded_in_both_languages(
    lang: str, portals: dict[str, Any], tmp_path: Path
) -> None:
    """JSON keeps the English `summary` (the contract) and a catalogue `message`, so every
    finding (and every per-address verdict) can be re-rendered in either language."""
    out = tmp_path / "probe.json"
    run = run_assure("probe", *portals["targets"], *portals["args"], "--format", "json", "-o", out)
    assert run.code == 1, run.err
    for f in json.loads(out.read_text(encoding="utf-8"))["findings"]:
        assert "message" in f, f
        for verdict in (f["evidence"].get("addresses") or {}).values():
            assert "message" in verdict, f


@pytest.fixture(scope="module")
def defects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Portals behind a real DNS server on 127.0.0.1 whose faults the judges must word: an
    AAAA on ::1 where nothing listens (per-port reach codes), a name server whose AAAA is
    ::1 where no DNS answers (a name server's reach), a root whose basicConstraints is not
    critical (a strict-profile rule), and a leaf issued by a certificate that is not a CA."""
    tmp: Path = tmp_path_factory.mktemp("defects")
    zone = "scan6.test."
    lax = pki.make_ca("Lax Root", basic_constraints_critical=False)
    root = pki.make_ca("Scan Root")
    not_ca = pki.make_leaf("mid.scan6.test", root)
    lax_leaf = pki.make_leaf("dead6.scan6.test", lax)
    bad_leaf = pki.make_leaf("notca.scan6.test", not_ca)
    (tmp / "roots.pem").write_bytes(pki.pem(lax.cert) + pki.pem(root.cert))
    dead6 = Server(
        tls=server_context(*pki.write_chain(tmp, "lax", lax_leaf, lax.cert)),
        handler=lambda _p, _h: response(),
        v6=False,
    )
    notca = Server(
        tls=server_context(*pki.write_chain(tmp, "notca", bad_leaf, not_ca.cert)), v6=False
    )
    records = {
        zone: {"SOA": [f"ns1.{zone} hostmaster.{zone} 1 3600 600 86400 60"], "NS": [f"ns1.{zone}"]},
        f"ns1.{zone}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"dead6.{zone}": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        f"notca.{zone}": {"A": ["127.0.0.1"]},
    }
    dns_server = DnsServer(records, ("127.0.0.1",))
    args = [
        "--nameserver",
        f"127.0.0.1:{dns_server.port}",
        "--allow-range",
        "::1/128",
        "--allow-range",
        "127.0.0.0/8",
        "--ca-file",
        str(tmp / "roots.pem"),
        "--timeout",
        "1",
        "--http-port",
        str(closed_port()),
    ]
    targets = [
        f"https://dead6.scan6.test:{dead6.port}/",
        f"https://notca.scan6.test:{notca.port}/",
    ]
    data = ["Lax Root", "Scan Root", "Assure Test PKI"]
    yield {"targets": targets, "args": args, "data": data}
    for srv in (dead6, notca, dns_server):
        srv.close()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no ::1 on this machine")
@pytest.mark.parametrize("lang", LANGS)
def test_defects_and_reach_codes_are_worded(
    lang: str, defects: dict[str, Any], tmp_path: Path
) -> None:
    """Per-port reach codes ("443: refused"), a name server's reach, certificate-profile
    rules and a chain refused by the client profile read in the language asked for, in the
    table, CSV, HTML, JUnit and SARIF; JSON keeps the codes as data."""
    fmts = ("json", "csv", "html", "junit", "sarif")
    outs = [x for f in fmts for x in ("-o", f"{f}={tmp_path / f'probe.{f}'}")]
    run = run_assure(
        "probe",
        *defects["targets"],
        *defects["args"],
        *outs,
        "-o",
        "table=-",
        "--lang",
        lang,
        timeout=180,
    )
    assert run.code == 1, run.err
    (tmp_path / "table.txt").write_text(run.out, encoding="utf-8")
    files = [tmp_path / "table.txt", *(tmp_path / f"probe.{f}" for f in fmts if f != "json")]
    assert_one_language(files, lang, defects["data"])
    found = {
        (f["target"].split(":")[1].strip("/"), f["check"]): f
        for f in json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))["findings"]
    }
    reach = found[("dead6.scan6.test", "web_reach_ipv6")]
    assert reach["status"] == "fail", reach
    assert set(reach["evidence"]["reach"]["::1"].values()) == {"refused"}  # codes: data
    assert found[("dead6.scan6.test", "ns_reach_ipv6")]["status"] == "fail"
    assert found[("dead6.scan6.test", "tls_cert_trusted")]["status"] == "warn"
    assert found[("notca.scan6.test", "tls_cert_trusted")]["status"] == "fail"
    table = run.out
    if lang == "vi":
        assert ": bị từ chối" in table, table
        assert "qua IPv4 vẫn trả lời: trả lời" in table, table
        assert "basicConstraints của một chứng thư CA không được đánh dấu trọng yếu" in table
        assert "refused" not in table and "not marked critical" not in table
    else:
        assert ": refused)." in table and "(IPv4 answers: ok)" in table, table
        assert "a CA certificate's basicConstraints is not marked critical" in table


def test_network_failure_phrases_are_worded_in_vietnamese() -> None:
    """Every fixed phrase a probe gives for a failed lookup or connection (what reports put
    in a reason or a sentence) has Vietnamese words, and English ones."""
    from assure import i18n
    from assure.probes import dns as probe_dns
    from assure.probes import http, runner, stub
    from assure.probes.net import NetError

    failures: list[BaseException] = [
        stub.DnsTimeoutError(),
        stub.NoNameserversError(),
        stub.NoResolverConfigError(),
        stub.TruncatedError(),
        stub.MalformedError(),
    ]
    phrases = [probe_dns.dns_error_text(e) for e in failures]
    phrases += [http.reason_for(k.value) for k in NetError]
    phrases += [runner._detail(k.value) for k in NetError]
    for phrase in phrases:
        assert foreign_words(i18n.reason(phrase, "en"), "en") == [], phrase
        worded = i18n.reason(phrase, "vi")
        assert foreign_words(worded, "vi") == [], (phrase, worded)


@pytest.fixture(scope="module")
def downloads() -> Iterator[dict[str, str]]:
    """A document server that answers 404, one that never answers, and a closed port."""
    missing = Server(handler=lambda _p, _h: response(404), v6=False)
    silent = Server(mode="silent", v6=False)
    yield {
        "missing": f"http://127.0.0.1:{missing.port}/missing.pdf",
        "silent": f"http://127.0.0.1:{silent.port}/slow.pdf",
        "closed": f"http://127.0.0.1:{closed_port()}/none.pdf",
    }
    for srv in (missing, silent):
        srv.close()


@pytest.mark.parametrize("lang", LANGS)
def test_download_errors_are_worded(lang: str, downloads: dict[str, str], tmp_path: Path) -> None:
    """verify-signature of URLs that answer 404, never answer, or refuse: the table, JUnit
    and the re-rendered HTML, CSV and SARIF say why in the language asked for."""
    outs = ["-o", f"json={tmp_path / 'sig.json'}", "-o", f"junit={tmp_path / 'sig.junit'}"]
    run = run_assure(
        "verify-signature",
        *downloads.values(),
        "--timeout",
        "1",
        *outs,
        "-o",
        "table=-",
        "--lang",
        lang,
        timeout=120,
    )
    assert run.code == 4, run.err
    (tmp_path / "table.txt").write_text(run.out, encoding="utf-8")
    files = [tmp_path / "table.txt", tmp_path / "sig.junit"]
    for fmt in ("html", "csv", "sarif"):
        path = tmp_path / f"render.{fmt}"
        again = run_assure("render", tmp_path / "sig.json", "-o", f"{fmt}={path}", "--lang", lang)
        assert again.code == 4, again.err
        files.append(path)
    assert_one_language(files, lang)
    reasons = {
        f["reason"] for f in json.loads((tmp_path / "sig.json").read_text("utf-8"))["findings"]
    }
    assert f"HTTP 404 from {downloads['missing']}" in reasons  # JSON keeps the English
    if lang == "vi":
        assert f"{downloads['missing']} trả về mã HTTP 404" in run.out, run.out
        assert f"{downloads['closed']}: không kết nối được" in run.out, run.out
        assert "connection failed" not in run.out and "took longer" not in run.out
    else:
        assert f"HTTP 404 from {downloads['missing']}" in run.out
        assert f"{downloads['closed']}: connection failed" in run.out


# --- signed documents ---------------------------------------------------------------------


def _evidence_strings(path: Path) -> list[str]:
    """What the documents themselves say (signers, names, algorithms): data, not our text."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    found = {s for f in doc["findings"] for s in _strings(f["evidence"]) if len(s) > 2}
    return sorted(found, key=len, reverse=True)


@pytest.mark.parametrize("lang", LANGS)
def test_signature_outputs_are_in_one_language(lang: str, tmp_path: Path) -> None:
    outs = ["-o", f"json={tmp_path / 'sig.json'}", "-o", f"junit={tmp_path / 'sig.junit'}"]
    run = run_assure("verify-signature", *DOCUMENTS, *outs, "-o", "table=-", "--lang", lang)
    assert run.code == 1, run.err
    (tmp_path / "table.txt").write_text(run.out, encoding="utf-8")
    files = [tmp_path / "table.txt", tmp_path / "sig.junit"]
    for fmt in ("html", "csv", "sarif", "jsonl"):
        path = tmp_path / f"render.{fmt}"
        again = run_assure("render", tmp_path / "sig.json", "-o", f"{fmt}={path}", "--lang", lang)
        assert again.code == 1, again.err
        files.append(path)
    assert_one_language(files, lang, _evidence_strings(tmp_path / "sig.json"))
    if lang == "vi":
        assert "Văn bản không có chữ ký số." in run.out or "toàn vẹn" in run.out
        assert "Signature '" not in run.out
    else:
        assert "is cryptographically intact" in run.out


# --- messages -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_messages_are_in_one_language(lang: str, tmp_path: Path) -> None:
    bad = write(
        tmp_path / "p.yaml",
        "id: p\nname: P\nclassificaton: {}\ncomponents: []\n",
    )
    runs = [
        run_assure("validate", bad, "--lang", lang),
        run_assure("classify", bad, "--lang", lang),
        run_assure("gap", DEMO, "--fail-under", "99.5", "--fail-on", "gap", "--lang", lang),
        run_assure("classify", ROOT / "profiles", "--lang", lang),
        run_assure("trust", "list", "--lang", lang),
    ]
    for run in runs:
        text = run.err + ("" if run is runs[2] else run.out)
        assert foreign_words(tool_text(text), lang) == [], text


#: Each error, the words a Vietnamese and an English run use for it.
ERRORS = {
    "yaml": ("YAML không hợp lệ: thiếu dấu ',' hoặc ']'", "invalid YAML: did not find expected"),
    "folder": ("là một thư mục, không phải tệp", "is a folder, not a file"),
    "not_empty": ("thư mục không trống", "folder is not empty"),
    "target": ("không phải http hay https", "is not http or https"),
    "missing": ("không có tệp hoặc thư mục này", "No such file or directory"),
    "not_pdf": ("không phải tệp PDF", "not a PDF file"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citations_are_worded_in_the_language_of_the_page(lang: str) -> None:
    """`classify --explain` and `transition` word every citation in the page's language
    (Vietnamese legal style, "khoản 2 Điều 17 Nghị định số 85/2016/NĐ-CP", never "Decree
    85/2016 Art. 17.2"), under both regimes, from the citations the model carries."""
    runs = [
        run_assure("--today", "2026-12-01", "classify", DEMO, "--explain", "--lang", lang),
        *(
            run_assure("classify", DEMO, "--explain", "--regime", r, "--lang", lang)
            for r in ("nd85-2016", "nd331-2026")
        ),
        run_assure("--today", "2026-12-01", "transition", DEMO, "--lang", lang),
        run_assure("--today", "2026-12-01", "transition", DEMO, "--format", "md", "--lang", lang),
    ]
    for run in runs:
        assert run.code in (0, 1), run.err
        text = run.out.replace("--regime", " ")  # an option's name is not a word
        assert foreign_words(tool_text(text), lang) == [], run.out
        if lang == "vi":
            assert "Art." not in run.out and "Decree" not in run.out, run.out
            assert "Điều" in run.out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_gate_outputs_are_in_one_language(lang: str, tmp_path: Path) -> None:
    """The launch gate's table, JUnit and SARIF: condition names, verdicts, explanations."""
    import json

    outs = {fmt: tmp_path / f"gate-{lang}.{fmt}" for fmt in ("junit", "sarif")}
    args = [f"{fmt}={path}" for fmt, path in outs.items()]
    for profile in (DEMO, ROOT / "profiles" / "dvc-binh-an.yaml"):
        table = run_assure("gate", profile, "--lang", lang, "--today", "2026-12-01")
        assert table.code == 1, table.err
        assert foreign_words(tool_text(table.out), lang) == [], table.out
    run = run_assure(
        "gate", DEMO, "--lang", lang, "--today", "2026-12-01", "-o", args[0], "-o", args[1]
    )
    assert run.code == 1, run.err
    # the sentences of the test cases; status values and evidence are identifiers and data
    from tests.schemas import assert_valid_junit

    cases = assert_valid_junit(outs["junit"].read_text(encoding="utf-8")).iter("testcase")
    said = [e.get("message") or e.text or "" for c in cases for e in c]
    junit = tool_text("\n".join(m.split(": ", 1)[-1] for m in said))
    assert len(said) == 4
    assert foreign_words(junit, lang) == [], junit
    doc = json.loads(outs["sarif"].read_text(encoding="utf-8"))
    driver = doc["runs"][0]["tool"]["driver"]
    text = "\n".join(
        [r["message"]["text"] for r in doc["runs"][0]["results"]]
        + [r["shortDescription"]["text"] for r in driver["rules"]]
        + [r["fullDescription"]["text"] for r in driver["rules"]]
    )
    assert foreign_words(tool_text(text), lang) == [], text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_history_and_drift_outputs_are_in_one_language(lang: str, tmp_path: Path) -> None:
    """`assure history` and `assure drift` (table, Markdown, HTML) over two recorded gap
    reports of a profile whose controls changed."""
    db = ("--db", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    profile = tmp_path / "cong-dvc-demo.yaml"
    text = DEMO.read_text(encoding="utf-8")
    profile.write_text(text, encoding="utf-8")
    assert run_assure("--today", "2026-11-01", "gap", profile, "--record", *db).code == 0
    old = "  L116.10.1: {status: implemented, evidence: [{ref: HS-101/TTCĐS, date: 2026-09-01}]}"
    profile.write_text(text.replace(old, "  L116.10.1: {status: planned}"), encoding="utf-8")
    assert run_assure("--today", "2026-12-01", "gap", profile, "--record", *db).code == 0
    for command in ("history", "drift"):
        table = run_assure(command, "cong-dvc-demo", *db, "--lang", lang)
        assert foreign_words(table.out + table.err, lang) == [], table.out
        for fmt in ("md", "html"):
            out = tmp_path / f"{command}.{fmt}"
            run = run_assure(
                command, "cong-dvc-demo", *db, "--lang", lang, "--format", fmt, "-o", out
            )
            assert run.code in (0, 1), run.err
            found = visible_text(out)
            assert foreign_words(found, lang) == [], (command, fmt, found[:2000])


@pytest.mark.parametrize("lang", LANGS)
def test_errors_are_in_one_language(lang: str, tmp_path: Path) -> None:
    """Refused writes (atomic), YAML syntax errors, target lists, unreadable documents.
    (Click's own usage errors, such as a file given where a folder is expected, stay in
    click's English.)"""
    broken = write(tmp_path / "broken.yaml", "id: p\nname: [unclosed\n")
    a_folder = tmp_path / "a-folder"
    a_folder.mkdir()
    full = tmp_path / "full"
    write(full / "theirs.txt", "mine")
    targets = write(tmp_path / "targets.txt", "https://ok.test/\nftp://files.test/\n")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"<html>not found</html>")
    runs = {
        "yaml": run_assure("validate", broken, "--lang", lang),
        "folder": run_assure(
            "verify-signature", DOCUMENTS[0], "-o", f"json={a_folder}", "--lang", lang
        ),
        "not_empty": run_assure("dossier", DEMO, "-o", full, "--lang", lang),
        "target": run_assure("probe", "--targets-file", targets, "--lang", lang),
        "missing": run_assure("verify-signature", tmp_path / "none.pdf", "--lang", lang),
        "not_pdf": run_assure("verify-signature", fake, "--lang", lang),
    }
    for name, run in runs.items():
        assert run.code in (2, 3, 6), (name, run.err)
        assert "Traceback" not in run.err
        assert ERRORS[name][LANGS.index(lang)] in run.err, (name, run.err)
        assert foreign_words(tool_text(run.err), lang) == [], (name, run.err)


def test_dates_are_written_per_language(demo: tuple[str, Path]) -> None:
    """The law layer keeps ISO days (JSON); the gap report's evidence and the dossier's
    tables write them as the language does: 08/09/2026 in Vietnamese, 8 Sept 2026 in English."""
    lang, out = demo
    gap = (out / "gap.html").read_text(encoding="utf-8")
    dossier = visible_text(next((out / "dossier").glob("02-*.html")))
    iso = re.compile(r"\b20\d\d-\d\d-\d\d\b")
    assert iso.findall(visible_text(out / "gap.html")) == []
    assert iso.findall(dossier) == []
    if lang == "vi":
        assert "HS-108/TTCĐS (08/09/2026)" in gap
        assert "20/04/2025" in dossier
    else:
        assert "HS-108/TTCĐS (8 Sept 2026)" in gap
        assert "20 Apr 2025" in dossier
    data = json.loads((out / "gap.json").read_text(encoding="utf-8"))
    assert iso.fullmatch(data["as_of"]) is not None  # JSON keeps ISO days
