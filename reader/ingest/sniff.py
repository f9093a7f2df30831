"""Which format an input is: its content type, then its name, then its first bytes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from reader.ingest.decode import bom_encoding

Kind = Literal["text", "markdown", "html", "json", "jsonl", "feed"]
"""The formats reader parses (`reader.ingest.formats` has a module for each)."""

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


def _suffix(name: str) -> str:
    path = urlsplit(name).path if "://" in name else name
    return Path(path).suffix.lower()


def _sniff(data: bytes) -> Kind:
    """The format from the first bytes, for names and content types that say nothing."""
    encoding = bom_encoding(data)
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


def detect_kind(data: bytes, *, content_type: str = "", name: str = "") -> Kind:
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


def iter_supported_files(folder: Path) -> Iterator[Path]:
    """Files under `folder` (recursively, sorted, hidden ones skipped) reader can import."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
