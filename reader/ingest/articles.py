"""Turning any supported input into `Article`s: text, Markdown, HTML, JSON, feeds.

Every parser ends in the same place: a list of `Block`s of logical Unicode with
control characters and terminal escape sequences removed, no newline inside a
block (so `Article.text.split("\\n")` gives the blocks back), a title, and a
stable id derived from where the article came from. Bad input raises
`ReaderError` with one sentence naming the file or URL; a file either parses
whole or not at all, so nothing is half-imported.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reader.errors import ReaderError
from reader.ingest.jsonread import MAX_DEPTH, loads
from reader.models import Article, Block, BlockKind, Direction
from reader.text.sanitize import sanitize

MAX_BYTES = 50 * 1024 * 1024
"""Files and downloads larger than this are refused (50 MB)."""

TITLE_LIMIT = 80
"""A title taken from the first sentence is cut at a word boundary near this length."""

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
FEED_SUFFIXES = frozenset({".rss", ".atom", ".xml"})
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES
    | MARKDOWN_SUFFIXES
    | HTML_SUFFIXES
    | JSON_SUFFIXES
    | JSONL_SUFFIXES
    | FEED_SUFFIXES
)
"""File name endings a folder import picks up."""

# --------------------------------------------------------------------------- ids


_GLOBAL_ID_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|urn:|tag:)", re.IGNORECASE)


def scoped_entry_id(entry_id: str, scope: str) -> str:
    """An entry id that is unique beyond its feed or file.

    URLs, `urn:` and `tag:` ids are global already; a bare id such as "1" or
    "news-1" is only unique inside its feed, so it is prefixed with the feed URL
    (or file) to keep two feeds' "1" from overwriting each other.
    """
    if not entry_id or _GLOBAL_ID_RE.match(entry_id):
        return entry_id
    return f"{scope}#{entry_id}"


def article_id_for(source: str, entry_id: str = "") -> str:
    """A stable 16-hex-digit id: from the entry id when there is one, else the source.

    Feed and JSON entries carry their own identity (entry id or link), so the
    same entry found through two files or feeds is one article.
    """
    key = entry_id or source
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------------- cleaning

_LINE_BREAK_RE = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_SPACE_CONTROL_RE = re.compile(r"[\x0b\x0c]")


def clean_text(text: str) -> str:
    """Logical text safe to store: escape sequences and control characters removed.

    `reader.text.sanitize.sanitize` does the removal (shared with the layout engine);
    before it, every kind of line break becomes "\\n" and vertical tab / form
    feed a space, so words they separated stay apart; stray byte-order marks go.
    Format characters that carry meaning in Arabic text (ZWJ, ZWNJ, bidi
    marks) are kept.
    """
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _SPACE_CONTROL_RE.sub(" ", text)
    return sanitize(text).replace("\ufeff", "")


def _block(kind: BlockKind, text: str) -> Block | None:
    """One block from raw text: cleaned, newlines folded to spaces, trimmed; None if empty."""
    cleaned = clean_text(text).replace("\n", " ").strip()
    return Block(kind, cleaned) if cleaned else None


# ---------------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_text(data: bytes, label: str) -> str:
    """Bytes to text: BOMs first, then strict UTF-8, then charset-normalizer's best guess.

    Refuses binary data (NUL bytes or many control characters) and bytes no
    encoding explains, with a sentence naming `label`.
    """
    encoding = _bom_encoding(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise ReaderError(f"{label} is not valid {encoding.upper()} text.") from None
    elif b"\x00" in data[:65536]:
        raise ReaderError(f"{label} is a binary file, not text.")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess_decode(data, label)
    sample = text[:65536]
    if sample and len(_BINARY_CONTROL_RE.findall(sample)) > max(8, len(sample) // 100):
        raise ReaderError(f"{label} is a binary file, not text.")
    return text


def _guess_decode(data: bytes, label: str) -> str:
    """Non-UTF-8 bytes: charset-normalizer picks the encoding (Windows-1256, ISO-8859-6...)."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None:
        raise ReaderError(f"{label} is not text in any encoding reader knows.")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise ReaderError(f"{label} is not text in any encoding reader knows.") from None


