"""RSS and Atom feeds: recognising them, and turning each entry into an article.

feedparser does the parsing (RSS 0.9x/1.0/2.0, Atom, and their many dialects)
and sanitises entry HTML; entry HTML becomes blocks the same way web pages and
JSON fields do. Duplicate detection remembers both the entry id and the link,
since feeds are known to change one or the other.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reader.errors import ReaderError
from reader.ingest.blocks import clean_text
from reader.ingest.formats.html import content_blocks, html_to_blocks
from reader.ingest.metadata import finish_article, scoped_entry_id
from reader.ingest.sniff import detect_kind
from reader.models import Article, Block
from reader.text.sanitize import clean_line, clean_url


@dataclass(slots=True)
class ParsedFeed:
    """A fetched feed: its own title and link, and one article per usable entry."""

    url: str
    title: str = ""
    link: str = ""
    articles: list[Article] = field(default_factory=list)


def looks_like_feed(data: bytes, content_type: str = "", name: str = "") -> bool:
    """True when the bytes (or their content type) are an RSS, Atom or RDF feed."""
    return detect_kind(data, content_type=content_type, name=name) == "feed"


def _iso(parsed: Any) -> str:
    if not isinstance(parsed, time.struct_time):
        return ""
    try:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    except ValueError:
        return ""


def _entry_body(entry: Any) -> list[Block]:
    """The fullest text an entry offers: content, else summary; HTML turned into blocks."""
    candidates: list[tuple[str, str]] = []
    for content in entry.get("content") or []:
        candidates.append((content.get("value", ""), content.get("type", "")))
    summary = entry.get("summary_detail") or {}
    if entry.get("summary"):
        candidates.append((entry.get("summary", ""), summary.get("type", "text/html")))
    best: list[Block] = []
    for value, kind in candidates:
        if not value or not value.strip():
            continue
        blocks = html_to_blocks(value) if "html" in kind else content_blocks(value)
        if sum(len(b.text) for b in blocks) > sum(len(b.text) for b in best):
            best = blocks
    return best


def entry_keys(article: Article) -> list[str]:
    """What marks an entry as seen: its entry id and its link (either may change alone)."""
    keys = [key for key in (article.entry_id, article.source) if key]
    return list(dict.fromkeys(keys))


def parse_feed(data: bytes, *, url: str, label: str = "") -> ParsedFeed:
    """Parse feed bytes; every entry with any text becomes an article tagged with `url`."""
    import feedparser

    label = label or url
    # Links inside entry HTML are not kept (blocks are text), so resolving them would be a
    # whole extra pass over every entry for nothing: a third of the time for a large entry.
    document = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    feed_info = document.get("feed") or {}
    entries = document.get("entries") or []
    version = document.get("version") or ""
    if not entries and not version:
        raise ReaderError(f"{label} is not a valid RSS or Atom feed.")
    feed_title = clean_line(clean_text(feed_info.get("title", "")))
    language = feed_info.get("language", "") or ""
    feed = ParsedFeed(url=url, title=feed_title, link=clean_url(feed_info.get("link", "") or ""))
    for index, entry in enumerate(entries):
        # Links and ids are shown and stored: controls in them are percent-encoded.
        link = clean_url((entry.get("link") or "").strip())
        entry_id = clean_url((entry.get("id") or "").strip()) or link
        title = clean_line(clean_text(entry.get("title", "")))
        if not entry_id:
            entry_id = f"{url}#{title}" if title else f"{url}#{index + 1}"
        blocks = _entry_body(entry)
        if not blocks and title:
            blocks = [Block("paragraph", title)]
        if not blocks:
            continue
        meta = {
            "title": title,
            "author": clean_line(entry.get("author", "") or ""),
            "date": _iso(entry.get("published_parsed") or entry.get("updated_parsed")),
        }
        article = finish_article(
            blocks,
            source=link or url,
            id_source=link or url,
            label=f"{label} (entry {index + 1})",
            meta={key: value for key, value in meta.items() if value},
            entry_id=entry_id,
            feed_url=url,
            id_key=scoped_entry_id(entry_id, url),
            declared_language=language,
            drop_title_heading=True,
        )
        feed.articles.append(article)
    if not feed.articles and entries:
        raise ReaderError(f"{label} has no entries with any text.")
    return feed


_LINK_TAG_RE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def discover_feed_links(page: str, base_url: str) -> list[str]:
    """Feed URLs a web page advertises with `<link rel="alternate" type="...rss/atom...">`."""
    from urllib.parse import urljoin

    found: list[str] = []
    for tag in _LINK_TAG_RE.findall(page[:200_000]):
        attrs = {
            match.group(1).lower(): match.group(2) or match.group(3) or match.group(4) or ""
            for match in _ATTR_RE.finditer(tag)
        }
        rel = attrs.get("rel", "").lower().split()
        kind = attrs.get("type", "").lower()
        if "alternate" in rel and ("rss" in kind or "atom" in kind) and attrs.get("href"):
            found.append(urljoin(base_url, attrs["href"]))
    return list(dict.fromkeys(found))
