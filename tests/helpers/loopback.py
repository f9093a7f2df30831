"""Loopback servers for the tests that fetch: a real socket on 127.0.0.1 served by a thread, so
the code under test goes through httpx, DNS-free, exactly as it does against a real site."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Protocol


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.0 handler (one request a connection) that logs nothing, with `reply`."""

    protocol_version = "HTTP/1.0"

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Send a whole answer; Content-Length is the body's unless `headers` sets it."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def serving(
    handler: type[socketserver.BaseRequestHandler], host: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve `handler` on a free port of `host` until the block ends; yields the base URL.

    Each connection gets its own daemon thread, so a handler that stalls on purpose (a slow or
    held answer) neither blocks the others nor holds up the shutdown."""
    server = socketserver.ThreadingTCPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Serve(Protocol):
    """The `serve` fixture: starts a loopback server for a handler class, returns its base URL;
    every server it started stops when the test ends."""

    def __call__(
        self, handler: type[socketserver.BaseRequestHandler], host: str = "127.0.0.1"
    ) -> str: ...