# ---------------------------------------------------------------- text analysis

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW_RE = re.compile("[\u0590-\u05ff]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]")
_RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "yi", "ps", "ckb", "sd", "ug", "dv"})


def detect_language(text: str, declared: str = "") -> tuple[str, Direction]:
    """Language code and paragraph direction: right-to-left when Arabic script dominates."""
    sample = text[:4000]
    arabic = len(_ARABIC_RE.findall(sample))
    hebrew = len(_HEBREW_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    declared = declared.strip().lower().replace("_", "-").split("-")[0]
    rtl = (arabic + hebrew) >= latin and (arabic + hebrew) > 0
    if not sample.strip() and declared:
        rtl = declared in _RTL_LANGUAGES
    if declared and (declared in _RTL_LANGUAGES) == rtl:
        return declared, "rtl" if rtl else "ltr"
    if rtl:
        return ("he" if hebrew > arabic else "ar"), "rtl"
    return "en", "ltr"


_SENTENCE_END_RE = re.compile(r"[.!?؟…](?=\s|$)")
_CLOSERS = "\"'»”’)]}›"
_FINAL_PUNCTUATION = frozenset(".!?؟:;,،؛…۔")


def _ends_with_punctuation(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(stripped) and stripped[-1] in _FINAL_PUNCTUATION


def title_from_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """The first sentence, cut at a word boundary to at most about `limit` characters."""
    first = text.strip().split("\n", 1)[0].strip()
    match = _SENTENCE_END_RE.search(first)
    sentence = first[: match.start()] if match else first
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 3 else cut[:limit]
    return cut.rstrip(" ،,;:؛-–—") + "…"


def normalise_date(value: Any) -> str:
    """An ISO 8601 string from common date shapes (ISO, RFC 822, epoch), else ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    text = str(value).strip()
    if not text:
        return ""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return ""
    if (
        parsed.hour == parsed.minute == parsed.second == 0
        and parsed.tzinfo is None
        and (len(text) <= 10)
    ):
        return parsed.date().isoformat()
    return parsed.isoformat()


# ------------------------------------------------------------------- plain text

_LIST_MARKER_RE = re.compile(r"^(?:[-*•·▪◦‣–]\s+)")
HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 15


FRONT_MATTER_MAX_CHARS = 64 * 1024
"""Front matter longer than this is refused rather than parsed (64 KB)."""

_FRONT_MATTER_KEY_RE = re.compile(r"^[A-Za-z_][\w-]*$")
_FRONT_MATTER_START_RE = re.compile(r"^\s*[A-Za-z_][\w-]*\s*:")


def _front_matter_value(value: Any) -> str | None:
    """A field as text: strings as they are, a list of strings joined with commas."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(item for item in value if isinstance(item, str) and item)
    return None


def split_front_matter(text: str, label: str = "the file") -> tuple[dict[str, str], str]:
    """`---` / YAML fields / `---` (or `...`) at the very top: the fields and the rest.

    Parsed with PyYAML's BaseLoader (safe, and every value stays text: `2024-03-15`,
    `yes` and `1.0` are not turned into a date, a boolean or a number). A block that
    is not a mapping of field names (a paragraph between two rules) is not front
    matter and stays in the text; a block that starts like fields but is not valid
    YAML is a `ReaderError` naming `label` and the line.
    """
    stripped = text.lstrip("\ufeff")
    lines = stripped.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next(
        (index for index, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
        None,
    )
    if end is None:
        return {}, text
    block = "\n".join(lines[1:end])
    first = next((line for line in lines[1:end] if line.strip()), "")
    looks_like_fields = bool(_FRONT_MATTER_START_RE.match(first))
    if len(block) > FRONT_MATTER_MAX_CHARS:
        if not looks_like_fields:
            return {}, text
        raise ReaderError(
            f"{label} has front matter longer than {FRONT_MATTER_MAX_CHARS // 1024} KB, "
            "more than reader reads."
        )
    import yaml

    try:
        data = yaml.load(block, Loader=yaml.BaseLoader)  # builds no objects: safe
    except yaml.YAMLError as error:
        if not looks_like_fields:
            return {}, text
        # "while scanning a quoted scalar" marks where the quote opened: the line to fix
        context = getattr(error, "context", None) or ""
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it cannot be parsed"
        problem = f"{problem} {context}".strip()
        raise ReaderError(
            f"{label} has front matter (between the --- lines) that is not valid YAML"
            f"{where}: {problem}."
        ) from None
    if data is None:  # nothing but blank lines and comments
        return {}, "\n".join(lines[end + 1 :])
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and _FRONT_MATTER_KEY_RE.match(key) for key in data
    ):
        return {}, text
    fields: dict[str, str] = {}
    for key, value in data.items():
        as_text = _front_matter_value(value)
        if as_text is not None:
            fields[key.lower()] = as_text
    return fields, "\n".join(lines[end + 1 :])


@dataclass(frozen=True, slots=True)
class _Unit:
    """A candidate block from plain text before headings are decided."""

    kind: BlockKind
    text: str


def _line_units(lines: Iterable[str]) -> list[_Unit]:
    units: list[_Unit] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if _LIST_MARKER_RE.match(line):
            # The bullet is part of the text the author wrote: kept, so text survives exactly.
            units.append(_Unit("list_item", line))
        else:
            units.append(_Unit("paragraph", line))
    return units


def _is_heading_candidate(unit: _Unit) -> bool:
    text = unit.text
    return (
        unit.kind == "paragraph"
        and len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and not _ends_with_punctuation(text)
        and any(ch.isalpha() for ch in text)
    )


def blocks_from_units(units: Sequence[_Unit]) -> list[Block]:
    """Decide sub-headings: a short line without final punctuation between paragraphs.

    It must be followed by a paragraph that is not itself such a line, and
    preceded by a paragraph-like block or nothing, so runs of short lines
    (addresses, verse) stay paragraphs.
    """
    candidates = [_is_heading_candidate(unit) for unit in units]
    blocks: list[Block] = []
    for index, unit in enumerate(units):
        kind = unit.kind
        if candidates[index]:
            before_ok = index == 0 or not candidates[index - 1]
            after_ok = (
                index + 1 < len(units)
                and units[index + 1].kind == "paragraph"
                and not candidates[index + 1]
            )
            if before_ok and after_ok:
                kind = "heading"
        block = _block(kind, unit.text)
        if block is not None:
            blocks.append(block)
    return blocks


def _text_units(body: str) -> list[_Unit]:
    """Lines are paragraphs, unless the text is hard-wrapped in blank-line separated blocks."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in body.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    lengths = sorted(len(line) for chunk in chunks for line in chunk)
    wrapped = (
        len(chunks) > 1
        and any(len(chunk) > 1 for chunk in chunks)
        and lengths[(len(lengths) * 3) // 4] <= HEADING_MAX_CHARS
    )
    if not wrapped:
        return _line_units(line for chunk in chunks for line in chunk)
    units: list[_Unit] = []
    for chunk in chunks:
        pieces = _line_units(chunk)
        merged: list[_Unit] = []
        for piece in pieces:
            if merged and piece.kind == "paragraph" and merged[-1].kind == "paragraph":
                merged[-1] = _Unit("paragraph", merged[-1].text + " " + piece.text)
            else:
                merged.append(piece)
        units.extend(merged)
    return units


def finish_article(
    blocks: list[Block],
    *,
    source: str,
    id_source: str,
    label: str,
    meta: Mapping[str, str],
    entry_id: str = "",
    feed_url: str = "",
    declared_language: str = "",
    drop_title_heading: bool = True,
    id_key: str = "",
) -> Article:
    """Title, language and id for parsed blocks; refuses an article with no text.

    The id comes from `id_key` (a scoped entry id), else `entry_id`, else `id_source`.
    """
    if not blocks:
        raise ReaderError(f"{label} has no article text.")
    title = clean_text(html.unescape(meta.get("title", ""))).replace("\n", " ").strip()
    if not title:
        heading = next((block for block in blocks if block.kind == "heading"), None)
        if heading is not None:
            title = heading.text
            if drop_title_heading and blocks[0] is heading and len(blocks) > 1:
                blocks = blocks[1:]
        else:
            title = title_from_text(blocks[0].text)
    elif (
        drop_title_heading
        and blocks[0].kind == "heading"
        and blocks[0].text == title
        and len(blocks) > 1
    ):
        blocks = blocks[1:]
    body = "\n".join(block.text for block in blocks)
    language, direction = detect_language(body, meta.get("language", declared_language))
    return Article(
        id=article_id_for(id_source, id_key or entry_id),
        title=title,
        source=meta.get("source", "") or source,
        blocks=blocks,
        author=clean_text(meta.get("author", "")).replace("\n", " ").strip(),
        published=normalise_date(meta.get("date", "")),
        language=language,
        direction=direction,
        feed_url=feed_url,
        entry_id=entry_id,
    )


def _meta_from_front_matter(fields: Mapping[str, str]) -> dict[str, str]:
    aliases = {
        "title": "title",
        "source": "source",
        "url": "source",
        "link": "source",
        "date": "date",
        "published": "date",
        "author": "author",
        "language": "language",
        "lang": "language",
    }
    meta: dict[str, str] = {}
    for key, value in fields.items():
        target = aliases.get(key)
        if target and value and target not in meta:
            meta[target] = value
    return meta


def parse_text(text: str, *, source: str, label: str) -> Article:
    """A plain-text article: optional front matter, paragraphs, detected sub-headings."""
    fields, body = split_front_matter(clean_text(text), label)
    blocks = blocks_from_units(_text_units(body))
    return finish_article(
        blocks, source=source, id_source=source, label=label, meta=_meta_from_front_matter(fields)
    )


# --------------------------------------------------------------------- markdown


def _inline_text(token: Any) -> str:
    """Text of an inline token: link text kept, images as their alt text, breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child) or child.content)
    return "".join(parts)


