"""Small display helpers the library and article screens share (kept light to import)."""

from __future__ import annotations

from urllib.parse import urlparse

from reader.text.sanitize import printable


def short_source(source: str) -> str:
    """A URL's host or a path's file name: enough to recognise where an article came from
    (neutralised for the screen: no escape sequence, control or bidi control)."""
    source = printable(source, line=True)
    if "://" in source:
        return urlparse(source).netloc or source
    return source.replace("\\", "/").rsplit("/", 1)[-1]
