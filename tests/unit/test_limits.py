"""Time limits that hold for any input: deep HTML, slow servers, hostile redirects.

Everything goes through the `reader` command in a subprocess, with real files, a real
database on disk and loopback HTTP servers started by the test.
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.loopback import serving

from reader.errors import ReaderError
from reader.ingest.fetch import fetch
from reader.ingest.fetch_net import address_class
from reader.models import Feed
from reader.store.database import Store

ARABIC = "نص عربي في أعمق عنصر"


def run_cli(
    db: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`reader ARGS` on `db`; the result and how long it took (a hang fails the test)."""
    full_env = {**os.environ, "READER_DB": str(db), "COLUMNS": "120", "NO_COLOR": "1"}
    full_env.update(env or {})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )
    return result, time.monotonic() - started


def stored(db: Path) -> list[tuple[str, str]]:
    """(title, text) of every article in the database on disk."""
    store = Store.open(db)
    try:
        articles = [store.get_article(summary.id) for summary in store.list_articles()]
        return [(article.title, article.text) for article in articles if article is not None]
    finally:
        store.close()


# ------------------------------------------------------------------ deep nesting


def nested(depth: int, text: str = ARABIC) -> str:
    return "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth


def test_a_page_nested_100000_deep_is_imported_in_linear_time(tmp_path: Path) -> None:
    # Before: the block collector rescanned its open-tag stack for every tag (455 s here).
    page = tmp_path / "deep.html"
    page.write_text(f"<html><body>{nested(100_000)}</body></html>", encoding="utf-8")
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", str(page), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Added 1 article.\n"
    assert stored(db) == [(ARABIC, ARABIC)]
    assert seconds < 30


def test_a_feed_entry_nested_20000_deep_is_imported_in_linear_time(tmp_path: Path) -> None:
    # A 460 KB entry: 34 s before, in feedparser's sanitiser and then our collector.
    entry = html.escape(nested(20_000))
    feed = tmp_path / "deep.rss"
    feed.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>عميق</title>'
        "<item><title>خبر عميق</title><link>https://example.com/deep</link>"
        f"<description>{entry}</description></item></channel></rss>",
        encoding="utf-8",
    )
    assert feed.stat().st_size > 450_000
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", str(feed), timeout=60)
    assert result.returncode == 0, result.stderr
    assert stored(db) == [("خبر عميق", ARABIC)]
    assert seconds < 20


# ------------------------------------------------------------- hostile servers

Route = Callable[[socketserver.StreamRequestHandler, str], None]
"""Answers one request: writes raw bytes to the handler's socket (the path is given)."""