def parse_markdown(text: str, *, source: str, label: str) -> Article:
    """A Markdown article through markdown-it-py: headings, paragraphs, quotes, list items."""
    from markdown_it import MarkdownIt

    fields, body = split_front_matter(clean_text(text), label)
    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[Block] = []
    containers: list[str] = []
    for token in tokens:
        if token.type in ("blockquote_open", "list_item_open", "heading_open"):
            containers.append(token.type)
        elif token.type in ("blockquote_close", "list_item_close", "heading_close"):
            if containers:
                containers.pop()
        elif token.type == "inline":
            kind: BlockKind = "paragraph"
            for container in reversed(containers):
                if container == "heading_open":
                    kind = "heading"
                    break
                if container == "list_item_open":
                    kind = "list_item"
                    break
                if container == "blockquote_open":
                    kind = "quote"
                    break
            block = _block(kind, _inline_text(token))
            if block is not None:
                if (
                    kind == "list_item"
                    and blocks
                    and blocks[-1].kind == "list_item"
                    and token.level > 0
                    and _continues_item(tokens, token)
                ):
                    blocks[-1] = Block("list_item", blocks[-1].text + " " + block.text)
                else:
                    blocks.append(block)
        elif token.type in ("fence", "code_block"):
            kind = "quote" if "blockquote_open" in containers else "paragraph"
            for line in token.content.split("\n"):
                block = _block(kind, line)
                if block is not None:
                    blocks.append(block)
        elif token.type == "html_block":
            blocks.extend(html_to_blocks(token.content))
    meta = _meta_from_front_matter(fields)
    return finish_article(blocks, source=source, id_source=source, label=label, meta=meta)


