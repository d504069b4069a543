"""Servers for the network-namespace tests, run inside the server namespace.

`python -m tests.probes.nsfixture CONFIG.json` starts a DNS server and HTTP(S) servers on the
addresses the config names, prints `ready`, and serves until it is terminated.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from tests.probes.dnsserver import DnsServer
from tests.probes.servers import Server, response, server_context

HSTS = {"Strict-Transport-Security": "max-age=31536000"}


def main(config: dict[str, Any]) -> None:
    keep: list[object] = [
        DnsServer(config["dns"]["records"], tuple(config["dns"]["addresses"]), 53)
    ]
    for site in config["https"]:
        ctx = server_context(Path(site["cert"]), Path(site["key"]))
        body = site["body"].encode()
        keep.append(
            Server(
                tls=ctx,
                handler=lambda _p, _h, b=body: response(body=b, headers=HSTS),
                addresses=tuple(site["addresses"]),
                port=443,
            )
        )
    for site in config["http"]:
        keep.append(
            Server(
                handler=lambda _p, h: response(
                    301, b"", {"Location": f"https://{h.split(':')[0]}/"}
                ),
                addresses=tuple(site["addresses"]),
                port=80,
            )
        )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    threading.Event().wait()


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
