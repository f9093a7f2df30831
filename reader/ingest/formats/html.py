"""HTML: web pages through trafilatura, fragments (feed entries, JSON fields) kept whole."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from reader.ingest.blocks import blocks_from_units, clean_text, line_units, text_block
from reader.ingest.decode import decode_text
from reader.ingest.metadata import finish_article
from reader.models import Article, Block, BlockKind

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "figure",
        "figcaption", "table", "tr", "td", "th", "ul", "ol", "dl", "dt", "dd", "pre",
        "hr", "address", "form", "fieldset", "details", "summary", "nav", "center",
    }
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object", "canvas"}
)
_VOID_TAGS = frozenset(
    {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
)
_WHITESPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
_TAG_KINDS: dict[str, BlockKind] = {
    **dict.fromkeys(_HEADING_TAGS, "heading"),
    "li": "list_item",
    "blockquote": "quote",
    "q": "quote",
}
"""Tags that set the kind of the blocks inside them; any other tag inherits its parent's."""


class _BlockCollector(HTMLParser):
    """Walks an HTML fragment and cuts it into blocks at block-level tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._stack: list[str] = []
        """Open tags, innermost last."""
        self._kinds: list[BlockKind] = []
        """For each open tag, the kind of block text inside it makes (the innermost wins)."""
        self._open: Counter[str] = Counter()
        """How many of each tag are open: an end tag never opened is ignored in O(1)."""
        self._skip = 0
        self._pre = 0
        self.title = ""
        self._in_title = False

    def _kind(self) -> BlockKind:
        return self._kinds[-1] if self._kinds else "paragraph"

    def _push(self, tag: str) -> None:
        kind = _TAG_KINDS.get(tag) or self._kind()
        self._stack.append(tag)
        self._kinds.append(kind)
        self._open[tag] += 1

    def _pop_to(self, tag: str) -> None:
        """Close `tag` and every tag opened inside it (each tag is popped once: linear)."""
        if not self._open[tag]:
            return
        while self._stack:
            popped = self._stack.pop()
            self._kinds.pop()
            self._open[popped] -= 1
            if popped == tag:
                break

    def flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if not self._pre:
            text = _WHITESPACE_RE.sub(" ", text)
        kind = self._kind()
        if self._pre:
            for line in text.split("\n"):
                block = text_block(kind, line)
                if block is not None:
                    self.blocks.append(block)
            return
        block = text_block(kind, text)
        if block is not None:
            self.blocks.append(block)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            return
        if tag in _SKIP_TAGS:
            if tag != "head":
                self._skip += 1
            return
        if self._skip:
            return
        if tag == "br":
            if self._pre:
                self._buffer.append("\n")
            else:
                self.flush()
            return
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt:
                self._buffer.append(alt)
            return
        if tag in _BLOCK_TAGS or tag in _HEADING_TAGS or tag in ("li", "blockquote"):
            self.flush()
        if tag == "pre":
            self._pre += 1
        if tag not in _VOID_TAGS:
            self._push(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in _SKIP_TAGS:
            if tag != "head" and self._skip:
                self._skip -= 1
            return
        if self._skip or tag in _VOID_TAGS:
            return
        if tag in _BLOCK_TAGS or tag in _HEADING_TAGS or tag in ("li", "blockquote"):
            self.flush()
        if tag == "pre" and self._pre:
            self._pre -= 1
        self._pop_to(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._buffer.append(data)


def html_to_blocks(fragment: str) -> list[Block]:
    """An HTML fragment (a feed entry, a JSON field) to blocks, keeping all its text."""
    collector = _BlockCollector()
    collector.feed(fragment)
    collector.close()
    collector.flush()
    return collector.blocks


def html_title(fragment: str) -> str:
    collector = _BlockCollector()
    collector.feed(fragment[:200_000])
    collector.close()
    return _WHITESPACE_RE.sub(" ", collector.title).strip()


def _xml_blocks(main: Any) -> list[Block]:
    """Blocks from trafilatura's XML `<main>`: head, p, quote, list/item."""
    blocks: list[Block] = []

    def text_of(element: Any) -> str:
        return "".join(element.itertext())

    def walk(element: Any, inside: BlockKind | None) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "head":
                block = text_block("heading", text_of(child))
            elif tag == "quote":
                if any(isinstance(sub.tag, str) and sub.tag in ("p", "list") for sub in child):
                    walk(child, "quote")
                    continue
                block = text_block("quote", text_of(child))
            elif tag == "list":
                walk(child, "list_item" if inside is None else inside)
                continue
            elif tag == "item":
                block = text_block(inside if inside == "quote" else "list_item", text_of(child))
            elif tag in ("p", "code", "table", "row", "cell"):
                if tag in ("table", "row"):
                    walk(child, inside)
                    continue
                block = text_block(inside or "paragraph", text_of(child))
            elif tag == "graphic":
                continue
            else:
                block = text_block(inside or "paragraph", text_of(child))
            if block is not None:
                blocks.append(block)

    walk(main, None)
    return blocks


