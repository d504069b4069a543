"""The one bounded HTTP fetcher for documents and revocation data.

Every network read of this package goes through `fetch`: HTTP(S) only, a connect/read
timeout, an overall deadline, and a hard byte cap enforced while streaming, so a slow or
endless server can neither hang a run nor fill memory. Nothing a document names is ever
passed here; only URLs the user typed, and CRL/OCSP URLs of certificates whose chain has
already been verified to an anchor.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from assure.i18n import Msg

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "assure-verify-signature"


class FetchError(Exception):
    """A fetch that did not yield a complete body (network, HTTP status, deadline).

    It carries its message unworded (`message`), so verify-signature's output says it in
    the reader's language; `str()` is the English text that JSON keeps."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.text("en"))
        self.message = message


class TooLargeError(FetchError):
    """The body is over the byte cap: a property of the resource, not of the network."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of one fetch: bytes, per-operation timeout and overall deadline (seconds)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    deadline: float = 3 * DEFAULT_TIMEOUT


def is_url(text: str) -> bool:
    """True for `http://` and `https://` addresses (the only schemes fetched)."""
    return urlsplit(text).scheme.lower() in ("http", "https")


class _Watchdog:
    """Cuts every connection of one fetch when its deadline passes.

    Socket timeouts bound each receive, not the exchange: a server sending one header byte
    per second never trips them. The watchdog shuts the sockets down at the deadline, from
    any phase (connect, TLS handshake, status line, headers, body), so the blocked read
    returns and the fetch ends with "took longer".
    """

    def __init__(self, seconds: float) -> None:
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            if self.fired:
                _cut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                _cut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _cut(sock: socket.socket) -> None:
    # The plain socket's shutdown: an SSLSocket's own would drop its state under the reader.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """An adapter whose connections register their sockets with a watchdog."""

    def __init__(self, dog: _Watchdog) -> None:
        self._dog = dog
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        dog = self._dog

        class Http(urllib3.connection.HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                dog.add(sock)
                return sock

        class Https(urllib3.connection.HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                dog.add(sock)
                return sock

        class HttpPool(urllib3.connectionpool.HTTPConnectionPool):
            ConnectionCls = Http

        class HttpsPool(urllib3.connectionpool.HTTPSConnectionPool):
            ConnectionCls = Https

        self.poolmanager.pool_classes_by_scheme = {"http": HttpPool, "https": HttpsPool}


def fetch(
    url: str,
    limits: Limits = Limits(),
    *,
    data: bytes | None = None,
    content_type: str | None = None,
    allow_redirects: bool = True,
) -> bytes:
    """GET (or POST `data`) `url` and return the body, or raise FetchError.

    `limits.deadline` bounds the whole exchange (redirects included), whatever the server
    trickles; `limits.timeout` bounds each operation."""
    if not is_url(url):
        raise FetchError(Msg.of("sig.fetch.scheme", url=repr(url)))
    start = time.monotonic()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if content_type:
        headers["Content-Type"] = content_type
    dog = _Watchdog(limits.deadline)
    session = requests.Session()
    session.max_redirects = 5
    session.trust_env = False  # proxies from the environment would make runs differ
    adapter = _WatchedAdapter(dog)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        body = _exchange(session, url, limits, start, data, headers, allow_redirects)
        if dog.fired:  # a cut exchange may still parse as a short, "complete" response
            raise FetchError(_took_longer(url, limits))
        return body
    except FetchError:
        if dog.fired:
            raise FetchError(_took_longer(url, limits)) from None
        raise
    finally:
        dog.cancel()
        session.close()


def _exchange(
    session: requests.Session,
    url: str,
    limits: Limits,
    start: float,
    data: bytes | None,
    headers: dict[str, str],
    allow_redirects: bool,
) -> bytes:
    try:
        resp = session.request(
            "POST" if data is not None else "GET",
            url,
            data=data,
            headers=headers,
            timeout=(limits.timeout, limits.timeout),
            stream=True,
            allow_redirects=allow_redirects,
        )
        with resp:
            if resp.status_code != 200:
                raise FetchError(Msg.of("sig.fetch.status", status=resp.status_code, url=url))
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise TooLargeError(
                    Msg.of(
                        "sig.fetch.declared_too_large",
                        url=url,
                        size=int(declared),
                        limit=limits.max_bytes,
                    )
                )
            chunks: list[bytes] = []
            size = 0
            while True:
                # read1 returns after one receive, so a server trickling bytes cannot
                # stretch a single read past the deadline check below.
                chunk = resp.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > limits.max_bytes:
                    raise TooLargeError(
                        Msg.of("sig.fetch.too_large", url=url, limit=limits.max_bytes)
                    )
                if time.monotonic() - start > limits.deadline:
                    raise FetchError(_took_longer(url, limits))
                chunks.append(chunk)
            return b"".join(chunks)
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        seconds = f"{limits.timeout:g}"
        raise FetchError(Msg.of("sig.fetch.timeout", url=url, seconds=seconds)) from None
    except requests.ConnectionError:
        raise FetchError(Msg.of("sig.fetch.connection", url=url)) from None
    except requests.TooManyRedirects:
        raise FetchError(Msg.of("sig.fetch.redirects", url=url)) from None
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        said = f"{type(exc).__name__}: {_first_line(exc)}"  # the library's own words: data
        raise FetchError(Msg.of("sig.fetch.other", url=url, error=said)) from None


def _took_longer(url: str, limits: Limits) -> Msg:
    return Msg.of("sig.fetch.deadline", url=url, seconds=f"{limits.deadline:g}")


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


class Cache:
    """Answers fetched in one run, failures included.

    Many documents of a batch share their CA's CRL and responder; each is asked once, and a
    responder that is down costs its timeout once, not once per document.
    """

    def __init__(self) -> None:
        self._store: dict[tuple[str, bytes | None], bytes | Msg] = {}

    def fetch(
        self,
        url: str,
        limits: Limits = Limits(),
        *,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        key = (url, data)
        hit = self._store.get(key)
        if hit is None:
            try:
                hit = fetch(url, limits, data=data, content_type=content_type)
            except TooLargeError as exc:
                hit = Msg.of("sig.fetch.cached_too_large", detail=exc.message)
            except FetchError as exc:
                hit = exc.message
            self._store[key] = hit
        if isinstance(hit, Msg):
            raise FetchError(hit)
        return hit