def answer(status: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def trickle(data: bytes, every: float) -> Route:
    """Send `data` one byte every `every` seconds (stopping when the client hangs up)."""

    def route(handler: socketserver.StreamRequestHandler, path: str) -> None:
        for index in range(len(data)):
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()
            time.sleep(every)

    return route


def fixed(data: bytes) -> Route:
    def route(handler: socketserver.StreamRequestHandler, path: str) -> None:
        handler.wfile.write(data)

    return route


def then(*routes: Route) -> Route:
    def route(handler: socketserver.StreamRequestHandler, path: str) -> None:
        for each in routes:
            each(handler, path)

    return route


def redirect(location: str) -> Route:
    return fixed(answer("302 Found", headers={"Location": location}))


SLOW_HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Pad: " + b"a" * 200


class _RawHandler(socketserver.StreamRequestHandler):
    routes: dict[str, Route]
    hits: list[str]

    def handle(self) -> None:
        request = self.rfile.readline(65536).decode("latin-1").split()
        while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
            pass
        path = request[1] if len(request) > 1 else "/"
        self.hits.append(path)
        route = self.routes.get(path) or fixed(answer("404 Not Found", b"missing"))
        with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as meant
            route(self, path)


@dataclass
class Server:
    """A loopback server answering raw bytes per path, so headers can be hostile too."""

    base: str
    routes: dict[str, Route]
    hits: list[str]


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[Server]:
    routes: dict[str, Route] = {}
    hits: list[str] = []
    handler = type("Handler", (_RawHandler,), {"routes": routes, "hits": hits})
    with serving(handler, host) as base:
        yield Server(base, routes, hits)


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def rss(title: str, *items: str) -> bytes:
    entries = "".join(
        f"<item><title>{item}</title><link>https://example.com/{item}</link>"
        f"<description>نص {item}.</description></item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{entries}</channel></rss>"
    ).encode()


# ------------------------------------------------------------------ one deadline


def test_add_gives_up_on_headers_trickled_a_byte_at_a_time(tmp_path: Path, server: Server) -> None:
    # Before: each byte reset httpx's read timeout, so this held `reader add` for minutes.
    server.routes["/feed"] = trickle(SLOW_HEADERS, 0.25)
    url = f"{server.base}/feed"
    db = tmp_path / "db" / "reader.json"
    # The deadline is short (what it checks is that bytes arriving faster than it do not
    # extend it), so the test does not wait long for it.
    result, seconds = run_cli(db, "add", url, env={"READER_FETCH_TIMEOUT": "0.5"}, timeout=40)
    assert result.returncode == 1
    assert result.stderr == f"reader: {url} did not answer within 0.5 seconds.\n"
    assert seconds < 12


def test_a_body_trickled_past_the_deadline_is_not_saved(tmp_path: Path, server: Server) -> None:
    body = rss("بطيء", "a")
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
    server.routes["/feed"] = then(fixed(head), trickle(body, 0.1))
    url = f"{server.base}/feed"
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", url, env={"READER_FETCH_TIMEOUT": "0.8"}, timeout=40)
    assert result.returncode == 1
    assert result.stderr == f"reader: {url} took longer than 0.8 seconds to download.\n"
    assert stored(db) == []
    assert seconds < 12


def subscribe(db: Path, *urls: str) -> None:
    store = Store.open(db)
    try:
        for url in urls:
            store.put_feed(Feed(url=url, title=url.rsplit("/", 1)[-1]))
    finally:
        store.close()


def test_refresh_fetches_feeds_at_once_and_reports_them_in_order(
    tmp_path: Path, server: Server
) -> None:
    # Four feeds trickle their headers forever; three answer at once. One at a time, the slow
    # ones would take 4 x 2 s; at most four at once, about one deadline.
    names = ["slow1", "good1", "slow2", "slow3", "good2", "slow4", "good3"]
    for name in names:
        if name.startswith("slow"):
            server.routes[f"/{name}"] = trickle(SLOW_HEADERS, 0.25)
        else:
            body = rss(f"خبر {name}", f"{name}-a", f"{name}-b")
            server.routes[f"/{name}"] = fixed(answer("200 OK", body, {"Content-Type": "text/xml"}))
    db = tmp_path / "db" / "reader.json"
    subscribe(db, *(f"{server.base}/{name}" for name in names))
    result, seconds = run_cli(db, "refresh", env={"READER_FETCH_TIMEOUT": "2"}, timeout=60)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "خبر good1: 2 new articles.",
        "خبر good2: 2 new articles.",
        "خبر good3: 2 new articles.",
        "6 new articles from 7 feeds.",
    ]
    assert result.stderr.splitlines() == [
        f"reader: {server.base}/{name} did not answer within 2 seconds."
        for name in names
        if name.startswith("slow")
    ]
    assert seconds < 2 * 4 - 1
    assert sorted(title for title, _ in stored(db)) == sorted(
        f"{name}-{letter}" for name in names if name.startswith("good") for letter in "ab"
    )


