"""The network half of `reader.ingest.fetch`: one deadline for every socket step, addresses checked.

httpx's timeouts are per operation: a server sending one header byte a second never
trips a 30-second read timeout. Here every name lookup, connect, TLS handshake, read
and write of one fetch (redirects included) is given only what is left of a single
wall-clock deadline. The same layer resolves each host itself, checks the address
(not the name) against what the first URL allowed, and connects to exactly the
address it checked, so a name that resolves differently the second time gains nothing.

Imported only when something is fetched: httpx and the ssl stack cost 30-40 ms.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

Classify = Callable[[str], str]
"""An IP address (text) to its class: "public", "loopback", "private", "link-local", ..."""

PUBLIC = "public"


def address_class(address: str) -> str:
    """'public', or which kind of address a fetch must not be redirected to from a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"  # 0.0.0.0 reaches this machine
    if ip.is_link_local:
        return "link-local"  # 169.254.169.254: cloud metadata
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return PUBLIC


class AddressRefused(Exception):
    """A redirect led to an address of a class the first URL did not allow."""

    def __init__(self, host: str, address: str, kind: str, origin: str) -> None:
        super().__init__(f"{host} resolves to the {kind} address {address}")
        self.host = host
        self.address = address
        self.kind = kind
        self.origin = origin


@dataclass(slots=True)
class Deadline:
    """One wall-clock limit shared by every network step of a fetch."""

    seconds: float
    at: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.at = time.monotonic() + self.seconds

    def left(self, error: type[Exception], requested: float | None = None) -> float:
        """Seconds the next step may take (at most `requested`); `error` once none are left."""
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise error(f"the {self.seconds:g}-second deadline passed")
        return remaining if requested is None else min(requested, remaining)


def _resolve(host: str, port: int, deadline: Deadline) -> list[str]:
    """The host's addresses, looked up in a thread so a slow resolver cannot pass the deadline."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return [host]
    found: list[str] = []
    failed: list[OSError] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(str(info[4][0]) for info in infos)
        except OSError as error:
            failed.append(error)
        finally:
            done.set()

    threading.Thread(target=look_up, name="reader-resolve", daemon=True).start()
    if not done.wait(deadline.left(httpcore.ConnectTimeout)):
        raise httpcore.ConnectTimeout(f"looking up {host} took too long")
    if failed:
        raise httpcore.ConnectError(f"cannot resolve {host}: {failed[0]}")
    return list(dict.fromkeys(found))


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and handshake fits in the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.left(httpcore.ReadTimeout, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.left(httpcore.WriteTimeout, timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = self._deadline.left(httpcore.ConnectTimeout, timeout)
        return DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, limit), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


@dataclass(slots=True)
class GuardedBackend(httpcore.NetworkBackend):
    """Connects only within the deadline, and only to addresses the first URL allows.

    The first connection (the URL the user gave) may go anywhere, and its address's
    class joins "public" as what every later hop may reach: a public feed cannot send
    us to 127.0.0.1, 10.x or 169.254.169.254, while a feed on this machine or the
    local network can still redirect within its own kind of address.
    """

    deadline: Deadline
    classify: Classify = address_class
    origin: str = ""
    allowed: set[str] = field(default_factory=set)
    plain: httpcore.SyncBackend = field(default_factory=httpcore.SyncBackend)

    def _permitted(self, host: str, addresses: list[str]) -> list[str]:
        classes = [self.classify(address) for address in addresses]
        if not self.allowed:
            self.origin = classes[0] if classes else PUBLIC
            self.allowed = {PUBLIC, *classes}
            return addresses
        permitted = [a for a, kind in zip(addresses, classes, strict=True) if kind in self.allowed]
        if not permitted and addresses:
            raise AddressRefused(host, addresses[0], classes[0], self.origin)
        return permitted

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._permitted(host, _resolve(host, port, self.deadline))
        last: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            limit = self.deadline.left(httpcore.ConnectTimeout, timeout)
            try:
                stream = self.plain.connect_tcp(
                    address, port, limit, local_address, list(socket_options or [])
                )
            except httpcore.ConnectError as error:
                last = error
                continue
            return DeadlineStream(stream, self.deadline)
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("reader does not fetch over Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.deadline.left(httpcore.PoolTimeout)))


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (request and error mapping) over a `GuardedBackend`.

    Environment proxies are not used: the checks above must see the real address.
    """

    def __init__(self, backend: GuardedBackend) -> None:
        # Not super().__init__(): that would build (and load certificates for) a pool we discard.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=backend, retries=0
        )
