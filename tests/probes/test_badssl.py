"""badssl.com's certificate profiles, regenerated from its own OpenSSL configs, probed for real.

badssl.com builds its certificates with `openssl req`/`openssl x509` from the configs in its
`certs/src/conf/` (kept as data in tests/data/badssl/, with source and licence) following its
`certs/Makefile` and `certs/tool`. This test repeats those steps (same configs, same
extensions, same hashes and day counts; 2048-bit CA keys instead of 4096 to keep it quick),
serves each chain as a real TLS endpoint on 127.0.0.1 under the badssl subdomain name (pinned
with --resolve, in the reserved `.test` domain so no real name is ever looked up), runs
`assure probe` and compares its certificate verdicts with `openssl verify` on the same chain
and with what browsers do on that badssl.com subdomain, as its dashboard states (EXPECT below,
with the reason per row). The expired profile is, as in badssl.com's Makefile, signed for one
day and judged after that day (`--at`).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_no_traceback, run_assure
from tests.probes.servers import Server, response
from tests.probes.test_loopback import closed_port

CONF = Path(__file__).resolve().parents[1] / "data" / "badssl"
DOMAIN = "badssl.test"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@dataclass(frozen=True)
class Profile:
    """One badssl.com subdomain: how its chain is made and what a browser does with it."""

    host: str  # the subdomain label served
    leaf_conf: str  # badssl's config for the leaf request
    key_bits: int
    issuer: str  # "intermediate", "untrusted-root", "sha1-intermediate" or "self"
    days: int
    send_intermediate: bool
    # browser's verdict on badssl.com → expected assure statuses (trusted, hostname, expiry, key)
    expect: tuple[str, str, str, str]
    why: str


NO_HS = "inconclusive"
OK = "warn"  # trusted, with the rule named: see below

# Every badssl CA config sets `basicConstraints = CA:true` without `critical` (RFC 5280
# section 4.2.1.9 wants it critical in a CA certificate): OpenSSL and browsers accept such a
# chain, cryptography's strict profile refuses it, so assure's `tls_cert_trusted` is `warn`
# (trusted, the rule named) wherever the chain holds. A browser's "accepted" is `pass`/`warn`.
# (host, leaf config, key bits, issuer, days, intermediate sent,
#  expected trusted/hostname/expiry/key, why: what browsers do on that badssl.com subdomain)
# fmt: off
ROWS: list[tuple[str, str, int, str, int, bool, tuple[str, str, str, str], str]] = [
    ("sha256", "wildcard", 2048, "intermediate", 730, True, (OK, "pass", "pass", "pass"),
     "a good chain: every browser shows the page"),
    ("wrong.host", "wildcard", 2048, "intermediate", 730, True, (OK, "fail", "pass", "pass"),
     "the *.badssl.com wildcard covers one label only: browsers refuse the name"),
    ("self-signed", "wildcard", 2048, "self", 730, True, ("fail", "pass", "pass", "pass"),
     "a self-signed leaf chains to no anchor: browsers refuse it"),
    ("untrusted-root", "wildcard", 2048, "untrusted-root", 730, True,
     ("fail", "pass", "pass", "pass"), "the root is not in the trust store: browsers refuse it"),
    ("incomplete-chain", "wildcard", 2048, "intermediate", 730, False,
     ("fail", "pass", "pass", "pass"),
     "the intermediate is not sent: Chrome may fetch it by AIA (badssl's config has no AIA "
     "URL), OpenSSL and Firefox without a cached intermediate refuse; assure follows OpenSSL"),
    ("sha1-intermediate", "wildcard", 2048, "sha1-intermediate", 730, True,
     ("fail", "pass", "pass", "pass"),
     "an intermediate signed with SHA-1: browsers refuse SHA-1 in the chain"),
    ("rsa512", "wildcard", 512, "intermediate", 730, True, (NO_HS, NO_HS, NO_HS, NO_HS),
     "browsers refuse a 512-bit RSA key; such a key cannot make an RSA-PSS/SHA-256 signature, "
     "so no handshake with a signed key exchange is possible (badssl.com serves it with static "
     "RSA key exchange, which assure's client does not offer): nothing to judge, never a pass"),
    ("rsa1024", "wildcard", 1024, "intermediate", 730, True, (OK, "pass", "pass", "fail"),
     "browsers refuse a 1024-bit RSA leaf: the chain holds, the key check fails"),
    ("no-common-name", "subdomain-no-common-name", 2048, "intermediate", 730, True,
     (OK, "pass", "pass", "pass"),
     "no CN, the name in the SAN: browsers use only the SAN and accept it"),
    ("no-subject", "subdomain-no-subject", 2048, "intermediate", 730, True,
     (OK, "pass", "pass", "pass"), "an empty subject with a critical SAN: browsers accept it"),
    ("expired", "wildcard", 2048, "intermediate", 1, True, (OK, "pass", "fail", "pass"),
     "signed for one day and judged after it: browsers refuse an expired leaf"),
]
# fmt: on
P = [Profile(*row) for row in ROWS]
CHECKS = ("tls_cert_trusted", "tls_cert_hostname", "tls_cert_expiry", "tls_cert_key")


def _ssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


def _conf(name: str, folder: Path) -> Path:
    """badssl's config with its __DOMAIN__ placeholder filled in, as `certs/tool` does."""
    out = folder / f"{name}.conf"
    out.write_text((CONF / f"{name}.conf").read_text().replace("__DOMAIN__", DOMAIN))
    return out


