"""A fleet of real nginx endpoints for the benchmark, with a loopback DNS server for its names.

N targets `eI.bench.test`, each an HTTPS port on 127.0.0.1 and ::1 (TLS 1.2/1.3, ECDHE
suites, HSTS), one plain-HTTP port for all of them that redirects each host to its own HTTPS
port, and `stub_status` on a control port: nginx itself counts the connections a client
makes. Names resolve through a DNS server on 127.0.0.1 that answers A 127.0.0.1 and
AAAA ::1 for every name under `bench.test`, so a probe asks real DNS and sends nothing off
this machine. nginx is installed with apt-get when missing (root only).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from tests.probes import pki
from tests.probes.dnsserver import DnsServer

ZONE = "bench.test."


class WildcardDns(DnsServer):
    """Every name under bench.test has A 127.0.0.1 and AAAA ::1; the zone's NS is
    ns1.bench.test (same addresses), so the name-server checks are asked for real."""

    def __init__(self) -> None:
        self._cache: dict[bytes, bytes] = {}
        super().__init__({ZONE: {"NS": [f"ns1.{ZONE}"], "SOA": [_SOA]}}, ("127.0.0.1", "::1"))

    def answer(self, wire: bytes) -> bytes | None:
        """Answers are cached by question (the reply with the query's ID patched in), so the
        server's own CPU stays out of the client's measurement."""
        key = wire[2:]
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._answer(wire)
        return wire[:2] + cached[2:]

    def _answer(self, wire: bytes) -> bytes:
        q = dns.message.from_wire(wire)
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        question = q.question[0]
        name, rdtype = question.name, dns.rdatatype.to_text(question.rdtype)
        zone = dns.name.from_text(ZONE)
        if not name.is_subdomain(zone):
            r.set_rcode(dns.rcode.REFUSED)
            return r.to_wire()
        data = {"A": ["127.0.0.1"], "AAAA": ["::1"]}
        if name == zone:
            data = {"NS": [f"ns1.{ZONE}"], "SOA": [_SOA]}
        if rdtype in data:
            r.answer.append(dns.rrset.from_text_list(name, 60, "IN", rdtype, data[rdtype]))
        return r.to_wire()


_SOA = f"ns1.{ZONE} admin.{ZONE} 1 3600 600 86400 60"


def bench_pki(folder: Path) -> tuple[Path, Path]:
    """The fleet's test PKI in `folder`: one root (`root.pem`, what the probe is told to
    trust) and a wildcard leaf for every `*.bench.test` name; (certificate chain, key)."""
    root = pki.make_ca("Bench Root")
    leaf = pki.make_leaf("bench.test", root, san=["*.bench.test", "bench.test"])
    cert, key = pki.write_chain(folder, "leaf", leaf, root.cert)
    (folder / "root.pem").write_bytes(pki.pem(root.cert))
    return cert, key


def ensure_nginx() -> str:
    """The nginx binary, installed with apt-get if missing."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "nginx-light"],
        check=True,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )
    return "/usr/sbin/nginx"


def _free_ports(n: int) -> list[int]:
    """n ports free on both 127.0.0.1 and ::1 (checked by binding; nginx binds them next)."""
    out: list[int] = []
    start = random.randint(20000, 50000)
    port = start
    while len(out) < n:
        port += 1
        ok = True
        for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            s = socket.socket(fam, socket.SOCK_STREAM)
            try:
                s.bind((addr, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            out.append(port)
    return out


class NginxFleet:
    """`with NginxFleet(folder, n, cert, key) as fleet:` — fleet.ports, .http_port, .dns_port,
    fleet.accepts() (connections nginx accepted so far)."""

    def __init__(
        self,
        folder: Path,
        n: int,
        cert: Path,
        key: str | Path,
        workers: int = 1,
        names: int = 0,
    ) -> None:
        """n HTTPS ports; `names` host names eI.bench.test (default n), eI on port I mod n."""
        self.folder = folder
        self.nginx = ensure_nginx()
        *self.ports, self.http_port, self.status_port = _free_ports(n + 2)
        self.dns = WildcardDns()
        self.dns_port = self.dns.port
        hosts = "\n".join(f"    e{i}.bench.test {self.ports[i % n]};" for i in range(names or n))
        servers = "\n".join(
            f"  server {{ listen 127.0.0.1:{p} ssl; listen [::1]:{p} ssl; }}" for p in self.ports
        )
        (folder / "logs").mkdir(exist_ok=True)
        scratch = folder / "scratch"
        scratch.mkdir(exist_ok=True)
        conf = f"""
worker_processes {workers};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log error;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {scratch};
  proxy_temp_path {scratch};
  fastcgi_temp_path {scratch};
  uwsgi_temp_path {scratch};
  scgi_temp_path {scratch};
  ssl_certificate {cert};
  ssl_certificate_key {key};
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
  ssl_session_cache off;
  ssl_session_tickets off;
  keepalive_timeout 0;
  default_type text/html;
  add_header Strict-Transport-Security "max-age=31536000" always;
  map $host $tls_port {{
    default 443;
{hosts}
  }}
  server {{
    listen 127.0.0.1:{self.http_port}; listen [::1]:{self.http_port};
    return 301 https://$host:$tls_port$request_uri;
  }}
  server {{
    listen 127.0.0.1:{self.status_port};
    location / {{ stub_status; }}
  }}
{servers}
}}
"""
        # Every TLS server block answers the same page (nothing listens anywhere else).
        conf = conf.replace(
            "ssl; }",
            'ssl; location / { return 200 "<html><body>benchmark endpoint</body></html>\\n"; } }',
        )
        (folder / "nginx.conf").write_text(conf, encoding="utf-8")
        self.proc = subprocess.Popen(
            [self.nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(100):
            try:
                self.accepts()
                break
            except OSError:
                if self.proc.poll() is not None:
                    why = self.proc.stderr.read() if self.proc.stderr else ""
                    raise RuntimeError(f"nginx did not start: {why}") from None
                time.sleep(0.1)

    def accepts(self) -> int:
        """Connections nginx has accepted so far (stub_status; each ask counts one more)."""
        with socket.create_connection(("127.0.0.1", self.status_port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: status\r\n\r\n")
            text = b""
            while chunk := s.recv(4096):
                text += chunk
        m = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)", text)
        assert m, text
        return int(m.group(1))

    def cpu(self) -> float:
        """CPU seconds (user + system) nginx has used so far: the master and its workers."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields[1] is the parent's pid, [11] and [12] user and system time in ticks
            if int(entry.name) == self.proc.pid or int(fields[1]) == self.proc.pid:
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.dns.close()

    def __enter__(self) -> NginxFleet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