def _continues_item(tokens: Sequence[Any], token: Any) -> bool:
    """True when an inline token is a second paragraph of the same list item."""
    index = next(i for i, candidate in enumerate(tokens) if candidate is token)
    # paragraph_open precedes the inline; before it, a paragraph_close means same item.
    return index >= 2 and tokens[index - 2].type == "paragraph_close"


# ------------------------------------------------------------------------- HTML

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
                block = _block(kind, line)
                if block is not None:
                    self.blocks.append(block)
            return
        block = _block(kind, text)
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


def _html_title(fragment: str) -> str:
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
                block = _block("heading", text_of(child))
            elif tag == "quote":
                if any(isinstance(sub.tag, str) and sub.tag in ("p", "list") for sub in child):
                    walk(child, "quote")
                    continue
                block = _block("quote", text_of(child))
            elif tag == "list":
                walk(child, "list_item" if inside is None else inside)
                continue
            elif tag == "item":
                block = _block(inside if inside == "quote" else "list_item", text_of(child))
            elif tag in ("p", "code", "table", "row", "cell"):
                if tag in ("table", "row"):
                    walk(child, inside)
                    continue
                block = _block(inside or "paragraph", text_of(child))
            elif tag == "graphic":
                continue
            else:
                block = _block(inside or "paragraph", text_of(child))
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
        page_title = _html_title(text)
        if page_title:
            meta["title"] = page_title
    match = re.search(r"<html[^>]*\blang=[\"']?([\w-]+)", text[:5000], re.IGNORECASE)
    declared = match.group(1) if match else ""
    return finish_article(
        blocks, source=source, id_source=source, label=label, meta=meta, declared_language=declared
    )