def _key(name: str, bits: int, folder: Path) -> Path:
    _ssl("genrsa", "-out", f"{name}.key", bits, cwd=folder)
    return folder / f"{name}.key"


def _ca(name: str, folder: Path) -> tuple[Path, Path]:
    key = _key(name, 2048, folder)
    _ssl(
        "req",
        "-new",
        "-x509",
        "-days",
        7300,
        "-config",
        _conf(name, folder),
        "-key",
        key,
        "-out",
        f"{name}.crt",
        cwd=folder,
    )
    return folder / f"{name}.crt", key


def _sign(
    csr: Path,
    out: str,
    conf: Path,
    ext: str,
    days: int,
    md: str,
    ca: tuple[Path, Path],
    folder: Path,
) -> Path:
    _ssl(
        "x509",
        "-req",
        "-CAcreateserial",
        "-days",
        days,
        f"-{md}",
        "-out",
        out,
        "-extensions",
        ext,
        "-extfile",
        conf,
        "-in",
        csr,
        "-CAkey",
        ca[1],
        "-CA",
        ca[0],
        cwd=folder,
    )
    return folder / out


def build(folder: Path) -> dict[str, Any]:
    """badssl's PKI and one chain per profile: profile host → (chain file, key file)."""
    root = _ca("ca-root", folder)
    untrusted = _ca("ca-untrusted-root", folder)
    inter_conf = _conf("ca-intermediate", folder)
    inters = {}
    for name, md in (("intermediate", "sha256"), ("sha1-intermediate", "sha1")):
        key = _key(f"ca-{name}", 2048, folder)
        _ssl(
            "req", "-new", "-config", inter_conf, "-key", key, "-out", f"ca-{name}.csr", cwd=folder
        )
        crt = _sign(
            folder / f"ca-{name}.csr",
            f"ca-{name}.crt",
            inter_conf,
            "req_v3_ca",
            3650,
            md,
            root,
            folder,
        )
        inters[name] = (crt, key)
    chains: dict[str, tuple[Path, Path]] = {}
    for p in P:
        conf = _conf(p.leaf_conf, folder)
        key = _key(f"leaf-{p.host}", p.key_bits, folder)
        subj = ["-subj", "/"] if p.leaf_conf == "subdomain-no-subject" else []
        _ssl(
            "req", "-new", *subj, "-config", conf, "-key", key, "-out", f"{p.host}.csr", cwd=folder
        )
        csr = folder / f"{p.host}.csr"
        if p.issuer == "self":
            _ssl(
                "x509",
                "-req",
                "-out",
                f"{p.host}.crt",
                "-days",
                p.days,
                "-sha256",
                "-extensions",
                "req_v3_usr",
                "-extfile",
                conf,
                "-in",
                csr,
                "-signkey",
                key,
                cwd=folder,
            )
            parts = [folder / f"{p.host}.crt"]
        else:
            ca = untrusted if p.issuer == "untrusted-root" else inters[p.issuer]
            leaf = _sign(csr, f"{p.host}.crt", conf, "req_v3_usr", p.days, "sha256", ca, folder)
            parts = [leaf, ca[0]] if p.send_intermediate else [leaf]
        chain = folder / f"{p.host}.pem"
        chain.write_bytes(b"".join(x.read_bytes() for x in parts))
        chains[p.host] = (chain, key)
    return {"root": root[0], "chains": chains}


