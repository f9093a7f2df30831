"""What an article is besides its blocks: id, title, language and direction, date.

`finish_article` is where every parser ends: it takes the blocks and whatever fields the
format offered, and fills in the rest from the text.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from reader.errors import ReaderError
from reader.ingest.blocks import clean_text
from reader.models import Article, Block, Direction
from reader.text.arabic import ARABIC_SCRIPT_RE
from reader.text.sanitize import printable

TITLE_LIMIT = 80
"""A title taken from the first sentence is cut at a word boundary near this length."""

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


_HEBREW_RE = re.compile("[\u0590-\u05ff]")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]")
_RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "yi", "ps", "ckb", "sd", "ug", "dv"})


def detect_language(text: str, declared: str = "") -> tuple[str, Direction]:
    """Language code and paragraph direction: right-to-left when Arabic script dominates."""
    sample = text[:4000]
    arabic = len(ARABIC_SCRIPT_RE.findall(sample))
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
        from email.utils import parsedate_to_datetime  # rare (RFC 822), and slow to import

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


def text_fingerprint(article: Article) -> str:
    """A hash of what a reader sees (title and text), to tell a changed version apart."""
    digest = hashlib.sha1()
    digest.update(article.title.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(article.text.encode("utf-8"))
    return digest.hexdigest()


#: A URL's scheme and host (what `urlparse` calls its netloc), matched without parsing the
#: rest: the library shows one per article, 10,000 of them on opening.
_URL_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")


def short_source(source: str) -> str:
    """A URL's host or a path's file name: enough to recognise where an article came from
    (neutralised for the screen: no escape sequence, control or bidi control)."""
    source = printable(source, line=True)
    if "://" in source:
        url = _URL_HOST.match(source)
        if url is not None:
            return url.group(1) or source
        return urlparse(source).netloc or source
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def byline_parts(article: Article) -> list[str]:
    """What the article header shows under the title, in order: where the article came from,
    its author, its date (the day); empty fields left out, each one a neutralised line."""
    parts = [short_source(article.source), article.author, article.published[:10]]
    return [printable(part, line=True) for part in parts if part]
