"""Fetching against a real HTTP server on 127.0.0.1 started by the test."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.loopback import QuietHandler, Serve

from reader import __version__
from reader.errors import ReaderError
from reader.ingest.fetch import USER_AGENT, check_url, fetch, is_url

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "articles"
PAGE = (FIXTURES / "solar.html").read_bytes()
FEED = (FIXTURES / "tech.rss").read_bytes()
ETAG = '"feed-v1"'
LAST_MODIFIED = "Mon, 15 Jan 2024 10:00:00 GMT"

Route = Callable[[QuietHandler], None]


def _page(handler: QuietHandler) -> None:
    handler.reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})


def _feed(handler: QuietHandler) -> None:
    if handler.headers.get("If-None-Match") == ETAG or (
        handler.headers.get("If-Modified-Since") == LAST_MODIFIED
    ):
        handler.send_response(304)
        handler.send_header("ETag", ETAG)
        handler.end_headers()
        return
    handler.reply(
        200,
        FEED,
        {"Content-Type": "application/rss+xml", "ETag": ETAG, "Last-Modified": LAST_MODIFIED},
    )


def _echo_agent(handler: QuietHandler) -> None:
    handler.reply(
        200, handler.headers.get("User-Agent", "").encode(), {"Content-Type": "text/plain"}
    )


def _echo_path(handler: QuietHandler) -> None:
    handler.reply(200, handler.path.encode("ascii"), {"Content-Type": "text/plain"})


def _slow(handler: QuietHandler) -> None:
    time.sleep(3)
    handler.reply(200, b"too late")


def _trickle(handler: QuietHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.end_headers()
    for _ in range(40):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def _big_undeclared(handler: QuietHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.end_headers()
    for _ in range(64):
        handler.wfile.write(b"y" * 1024)


def _big_declared(handler: QuietHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(10 * 1024 * 1024))
    handler.end_headers()
    handler.wfile.write(b"z" * 1024)


def _redirect(target: str) -> Route:
    def route(handler: QuietHandler) -> None:
        handler.reply(302, headers={"Location": target})

    return route


ROUTES: dict[str, Route] = {
    "/page.html": _page,
    "/feed.rss": _feed,
    "/agent": _echo_agent,
    "/slow": _slow,
    "/trickle": _trickle,
    "/big": _big_undeclared,
    "/big-declared": _big_declared,
    "/moved": _redirect("/page.html"),
    "/loop-a": _redirect("/loop-b"),
    "/loop-b": _redirect("/loop-a"),
}


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        route = ROUTES.get(self.path) or (_echo_path if self.path.startswith("/echo/") else None)
        try:
            if route is None:
                self.reply(404, b"not found", {"Content-Type": "text/plain"})
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the timeout tests intend


@pytest.fixture
def server(serve: Serve) -> str:
    return serve(_Handler)


def test_fetches_a_page_with_its_content_type(server: str) -> None:
    result = fetch(f"{server}/page.html")
    assert result.status == 200
    assert result.content == PAGE
    assert result.content_type.startswith("text/html")
    assert not result.not_modified


def test_sends_a_proper_user_agent(server: str) -> None:
    result = fetch(f"{server}/agent")
    assert result.content.decode() == USER_AGENT
    assert f"reader/{__version__} (+terminal news reader)" == USER_AGENT
    assert re.fullmatch(r"reader/\d+\.\d+\.\d+ \(\+terminal news reader\)", USER_AGENT)


def test_follows_a_redirect_and_reports_the_final_url(server: str) -> None:
    result = fetch(f"{server}/moved")
    assert result.url == f"{server}/page.html"
    assert result.content == PAGE


def test_redirect_loop_is_one_sentence(server: str) -> None:
    url = f"{server}/loop-a"
    with pytest.raises(ReaderError) as caught:
        fetch(url, max_redirects=4)
    assert str(caught.value) == f"{url} redirects more than 4 times."


def test_404_names_the_url_and_status(server: str) -> None:
    url = f"{server}/nothing-here"
    with pytest.raises(ReaderError) as caught:
        fetch(url)
    assert str(caught.value) == f"{url} answered 404 Not Found."


def test_slow_server_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"/slow did not answer within 0\.5 seconds\."):
        fetch(f"{server}/slow", timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_trickling_server_hits_the_overall_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ReaderError, match=r"/trickle took longer than 1 seconds"):
        fetch(f"{server}/trickle", timeout=1.0)
    assert time.monotonic() - started < 3.0


def test_oversized_body_is_refused_while_streaming(server: str) -> None:
    with pytest.raises(ReaderError, match=r"/big is larger than 16384 bytes\."):
        fetch(f"{server}/big", max_bytes=16 * 1024)


def test_oversized_declared_length_is_refused_before_download(server: str) -> None:
    with pytest.raises(ReaderError, match=r"/big-declared is larger than 1 MB\."):
        fetch(f"{server}/big-declared", max_bytes=1024 * 1024)


def test_conditional_get_with_etag_and_last_modified(server: str) -> None:
    url = f"{server}/feed.rss"
    first = fetch(url)
    assert first.status == 200 and first.content == FEED
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    by_etag = fetch(url, etag=first.etag)
    assert by_etag.not_modified and by_etag.content == b""
    by_date = fetch(url, modified=first.last_modified)
    assert by_date.not_modified
    assert by_date.last_modified == LAST_MODIFIED


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "http://", "example.com/page", "file:///etc/passwd"]
)
def test_bad_urls_are_refused_by_name(url: str) -> None:
    with pytest.raises(ReaderError) as caught:
        fetch(url)
    assert url in str(caught.value)
    with pytest.raises(ReaderError):
        check_url(url)


def test_connection_refused_is_one_sentence() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(ReaderError) as caught:
        fetch(url)
    message = str(caught.value)
    assert message.startswith(f"Could not fetch {url}") and message.endswith(".")


def test_is_url() -> None:
    assert is_url("https://example.com") and is_url("HTTP://example.com")
    assert not is_url("/home/user/file.txt") and not is_url("ftp://x")


def test_arabic_url_path_is_percent_encoded(server: str) -> None:
    result = fetch(f"{server}/echo/أخبار?q=بحث")
    assert result.content == b"/echo/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1?q=%D8%A8%D8%AD%D8%AB"