# ------------------------------------------------------------------------- JSON

_TITLE_KEYS = ("title", "headline", "name")
_CONTENT_KEYS = ("content", "text", "body", "article", "content_html", "description", "summary")
_URL_KEYS = ("url", "link", "href", "source_url", "canonical_url")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator")
_DATE_KEYS = (
    "date",
    "published",
    "date_published",
    "published_at",
    "pubDate",
    "pub_date",
    "datetime",
    "created_at",
    "updated",
    "date_modified",
    "date_extracted",
)
_ID_KEYS = ("id", "guid", "entry_id")
_HTML_HINT_RE = re.compile(r"</?(?:p|div|br|h[1-6]|li|ul|ol|blockquote|span|a|strong|em)\b", re.I)
_SCRAPED_BREAK_RE = re.compile(r"[ \t\u00a0]{3,}")


def _first(record: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value if _as_text(item))
    if isinstance(value, dict):
        return _as_text(_first(value, ("name", "title", "text", "value")))
    return str(value)


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
    return blocks_from_units(_line_units(lines))


class PartlyRead(ReaderError):
    """Some lines of a JSON Lines file could not be read; `articles` are the other lines'.

    `str()` is the sentence naming the skipped lines, for the caller to show after it
    saves `articles`.
    """

    def __init__(self, message: str, articles: list[Article]) -> None:
        super().__init__(message)
        self.articles = articles


def _record_article(
    record: Any, *, source: str, label: str, index: int, feed_url: str = "", where: str = ""
) -> Article:
    where = where or f"{label} (entry {index + 1})"
    if not isinstance(record, dict):
        raise ReaderError(f"{where} is not a JSON object.")
    content = _as_text(_first(record, _CONTENT_KEYS))
    if not content.strip():
        raise ReaderError(f"{where} has no content or text field.")
    url = _as_text(_first(record, _URL_KEYS)).strip()
    own_id = scoped_entry_id(_as_text(_first(record, _ID_KEYS)).strip(), source)
    entry_id = url or own_id or f"{source}#{index + 1}"
    meta = {
        "title": _as_text(_first(record, _TITLE_KEYS)),
        "author": _as_text(_first(record, _AUTHOR_KEYS)),
        "date": _as_text(_first(record, _DATE_KEYS)),
        "language": _as_text(_first(record, ("language", "lang"))),
    }
    meta = {key: value for key, value in meta.items() if value}
    meta["source"] = url or source
    return finish_article(
        content_blocks(content),
        source=url or source,
        id_source=url or source,
        label=where,
        meta=meta,
        entry_id=entry_id,
        feed_url=feed_url,
    )


