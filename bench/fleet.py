"""A local fleet of HTTPS endpoints for the benchmark: N ports, each on 127.0.0.1 and ::1.

One asyncio process serves every endpoint (TLS in OpenSSL, so Python is not the bottleneck)
and counts accepted connections; `python bench/fleet.py N CERT KEY` prints the first port and
the control port, then serves until killed. Connecting to the control port returns the count.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys

RESPONSE = (
    b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\n"
    b"Content-Length: 48\r\nConnection: close\r\n\r\n"
    b"<html><body>benchmark endpoint</body></html>\n\n\n\n"
)


class Http(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if b"\r\n\r\n" in self.buf:
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]
            self.transport.close()


async def main(n: int, cert: str, key: str) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    ctx.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    count = 0

    def factory() -> Http:
        nonlocal count
        count += 1
        return Http()

    ports: list[int] = []
    for _ in range(n):
        for _attempt in range(50):
            s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s4.bind(("127.0.0.1", 0))
            port = s4.getsockname()[1]
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            try:
                s6.bind(("::1", port))
            except OSError:
                s4.close()
                s6.close()
                continue
            for s in (s4, s6):
                s.listen(512)
                await loop.create_server(factory, sock=s, ssl=ctx, ssl_handshake_timeout=10)
            ports.append(port)
            break

    async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{count}\n".encode())
        await writer.drain()
        writer.close()

    ctl = await asyncio.start_server(control, "127.0.0.1", 0)
    ctl_port = ctl.sockets[0].getsockname()[1]
    sys.stdout.write(" ".join(map(str, [ctl_port, *ports])) + "\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
