"""Turning any supported input into `Article`s: text, Markdown, HTML, JSON, feeds.

`parse_path` and `parse_bytes` are the way in: `reader.ingest.sniff` names the format,
`reader.ingest.decode` turns bytes into text, and the format's parser in
`reader.ingest.formats` makes blocks, which `reader.ingest.metadata.finish_article` gives a
title, language and a stable id derived from where the article came from. Bad input raises
`ReaderError` with one sentence naming the file or URL; a file either parses whole or not
at all, so nothing is half-imported.
"""

from __future__ import annotations

from pathlib import Path

from reader.errors import ReaderError
from reader.ingest.decode import MAX_BYTES, bom_encoding, decode_text
from reader.ingest.formats.text import parse_text
from reader.ingest.sniff import detect_kind
from reader.models import Article


def parse_bytes(
    data: bytes, *, source: str, content_type: str = "", name: str = ""
) -> list[Article]:
    """Bytes from a file or a URL to articles; feeds and JSON Lines give many.

    `source` is the resolved path or URL the ids derive from; `name` (default
    `source`) is what error messages call the input.
    """
    label = name or source
    if not data.strip(b" \t\r\n\x00") and not bom_encoding(data):
        raise ReaderError(f"{label} is empty.")
    if len(data) > MAX_BYTES:
        raise ReaderError(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    kind = detect_kind(data, content_type=content_type, name=name or source)
    # Each parser is imported when its kind comes (`reader render` of a text file, the most
    # common case, then never loads the HTML and feed parsers).
    if kind == "feed":
        from reader.ingest.formats.feed import parse_feed

        feed = parse_feed(data, url=source, label=label)
        return feed.articles
    if kind == "html":
        if b"\x00" in data[:65536] and bom_encoding(data) is None:
            raise ReaderError(f"{label} is a binary file, not text.")
        from reader.ingest.formats.html import parse_html

        return [parse_html(data, source=source, label=label)]
    text = decode_text(data, label)
    if not text.strip():
        raise ReaderError(f"{label} is empty.")
    if kind in ("json", "jsonl"):
        from reader.ingest.formats.json import parse_json

        return parse_json(text, source=source, label=label, lines=kind == "jsonl")
    if kind == "markdown":
        from reader.ingest.formats.markdown import parse_markdown

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