def parse_html(data: bytes, *, source: str, label: str) -> Article:
    """A web page through trafilatura: main text and metadata, boilerplate dropped."""
    from xml.etree import ElementTree

    import trafilatura

    url = source if source.startswith(("http://", "https://")) else None
    result = trafilatura.extract(
        data,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_images=False,
        favor_recall=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    if result:
        root = ElementTree.fromstring(result)
        for key in ("title", "author", "date"):
            value = root.get(key)
            if value:
                meta[key] = value
        main = root.find("main")
        if main is not None:
            blocks = _xml_blocks(main)
    text = decode_text(data, label)
    if not blocks:
        blocks = html_to_blocks(text)
    if "title" not in meta:
        page_title = html_title(text)
        if page_title:
            meta["title"] = page_title
    match = re.search(r"<html[^>]*\blang=[\"']?([\w-]+)", text[:5000], re.IGNORECASE)
    declared = match.group(1) if match else ""
    article = finish_article(
        blocks, source=source, id_source=source, label=label, meta=meta, declared_language=declared
    )
    article.canonical_url = page_canonical_url(text, url or "")
    return article


_HEAD_TAG_RE = re.compile(r"<(?:link|meta)\b[^>]*>", re.IGNORECASE)
_TAG_ATTR_RE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def page_canonical_url(page: str, base_url: str = "") -> str:
    """The address a page gives as its own (`<link rel="canonical">`, else `og:url`),
    normalised by `reader.ingest.urls.canonical_url`; "" when it names none."""
    from urllib.parse import urljoin

    from reader.ingest.urls import canonical_url

    canonical = og_url = ""
    for tag in _HEAD_TAG_RE.findall(page[:200_000]):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _TAG_ATTR_RE.finditer(tag)
        }
        if not canonical and "canonical" in attrs.get("rel", "").lower().split():
            canonical = attrs.get("href", "")
        elif not og_url and attrs.get("property", "").lower() == "og:url":
            og_url = attrs.get("content", "")
    for found in (canonical, og_url):
        if found.strip():
            resolved = canonical_url(urljoin(base_url, found.strip()) if base_url else found)
            if resolved:
                return resolved
    return ""


_HTML_HINT_RE = re.compile(r"</?(?:p|div|br|h[1-6]|li|ul|ol|blockquote|span|a|strong|em)\b", re.I)
_SCRAPED_BREAK_RE = re.compile(r"[ \t\u00a0]{3,}")


def content_blocks(content: str) -> list[Block]:
    """Body text from a JSON field or feed: HTML when it looks like HTML, else lines.

    Scraped text often marks paragraphs with runs of spaces and no-break
    spaces instead of newlines; three or more in a row start a new paragraph.
    """
    if _HTML_HINT_RE.search(content):
        return html_to_blocks(content)
    text = clean_text(content)
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(_SCRAPED_BREAK_RE.split(line))
    return blocks_from_units(line_units(lines))
