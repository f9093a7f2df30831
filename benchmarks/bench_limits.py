"""Limits that hold for any input: the hostile-server matrix and deep HTML nesting.

Run: .venv/bin/python benchmarks/bench_limits.py [--deadline S] [--before GIT_REF]

1. Hostile servers on loopback (slow headers, slow body, endless body, a gzip bomb, huge
   headers, a silent server, redirect loops, redirects to private addresses, ...): what
   `reader.ingest.fetch.fetch` says and how long it took, against the per-URL deadline.
2. `reader refresh` of 8 feeds of which 4 stall: the total time against one deadline.
3. Nesting depth: `<div>` nested N deep through the block collector, a web page and a feed
   entry; target <= 3 s for 100,000 levels. With --before REF the same is measured on that
   commit (depths up to 20,000 only: the old collector was quadratic) for a before/after table.

Best of a few runs where timings are short: the machine is shared.
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reader.errors import ReaderError
from reader.ingest.fetch import fetch
from reader.ingest.library import refresh_feeds
from reader.models import Feed
from reader.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
NESTING_TARGET = 3.0

Route = Callable[[socketserver.StreamRequestHandler], None]


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", "Connection: close"]
    lines += [f"{key}: {value}" for key, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _write(handler: socketserver.StreamRequestHandler, data: bytes) -> None:
    handler.wfile.write(data)
    handler.wfile.flush()


def _slow_headers(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, b"HTTP/1.1 200 OK\r\n")
    for _ in range(3600):
        _write(handler, b"X")  # one byte of a header name a second
        time.sleep(1)


def _slow_body(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, _head("200 OK", {"Content-Length": "100000", "Content-Type": "text/html"}))
    for _ in range(100000):
        _write(handler, b"<")
        time.sleep(0.5)


def _endless_body(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, _head("200 OK", {"Content-Type": "text/html"}))
    chunk = b"<p>" + b"x" * 65533
    while True:
        handler.wfile.write(chunk)


def _huge_declared(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, _head("200 OK", {"Content-Length": str(10**12)}))


GZIP_BOMB = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)


def _gzip_bomb(handler: socketserver.StreamRequestHandler) -> None:
    headers = {"Content-Encoding": "gzip", "Content-Length": str(len(GZIP_BOMB))}
    _write(handler, _head("200 OK", {**headers, "Content-Type": "text/html"}) + GZIP_BOMB)


def _huge_headers(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (8 * 1024 * 1024) + b"\r\n\r\n")


def _many_headers(handler: socketserver.StreamRequestHandler) -> None:
    _write(handler, b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 200_000 + b"\r\n")


def _silent(handler: socketserver.StreamRequestHandler) -> None:
    time.sleep(3600)


def _redirect(location: str) -> Route:
    def route(handler: socketserver.StreamRequestHandler) -> None:
        _write(handler, _head("302 Found", {"Location": location, "Content-Length": "0"}))

    return route


def _feed(handler: socketserver.StreamRequestHandler) -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>خبر</title>'
        "<item><title>أ</title><link>https://example.com/a</link><description>نص.</description>"
        "</item></channel></rss>"
    ).encode()
    _write(handler, _head("200 OK", {"Content-Length": str(len(body))}) + body)


class _Handler(socketserver.StreamRequestHandler):
    routes: dict[str, Route]

    def handle(self) -> None:
        request = self.rfile.readline(65536).split()
        while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
            pass
        path = request[1].decode() if len(request) > 1 else "/"
        route = self.routes.get(path.split("?")[0])
        with suppress(OSError):
            if route is not None:
                route(self)


@contextmanager
def _serve(routes: dict[str, Route]) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def hostile_matrix(deadline: float) -> None:
    routes: dict[str, Route] = {
        "/slow-headers": _slow_headers,
        "/slow-body": _slow_body,
        "/silent": _silent,
        "/endless-body": _endless_body,
        "/huge-declared": _huge_declared,
        "/gzip-bomb": _gzip_bomb,
        "/huge-headers": _huge_headers,
        "/many-headers": _many_headers,
        "/loop-a": _redirect("/loop-b"),
        "/loop-b": _redirect("/loop-a"),
        "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-private": _redirect("http://10.0.0.1/admin"),
        "/to-mapped": _redirect("http://[::ffff:169.254.169.254]/"),
        "/to-ftp": _redirect("ftp://example.com/x"),
    }
    print(f"Hostile servers (deadline {deadline:g} s per URL, 50 MB, 5 redirects)")
    print(f"{'case':<16} {'seconds':>8}  {'within':<6}  outcome")
    with _serve(routes) as base:
        cases = [path.lstrip("/") for path in routes if path != "/loop-b"]
        urls = {case: f"{base}/{case}" for case in cases}
        urls["refused-port"] = f"http://127.0.0.1:{_closed_port()}/"
        for case, url in urls.items():
            started = time.perf_counter()
            try:
                result = fetch(url, timeout=deadline)
                outcome = f"fetched {len(result.content)} bytes"
            except ReaderError as error:
                outcome = str(error).replace(base, "")
            seconds = time.perf_counter() - started
            within = "ok" if seconds <= deadline + 1 else "OVER"
            print(f"{case:<16} {seconds:8.2f}  {within:<6}  {outcome[:110]}")


def refresh_matrix(deadline: float) -> None:
    routes: dict[str, Route] = {"/good": _feed, "/stalled": _slow_headers}
    with _serve(routes) as base, tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "reader.json")
        try:
            for index in range(8):
                kind = "stalled" if index % 2 else "good"
                store.put_feed(Feed(url=f"{base}/{kind}?n={index}"))
            os.environ["READER_FETCH_TIMEOUT"] = str(deadline)
            started = time.perf_counter()
            report = refresh_feeds(store)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    failed = len(report.failed)
    print(
        f"\nrefresh of 8 feeds, 4 stalled: {seconds:.2f} s (one at a time would take "
        f">= {4 * deadline:g} s; target about one deadline, {deadline:g} s); "
        f"{failed} failed, {len(report.results) - failed} refreshed"
    )


NESTING_SCRIPT = """
import html, sys, time
from reader.ingest.articles import parse_bytes
from reader.ingest.formats.feed import parse_feed
from reader.ingest.formats.html import html_to_blocks
depth = int(sys.argv[1])
inner = "<div>" * depth + "<p>نص</p>" + "</div>" * depth
page = f"<html><body>{inner}</body></html>".encode()
feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>f</title><item><title>e</title>'
        f"<link>https://example.com/e</link><description>{html.escape(inner)}</description>"
        "</item></channel></rss>").encode()