def _served_name(p: Profile) -> str:
    """The name a browser asks for: badssl serves these on `<profile>.badssl.com`."""
    return f"{p.host}.{DOMAIN}"


def openssl_verify(chain: Path, root: Path, host: str, at: dt.datetime) -> bool:
    """`openssl verify` as a TLS client would: sslserver purpose, the peer name, the instant."""
    certs = chain.read_text().split("-----END CERTIFICATE-----")
    leaf = chain.with_suffix(".leaf.pem")
    leaf.write_text(certs[0] + "-----END CERTIFICATE-----\n")
    untrusted = chain.with_suffix(".rest.pem")
    rest = "-----END CERTIFICATE-----".join(certs[1:]).strip()
    cmd = [
        "openssl",
        "verify",
        "-purpose",
        "sslserver",
        "-verify_hostname",
        host,
        "-attime",
        str(int(at.timestamp())),
        "-auth_level",
        "2",
        "-CAfile",
        str(root),
    ]
    if rest:
        untrusted.write_text(rest + "\n")
        cmd += ["-untrusted", str(untrusted)]
    return subprocess.run([*cmd, str(leaf)], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("badssl")
    world = build(folder)
    servers: list[Server] = []
    runs: dict[str, dict[str, str]] = {}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    later = now + dt.timedelta(days=2)
    try:
        groups: dict[dt.datetime, list[tuple[Profile, str, list[str]]]] = {}
        for p in P:
            chain, key = world["chains"][p.host]
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.load_cert_chain(str(chain), str(key))
            srv = Server(tls=ctx, handler=lambda _p, _h: response(), v6=False)
            servers.append(srv)
            name = _served_name(p)
            url = f"https://{name}:{srv.port}/"
            when = later if p.host == "expired" else now
            groups.setdefault(when, []).append(
                (p, url, ["--resolve", f"{name}:{srv.port}:127.0.0.1"])
            )
        for when, items in groups.items():
            run = run_assure(
                "probe",
                *(u for _, u, _ in items),
                *(a for _, _, r in items for a in r),
                "--ca-file",
                world["root"],
                "--at",
                when.isoformat(),
                "--timeout",
                "3",
                "--http-port",
                str(closed_port()),
                "--format",
                "json",
                timeout=300,
            )
            assert_no_traceback(run)
            found = json.loads(run.out)["findings"]
            by = {(f["target"], f["check"]): f["status"] for f in found}
            summ = {(f["target"], f["check"]): f["summary"] for f in found}
            for p, url, _ in items:
                runs[p.host] = {c: by[(url, c)] for c in CHECKS}
                runs[p.host]["why"] = " | ".join(
                    s for (t, c), s in summ.items() if t == url and c in CHECKS
                )
                runs[p.host]["openssl"] = str(
                    openssl_verify(world["chains"][p.host][0], world["root"], _served_name(p), when)
                )
    finally:
        for s in servers:
            s.close()
    return runs


@pytest.mark.parametrize("profile", P, ids=[p.host for p in P])
def test_badssl_profile(probed: dict[str, Any], profile: Profile) -> None:
    got = probed[profile.host]
    want = dict(zip(CHECKS, profile.expect, strict=True))
    ours = {c: got[c] for c in CHECKS}
    assert ours == want, f"{profile.host}: {profile.why}; assure: {got['why']}"
    if NO_HS in ours.values():
        return  # nothing was served to judge; `openssl verify` of the file is not comparable
    # a client at OpenSSL's security level 2 (112-bit: RSA >= 2048, no SHA-1; Debian's
    # default) accepts only if trust, name, dates and key all allow it
    accepted = all(ours[c] in ("pass", "warn") for c in CHECKS)
    assert accepted == (got["openssl"] == "True"), f"{profile.host}: openssl {got['openssl']}"