def _json_records(text: str, label: str) -> list[Any]:
    try:
        document = loads(text, label)
    except json.JSONDecodeError as error:
        raise ReaderError(f"{label} is not valid JSON (line {error.lineno}).") from None
    if isinstance(document, dict):
        for key in ("articles", "items", "entries", "data", "results"):
            if isinstance(document.get(key), list):
                return list(document[key])
        return [document]
    if isinstance(document, list):
        return document
    raise ReaderError(f"{label} holds no article objects.")


BAD_LINES_NAMED = 10
"""How many skipped line numbers a JSON Lines message names for each reason."""


def _line_problem(error: ReaderError) -> str:
    """`line 9 has no content or text field.` -> `no content or text field`."""
    rest = str(error).split(" ", 2)[2].rstrip(".")
    if rest.startswith("nests "):
        return f"nested more than {MAX_DEPTH} levels deep"
    for verb in ("is ", "has "):
        if rest.startswith(verb):
            return rest[len(verb) :]
    return rest


def _bad_lines_sentence(bad: Sequence[tuple[int, str]]) -> str:
    """`not valid JSON on lines 2, 5; no content or text field on line 9`."""
    by_problem: dict[str, list[int]] = {}
    for number, problem in bad:
        by_problem.setdefault(problem, []).append(number)
    parts = []
    for problem, numbers in by_problem.items():
        named = ", ".join(str(n) for n in numbers[:BAD_LINES_NAMED])
        if len(numbers) > BAD_LINES_NAMED:
            named += f" and {len(numbers) - BAD_LINES_NAMED} more"
        parts.append(f"{problem} on {'lines' if len(numbers) > 1 else 'line'} {named}")
    return "; ".join(parts)


def _parse_json_lines(text: str, *, source: str, label: str) -> list[Article]:
    """Each line an article; bad lines are skipped and named (`PartlyRead`), not fatal."""
    articles: list[Article] = []
    bad: list[tuple[int, str]] = []
    index = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = loads(line, where)
            articles.append(
                _record_article(record, source=source, label=label, index=index, where=where)
            )
        except json.JSONDecodeError:
            bad.append((number, "not valid JSON"))
        except ReaderError as error:
            bad.append((number, _line_problem(error)))
        index += 1
    if not bad:
        if not articles:
            raise ReaderError(f"{label} holds no article objects.")
        return articles
    sentence = _bad_lines_sentence(bad)
    if not articles:
        raise ReaderError(f"{label} holds no article that reader can read: {sentence}.")
    rest = "line was" if len(articles) == 1 else f"{len(articles)} lines were"
    raise PartlyRead(
        f"{label}: skipped {len(bad)} of its {len(bad) + len(articles)} lines ({sentence}); "
        f"the other {rest} read.",
        articles,
    )


def parse_json(text: str, *, source: str, label: str, lines: bool) -> list[Article]:
    """JSON or JSON Lines article objects (the SaudiNewsNet shape and similar).

    A JSON file is read whole or refused; a JSON Lines file keeps its good lines and
    raises `PartlyRead` (carrying them) when some lines cannot be read.
    """
    text = text.lstrip("\ufeff")
    if lines:
        return _parse_json_lines(text, source=source, label=label)
    records = _json_records(text, label)
    if not records:
        raise ReaderError(f"{label} holds no article objects.")
    return [
        _record_article(record, source=source, label=label, index=index)
        for index, record in enumerate(records)
    ]


# --------------------------------------------------------------------- dispatch


def _suffix(name: str) -> str:
    path = urlsplit(name).path if "://" in name else name
    return Path(path).suffix.lower()


