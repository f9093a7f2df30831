"""RSS 2.0 and Atom feeds parsed into articles, and feed recognition."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.errors import ReaderError
from reader.ingest.articles import parse_path
from reader.ingest.formats.feed import (
    discover_feed_links,
    entry_keys,
    looks_like_feed,
    parse_feed,
)
from reader.ingest.metadata import article_id_for, scoped_entry_id

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "articles"
FEED_URL = "https://example.com/feed.rss"


def test_rss_entries_become_articles() -> None:
    feed = parse_feed((FIXTURES / "tech.rss").read_bytes(), url=FEED_URL)
    assert feed.title == "أخبار التقنية"
    assert feed.link == "https://example.com/"
    first, second = feed.articles
    assert first.title == "إطلاق قمر صناعي عربي جديد"
    assert first.source == "https://example.com/news/1"
    assert first.entry_id == "news-1"
    assert first.id == article_id_for("", f"{FEED_URL}#news-1")  # a bare guid is per feed
    assert first.feed_url == FEED_URL
    assert first.author == "علي حسن"
    assert first.published == "2024-01-15T10:00:00+00:00"
    assert [b.text for b in first.blocks] == [
        "أُطلق اليوم قمر صناعي عربي جديد لرصد الطقس.",
        "ويحمل القمر أجهزة استشعار متطورة.",
    ]
    assert "alert" not in first.text  # feedparser's sanitising removed the script
    assert (first.language, first.direction) == ("ar", "rtl")
    assert second.title == "Open source AI model released"
    assert second.direction == "ltr"
    assert (
        second.text == "A research lab released an open model trained on Arabic and English text."
    )


def test_atom_entries_with_html_content_and_summary() -> None:
    feed = parse_feed((FIXTURES / "culture.atom").read_bytes(), url="https://blog.example.org/atom")
    assert feed.title == "مدونة الثقافة"
    fair, poetry = feed.articles
    assert fair.entry_id == "urn:uuid:entry-book-fair"
    assert fair.author == "ليلى منصور"
    assert fair.published == "2024-04-01T18:00:00+00:00"
    assert [(b.kind, b.text) for b in fair.blocks] == [
        ("heading", "أجنحة جديدة"),
        ("paragraph", "افتتح معرض الكتاب دورته الجديدة بمشاركة خمسمئة دار نشر."),
        ("quote", "الكتاب خير جليس."),
    ]
    assert poetry.text == "أقيمت أمسية شعرية بمشاركة شعراء من عدة دول عربية."
    assert poetry.source == "https://blog.example.org/poetry-night"


def test_feed_files_parse_through_parse_path() -> None:
    articles = parse_path(FIXTURES / "tech.rss")
    assert [a.entry_id for a in articles] == ["news-1", "news-2"]
    assert all(a.feed_url == str((FIXTURES / "tech.rss").resolve()) for a in articles)


def test_entry_without_id_uses_link_and_without_text_uses_title() -> None:
    data = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>\xd8\xb9\xd9\x86\xd9\x88\xd8\xa7\xd9\x86 \xd9\x81\xd9\x82\xd8\xb7</title>
    <link>https://example.com/only-title</link></item></channel></rss>"""
    [article] = parse_feed(data, url=FEED_URL).articles
    assert article.entry_id == "https://example.com/only-title"
    assert article.title == "عنوان فقط"
    assert article.text == "عنوان فقط"
    assert entry_keys(article) == ["https://example.com/only-title"]


def test_entry_keys_hold_id_and_link() -> None:
    feed = parse_feed((FIXTURES / "tech.rss").read_bytes(), url=FEED_URL)
    assert entry_keys(feed.articles[0]) == ["news-1", "https://example.com/news/1"]


def test_not_a_feed_is_one_sentence() -> None:
    with pytest.raises(ReaderError) as caught:
        parse_feed(b"<html><body>hello</body></html>", url="https://example.com/x")
    assert str(caught.value) == "https://example.com/x is not a valid RSS or Atom feed."


def test_looks_like_feed() -> None:
    rss = (FIXTURES / "tech.rss").read_bytes()
    atom = (FIXTURES / "culture.atom").read_bytes()
    page = (FIXTURES / "solar.html").read_bytes()
    assert looks_like_feed(rss) and looks_like_feed(atom)
    assert looks_like_feed(rss, "application/xml") and looks_like_feed(atom, "text/html")
    assert looks_like_feed(b"", "application/rss+xml")
    assert not looks_like_feed(page) and not looks_like_feed(page, "text/html")
    assert not looks_like_feed(b"plain text about <rss> feeds", "text/plain")


def test_discover_feed_links_in_a_page() -> None:
    page = """<html><head>
    <link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">
    <link type='application/atom+xml' rel='alternate' href='https://other.example/atom'>
    </head><body></body></html>"""
    assert discover_feed_links(page, "https://example.com/news/page") == [
        "https://example.com/feed.rss",
        "https://other.example/atom",
    ]


def test_bare_guids_are_scoped_to_their_feed_and_global_ids_are_not() -> None:
    data = (FIXTURES / "tech.rss").read_bytes()
    one = parse_feed(data, url="https://one.example/rss").articles[0]
    two = parse_feed(data, url="https://two.example/rss").articles[0]
    assert one.entry_id == two.entry_id == "news-1"
    assert one.id != two.id
    atom = (FIXTURES / "culture.atom").read_bytes()
    a = parse_feed(atom, url="https://one.example/atom").articles[0]
    b = parse_feed(atom, url="https://mirror.example/atom").articles[0]
    assert a.id == b.id == article_id_for("", "urn:uuid:entry-book-fair")
    assert scoped_entry_id("https://x.example/1", "feed") == "https://x.example/1"
    assert scoped_entry_id("7", "https://f.example/rss") == "https://f.example/rss#7"