# ------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    ("target", "shown", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
        ("http://10.20.30.40/admin", "10.20.30.40", "private"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "link-local"),
        ("http://0.0.0.0:9/", "0.0.0.0", "unspecified"),
    ],
)
def test_a_redirect_to_another_kind_of_private_address_is_refused(
    tmp_path: Path, server: Server, target: str, shown: str, kind: str
) -> None:
    # The first URL is on loopback, so loopback and public addresses may follow: not these.
    server.routes["/go"] = redirect(target)
    url = f"{server.base}/go"
    db = tmp_path / "db" / "reader.json"
    result, seconds = run_cli(db, "add", url, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith(f"reader: {url} redirects to {shown}, a {kind} address")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert seconds < 15


@pytest.mark.parametrize(
    ("route", "said"),
    [
        (redirect("ftp://example.com/feed"), "redirects to a URL that is not http or https."),
        (fixed(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 300_000), "sent response headers longer"),
        (fixed(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 50_000), "sent response headers longer"),
    ],
    ids=["ftp-redirect", "one-huge-header", "many-headers"],
)
def test_hostile_answers_are_one_sentence(
    tmp_path: Path, server: Server, route: Route, said: str
) -> None:
    server.routes["/x"] = route
    url = f"{server.base}/x"
    result, _ = run_cli(tmp_path / "db" / "reader.json", "add", url)
    assert result.returncode == 1
    assert result.stderr.startswith(f"reader: {url} {said}")
    assert result.stderr.count("\n") == 1 and result.stderr.endswith(".\n")


def test_a_redirect_within_the_first_urls_kind_of_address_is_followed(
    tmp_path: Path, server: Server
) -> None:
    server.routes["/feed"] = fixed(answer("200 OK", rss("محلي", "x"), {"Content-Type": "text/xml"}))
    port = server.base.rsplit(":", 1)[1]
    server.routes["/go"] = redirect(f"http://localhost:{port}/feed")
    db = tmp_path / "db" / "reader.json"
    result, _ = run_cli(db, "add", f"{server.base}/go")
    assert result.returncode == 0, result.stderr
    assert [title for title, _ in stored(db)] == ["x"]


def public_only(addresses: set[str]) -> Callable[[str], str]:
    """Classify as `address_class` does, except that `addresses` count as public."""
    return lambda address: "public" if address in addresses else address_class(address)


def test_every_hop_from_a_public_address_is_checked_by_its_resolved_address() -> None:
    # 127.0.0.2 and 127.0.0.3 stand in for public sites; 'localhost' is a name, so only the
    # address it resolves to can tell it is this machine.
    with serve("127.0.0.2") as first, serve("127.0.0.3") as second:
        port = first.base.rsplit(":", 1)[1]
        second.routes["/feed"] = fixed(answer("200 OK", rss("عام", "y")))
        second.routes["/home"] = redirect(f"http://localhost:{port}/secret")
        first.routes["/ok"] = redirect(f"{second.base}/feed")
        first.routes["/sneaky"] = redirect(f"{second.base}/home")
        first.routes["/secret"] = fixed(answer("200 OK", b"secret"))
        classify = public_only({"127.0.0.2", "127.0.0.3"})

        assert fetch(f"{first.base}/ok", classify=classify).url == f"{second.base}/feed"
        with pytest.raises(ReaderError) as caught:
            fetch(f"{first.base}/sneaky", classify=classify)
        message = str(caught.value)
        assert message.startswith(f"{first.base}/sneaky redirects to localhost (")
        assert ", a loopback address; " in message
        assert "public address" in message
        assert "/secret" not in first.hits and second.hits == ["/feed", "/home"]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.4.5.6", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "reserved"),
        ("8.8.8.8", "public"),
        ("2606:4700:4700::1111", "public"),
    ],
)
def test_address_classes(address: str, kind: str) -> None:
    assert address_class(address) == kind