for name, work in (
    ("blocks", lambda: html_to_blocks(inner)),
    ("page", lambda: parse_bytes(page, source="https://example.com/p", content_type="text/html")),
    ("feed", lambda: parse_feed(feed, url="https://example.com/f")),
):
    started = time.perf_counter()
    work()
    print(name, time.perf_counter() - started, len(feed))
"""


def _nesting(root: Path, depth: int, limit: float) -> dict[str, float] | None:
    """Seconds per path for `depth` levels with the code at `root` (None when over `limit`)."""
    try:
        output = subprocess.run(
            [sys.executable, "-c", NESTING_SCRIPT, str(depth)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    return {line.split()[0]: float(line.split()[1]) for line in output.splitlines()}


def nesting_table(before: str | None, runs: int) -> None:
    depths = [1_000, 5_000, 20_000, 100_000]
    columns = ["blocks", "page", "feed"]
    print("\nNesting depth: <div> x N, seconds (blocks = html_to_blocks alone, page = a web page")
    print("through trafilatura and the collector, feed = one RSS entry through feedparser)")
    tables: list[tuple[str, Path]] = [("now", ROOT)]
    with tempfile.TemporaryDirectory() as folder:
        if before:
            old = Path(folder)
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", before], capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            tables.insert(0, (before, old))
        print(f"{'code':<10} {'depth':>8} " + " ".join(f"{c:>9}" for c in columns))
        for label, root in tables:
            for depth in depths:
                if label != "now" and depth > 20_000:
                    print(f"{label:<10} {depth:>8}   (not run: quadratic)")
                    continue
                best: dict[str, float] = {}
                for _ in range(runs if depth <= 20_000 else 1):
                    found = _nesting(root, depth, 300)
                    if found is None:
                        break
                    best = {k: min(v, best.get(k, v)) for k, v in found.items()}
                cells = " ".join(
                    f"{best[c]:9.2f}" if c in best else f"{'>300':>9}" for c in columns
                )
                verdict = ""
                if label == "now" and depth == 100_000:
                    worst = max(best.values(), default=float("inf"))
                    ok = worst <= NESTING_TARGET
                    verdict = f"  (target <= {NESTING_TARGET:g} s) {'ok' if ok else 'OVER TARGET'}"
                print(f"{label:<10} {depth:>8} {cells}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=5.0, help="per-URL deadline, seconds")
    parser.add_argument("--before", metavar="GIT_REF", help="also time nesting on this commit")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    hostile_matrix(args.deadline)
    refresh_matrix(args.deadline)
    nesting_table(args.before, args.runs)


if __name__ == "__main__":
    main()