def _sniff(data: bytes) -> str:
    """The format from the first bytes, for names and content types that say nothing."""
    encoding = _bom_encoding(data)
    head_bytes = data[:4096]
    if encoding is not None:
        try:
            head = head_bytes.decode(encoding, errors="ignore")
        except LookupError:
            head = ""
    else:
        head = head_bytes.decode("latin-1")
    head = head.lstrip("\ufeff \t\r\n").lower()
    if head.startswith("<"):
        if re.search(r"<(?:rss|feed|rdf:rdf)\b", head):
            return "feed"
        return "html"
    if head.startswith(("{", "[")):
        first_line = head.split("\n", 1)[0].strip()
        if head.startswith("{") and first_line.endswith("}") and "\n{" in head:
            return "jsonl"
        return "json"
    return "text"


def detect_kind(data: bytes, *, content_type: str = "", name: str = "") -> str:
    """One of text, markdown, html, json, jsonl, feed: content type, then name, then bytes."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime:
        if mime in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
            return "feed"
        if mime in ("text/html", "application/xhtml+xml"):
            return "feed" if _sniff(data) == "feed" else "html"
        if mime in ("application/xml", "text/xml"):
            return "feed" if _sniff(data) == "feed" else "html"
        if mime in ("application/json", "application/feed+json"):
            return "json"
        if mime in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
            return "jsonl"
        if mime == "text/markdown":
            return "markdown"
    suffix = _suffix(name)
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES:
        sniffed = _sniff(data)
        return sniffed if sniffed in ("feed", "html") else "feed"
    return _sniff(data)


def parse_bytes(
    data: bytes, *, source: str, content_type: str = "", name: str = ""
) -> list[Article]:
    """Bytes from a file or a URL to articles; feeds and JSON Lines give many.

    `source` is the resolved path or URL the ids derive from; `name` (default
    `source`) is what error messages call the input.
    """
    label = name or source
    if not data.strip(b" \t\r\n\x00") and not _bom_encoding(data):
        raise ReaderError(f"{label} is empty.")
    if len(data) > MAX_BYTES:
        raise ReaderError(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    kind = detect_kind(data, content_type=content_type, name=name or source)
    if kind == "feed":
        from reader.ingest.feeds import parse_feed

        feed = parse_feed(data, url=source, label=label)
        return feed.articles
    if kind == "html":
        if b"\x00" in data[:65536] and _bom_encoding(data) is None:
            raise ReaderError(f"{label} is a binary file, not text.")
        return [parse_html(data, source=source, label=label)]
    text = decode_text(data, label)
    if not text.strip():
        raise ReaderError(f"{label} is empty.")
    if kind in ("json", "jsonl"):
        return parse_json(text, source=source, label=label, lines=kind == "jsonl")
    if kind == "markdown":
        return [parse_markdown(text, source=source, label=label)]
    return [parse_text(text, source=source, label=label)]


def parse_path(path: Path) -> list[Article]:
    """One file to its articles; refuses folders, empty, binary and over-cap files."""
    label = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ReaderError(f"{label} does not exist.") from None
    except OSError as error:
        raise ReaderError(f"Could not read {label}: {error.strerror or error}.") from None
    if path.is_dir():
        raise ReaderError(f"{label} is a folder, not a file.")
    if info.st_size == 0:
        raise ReaderError(f"{label} is empty.")
    if info.st_size > MAX_BYTES:
        raise ReaderError(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReaderError(f"Could not read {label}: {error.strerror or error}.") from None
    return parse_bytes(data, source=str(path.resolve()), name=label)


def iter_supported_files(folder: Path) -> Iterator[Path]:
    """Files under `folder` (recursively, sorted, hidden ones skipped) reader can import."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def text_fingerprint(article: Article) -> str:
    """A hash of what a reader sees (title and text), to tell a changed version apart."""
    digest = hashlib.sha1()
    digest.update(article.title.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(article.text.encode("utf-8"))
    return digest.hexdigest()