def _sigint_as_usual() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_an_interrupted_refresh_does_not_wait_for_stalled_feeds(
    tmp_path: Path, server: Server
) -> None:
    names = ["stall1", "stall2"]
    for name in names:
        server.routes[f"/{name}"] = trickle(SLOW_HEADERS, 0.25)
    db = tmp_path / "db" / "reader.json"
    subscribe(db, *(f"{server.base}/{name}" for name in names))
    env = {**os.environ, "READER_DB": str(db), "READER_FETCH_TIMEOUT": "60", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "refresh"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Ctrl-C as a shell in the foreground delivers it: a runner started in the background
        # (`pytest &` in a script) ignores SIGINT, its children inherit that, and Python then
        # installs no KeyboardInterrupt handler (the test would wait out the deadline).
        preexec_fn=_sigint_as_usual,
    )
    try:
        waited = time.monotonic()
        while len(server.hits) < len(names) and time.monotonic() - waited < 30:
            time.sleep(0.05)
        assert sorted(server.hits) == [f"/{name}" for name in names]
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        assert time.monotonic() - interrupted < 5
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130
    assert stderr == "reader: interrupted.\n"


# ------------------------------------------------------------------------- TLS


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1: (certificate, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
    ]
    names = ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(
        ["openssl", *request, *names, "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=True,
    )
    return cert, key


@contextmanager
def serve_tls(cert: Path, key: Path, routes: dict[str, Route]) -> Iterator[int]:
    """The raw server above behind TLS on 127.0.0.1; yields the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    class Handler(_RawHandler):
        def setup(self) -> None:
            self.request = context.wrap_socket(self.request, server_side=True)
            super().setup()

    Handler.routes, Handler.hits = routes, []
    with serving(Handler) as base:
        yield int(base.rsplit(":", 1)[1])


def test_https_goes_through_the_same_deadline_and_checks_the_certificate(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    routes: dict[str, Route] = {
        "/feed": fixed(answer("200 OK", rss("آمن", "tls"), {"Content-Type": "text/xml"})),
        "/slow": trickle(SLOW_HEADERS, 0.25),
    }
    trusted = {"SSL_CERT_FILE": str(cert)}
    db = tmp_path / "db" / "reader.json"
    with serve_tls(cert, key, routes) as port:
        added, _ = run_cli(db, "add", f"https://localhost:{port}/feed", env=trusted)
        assert added.returncode == 0, added.stderr
        assert [title for title, _ in stored(db)] == ["tls"]

        url = f"https://localhost:{port}/slow"
        short = {**trusted, "READER_FETCH_TIMEOUT": "0.5"}
        slow, seconds = run_cli(db, "add", url, env=short, timeout=40)
        assert slow.stderr == f"reader: {url} did not answer within 0.5 seconds.\n"
        assert seconds < 12

        untrusted, _ = run_cli(db, "add", f"https://localhost:{port}/feed")
        assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr


def test_a_tls_handshake_that_never_ends_is_held_to_the_deadline(tmp_path: Path) -> None:
    # A server that accepts the connection and then says nothing at all.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/feed"
        db = tmp_path / "db" / "reader.json"
        result, seconds = run_cli(db, "add", url, env={"READER_FETCH_TIMEOUT": "0.5"}, timeout=40)
    assert result.stderr == f"reader: {url} did not answer within 0.5 seconds.\n"
    assert seconds < 12


def test_a_bad_deadline_setting_is_one_sentence(tmp_path: Path, server: Server) -> None:
    server.routes["/feed"] = fixed(answer("200 OK", rss("خبر", "z"), {"Content-Type": "text/xml"}))
    db = tmp_path / "db" / "reader.json"
    url = f"{server.base}/feed"
    result, _ = run_cli(db, "add", url, env={"READER_FETCH_TIMEOUT": "soon"})
    assert result.returncode == 1
    assert (
        result.stderr == "reader: READER_FETCH_TIMEOUT must be a number of seconds, not 'soon'.\n"
    )
    assert server.hits == [] and stored(db) == []
