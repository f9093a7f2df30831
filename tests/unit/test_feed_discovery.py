"""`reader feed add` given a site's web page: the feed it links is found and subscribed to.

Against a real HTTP server on 127.0.0.1 and the real CLI in a subprocess, as the
library tests do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.errors import ReaderError
from reader.library import add_feed, find_feed
from reader.store import Store

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 document titled `title` with (guid, item title) items."""
    body = "".join(
        f"<item><title>{name}</title><link>https://example.com/{guid}</link><guid>{guid}</guid>"
        f"<description>نص الخبر: {name}.</description></item>"
        for guid, name in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def home_page(*links: str) -> bytes:
    """A site's home page whose head has the given `<link>` tags."""
    return (
        "<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>الموقع</title>"
        + "".join(links)
        + "</head><body><article><h1>مرحبا</h1><p>أهلا بكم في موقع الأخبار المحلية."
        "</p></article></body></html>"
    ).encode()


RSS_LINK = '<link rel="alternate" type="application/rss+xml" title="الأخبار" href="/news.rss">'
ATOM_LINK = "<link rel='alternate' type='application/atom+xml' href='/sport.atom'>"


@dataclass
class Site:
    """What the test server serves: path -> (status, body, headers)."""

    routes: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    base: str = ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    site: Site

    def do_GET(self) -> None:
        status, body, headers = self.site.routes.get(self.path, (404, b"missing", {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    handler = type("Handler", (_Handler,), {"site": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_DB": str(db), "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def feed_urls(db: Path) -> list[str]:
    return [row["url"] for row in json.loads(run_cli(db, "feed", "list", "--json").stdout)]


def titles(db: Path) -> set[str]:
    return {row["title"] for row in json.loads(run_cli(db, "list", "--json").stdout)}


def test_home_page_linking_a_feed_subscribes_to_it(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page('<link rel="stylesheet" href="/s.css">', RSS_LINK), HTML)
    site.routes["/news.rss"] = (200, rss("أخبار محلية", [("n1", "الأول")]), RSS)
    page, feed = f"{site.base}/", f"{site.base}/news.rss"

    added = run_cli(db, "feed", "add", page)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"{page} is a web page; subscribed to the feed it links, أخبار محلية ({feed}).",
        "Added 1 article.",
    ]
    assert added.stderr == ""
    assert feed_urls(db) == [feed]
    assert titles(db) == {"الأول"}

    site.routes["/news.rss"] = (200, rss("أخبار محلية", [("n2", "الثاني"), ("n1", "الأول")]), RSS)
    refreshed = run_cli(db, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "أخبار محلية: 1 new article." in refreshed.stdout
    assert titles(db) == {"الأول", "الثاني"}


def test_page_linking_two_feeds_takes_the_first_and_names_the_other(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page(RSS_LINK, ATOM_LINK), HTML)
    site.routes["/news.rss"] = (200, rss("أخبار محلية", [("n1", "الأول")]), RSS)
    page, feed, other = f"{site.base}/", f"{site.base}/news.rss", f"{site.base}/sport.atom"

    added = run_cli(db, "feed", "add", page)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[0] == (
        f"{page} is a web page linking 2 feeds; subscribed to the first, "
        f"أخبار محلية ({feed}); the other is {other}."
    )
    assert feed_urls(db) == [feed]


def test_page_without_a_feed_link_is_one_sentence_and_saves_nothing(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/"] = (200, home_page('<link rel="stylesheet" href="/s.css">'), HTML)
    page = f"{site.base}/"

    refused = run_cli(db, "feed", "add", page)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"reader: {page} is a web page with no RSS or Atom feed link; nothing was saved.\n"
    )
    assert feed_urls(db) == []
    assert titles(db) == set()


def test_a_feed_url_still_subscribes_directly(tmp_path: Path, site: Site) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/news.rss"] = (200, rss("أخبار محلية", [("n1", "الأول"), ("n2", "الثاني")]), RSS)
    feed = f"{site.base}/news.rss"

    added = run_cli(db, "feed", "add", feed)
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        f"Subscribed to أخبار محلية ({feed}).",
        "Added 2 articles.",
    ]
    assert feed_urls(db) == [feed]
    assert titles(db) == {"الأول", "الثاني"}


def test_links_resolve_against_the_page_after_redirects(tmp_path: Path, site: Site) -> None:
    site.routes["/home"] = (302, b"", {"Location": "/ar/index.html"})
    link = '<link rel="alternate" type="application/atom+xml" href="feed.atom">'
    site.routes["/ar/index.html"] = (200, home_page(link), HTML)
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>مدونة</title><id>urn:blog</id><updated>2024-01-01T00:00:00Z</updated>"
        "<entry><title>تدوينة</title><id>urn:post-1</id><updated>2024-01-01T00:00:00Z</updated>"
        "<content type='html'>&lt;p&gt;نص التدوينة.&lt;/p&gt;</content></entry></feed>"
    ).encode()
    site.routes["/ar/feed.atom"] = (200, atom, {"Content-Type": "application/atom+xml"})

    found = find_feed(f"{site.base}/home")
    assert (found.url, found.page, found.others) == (
        f"{site.base}/ar/feed.atom",
        f"{site.base}/home",
        (),
    )
    store = Store.open(tmp_path / "db" / "reader.json")
    try:
        feed, report = add_feed(store, f"{site.base}/home")
        assert feed.url == f"{site.base}/ar/feed.atom" and feed.title == "مدونة"
        assert [article.title for article in report.added] == ["تدوينة"]
    finally:
        store.close()


def test_a_linked_feed_that_is_not_a_feed_is_one_sentence(site: Site) -> None:
    site.routes["/"] = (200, home_page(RSS_LINK), HTML)
    site.routes["/news.rss"] = (200, home_page(), HTML)
    with pytest.raises(ReaderError) as caught:
        find_feed(f"{site.base}/")
    assert str(caught.value) == (
        f"{site.base}/ links {site.base}/news.rss as its feed, but that is not an RSS or Atom feed."
    )


def test_plain_text_is_still_not_a_feed(site: Site) -> None:
    site.routes["/notes"] = (200, "ملاحظات فقط".encode(), {"Content-Type": "text/plain"})
    with pytest.raises(ReaderError) as caught:
        find_feed(f"{site.base}/notes")
    assert str(caught.value) == f"{site.base}/notes is not an RSS or Atom feed."
