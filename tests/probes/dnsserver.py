"""A small authoritative DNS server speaking the real wire protocol (UDP and TCP).

Records are a dict: name → {type: [rdata text]}. It answers authoritatively for the names it
holds (NXDOMAIN for other names under its zones, REFUSED elsewhere). Run in a thread for the
loopback tests, or as a process (`python -m tests.probes.dnsserver ADDR PORT JSON`) inside a
network namespace.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

Records = dict[str, dict[str, list[str]]]


class DnsServer:
    def __init__(
        self,
        records: Records,
        addresses: tuple[str, ...] = ("127.0.0.1",),
        port: int = 0,
        *,
        udp: str = "answer",
        lame: bool = False,
    ) -> None:
        """`udp`: 'answer', or 'silent' (only TCP answers). `lame`: replies are not
        authoritative. Per name, `SERVFAIL`/`REFUSED`/`GARBAGE`/`TRUNC`/`DROP`: [types]."""
        self.udp_mode = udp
        self.lame = lame
        self.records = {dns.name.from_text(k): v for k, v in records.items()}
        self.zones = [n for n, v in self.records.items() if "SOA" in v or "NS" in v]
        self._stop = threading.Event()
        self.socks: list[socket.socket] = []
        self.port = port
        for _ in range(20):
            socks = []
            try:
                for i, addr in enumerate(addresses):
                    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                    u = socket.socket(fam, socket.SOCK_DGRAM)
                    socks.append(u)
                    u.bind((addr, self.port))
                    if self.port == 0 and i == 0:
                        self.port = u.getsockname()[1]
                    t = socket.socket(fam, socket.SOCK_STREAM)
                    socks.append(t)
                    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    t.bind((addr, self.port))
                    t.listen(16)
            except OSError:
                for s in socks:
                    s.close()
                if port:
                    raise
                self.port = 0
                continue
            self.socks = socks
            break
        for s in self.socks:
            s.settimeout(0.2)
            fn = self._udp if s.type == socket.SOCK_DGRAM else self._tcp
            threading.Thread(target=fn, args=(s,), daemon=True).start()

    def answer(self, wire: bytes, tcp: bool = False) -> bytes | None:
        """The reply to a query; None = stay silent (a name listed with DROP: [type])."""
        q = dns.message.from_wire(wire)
        r = dns.message.make_response(q)
        if not self.lame:
            r.flags |= dns.flags.AA
        question = q.question[0]
        name, rdtype = question.name, dns.rdatatype.to_text(question.rdtype)
        if not any(name.is_subdomain(z) for z in self.zones):
            r.set_rcode(dns.rcode.REFUSED)
            return r.to_wire()
        data = self.records.get(name)
        if data is not None and rdtype in data.get("DROP", []):
            return None
        if data is not None and rdtype in data.get("GARBAGE", []):
            return wire[:2] + b"\x81\x80garbage that is not a DNS message"
        for rcode in ("SERVFAIL", "REFUSED"):
            if data is not None and rdtype in data.get(rcode, []):
                r.set_rcode(dns.rcode.from_text(rcode))
                return r.to_wire()
        if data is not None and rdtype in data.get("TRUNC", []):
            if tcp:
                return None  # truncated over UDP, and TCP never completes it
            r.flags |= dns.flags.TC
            return r.to_wire()
        if data is None:
            r.set_rcode(dns.rcode.NXDOMAIN)
            return r.to_wire()
        if rdtype in data and rdtype != "DROP":
            r.answer.append(dns.rrset.from_text_list(name, 60, "IN", rdtype, data[rdtype]))
        return r.to_wire()

    def _udp(self, s: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = s.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            if self.udp_mode == "silent":
                continue
            with contextlib.suppress(Exception):
                out = self.answer(wire)
                if out is not None:
                    s.sendto(out, peer)

    def _tcp(self, s: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = s.accept()
            except (TimeoutError, OSError):
                continue
            with conn, contextlib.suppress(Exception):
                conn.settimeout(2)
                (n,) = struct.unpack("!H", conn.recv(2))
                wire = b""
                while len(wire) < n:
                    wire += conn.recv(n - len(wire))
                reply = self.answer(wire, tcp=True)
                if reply is not None:
                    conn.sendall(struct.pack("!H", len(reply)) + reply)

    def close(self) -> None:
        self._stop.set()
        for s in self.socks:
            s.close()


if __name__ == "__main__":
    server = DnsServer(json.loads(sys.argv[3]), tuple(sys.argv[1].split(",")), int(sys.argv[2]))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    threading.Event().wait()
